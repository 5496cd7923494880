"""Tests of awsmon/events/api_common.py: the wire base and the members several operations share."""

from __future__ import annotations

import re

import pytest

from awsmon.events.api import EventsApi
from awsmon.events.api_common import bus_name, page, rule_name
from awsmon.events.errors import WORDING, ValidationException
from awsmon.params import Params


def params(data: dict[str, object]) -> Params:
    return Params(data, invalid=ValidationException, missing=ValidationException, wording=WORDING)


def test_events_api_answers_every_part() -> None:
    """EventsApi gathers its own handlers and those of archives and partner sources."""
    for operation in ("PutEvents", "CreateArchive", "StartReplay", "PutPartnerEvents"):
        assert operation in EventsApi.operations
    assert len(EventsApi.operations) == 41


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: rule_name(params({})),
            r"^1 validation error detected: Value null at 'name' failed to satisfy constraint: "
            r"Member must not be null$",
        ),
        (
            lambda: rule_name(params({"Rule": "a b"}), "Rule"),
            r"^1 validation error detected: Value 'a b' at 'rule' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: .*$",
        ),
        (
            lambda: bus_name(params({"EventBusName": ""})),
            r"^1 validation error detected: Value '' at 'eventBusName' failed to satisfy "
            r"constraint: Member must have length greater than or equal to 1$",
        ),
        (
            lambda: page([1, 2, 3], params({"Limit": 0})),
            r"^1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            r"Member must have value greater than or equal to 1$",
        ),
        (
            lambda: page([1, 2, 3], params({"NextToken": "9"})),
            r"^The NextToken provided is invalid\.$",
        ),
    ],
    ids=["name-missing", "rule-pattern", "bus-empty", "limit-zero", "token-unknown"],
)
def test_shared_members_word_errors_as_eventbridge(call: object, message: str) -> None:
    """Rule names, bus names and pages raise ValidationException in EventBridge's words."""
    with pytest.raises(ValidationException) as caught:
        call()  # type: ignore[operator]
    assert re.match(message, caught.value.message), caught.value.message


def test_pages_follow_limit_and_token() -> None:
    """Limit cuts a page; NextToken resumes after it; the last page has no token."""
    first, token = page([1, 2, 3], params({"Limit": 2}))
    assert (first, token) == ([1, 2], "2")
    assert page([1, 2, 3], params({"Limit": 2, "NextToken": token})) == ([3], None)
