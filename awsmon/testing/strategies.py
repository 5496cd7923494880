"""Hypothesis strategies for awsmon's inputs; each service adds its own here.

>>> from hypothesis import given
>>> @given(account_ids())
... def test(account_id): assert len(account_id) == 12
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

__all__ = ["account_ids", "aware_datetimes", "durations", "principal_arns", "region_names"]


def account_ids() -> st.SearchStrategy[str]:
    """12-digit AWS account ids."""
    return st.text("0123456789", min_size=12, max_size=12)


def region_names() -> st.SearchStrategy[str]:
    """Real AWS region names."""
    return st.sampled_from(
        [
            "us-east-1",
            "us-east-2",
            "us-west-2",
            "eu-west-1",
            "eu-west-3",
            "eu-central-1",
            "ap-southeast-2",
            "ap-northeast-1",
            "sa-east-1",
            "us-gov-west-1",
        ]
    )


def aware_datetimes(
    min_value: datetime = datetime(2000, 1, 1), max_value: datetime = datetime(2100, 1, 1)
) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes with millisecond precision (the finest AWS keeps)."""
    return st.datetimes(min_value=min_value, max_value=max_value).map(
        lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000, tzinfo=UTC)
    )


def durations(max_seconds: int = 7 * 86400) -> st.SearchStrategy[timedelta]:
    """Non-negative durations of whole milliseconds up to `max_seconds`."""
    return st.integers(0, max_seconds * 1000).map(lambda ms: timedelta(milliseconds=ms))


def principal_arns() -> st.SearchStrategy[str]:
    """ARNs of roots, IAM users and assumed roles."""
    names = st.from_regex(r"[A-Za-z][A-Za-z0-9+=,.@_-]{0,20}", fullmatch=True)
    return st.one_of(
        account_ids().map(lambda a: f"arn:aws:iam::{a}:root"),
        st.builds(lambda a, n: f"arn:aws:iam::{a}:user/{n}", account_ids(), names),
        st.builds(
            lambda a, r, s: f"arn:aws:sts::{a}:assumed-role/{r}/{s}", account_ids(), names, names
        ),
    )
