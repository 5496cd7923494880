"""The compiled Principal element, and the answers a document remembers."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.policy import Decision, PolicyDocument
from awsmon.policy.principals import PrincipalSet, account_of

A, B = "111122223333", "444455556666"


def test_account_and_root_arn_grant_the_accounts_principals() -> None:
    for name in (A, f"arn:aws:iam::{A}:root"):
        allowed = PrincipalSet.compile([("AWS", name)])
        assert allowed.matches(f"arn:aws:iam::{A}:user/alice")
        assert allowed.matches(f"arn:aws:sts::{A}:assumed-role/ops/s1")
        assert not allowed.matches(f"arn:aws:iam::{B}:user/bob")
        assert not allowed.matches("sns.amazonaws.com")


def test_role_arn_grants_its_sessions_in_its_own_account_only() -> None:
    allowed = PrincipalSet.compile([("AWS", f"arn:aws:iam::{A}:role/ops")])
    assert allowed.matches(f"arn:aws:sts::{A}:assumed-role/ops/session-1")
    assert allowed.matches(f"arn:aws:iam::{A}:role/ops")
    assert not allowed.matches(f"arn:aws:sts::{B}:assumed-role/ops/session-1")
    assert not allowed.matches(f"arn:aws:sts::{A}:assumed-role/dev/session-1")
    assert not allowed.matches(f"arn:aws:iam::{A}:user/ops")


def test_service_principals_match_by_name_and_star_matches_everyone() -> None:
    sns = PrincipalSet.compile([("Service", "sns.amazonaws.com")])
    assert sns.matches("sns.amazonaws.com")
    assert not sns.matches("events.amazonaws.com")
    assert not PrincipalSet.compile([("Service", A)]).matches(f"arn:aws:iam::{A}:user/x")
    assert PrincipalSet.compile([("*", "*")]).matches("anyone")
    assert PrincipalSet.compile([("AWS", "*")]).matches(f"arn:aws:iam::{B}:user/bob")


def test_account_of() -> None:
    assert account_of(f"arn:aws:iam::{A}:root") == A
    assert account_of("arn:aws:s3:::bucket") is None
    assert account_of("not an arn") is None


_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
             "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*",
             "Condition": {"NumericLessThan": {"n": "2"}}},
            {"Effect": "Deny", "Principal": {"AWS": B}, "Action": "sqs:ReceiveMessage",
             "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
             "Condition": {"ForAnyValue:StringEquals": {"tags": ["a"]}}},
        ],
    }
)  # fmt: skip
_VALUES: Any = st.one_of(
    st.sampled_from(["true", "false", "1", "1.0", "a", "b"]),
    st.booleans(),
    st.sampled_from([1, 1.0, 0, 2.5]),
    st.lists(st.sampled_from(["a", "b", "true"]), max_size=2),
)
_REQUESTS = st.tuples(
    st.sampled_from([f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{B}:user/bob"]),
    st.sampled_from(["sqs:SendMessage", "SQS:sendmessage", "sqs:ReceiveMessage", "sns:Publish"]),
    st.dictionaries(st.sampled_from(["aws:SecureTransport", "n", "tags"]), _VALUES, max_size=3),
)


@settings(max_examples=200)
@given(st.lists(_REQUESTS, min_size=1, max_size=12))
def test_remembered_answers_are_the_fresh_ones(requests: list[Any]) -> None:
    """Asked again and again (``True``, ``1`` and ``1.0`` alike), a document answers as new."""
    document = PolicyDocument.parse(_POLICY)
    resource = f"arn:aws:sqs:us-east-1:{A}:q"
    for principal, action, context in requests * 2:
        fresh = PolicyDocument(document.statements, document.version, document.id, "")
        expected = fresh._explain(principal, action, resource, context, "policy")
        assert document.explain(principal, action, resource, context) == expected
        assert document.evaluate(principal, action, resource, context) is expected.decision


def test_bool_and_number_contexts_do_not_share_an_answer() -> None:
    document = PolicyDocument.parse(_POLICY)
    resource = f"arn:aws:sqs:us-east-1:{A}:q"
    who = f"arn:aws:iam::{A}:user/alice"
    ask = document.evaluate
    assert ask(who, "sqs:SendMessage", resource, {"aws:SecureTransport": True}) is Decision.ALLOW
    assert ask(who, "sqs:SendMessage", resource, {"aws:SecureTransport": 1}) is (
        Decision.IMPLICIT_DENY
    )
    assert ask(who, "sqs:SendMessage", resource, {"n": 1}) is Decision.ALLOW
    assert ask(who, "sqs:SendMessage", resource, {"n": "1"}) is Decision.ALLOW
    assert ask(who, "sqs:SendMessage", resource, {"n": "x"}) is Decision.IMPLICIT_DENY
