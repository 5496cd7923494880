"""Tests of awsmon/schemas/inference.py and export.py: events → OpenAPI → JSON Schema Draft 4."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.schemas.export import to_json_schema_draft4
from awsmon.schemas.inference import MAX_DEPTH, Inference, infer, merge, pascal_case, schema_name

jsonschema = pytest.importorskip("jsonschema")


def _load(name: str, file: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(file))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shapes = _load("schemas_event_shapes", "event_shapes.py")

USER_CREATED = {
    "version": "0",
    "id": "a7a4c2e0-8f9e-4a4e-9b2a-8f9e4a4e9b2a",
    "detail-type": "userCreated",
    "source": "users",
    "account": "123456789012",
    "time": "2020-01-01T10:00:00Z",
    "region": "us-west-1",
    "resources": [],
    "detail": {"data": {"id": "d0c2"}},
}

#: AWS's discovered schema for USER_CREATED (reference E7.2).
E72_OPENAPI = {
    "openapi": "3.0.0",
    "info": {"version": "1.0.0", "title": "UserCreated"},
    "paths": {},
    "components": {
        "schemas": {
            "AWSEvent": {
                "type": "object",
                "required": [
                    "detail-type",
                    "resources",
                    "detail",
                    "id",
                    "source",
                    "time",
                    "region",
                    "version",
                    "account",
                ],
                "x-amazon-events-detail-type": "userCreated",
                "x-amazon-events-source": "users",
                "properties": {
                    "detail": {"$ref": "#/components/schemas/UserCreated"},
                    "account": {"type": "string"},
                    "detail-type": {"type": "string"},
                    "id": {"type": "string"},
                    "region": {"type": "string"},
                    "resources": {"type": "array", "items": {"type": "object"}},
                    "source": {"type": "string"},
                    "time": {"type": "string", "format": "date-time"},
                    "version": {"type": "string"},
                },
            },
            "UserCreated": {
                "type": "object",
                "required": ["data"],
                "properties": {"data": {"$ref": "#/components/schemas/Data"}},
            },
            "Data": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}},
            },
        }
    },
}

#: ExportSchema of E72_OPENAPI as JSONSchemaDraft4 (reference E7.2), as AWS prints it.
E72_DRAFT4 = (
    '{"$schema": "http://json-schema.org/draft-04/schema#", "title": "UserCreated", '
    '"definitions": {"Data": {"properties": {"id": {"type": "string"}}, "required": ["id"], '
    '"type": "object"}, "UserCreated": {"properties": {"data": {"$ref": "#/definitions/Data"}}, '
    '"required": ["data"], "type": "object"}}, "properties": {"account": {"type": "string"}, '
    '"detail": {"$ref": "#/definitions/UserCreated"}, "detail-type": {"type": "string"}, '
    '"id": {"type": "string"}, "region": {"type": "string"}, "resources": {"items": '
    '{"type": "object"}, "type": "array"}, "source": {"type": "string"}, "time": '
    '{"format": "date-time", "type": "string"}, "version": {"type": "string"}}, '
    '"required": ["detail-type", "resources", "detail", "id", "source", "time", "region", '
    '"version", "account"], "type": "object", "x-amazon-events-detail-type": "userCreated", '
    '"x-amazon-events-source": "users"}'
)


def detail_schemas(events: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(infer(events)["components"]["schemas"])


def validator(document: dict[str, Any]) -> Any:
    return jsonschema.Draft4Validator(to_json_schema_draft4(document))


class TestAwsExamples:
    def test_e72_discovered_schema(self) -> None:
        """The users@UserCreated event infers exactly AWS's discovered document."""
        assert infer([USER_CREATED]) == E72_OPENAPI
        assert json.dumps(infer([USER_CREATED])) == json.dumps(E72_OPENAPI)

    def test_e72_export(self) -> None:
        """ExportSchema's Draft 4 text, key order included."""
        assert json.dumps(to_json_schema_draft4(E72_OPENAPI)) == E72_DRAFT4

    @pytest.mark.parametrize(
        ("source", "detail_type", "name"),
        [
            ("users", "userCreated", "users@UserCreated"),
            (
                "aws.ec2",
                "EC2 Instance State-change Notification",
                "aws.ec2@EC2InstanceStateChangeNotification",
            ),
            (
                "aws.states",
                "Step Functions Execution Status Change",
                "aws.states@StepFunctionsExecutionStatusChange",
            ),
            ("aws.ssm", "Parameter Store Change", "aws.ssm@ParameterStoreChange"),
        ],
    )
    def test_e71_names(self, source: str, detail_type: str, name: str) -> None:
        """Discovered schema names (reference E7.1)."""
        assert schema_name(source, detail_type) == name

    def test_pascal_case_of_nothing(self) -> None:
        """A detail-type with no letters or digits gives an empty name part."""
        assert pascal_case("--- ") == ""


class TestTypes:
    def test_scalars(self) -> None:
        """Strings, integers (int64), other numbers (double), booleans, nulls."""
        detail = {"s": "x", "i": 1551225146847, "n": 1.5, "b": True, "z": None}
        props = detail_schemas([dict(USER_CREATED, detail=detail)])["UserCreated"]["properties"]
        assert props == {
            "b": {"type": "boolean"},
            "i": {"type": "integer", "format": "int64"},
            "n": {"type": "number", "format": "double"},
            "s": {"type": "string"},
            "z": {},
        }

    def test_integer_and_fraction_give_number(self) -> None:
        """A field seen with 3 and 2.5 is a double."""
        events = [dict(USER_CREATED, detail={"n": 3}), dict(USER_CREATED, detail={"n": 2.5})]
        props = detail_schemas(events)["UserCreated"]["properties"]
        assert props["n"] == {"type": "number", "format": "double"}

    def test_incompatible_types_give_any(self) -> None:
        """A field seen as a string and as a number (or null) accepts anything."""
        events = [
            dict(USER_CREATED, detail={"v": "x", "w": None}),
            dict(USER_CREATED, detail={"v": 1, "w": "y"}),
        ]
        props = detail_schemas(events)["UserCreated"]["properties"]
        assert props == {"v": {}, "w": {}}

    def test_date_time_strings(self) -> None:
        """RFC 3339 strings get format date-time; one other string drops it."""
        one = dict(USER_CREATED, detail={"at": "2019-10-02T17:04:40Z", "x": "2019-10-02T17:04:40Z"})
        two = dict(USER_CREATED, detail={"at": "2019-10-02T17:04:40.123+02:00", "x": "soon"})
        props = detail_schemas([one, two])["UserCreated"]["properties"]
        assert props["at"] == {"type": "string", "format": "date-time"}
        assert props["x"] == {"type": "string"}

    def test_alarm_timestamps_are_not_rfc3339(self) -> None:
        """CloudWatch's ``+0000`` offsets are plain strings."""
        event = dict(USER_CREATED, detail={"t": "2019-10-02T17:04:40.989+0000"})
        assert detail_schemas([event])["UserCreated"]["properties"]["t"] == {"type": "string"}

    def test_arrays(self) -> None:
        """Arrays of strings, of objects (a component after the key), and empty ones."""
        detail = {"tags": ["a"], "items": [{"sku": "x", "qty": 1}, {"sku": "y"}], "none": []}
        schemas = detail_schemas([dict(USER_CREATED, detail=detail)])
        props = schemas["UserCreated"]["properties"]
        assert props["tags"] == {"type": "array", "items": {"type": "string"}}
        assert props["items"] == {"type": "array", "items": {"$ref": "#/components/schemas/Items"}}
        assert props["none"] == {"type": "array", "items": {"type": "object"}}
        assert schemas["Items"]["required"] == ["sku"]

    def test_component_name_clash(self) -> None:
        """Two objects under the same key at different places get suffixed names."""
        detail = {"a": {"data": {"x": 1}}, "b": {"data": {"y": 2}}}
        schemas = detail_schemas([dict(USER_CREATED, detail=detail)])
        assert {"Data", "Data1"} <= set(schemas)
        assert schemas["Data"]["properties"] == {"x": {"type": "integer", "format": "int64"}}
        assert schemas["Data1"]["properties"] == {"y": {"type": "integer", "format": "int64"}}

    def test_depth_limit(self) -> None:
        """Nesting beyond 255 levels is left open."""
        value: Any = "leaf"
        for _ in range(MAX_DEPTH + 5):
            value = {"n": value}
        document = infer([dict(USER_CREATED, detail=value)])
        schemas = document["components"]["schemas"]
        assert len(schemas) == MAX_DEPTH + 1  # AWSEvent, the detail, and the nested levels
        assert any(s["properties"] == {"n": {}} for s in schemas.values())


class TestVersions:
    def test_optional_when_events_differ(self) -> None:
        """A field missing from one event is optional; others stay required."""
        first = dict(USER_CREATED, detail={"a": 1, "b": 2})
        second = dict(USER_CREATED, detail={"a": 3})
        assert detail_schemas([first, second])["UserCreated"]["required"] == ["a"]

    def test_add_reports_changes(self) -> None:
        """The same structure again changes nothing; a new field does."""
        inference = Inference()
        assert inference.add(USER_CREATED) is True
        assert inference.add(copy.deepcopy(USER_CREATED)) is False
        newer = copy.deepcopy(USER_CREATED)
        newer["detail"]["data"]["email"] = "a@b"
        assert inference.add(newer) is True
        assert inference.add(USER_CREATED) is False

    def test_merge_into_document(self) -> None:
        """merge(document, events) equals inferring all the events at once."""
        newer = copy.deepcopy(USER_CREATED)
        newer["detail"]["data"]["age"] = 7
        assert merge(E72_OPENAPI, [newer]) == infer([USER_CREATED, newer])
        data = merge(E72_OPENAPI, [newer])["components"]["schemas"]["Data"]
        assert data["required"] == ["id"]

    def test_no_source_or_detail_type(self) -> None:
        """Any JSON object can be inferred; the title falls back to Event."""
        document = infer([{"a": 1}])
        assert document["info"]["title"] == "Event"
        assert "x-amazon-events-source" not in document["components"]["schemas"]["AWSEvent"]


@given(shapes.shaped_events())
def test_inferred_document(case: tuple[Any, list[dict[str, Any]]]) -> None:
    """Every event used validates against the inferred schema (Draft 4); the document does
    not depend on the events' order; read back (from_document) it renders the same, and the
    events merged into it again change nothing (one property per line, one generation)."""
    _, events = case
    document = infer(events)
    check = validator(document)
    for event in events:
        check.validate(event)
    assert infer(list(reversed(events))) == document
    again = Inference.from_document(document)
    assert again.document() == document
    assert again.add_all(events) is False


@given(shapes.shaped_events(), st.data())
def test_new_field_new_version_still_validates_old(
    case: tuple[Any, list[dict[str, Any]]], data: st.DataObject
) -> None:
    """An event with a new field changes the schema, which still validates the old events."""
    _, events = case
    inference = Inference()
    inference.add_all(events)
    before = inference.document()
    newer = copy.deepcopy(events[-1])
    unused = [k for k in shapes.KEY_NAMES if k not in newer["detail"]]
    key = data.draw(st.sampled_from(unused))
    newer["detail"][key] = data.draw(shapes.value_of(data.draw(shapes.SCALARS)))
    seen_before = any(key in e["detail"] for e in events)
    changed = inference.add(newer)
    after = inference.document()
    assert changed == (after != before)
    if not seen_before:
        assert changed
        assert key in after["components"]["schemas"]["OrderPlaced"]["properties"]
    check = validator(after)
    for event in [*events, newer]:
        check.validate(event)
