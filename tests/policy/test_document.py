"""Tests of awsmon.policy.document and .wildcard: parsing, evaluation, wildcards.

Examples follow the IAM User Guide ("Policy evaluation logic", "IAM JSON policy
elements: Resource" and "Condition operators"); property tests hold the
wildcard matcher to the meaning of ``*`` and ``?`` and to its linear time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.policy import Decision, MalformedPolicy, PolicyDocument, wildcard_match

BUCKET_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::trail-bucket/AWSLogs/111122223333/*",
            "Condition": {
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
                "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"},
            },
        },
        {
            "Sid": "DenyEveryoneElseDeletes",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:Delete*",
            "Resource": "arn:aws:s3:::trail-bucket/*",
        },
    ],
}


def _policy(document: Mapping[str, object]) -> PolicyDocument:
    return PolicyDocument.parse(json.dumps(document))


class TestEvaluation:
    def test_an_allow_with_met_conditions_allows(self) -> None:
        """CloudTrail's documented bucket policy lets the trail write its own prefix."""
        decision = _policy(BUCKET_POLICY).evaluate(
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            "arn:aws:s3:::trail-bucket/AWSLogs/111122223333/CloudTrail/x.json.gz",
            {
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/main",
            },
        )
        assert decision is Decision.ALLOW

    def test_a_missing_condition_key_fails_the_statement(self) -> None:
        """Without aws:SourceArn in the request context the ArnLike condition is not met."""
        decision = _policy(BUCKET_POLICY).evaluate(
            "cloudtrail.amazonaws.com",
            "s3:PutObject",
            "arn:aws:s3:::trail-bucket/AWSLogs/111122223333/x",
            {"s3:x-amz-acl": "bucket-owner-full-control"},
        )
        assert decision is Decision.IMPLICIT_DENY

    def test_an_explicit_deny_beats_an_allow(self) -> None:
        """Deny wins over any Allow, as IAM's evaluation logic says."""
        document = {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
                *BUCKET_POLICY["Statement"],
            ]
        }
        decision = _policy(document).evaluate(
            "arn:aws:iam::111122223333:user/alice", "s3:DeleteObject", "arn:aws:s3:::trail-bucket/k"
        )
        assert decision is Decision.DENY
        assert not decision.allowed

    def test_actions_match_case_insensitively_and_resources_do_not(self) -> None:
        """Action names ignore case; resource ARNs are case-sensitive."""
        document = {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "111122223333"},
                    "Action": "SQS:SendMessage",
                    "Resource": "arn:aws:sqs:us-east-1:111122223333:Queue",
                }
            ]
        }
        policy = _policy(document)
        alice = "arn:aws:iam::111122223333:user/alice"
        queue = "arn:aws:sqs:us-east-1:111122223333:Queue"
        assert policy.evaluate(alice, "sqs:sendmessage", queue) is Decision.ALLOW
        assert policy.evaluate(alice, "sqs:SendMessage", queue.lower()) is Decision.IMPLICIT_DENY

    @pytest.mark.parametrize(
        "text",
        [
            "not json",
            "[]",
            '{"Version": "2012-10-17"}',
            '{"Version": "2020-01-01", "Statement": []}',
        ],
    )
    def test_malformed_policies_are_refused(self, text: str) -> None:
        """Text that is not a policy raises MalformedPolicy (a ValueError), never a raw error."""
        with pytest.raises(MalformedPolicy):
            PolicyDocument.parse(text)


def _reference(pattern: str, value: str) -> bool:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(body, value, re.DOTALL) is not None


_ALPHABET = st.sampled_from("ab/:*?")


class TestWildcards:
    @given(
        st.text(_ALPHABET, max_size=8),
        st.text(st.sampled_from("ab/:"), max_size=12),
    )
    def test_matches_as_a_glob_does(self, pattern: str, value: str) -> None:
        """``*`` is any run (empty too), ``?`` exactly one character, the rest literal."""
        assert wildcard_match(pattern, value) is _reference(pattern, value)

    @given(st.text(_ALPHABET, max_size=8), st.text(st.sampled_from("aAbB:"), max_size=12))
    def test_ignore_case_is_matching_the_lowered_texts(self, pattern: str, value: str) -> None:
        """With ignore_case, matching is matching both texts in lower case."""
        expected = _reference(pattern.lower(), value.lower())
        assert wildcard_match(pattern.upper(), value, ignore_case=True) is expected

    @given(st.text(max_size=20))
    def test_a_lone_star_matches_everything_and_a_literal_only_itself(self, value: str) -> None:
        """``*`` matches any text; a pattern without wildcards matches only itself."""
        assert wildcard_match("*", value)
        literal = value.replace("*", "").replace("?", "")
        assert wildcard_match(literal, literal)
        assert not wildcard_match(literal + "x", literal)

    def test_many_stars_do_not_backtrack(self) -> None:
        """A pattern of many stars against a long near-miss answers (a regex took minutes)."""
        assert not wildcard_match("*a" * 12 + "*b", "a" * 20_000)
        assert wildcard_match("*a" * 12 + "*b", "a" * 20_000 + "b")
        assert not wildcard_match("*?a" * 12 + "*b", "a" * 20_000, ignore_case=True)
