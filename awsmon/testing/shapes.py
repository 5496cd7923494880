"""Check a response dict against the output shape botocore's model gives an operation.

awsmon's wire API promises the same shapes boto3 returns; this module lets a
test hold it to that promise (requires botocore):

>>> problems("sts", "GetCallerIdentity", {"UserId": "x", "Account": "1", "Arn": "a"})
[]
>>> problems("sts", "GetCallerIdentity", {"Account": 1})
['Account: expected a string (accountType), got int']

What counts as valid is the form botocore's parsers produce: structures are
dicts with only modelled members (plus ``ResponseMetadata`` at the top),
required members present, exactly one member in a union; lists are lists;
maps are dicts; strings are str and within their enum; integers are int (not
bool); doubles are int or float; booleans are bool; timestamps are aware
datetimes; blobs are bytes (or a readable body when streaming).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

__all__ = ["assert_shape", "problems"]


@functools.cache
def _service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def problems(service: str, operation: str, response: Any, *, check_enums: bool = True) -> list[str]:
    """What is wrong with `response` as an answer of `service`.`operation` ([] if nothing)."""
    model = _service_model(service).operation_model(operation)
    found: list[str] = []
    if model.output_shape is None:
        extra = [key for key in response if key != "ResponseMetadata"]
        if extra:
            found.append(f"$: {operation} returns nothing, got {extra}")
        return found
    _Checker(found, check_enums).structure(model.output_shape, response, "", top=True)
    return found


def assert_shape(service: str, operation: str, response: Any) -> None:
    """Fail with the list of problems unless `response` fits the operation's output shape."""
    found = problems(service, operation, response)
    if found:
        raise AssertionError(
            f"{service}.{operation} response does not fit its shape:\n" + "\n".join(found)
        )


class _Checker:
    def __init__(self, found: list[str], check_enums: bool) -> None:
        self.found = found
        self.check_enums = check_enums

    def fail(self, path: str, message: str) -> None:
        self.found.append(f"{path or '$'}: {message}")

    def check(self, shape: Any, value: Any, path: str) -> None:
        if shape.serialization.get("eventstream"):
            return
        kind = shape.type_name
        checker: Callable[[Any, Any, str], None] | None = getattr(self, kind, None)
        if checker is None:
            self.fail(path, f"shape type {kind} is not checked")
            return
        checker(shape, value, path)

    def structure(self, shape: Any, value: Any, path: str, top: bool = False) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"expected a dict ({shape.name}), got {type(value).__name__}")
            return
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if top and key == "ResponseMetadata":
                continue
            if key not in shape.members:
                self.fail(where, f"not a member of {shape.name}")
                continue
            if top and shape.serialization.get("payload") == key and hasattr(item, "read"):
                continue  # a payload blob reaches boto3 users as a readable body
            self.check(shape.members[key], item, where)
        for key in shape.required_members:
            if key not in value:
                self.fail(path, f"required member {key} of {shape.name} is missing")
        if shape.metadata.get("union"):
            members = [key for key in value if key != "ResponseMetadata"]
            if len(members) != 1:
                self.fail(path, f"union {shape.name} needs exactly one member, got {members}")

    def list(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.fail(path, f"expected a list ({shape.name}), got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            self.check(shape.member, item, f"{path}[{index}]")

    def map(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"expected a dict ({shape.name}), got {type(value).__name__}")
            return
        for key, item in value.items():
            self.check(shape.key, key, f"{path}{{{key!r}}}")
            self.check(shape.value, item, f"{path}[{key!r}]")

    def string(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.fail(path, f"expected a string ({shape.name}), got {type(value).__name__}")
        elif self.check_enums and shape.enum and value not in shape.enum:
            self.fail(path, f"{value!r} is not one of {shape.name}'s values")

    def integer(self, shape: Any, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected an integer ({shape.name}), got {type(value).__name__}")

    long = integer

    def double(self, shape: Any, value: Any, path: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"expected a number ({shape.name}), got {type(value).__name__}")

    float = double

    def boolean(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.fail(path, f"expected a boolean ({shape.name}), got {type(value).__name__}")

    def timestamp(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, datetime):
            self.fail(path, f"expected a datetime ({shape.name}), got {type(value).__name__}")
        elif value.tzinfo is None:
            self.fail(path, "expected an aware datetime (botocore returns aware ones)")

    def blob(self, shape: Any, value: Any, path: str) -> None:
        streaming = shape.serialization.get("streaming") or shape.metadata.get("streaming")
        if isinstance(value, bytes | bytearray) or (streaming and hasattr(value, "read")):
            return
        self.fail(path, f"expected bytes ({shape.name}), got {type(value).__name__}")

    def document(self, shape: Any, value: Any, path: str) -> None:
        import json

        try:
            json.dumps(value)
        except (TypeError, ValueError):
            self.fail(path, "a document must be JSON-serialisable")
