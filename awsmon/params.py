"""Request parameters, checked as AWS checks them: the one place of AWS's validation wording.

- `Params`: typed access to one request's parameters; each getter raises the
  service's own AWS error for a missing or malformed value.
- `Wording`: how a service words those errors (member casing, the missing and
  invalid styles of the query, JSON and EC2 protocols).

Every service's wire API validates through these (`awsmon.wire.WireApi.params`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal, overload

from attrs import frozen
from dateutil import parser as date_parser

from awsmon.errors import InvalidParameter, ServiceError
from awsmon.times import to_datetime

__all__ = ["Params", "Wording", "timestamp_of"]


@frozen
class Wording:
    """How a service words its parameter errors: the one place those words live.

    Attributes:
        member_case: ``"as-given"`` names members as the request does
            (``MetricName``); ``"camel"`` in lower camel case, as AWS's JSON
            services and CloudWatch's alarm checks do (``stateValue``,
            ``targets.1.member.id``).
        missing: ``"required"`` (``The parameter X is required.``), ``"null"``
            (``Value null at 'x' failed to satisfy constraint: Member must not be
            null``) or ``"must-contain"`` (EC2: ``The request must contain the
            parameter X``).
        invalid: ``"validation"`` (``1 validation error detected: Value 'v' at 'x'
            failed to satisfy constraint: Member must ...``) or ``"ec2"``
            (``Value (v) for parameter X is invalid. Member must ...``).
    """

    member_case: str = "as-given"
    missing: str = "required"
    invalid: str = "validation"

    def location(self, path: str, name: str) -> str:
        """The member `name` under `path`, as the service's messages name it."""
        if self.member_case == "camel":
            name = name[:1].lower() + name[1:]
        return path + name

    def invalid_message(self, location: str, value: Any, constraint: str) -> str:
        """The message for `value` at `location` breaking `constraint`."""
        if self.invalid == "ec2":
            return f"Value ({value}) for parameter {location} is invalid. {constraint}"
        return (
            f"1 validation error detected: Value {_shown(value)} at '{location}' "
            f"failed to satisfy constraint: {constraint}"
        )

    def missing_message(self, path: str, name: str) -> str:
        """The message for the required member `name` under `path` being absent.

        The query protocol's words name the parameter as the request spells it
        (``The parameter AlarmName is required.``); the JSON protocol's validation
        words locate it like any other constraint (``Value null at 'alarmName'``).
        """
        if self.missing == "null":
            return (
                f"1 validation error detected: Value null at '{self.location(path, name)}' "
                "failed to satisfy constraint: Member must not be null"
            )
        if self.missing == "must-contain":
            return f"The request must contain the parameter {path}{name}"
        return f"The parameter {path}{name} is required."


class Params:
    """One request's parameters, with checks that raise the service's AWS errors.

    Each getter returns None (or the default) for an absent optional parameter
    and raises `missing` for an absent required one; a getter asked with
    ``required=True`` or a non-None ``default`` is typed as never returning
    None. Messages follow the service's `Wording`, and name a nested member by
    its path as AWS does (``targets.1.member.id``) when the structure was
    reached through `nested` with a name, or through `structs`.

    `header` reads the request's HTTP headers, for the few behaviours AWS keys
    on a header (``x-amzn-logs-format``, ``X-Amzn-Trace-Id``); boto3 calls carry
    the headers botocore built, wire-client calls none.

    >>> p = Params({"Targets": [{"Id": ""}]}, wording=Wording(member_case="camel"))
    >>> [t.string("Id", min_length=1) for t in p.structs("Targets")]
    Traceback (most recent call last):
    ...
    awsmon.errors.InvalidParameter: ValidationException: 1 validation error detected: \
Value '' at 'targets.1.member.id' failed to satisfy constraint: Member must have length \
greater than or equal to 1
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        invalid: type[ServiceError] = InvalidParameter,
        missing: type[ServiceError] = InvalidParameter,
        headers: Mapping[str, str] | None = None,
        wording: Wording | None = None,
        path: str = "",
    ) -> None:
        self.data = data
        self._invalid = invalid
        self._missing = missing
        self._headers = {k.lower(): v for k, v in (headers or {}).items()}
        self._wording = wording if wording is not None else Wording()
        self._path = path

    def header(self, name: str) -> str | None:
        """The HTTP header `name` (case-insensitive), or None."""
        return self._headers.get(name.lower())

    def __contains__(self, name: str) -> bool:
        return name in self.data and self.data[name] is not None

    def location(self, name: str) -> str:
        """The member `name` of this structure as AWS's messages name it."""
        return self._wording.location(self._path, name)

    def nested(self, data: Any, name: str | None = None, *, index: int | None = None) -> Params:
        """A structure inside this request, checked with the same errors and wording.

        Args:
            data: the structure (a mapping; anything else is refused as invalid).
            name: the member it was read from; when given, messages about its
                members name their path (``name.index.member.x``).
            index: its 1-based position when it is an element of the list `name`.

        Raises:
            ServiceError: the service's invalid-parameter error for a non-mapping.
        """
        where = self._path
        if name is not None:
            where = self.location(name) + (f".{index}.member" if index is not None else "") + "."
        if not isinstance(data, Mapping):
            raise self._invalid(
                self._wording.invalid_message(
                    where.rstrip(".") or "structure", data, "Member must be a structure"
                ),
                param=name or "",
                value=data,
            )
        child = Params(
            data, invalid=self._invalid, missing=self._missing, wording=self._wording, path=where
        )
        child._headers = self._headers  # already lower-cased: share, don't copy per element
        return child

    def structs(
        self,
        name: str,
        *,
        required: bool = False,
        min_items: int | None = None,
        max_items: int | None = None,
    ) -> list[Params]:
        """A list of structures, each a `nested` Params located at ``name.<i>.member``."""
        return [
            self.nested(item, name, index=i)
            for i, item in enumerate(
                self.items(name, required=required, min_items=min_items, max_items=max_items),
                start=1,
            )
        ]

    def raw(self, name: str, default: Any = None) -> Any:
        """The parameter as given, unchecked."""
        value = self.data.get(name)
        return default if value is None else value

    def invalid(self, name: str, value: Any, constraint: str) -> ServiceError:
        """The service's validation error for `name`=`value` breaking `constraint`."""
        return self._invalid(
            self._wording.invalid_message(self.location(name), value, constraint),
            param=name,
            value=value,
        )

    def missing(self, name: str) -> ServiceError:
        """The service's error for the required parameter `name` being absent."""
        return self._missing(
            self._wording.missing_message(self._path, name), param=name, value=None
        )

    def _present(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            raise self.missing(name)
        return value

    @overload
    def string(
        self,
        name: str,
        *,
        required: Literal[True],
        min_length: int | None = ...,
        max_length: int | None = ...,
        pattern: str | None = ...,
        choices: Sequence[str] | None = ...,
        default: str | None = ...,
    ) -> str: ...
    @overload
    def string(
        self,
        name: str,
        *,
        required: bool = ...,
        min_length: int | None = ...,
        max_length: int | None = ...,
        pattern: str | None = ...,
        choices: Sequence[str] | None = ...,
        default: str,
    ) -> str: ...
    @overload
    def string(
        self,
        name: str,
        *,
        required: bool = ...,
        min_length: int | None = ...,
        max_length: int | None = ...,
        pattern: str | None = ...,
        choices: Sequence[str] | None = ...,
        default: None = ...,
    ) -> str | None: ...
    def string(
        self,
        name: str,
        *,
        required: bool = False,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        choices: Sequence[str] | None = None,
        default: str | None = None,
    ) -> str | None:
        """A string parameter, checked for length, pattern and allowed values."""
        value = self._present(name, required)
        if value is None:
            return default
        self._check_string(name, value, min_length, max_length, pattern, choices)
        return str(value)

    def _check_string(
        self,
        name: str,
        value: Any,
        min_length: int | None,
        max_length: int | None,
        pattern: str | None,
        choices: Sequence[str] | None,
    ) -> None:
        if not isinstance(value, str):
            raise self.invalid(name, value, "Member must be a string")
        if not value.isascii() and not _encodable(value):
            raise self.invalid(name, value, "Member must be valid Unicode text")
        if min_length is not None and len(value) < min_length:
            raise self.invalid(
                name, value, f"Member must have length greater than or equal to {min_length}"
            )
        if max_length is not None and len(value) > max_length:
            raise self.invalid(
                name, value, f"Member must have length less than or equal to {max_length}"
            )
        if pattern is not None and _compiled(pattern).fullmatch(value) is None:
            raise self.invalid(
                name, value, f"Member must satisfy regular expression pattern: {pattern}"
            )
        if choices is not None and value not in choices:
            raise self.invalid(
                name, value, f"Member must satisfy enum value set: [{', '.join(choices)}]"
            )

    def strings(
        self,
        name: str,
        *,
        required: bool = False,
        min_items: int | None = None,
        max_items: int | None = None,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str | None = None,
        choices: Sequence[str] | None = None,
    ) -> list[str]:
        """A list of strings, each checked like `string` and located at ``name.<i>.member``."""
        found = self.items(name, required=required, min_items=min_items, max_items=max_items)
        for i, value in enumerate(found, start=1):
            self._check_string(
                f"{name}.{i}.member", value, min_length, max_length, pattern, choices
            )
        return [str(value) for value in found]

    @overload
    def integer(
        self,
        name: str,
        *,
        required: Literal[True],
        minimum: int | None = ...,
        maximum: int | None = ...,
        default: int | None = ...,
    ) -> int: ...
    @overload
    def integer(
        self,
        name: str,
        *,
        required: bool = ...,
        minimum: int | None = ...,
        maximum: int | None = ...,
        default: int,
    ) -> int: ...
    @overload
    def integer(
        self,
        name: str,
        *,
        required: bool = ...,
        minimum: int | None = ...,
        maximum: int | None = ...,
        default: None = ...,
    ) -> int | None: ...
    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
        default: int | None = None,
    ) -> int | None:
        """An integer parameter within [`minimum`, `maximum`]."""
        value = self._present(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.invalid(name, value, "Member must be an integer")
        self._check_range(name, value, minimum, maximum)
        return value

    @overload
    def number(
        self,
        name: str,
        *,
        required: Literal[True],
        minimum: float | None = ...,
        maximum: float | None = ...,
        default: float | None = ...,
    ) -> float: ...
    @overload
    def number(
        self,
        name: str,
        *,
        required: bool = ...,
        minimum: float | None = ...,
        maximum: float | None = ...,
        default: float,
    ) -> float: ...
    @overload
    def number(
        self,
        name: str,
        *,
        required: bool = ...,
        minimum: float | None = ...,
        maximum: float | None = ...,
        default: None = ...,
    ) -> float | None: ...
    def number(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        default: float | None = None,
    ) -> float | None:
        """A numeric (double) parameter within [`minimum`, `maximum`].

        Accepts what botocore accepts for a double: int, float and
        `decimal.Decimal` (the AWS CLI sends Decimal).
        """
        value = self._present(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.invalid(name, value, "Member must be a number")
        try:
            number = float(value)
        except (OverflowError, ValueError):
            raise self.invalid(name, value, "Member must be a number") from None
        self._check_range(name, number, minimum, maximum)
        return number

    def _check_range(
        self, name: str, value: float, minimum: float | None, maximum: float | None
    ) -> None:
        if minimum is not None and value < minimum:
            raise self.invalid(
                name, value, f"Member must have value greater than or equal to {minimum}"
            )
        if maximum is not None and value > maximum:
            raise self.invalid(
                name, value, f"Member must have value less than or equal to {maximum}"
            )

    @overload
    def boolean(
        self, name: str, *, required: Literal[True], default: bool | None = ...
    ) -> bool: ...
    @overload
    def boolean(self, name: str, *, required: bool = ..., default: bool) -> bool: ...
    @overload
    def boolean(self, name: str, *, required: bool = ..., default: None = ...) -> bool | None: ...
    def boolean(
        self, name: str, *, required: bool = False, default: bool | None = None
    ) -> bool | None:
        """A boolean parameter."""
        value = self._present(name, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.invalid(name, value, "Member must be a boolean")
        return value

    @overload
    def timestamp(self, name: str, *, required: Literal[True]) -> datetime: ...
    @overload
    def timestamp(self, name: str, *, required: bool = ...) -> datetime | None: ...
    def timestamp(self, name: str, *, required: bool = False) -> datetime | None:
        """A timestamp parameter: a datetime (naive is UTC), epoch seconds or ISO 8601 text."""
        value = self._present(name, required)
        if value is None:
            return None
        found = timestamp_of(value)
        if found is None:
            raise self.invalid(name, value, "Member must be a timestamp")
        return found

    @overload
    def blob(self, name: str, *, required: Literal[True]) -> bytes: ...
    @overload
    def blob(self, name: str, *, required: bool = ...) -> bytes | None: ...
    def blob(self, name: str, *, required: bool = False) -> bytes | None:
        """A blob parameter: bytes as given, text as its UTF-8 encoding (as botocore sends it)."""
        value = self._present(name, required)
        if value is None:
            return None
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        if isinstance(value, str):
            try:
                return value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.invalid(name, value, "Member must be valid UTF-8 text") from None
        raise self.invalid(name, value, "Member must be a blob")

    def items(
        self,
        name: str,
        *,
        required: bool = False,
        min_items: int | None = None,
        max_items: int | None = None,
    ) -> list[Any]:
        """A list parameter (empty when absent and optional), checked for its length."""
        value = self._present(name, required)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise self.invalid(name, value, "Member must be a list")
        if min_items is not None and len(value) < min_items:
            raise self.invalid(
                name, value, f"Member must have length greater than or equal to {min_items}"
            )
        if max_items is not None and len(value) > max_items:
            raise self.invalid(
                name, value, f"Member must have length less than or equal to {max_items}"
            )
        return list(value)

    def tag_list(
        self,
        name: str = "Tags",
        *,
        required: bool = False,
        max_items: int = 50,
        value_required: bool = False,
    ) -> dict[str, str]:
        """A ``[{"Key": k, "Value": v}, ...]`` list as a dict (keys 1–128, values ≤256 chars)."""
        tags: dict[str, str] = {}
        for item in self.items(name, required=required, max_items=max_items):
            entry = self.nested(item if isinstance(item, Mapping) else {})
            key = entry.string("Key", required=True, min_length=1, max_length=128)
            value = entry.string("Value", required=value_required, max_length=256, default="")
            tags[key] = value
        return tags

    def mapping(self, name: str, *, required: bool = False) -> dict[str, Any]:
        """A map parameter (empty when absent and optional)."""
        value = self._present(name, required)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.invalid(name, value, "Member must be a map")
        return dict(value)


def timestamp_of(value: Any) -> datetime | None:
    """A timestamp parameter as an aware UTC datetime, or None when `value` is not one.

    Accepts what botocore accepts: a datetime (naive is UTC), epoch seconds
    (int, float or `decimal.Decimal`, or their text, as the AWS CLI's
    ``--start-time 1741964000`` sends) or date text (ISO 8601, or any form
    dateutil reads, as botocore does). `Params.timestamp` reads through this;
    wire fast paths call it directly.
    """
    try:
        if isinstance(value, str):
            return _timestamp_text(value)
        if isinstance(value, Decimal):
            value = float(value)
        if not isinstance(value, bool) and isinstance(value, datetime | int | float):
            return to_datetime(value)
    except (ValueError, OverflowError, OSError):
        pass
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZONES = {"GMT": UTC, "UTC": UTC, "Z": UTC}


def _timestamp_text(text: str) -> datetime | None:
    """Text as botocore reads a timestamp: epoch seconds first, then a date."""
    try:
        return to_datetime(float(text))
    except ValueError:
        pass
    try:
        return to_datetime(date_parser.isoparse(text))
    except ValueError:
        pass
    try:
        # A fixed default: dateutil fills the parts a text leaves out from the wall clock.
        return to_datetime(date_parser.parse(text, default=_EPOCH, tzinfos=_ZONES))
    except (ValueError, OverflowError, date_parser.ParserError):
        return None


def _encodable(text: str) -> bool:
    """False for text no request can carry (a lone surrogate is not Unicode text)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    """A service's modelled pattern, compiled once (patterns are ours, not the user's)."""
    return re.compile(pattern)


def _shown(value: Any) -> str:
    """A value as AWS quotes it in validation messages."""
    text = value if isinstance(value, str) else repr(value)
    return f"'{text}'"


