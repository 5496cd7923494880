"""The compact `CallRecord`: what it keeps reads back as the call gave it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from awsmon.cloudtrail.classify import classify
from awsmon.cloudtrail.records import CallRecord, render
from awsmon.dispatch import ApiCall
from awsmon.errors import AlreadyExists
from awsmon.identity import Principal

_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
_WHO = Principal.root("123456789012")

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


def _record(operation: str, parameters: Any, response: Any, **extra: Any) -> CallRecord:
    kind = classify("logs", operation)
    assert kind is not None
    call = ApiCall(
        request_id="req-1", at=_AT, service="logs", operation=operation,
        account_id="123456789012", region="eu-west-3", principal=_WHO,
        parameters=parameters, response=response, source="wire", **extra,
    )  # fmt: skip
    return CallRecord(call, kind)


@given(st.dictionaries(st.text(max_size=8), _json, max_size=4), _json)
def test_management_parameters_and_response_read_back_equal(params: Any, response: Any) -> None:
    record = _record("CreateLogGroup", params, response)
    assert dict(record.parameters) == params
    assert record.response == (response if response else None)


def test_packed_parameters_are_a_copy_of_the_callers() -> None:
    tags = {"team": "a"}
    record = _record("CreateLogGroup", {"logGroupName": "g", "tags": tags}, None)
    tags["team"] = "b"
    assert record.parameters == {"logGroupName": "g", "tags": {"team": "a"}}
    assert render(record)["requestParameters"]["tags"] == {"team": "a"}


def test_what_cannot_be_packed_is_kept_as_given() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    record = _record("PutRetentionPolicy", {"logGroupName": "g", "when": when}, None)
    assert record.parameters["when"] is when


def test_data_event_parameters_are_kept_by_reference() -> None:
    params = {"logGroupName": "g", "logStreamName": "s", "logEvents": []}
    record = _record("PutLogEvents", params, None)
    assert record.parameters is params


def test_rare_fields_read_back() -> None:
    plain = _record("CreateLogGroup", {}, {})
    assert (plain.error_code, plain.error_message, plain.user_agent, plain.access_key_id) == (
        None, None, None, None,
    )  # fmt: skip
    assert plain.parameters == {} and plain.response is None
    failed = _record(
        "CreateLogGroup", {"logGroupName": "g"}, {"kept": "no"},
        error=AlreadyExists("exists"), user_agent="ua", access_key_id="AKIA",
    )  # fmt: skip
    assert failed.error_code == "ResourceAlreadyExistsException"
    assert failed.error_message == "exists"
    assert (failed.user_agent, failed.access_key_id) == ("ua", "AKIA")
    assert failed.response is None
    assert render(failed)["errorCode"] == "ResourceAlreadyExistsException"


def test_a_read_keeps_no_response() -> None:
    assert _record("DescribeLogGroups", {}, {"logGroups": []}).response is None
