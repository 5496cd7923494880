"""Tests of awsmon.policy.conditions: every operator family, IfExists, the set operators.

Examples follow the IAM User Guide pages "IAM JSON policy elements: Condition
operators" and "Conditions with multiple context keys or values".
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.policy import Condition, ConditionError, normalize_context


def holds(operator: str, key: str, values: list[str], context: dict[str, object]) -> bool:
    condition = Condition.compile(operator, key, tuple(values))
    return condition.holds(normalize_context(context))  # type: ignore[arg-type]


SOURCE = "arn:aws:sns:us-east-1:111122223333:alerts"


@pytest.mark.parametrize(
    ("operator", "values", "actual", "expected"),
    [
        ("StringEquals", ["a"], "a", True),
        ("StringEquals", ["a"], "A", False),
        ("StringNotEquals", ["a", "b"], "b", False),
        ("StringNotEquals", ["a", "b"], "c", True),
        ("StringEqualsIgnoreCase", ["AbC"], "abc", True),
        ("StringNotEqualsIgnoreCase", ["AbC"], "abc", False),
        ("StringLike", ["home/*/x?"], "home/bob/xy", True),
        ("StringLike", ["home/*/x?"], "home/bob/x", False),
        ("StringNotLike", ["*.internal"], "a.internal", False),
        ("NumericLessThan", ["10"], "9.5", True),
        ("NumericLessThanEquals", ["10"], "10", True),
        ("NumericGreaterThan", ["10"], "10", False),
        ("NumericGreaterThanEquals", ["10"], "11", True),
        ("NumericEquals", ["10"], "10.0", True),
        ("NumericNotEquals", ["10"], "10", False),
        ("NumericEquals", ["10"], "ten", False),
        ("DateLessThan", ["2026-01-01T00:00:00Z"], "2025-12-31T23:59:59Z", True),
        ("DateGreaterThan", ["2026-01-01T00:00:00Z"], "1767225601", True),
        ("DateEquals", ["2026-01-01T00:00:00Z"], "2026-01-01T00:00:00+00:00", True),
        ("DateNotEquals", ["2026-01-01T00:00:00Z"], "2026-01-02T00:00:00Z", True),
        ("DateLessThanEquals", ["2026-01-01"], "2026-01-01T00:00:00Z", True),
        ("DateGreaterThanEquals", ["2026-01-01"], "not a date", False),
        ("Bool", ["true"], "True", True),
        ("Bool", ["false"], "true", False),
        ("BinaryEquals", ["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
        ("IpAddress", ["203.0.113.0/24"], "203.0.113.7", True),
        ("IpAddress", ["203.0.113.0/24"], "198.51.100.1", False),
        ("IpAddress", ["2001:db8::/32"], "2001:db8::1", True),
        ("NotIpAddress", ["203.0.113.0/24"], "198.51.100.1", True),
        ("IpAddress", ["203.0.113.0/24"], "not an address", False),
        ("ArnEquals", [SOURCE], SOURCE, True),
        ("ArnLike", ["arn:aws:sns:*:111122223333:*"], SOURCE, True),
        ("ArnLike", ["arn:aws:sns:*:444455556666:*"], SOURCE, False),
        ("ArnNotEquals", [SOURCE], SOURCE, False),
        ("ArnNotLike", ["arn:aws:sqs:*:*:*"], SOURCE, True),
        ("ArnLike", ["arn:aws:s3:::bucket/*"], "arn:aws:s3:::bucket/a:b/c", True),
        ("ArnLike", ["arn:aws:logs:*:*:log-group:*"], "not-an-arn", False),
    ],
)
def test_operators_on_a_present_key(
    operator: str, values: list[str], actual: str, expected: bool
) -> None:
    """Each operator compares the request's value with the policy's values (ORed)."""
    assert holds(operator, "aws:Key", values, {"aws:key": actual}) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("StringEquals", False),
        ("StringNotEquals", True),  # negated operators hold when the key is missing
        ("StringNotLike", True),
        ("ArnNotLike", True),
        ("ArnLike", False),
        ("StringEqualsIfExists", True),
        ("NumericLessThanIfExists", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAllValues:StringEquals", True),
    ],
)
def test_a_missing_key(operator: str, expected: bool) -> None:
    """AWS's rule for a key the request lacks: false, except negated, IfExists, ForAllValues."""
    value = "arn:aws:sns:*:*:*" if "Arn" in operator else "1"
    assert holds(operator, "aws:SourceArn", [value], {}) is expected


def test_ifexists_checks_a_present_key() -> None:
    """``...IfExists`` only forgives absence: a present key must match."""
    assert holds("StringEqualsIfExists", "k", ["a"], {"k": "b"}) is False
    assert holds("StringEqualsIfExists", "k", ["a"], {"k": "a"}) is True


def test_null_tests_presence() -> None:
    """``Null: true`` holds when the key is absent, ``false`` when present."""
    assert holds("Null", "aws:TokenIssueTime", ["true"], {}) is True
    assert holds("Null", "aws:TokenIssueTime", ["false"], {}) is False
    assert holds("Null", "aws:TokenIssueTime", ["false"], {"aws:TokenIssueTime": "x"}) is True


def test_set_operators_on_multivalued_keys() -> None:
    """The guide's aws:TagKeys examples: ForAllValues is a subset, ForAnyValue an overlap."""
    allowed = ["environment", "cost-center"]
    assert holds(
        "ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["environment"]}
    )
    assert not holds(
        "ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["environment", "x"]}
    )
    assert holds("ForAllValues:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": []})
    assert holds(
        "ForAnyValue:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["x", "cost-center"]}
    )
    assert not holds("ForAnyValue:StringEquals", "aws:TagKeys", allowed, {"aws:TagKeys": []})
    assert holds("ForAnyValue:StringNotEquals", "aws:TagKeys", allowed, {"aws:TagKeys": ["x"]})


def test_keys_are_case_insensitive() -> None:
    """Condition key names match whatever their case (values do not)."""
    assert holds("StringEquals", "AWS:SourceOwner", ["1"], {"aws:sourceowner": "1"})


@pytest.mark.parametrize(
    ("operator", "values"),
    [
        ("StringEqualz", ["a"]),
        ("ForSomeValues:StringEquals", ["a"]),
        ("NullIfExists", ["true"]),
        ("NumericLessThan", ["ten"]),
        ("IpAddress", ["999.1.1.1/8"]),
        ("DateLessThan", ["yesterday"]),
        ("BinaryEquals", ["@@@"]),
    ],
)
def test_unreadable_conditions_are_refused(operator: str, values: list[str]) -> None:
    """An unknown operator or a value it cannot read is a ConditionError (malformed policy)."""
    with pytest.raises(ConditionError):
        Condition.compile(operator, "k", tuple(values))


@given(
    st.sampled_from(
        [
            "StringEquals",
            "StringLike",
            "ArnLike",
            "NumericEquals",
            "DateEquals",
            "IpAddress",
            "Bool",
            "BinaryEquals",
        ]
    ),
    st.text(max_size=20),
)
def test_no_request_value_raises(operator: str, actual: str) -> None:
    """Whatever a request carries, a compiled condition answers True or False."""
    samples = {
        "StringEquals": "a", "StringLike": "a*", "ArnLike": "arn:aws:sns:*:*:*",
        "NumericEquals": "1", "DateEquals": "2026-01-01", "IpAddress": "10.0.0.0/8",
        "Bool": "true", "BinaryEquals": "YQ==",
    }  # fmt: skip
    condition = Condition.compile(operator, "k", (samples[operator],))
    assert condition.holds({"k": (actual,)}) in (True, False)
