"""Checks of schema content on CreateSchema and UpdateSchema (OpenApi3, JSONSchemaDraft4).

Pure code. `parse_content` parses the text, checks it is a document of its
type and returns it; a bad document raises ``BadRequestException`` naming what
is wrong and where (a JSON pointer, or a line and column for bad JSON).

What is checked: the text is a JSON object; an OpenApi3 document has an
``openapi`` version 3.x, an ``info`` object and ``components.schemas`` of
schema objects; a JSONSchemaDraft4 document's ``$schema``, when given, is
Draft 4's; in both, every ``type`` is a type of that language, ``properties``
holds schemas, ``required`` is a non-empty list of distinct strings, array
``items`` is a schema (or, in Draft 4, a list of them) and every local
``$ref`` resolves.

Simulation notes: AWS's message texts for invalid content are not documented;
awsmon's name the problem (UNCONFIRMED wording), with AWS's error code.

>>> parse_content('{"openapi": "3.0.0", "info": {"title": "t"}}', "OpenApi3")["openapi"]
'3.0.0'
>>> parse_content('{"type": "strin"}', "JSONSchemaDraft4")
Traceback (most recent call last):
...
awsmon.schemas.errors.BadRequestException: BadRequestException: Invalid JSONSchemaDraft4 content
at '/type': 'strin' is not a type
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsmon import jsondoc
from awsmon.schemas.errors import BadRequestException

__all__ = ["parse_content"]

_OPENAPI_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object"})
_DRAFT4_TYPES = _OPENAPI_TYPES | {"null"}
_MAX_DEPTH = 512


class _Checker:
    def __init__(self, document: dict[str, Any], kind: str) -> None:
        self.document = document
        self.kind = kind
        self.types = _OPENAPI_TYPES if kind == "OpenApi3" else _DRAFT4_TYPES

    def fail(self, where: str, problem: str) -> BadRequestException:
        return BadRequestException(
            f"Invalid {self.kind} content at '{where or '/'}': {problem}",
            param="Content",
            value=where,
        )

    def resolve(self, ref: str, where: str) -> None:
        if not ref.startswith("#"):
            return  # remote references are not followed
        target: Any = self.document
        for part in ref[1:].split("/")[1:] if ref != "#" else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise self.fail(where, f"reference {ref!r} does not resolve")
            target = target[part]

    def schema(self, value: Any, where: str, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            raise self.fail(where, "nested too deeply")
        if not isinstance(value, Mapping):
            raise self.fail(where, "a schema must be an object")
        ref = value.get("$ref")
        if ref is not None:
            if not isinstance(ref, str):
                raise self.fail(f"{where}/$ref", "a reference must be a string")
            self.resolve(ref, f"{where}/$ref")
        self._type(value.get("type"), f"{where}/type")
        properties = value.get("properties")
        if properties is not None:
            if not isinstance(properties, Mapping):
                raise self.fail(f"{where}/properties", "must be an object")
            for key, child in properties.items():
                self.schema(child, f"{where}/properties/{key}", depth + 1)
        self._required(value.get("required"), f"{where}/required")
        self._items(value, where, depth)
        for keyword in ("allOf", "anyOf", "oneOf"):
            parts = value.get(keyword)
            if parts is not None:
                if not isinstance(parts, list) or not parts:
                    raise self.fail(f"{where}/{keyword}", "must be a non-empty array")
                for i, part in enumerate(parts):
                    self.schema(part, f"{where}/{keyword}/{i}", depth + 1)
        extra = value.get("additionalProperties")
        if isinstance(extra, Mapping):
            self.schema(extra, f"{where}/additionalProperties", depth + 1)
        definitions = value.get("definitions")
        if definitions is not None and self.kind != "OpenApi3":
            if not isinstance(definitions, Mapping):
                raise self.fail(f"{where}/definitions", "must be an object")
            for key, child in definitions.items():
                self.schema(child, f"{where}/definitions/{key}", depth + 1)

    def _type(self, kind: Any, where: str) -> None:
        if kind is None:
            return
        kinds = kind if isinstance(kind, list) and self.kind != "OpenApi3" else [kind]
        for item in kinds:
            if not isinstance(item, str) or item not in self.types:
                raise self.fail(where, f"{item!r} is not a type")

    def _required(self, required: Any, where: str) -> None:
        if required is None:
            return
        if (
            not isinstance(required, list)
            or not required
            or not all(isinstance(key, str) for key in required)
            or len(set(required)) != len(required)
        ):
            raise self.fail(where, "must be a non-empty array of distinct strings")

    def _items(self, value: Mapping[str, Any], where: str, depth: int) -> None:
        items = value.get("items")
        if items is None:
            if value.get("type") == "array" and self.kind == "OpenApi3":
                raise self.fail(f"{where}/items", "an array schema needs items")
            return
        if isinstance(items, list) and self.kind != "OpenApi3":
            for i, item in enumerate(items):
                self.schema(item, f"{where}/items/{i}", depth + 1)
        else:
            self.schema(items, f"{where}/items", depth + 1)

    def openapi(self) -> None:
        document = self.document
        version = document.get("openapi")
        if not isinstance(version, str) or not version.startswith("3."):
            raise self.fail("/openapi", f"{version!r} is not an OpenAPI 3 version")
        if not isinstance(document.get("info"), Mapping):
            raise self.fail("/info", "an info object is required")
        components = document.get("components", {})
        if not isinstance(components, Mapping):
            raise self.fail("/components", "must be an object")
        schemas = components.get("schemas", {})
        if not isinstance(schemas, Mapping):
            raise self.fail("/components/schemas", "must be an object")
        for name, schema in schemas.items():
            self.schema(schema, f"/components/schemas/{name}")

    def draft4(self) -> None:
        declared = self.document.get("$schema")
        if declared is not None and (not isinstance(declared, str) or "draft-04" not in declared):
            raise self.fail("/$schema", f"{declared!r} is not JSON Schema Draft 4")
        self.schema(self.document, "")


def _depth(document: Any) -> int:
    """How deeply `document` nests objects and arrays (measured without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return deepest


def parse_content(content: str, kind: str) -> dict[str, Any]:
    """The document `content` holds, checked as a `kind` (``OpenApi3``, ``JSONSchemaDraft4``).

    Raises:
        BadRequestException: the content is not JSON, not an object, or not a
            valid document of its type.
    """
    try:
        document = jsondoc.loads(content, max_depth=_MAX_DEPTH)
    except json.JSONDecodeError as error:
        if error.msg.startswith("JSON text nested deeper"):
            raise BadRequestException(
                f"Invalid {kind} content: nested too deeply", param="Content"
            ) from None
        raise BadRequestException(
            f"Invalid {kind} content: not valid JSON at line {error.lineno} column "
            f"{error.colno}: {error.msg}",
            param="Content",
            value=error.pos,
        ) from None
    except RecursionError:
        raise BadRequestException(
            f"Invalid {kind} content: nested too deeply", param="Content"
        ) from None
    checker = _Checker(document if isinstance(document, dict) else {}, kind)
    if not isinstance(document, dict):
        raise checker.fail("", "the content must be a JSON object")
    if _depth(document) > _MAX_DEPTH:
        raise checker.fail("", "nested too deeply")
    if kind == "OpenApi3":
        checker.openapi()
    else:
        checker.draft4()
    return document
