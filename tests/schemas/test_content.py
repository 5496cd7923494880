"""Tests of awsmon/schemas/content.py: schema documents checked on CreateSchema/UpdateSchema."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from awsmon.schemas.content import parse_content
from awsmon.schemas.errors import BadRequestException
from awsmon.schemas.export import to_json_schema_draft4
from awsmon.schemas.inference import infer

jsonschema = pytest.importorskip("jsonschema")

OPENAPI = {
    "openapi": "3.0.0",
    "info": {"version": "1.0.0", "title": "Order"},
    "paths": {},
    "components": {
        "schemas": {
            "Order": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                },
            },
            "Line": {"type": "object", "properties": {"qty": {"type": "integer"}}},
        }
    },
}
DRAFT4 = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "properties": {"id": {"type": ["string", "null"]}, "n": {"$ref": "#/definitions/N"}},
    "definitions": {"N": {"type": "number"}},
    "required": ["id"],
}


def test_valid_documents() -> None:
    """An OpenAPI 3 document and a Draft 4 document pass and come back parsed."""
    assert parse_content(json.dumps(OPENAPI), "OpenApi3") == OPENAPI
    assert parse_content(json.dumps(DRAFT4), "JSONSchemaDraft4") == DRAFT4


def _with(document: dict[str, object], path: list[str], value: object) -> str:
    copy = json.loads(json.dumps(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(copy)


@pytest.mark.parametrize(
    ("content", "kind", "message"),
    [
        pytest.param("{", "OpenApi3", r"not valid JSON at line 1 column 2", id="not-json"),
        pytest.param("[1]", "OpenApi3", r"at '/': the content must be a JSON object", id="array"),
        pytest.param(_with(OPENAPI, ["openapi"], "2.0"), "OpenApi3", r"'/openapi'", id="swagger-2"),
        pytest.param(_with(OPENAPI, ["info"], 3), "OpenApi3", r"'/info'", id="no-info"),
        pytest.param(
            _with(OPENAPI, ["components", "schemas", "Line", "properties", "qty", "type"], "int"),
            "OpenApi3",
            r"'/components/schemas/Line/properties/qty/type': 'int' is not a type",
            id="bad-type",
        ),
        pytest.param(
            _with(
                OPENAPI,
                ["components", "schemas", "Order", "properties", "lines", "items"],
                {"$ref": "#/components/schemas/Nope"},
            ),
            "OpenApi3",
            r"reference '#/components/schemas/Nope' does not resolve",
            id="dangling-ref",
        ),
        pytest.param(
            _with(OPENAPI, ["components", "schemas", "Order", "required"], []),
            "OpenApi3",
            r"'/components/schemas/Order/required': must be a non-empty array",
            id="empty-required",
        ),
        pytest.param(
            _with(
                OPENAPI, ["components", "schemas", "Line", "properties", "qty"], {"type": "array"}
            ),
            "OpenApi3",
            r"an array schema needs items",
            id="array-without-items",
        ),
        pytest.param(
            _with(DRAFT4, ["$schema"], "http://json-schema.org/draft-07/schema#"),
            "JSONSchemaDraft4",
            r"'/\$schema'",
            id="draft-7",
        ),
        pytest.param(
            _with(DRAFT4, ["properties", "id"], "string"),
            "JSONSchemaDraft4",
            r"'/properties/id': a schema must be an object",
            id="schema-not-object",
        ),
        pytest.param(
            _with(DRAFT4, ["required"], ["id", "id"]),
            "JSONSchemaDraft4",
            r"distinct strings",
            id="duplicate-required",
        ),
    ],
)
def test_invalid_content(content: str, kind: str, message: str) -> None:
    """Each invalid document is a BadRequestException naming where it is wrong."""
    with pytest.raises(BadRequestException, match=message) as caught:
        parse_content(content, kind)
    assert caught.value.code == "BadRequestException"
    assert caught.value.param == "Content"


def test_deep_nesting_is_refused_not_crashing() -> None:
    """A pathologically deep document is an AWS error, not a RecursionError."""
    deep = '{"type": "object", "properties": {"a": ' * 600 + "{}" + "}}" * 600
    with pytest.raises(BadRequestException, match="nested too deeply"):
        parse_content(deep, "JSONSchemaDraft4")


@given(...)
def test_inferred_documents_pass(events: list[dict[str, int]]) -> None:
    """Inferred documents and their Draft 4 exports are valid content (and valid Draft 4)."""
    document = infer([{"source": "s", "detail-type": "t", "detail": e} for e in events[:5]])
    parse_content(json.dumps(document), "OpenApi3")
    exported = to_json_schema_draft4(document)
    parse_content(json.dumps(exported), "JSONSchemaDraft4")
    jsonschema.Draft4Validator.check_schema(exported)


def test_deep_annotations_are_refused() -> None:
    """Deep nesting outside the schema keywords is refused too, so export cannot overflow."""
    deep = '{"type": "object", "x-note": ' + "[" * 700 + "]" * 700 + "}"
    with pytest.raises(BadRequestException, match="nested too deeply"):
        parse_content(deep, "JSONSchemaDraft4")
