"""Property tests of the evaluator: it agrees with a naive reading of IAM's logic, and
random JSON never makes it raise anything but MalformedPolicy."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from awsmon.policy import Decision, MalformedPolicy, PolicyDocument

A, B = "111122223333", "444455556666"
PRINCIPALS = [
    ("Service", "sns.amazonaws.com"),
    ("AWS", A),
    ("AWS", f"arn:aws:iam::{A}:root"),
    ("AWS", f"arn:aws:iam::{B}:user/bob"),
    ("*", "*"),
]
ACTIONS = ["sqs:SendMessage", "sqs:*", "SQS:send*", "*", "sns:Publish", "sqs:?endMessage"]
RESOURCES = [
    "*",
    f"arn:aws:sqs:us-east-1:{A}:q",
    f"arn:aws:sqs:*:{A}:*",
    "arn:aws:sqs:us-east-1:*:q?",
]
CALLERS = [
    "sns.amazonaws.com",
    "events.amazonaws.com",
    f"arn:aws:iam::{A}:user/alice",
    f"arn:aws:iam::{B}:user/bob",
]
CALLED = ["sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish"]
TARGETS = [f"arn:aws:sqs:us-east-1:{A}:q", f"arn:aws:sqs:eu-west-1:{A}:q1"]


def _principal_json(chosen: list[tuple[str, str]]) -> Any:
    if any(kind == "*" for kind, _ in chosen):
        return "*"
    found: dict[str, list[str]] = {}
    for kind, name in chosen:
        found.setdefault(kind, []).append(name)
    return found


statements = st.fixed_dictionaries(
    {
        "Effect": st.sampled_from(["Allow", "Deny"]),
        "principal": st.tuples(
            st.sampled_from(["Principal", "NotPrincipal"]),
            st.lists(st.sampled_from(PRINCIPALS), min_size=1, max_size=2),
        ),
        "action": st.tuples(
            st.sampled_from(["Action", "NotAction"]),
            st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2),
        ),
        "resource": st.tuples(
            st.sampled_from(["Resource", "NotResource", None]),
            st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2),
        ),
        "account": st.sampled_from([None, A, B]),
    }
)


def _to_json(s: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": s["Effect"]}
    out[s["principal"][0]] = _principal_json(s["principal"][1])
    out[s["action"][0]] = s["action"][1]
    if s["resource"][0] is not None:
        out[s["resource"][0]] = s["resource"][1]
    if s["account"] is not None:
        out["Condition"] = {"StringEquals": {"aws:SourceAccount": s["account"]}}
    return out


def _glob(pattern: str, value: str, *, fold: bool = False) -> bool:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(body, value, re.DOTALL | (re.IGNORECASE if fold else 0)) is not None


def _account(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) >= 6 and parts[4] else None


def _naive_principal(chosen: list[tuple[str, str]], caller: str) -> bool:
    for kind, name in chosen:
        if kind == "*" or name == caller:
            return True
        if kind == "AWS" and (
            name == _account(caller)
            or (name.endswith(":root") and _account(name) == _account(caller))
        ):
            return True
    return False


def _naive_applies(
    s: dict[str, Any], caller: str, action: str, target: str, ctx: dict[str, str]
) -> bool:
    kind, chosen = s["principal"]
    if _naive_principal(chosen, caller) != (kind == "Principal"):
        return False
    kind, patterns = s["action"]
    if any(_glob(p, action, fold=True) for p in patterns) != (kind == "Action"):
        return False
    kind, patterns = s["resource"]
    if kind is not None and any(_glob(p, target) for p in patterns) != (kind == "Resource"):
        return False
    return s["account"] is None or ctx.get("aws:SourceAccount") == s["account"]


@settings(max_examples=300)
@given(
    st.lists(statements, min_size=1, max_size=4),
    st.sampled_from(CALLERS),
    st.sampled_from(CALLED),
    st.sampled_from(TARGETS),
    st.sampled_from([None, A, B]),
)
def test_agrees_with_a_naive_reading_of_iam(
    raw: list[dict[str, Any]], caller: str, action: str, target: str, account: str | None
) -> None:
    """A Deny that applies wins; else an Allow that applies allows; else implicit deny."""
    context = {} if account is None else {"aws:SourceAccount": account}
    text = json.dumps({"Version": "2012-10-17", "Statement": [_to_json(s) for s in raw]})
    applying = [s["Effect"] for s in raw if _naive_applies(s, caller, action, target, context)]
    expected = (
        Decision.DENY if "Deny" in applying
        else Decision.ALLOW if "Allow" in applying
        else Decision.IMPLICIT_DENY
    )  # fmt: skip
    document = PolicyDocument.parse(text)
    assert document.evaluate(caller, action, target, context) is expected
    verdict = document.explain(caller, action, target, context)
    assert verdict.decision is expected
    assert (verdict.statement is None) == (expected is Decision.IMPLICIT_DENY)
    if verdict.statement is not None:
        assert verdict.statement.effect == ("Deny" if expected is Decision.DENY else "Allow")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    ["Version", "Statement", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
     "Resource", "NotResource", "Condition", "Sid", "AWS", "Service", "StringEquals",
     "ArnLike", "ForAnyValue:StringLike", "NumericLessThanIfExists", "Null", "IpAddress",
     "DateLessThan", "aws:SourceArn"]
)  # fmt: skip
shaped = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=6)
    | st.sampled_from(
        ["Allow", "Deny", "*", "2012-10-17", "sqs:*", "arn:aws:sqs:*:*:*", "10.0.0.0/8"]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(st.one_of(json_values, shaped, st.text(max_size=30)))
def test_random_json_is_a_policy_or_malformed(data: Any) -> None:
    """Any JSON (or text) either parses or raises MalformedPolicy; a parsed one evaluates."""
    text = data if isinstance(data, str) else json.dumps(data)
    try:
        document = PolicyDocument.parse(text)
    except MalformedPolicy:
        return
    for caller in CALLERS:
        document.evaluate(caller, "sqs:SendMessage", TARGETS[0], {"aws:SourceArn": "x"})
        document.explain(caller, "sqs:SendMessage", TARGETS[0], {"aws:TagKeys": ["a", "b"]})
