"""ExportSchema's conversion: an OpenAPI 3.0.0 event schema as a JSON Schema Draft 4 document.

Pure code. The conversion (reference B.2, worked example E7.2): the
``AWSEvent`` component becomes the root (its ``properties``, ``required`` and
``x-amazon-events-*`` at top level), the other components move to
``definitions``, every ``#/components/schemas/X`` reference becomes
``#/definitions/X``, and ``$schema`` and ``title`` (the detail component's
name) lead; every object's keys are sorted, as AWS's export prints them.

>>> from awsmon.schemas.inference import infer
>>> event = {"source": "users", "detail-type": "userCreated", "detail": {"data": {"id": "x"}}}
>>> doc = to_json_schema_draft4(infer([event]))
>>> list(doc)[:3], doc["properties"]["detail"]
(['$schema', 'title', 'definitions'], {'$ref': '#/definitions/UserCreated'})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["DRAFT4", "to_json_schema_draft4"]

#: The ``$schema`` of a JSON Schema Draft 4 document.
DRAFT4 = "http://json-schema.org/draft-04/schema#"

_OPENAPI_REF = "#/components/schemas/"
_DRAFT4_REF = "#/definitions/"


def _converted(value: Any) -> Any:
    """`value` with references re-pointed and object keys sorted (recursively)."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in sorted(value):
            item = value[key]
            if key == "$ref" and isinstance(item, str) and item.startswith(_OPENAPI_REF):
                item = _DRAFT4_REF + item[len(_OPENAPI_REF) :]
            out[key] = _converted(item)
        return out
    if isinstance(value, list):
        return [_converted(item) for item in value]
    return value


def to_json_schema_draft4(document: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema Draft 4 form of an OpenAPI event schema (reference B.2, E7.2).

    A document without an ``AWSEvent`` component (a custom schema) keeps its
    components as definitions and has no root properties.
    """
    components = dict(document.get("components", {}).get("schemas", {}))
    root = components.pop("AWSEvent", None)
    title = str(document.get("info", {}).get("title", ""))
    if isinstance(root, Mapping):
        detail = root.get("properties", {}).get("detail", {})
        ref = detail.get("$ref") if isinstance(detail, Mapping) else None
        if isinstance(ref, str) and ref.startswith(_OPENAPI_REF):
            title = ref[len(_OPENAPI_REF) :]
    result: dict[str, Any] = {"$schema": DRAFT4, "title": title}
    if components:
        result["definitions"] = _converted(components)
    if isinstance(root, Mapping):
        result.update(_converted(root))
    return result
