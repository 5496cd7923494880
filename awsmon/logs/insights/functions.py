"""The scalar function library of Logs Insights.

Every function takes evaluated argument values and returns a value, or None
where AWS returns null (an argument of the wrong type, a missing field).
`FUNCTIONS` maps the lower-cased name to (function, fewest arguments, most
arguments or None for any number). ``bin``, which reads ``@timestamp``
itself, and the calendar units of ``datefloor``/``dateceil`` are handled by
the compiler with `floor_time`.

Groups (AWS's query syntax page): string (``strlen``, ``toupper``,
``tolower``, ``trim``/``ltrim``/``rtrim``, ``substr``, ``replace``,
``concat``, ``strcontains``, ``isempty``, ``isblank``), numeric (``abs``,
``ceil``, ``floor``, ``greatest``, ``least``, ``log``, ``sqrt``), datetime
(``datefloor``, ``dateceil``, ``fromMillis``, ``toMillis``), IP
(``isValidIp``, ``isValidIpV4``, ``isValidIpV6``, ``isIpInSubnet``,
``isIpv4InSubnet``, ``isIpv6InSubnet``), general (``ispresent``,
``coalesce``), JSON (``jsonParse``, ``jsonStringify``) and ``unmask``
(the identity here: awsmon masks nothing).
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as date_parser

from awsmon import jsondoc
from awsmon.logs.insights.values import Instant, number, text_of

__all__ = ["FUNCTIONS", "floor_time"]

Function = Callable[..., Any]


def floor_time(millis: int, step_ms: int, months: int) -> int | None:
    """`millis` rounded down to a multiple of `step_ms`, or to a calendar boundary of `months`.

    None for an instant outside the calendar (years 1 to 9999).
    """
    if not months:
        return millis - millis % step_ms if step_ms > 0 else millis
    try:
        moment = datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, ValueError, OSError):
        return None
    index = moment.year * 12 + moment.month - 1
    index -= index % months
    if index < 12:
        return None
    start = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()) * 1000


def ceil_time(millis: int, step_ms: int, months: int) -> int | None:
    """`millis` rounded up to the next boundary (itself when on one); None off the calendar."""
    floor = floor_time(millis, step_ms, months)
    if floor is None or floor == millis:
        return floor
    if not months:
        return floor + step_ms
    moment = datetime.fromtimestamp(floor / 1000, UTC)
    index = moment.year * 12 + moment.month - 1 + months
    if index // 12 > 9999:
        return None
    return int(datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC).timestamp()) * 1000


# -- string ------------------------------------------------------------------------------


def _text_fn(fn: Callable[[str], Any]) -> Function:
    def apply(value: Any) -> Any:
        text = text_of(value)
        return None if text is None else fn(text)

    return apply


def _trim(kind: str) -> Function:
    def apply(value: Any, chars: Any = None) -> Any:
        text = text_of(value)
        if text is None:
            return None
        strip = text_of(chars) if chars is not None else None
        if kind == "l":
            return text.lstrip(strip)
        if kind == "r":
            return text.rstrip(strip)
        return text.strip(strip)

    return apply


def _substr(value: Any, start: Any, length: Any = None) -> Any:
    text, begin = text_of(value), number(start)
    if text is None or begin is None:
        return None
    first = max(int(begin), 0)
    if length is None:
        return text[first:]
    count = number(length)
    return None if count is None else text[first : first + max(int(count), 0)]


def _replace(value: Any, search: Any, replacement: Any) -> Any:
    text, old, new = text_of(value), text_of(search), text_of(replacement)
    if text is None or old is None or new is None:
        return None
    return text.replace(old, new) if old else text


def _concat(*values: Any) -> Any:
    return "".join(text_of(value) or "" for value in values)


def _strcontains(value: Any, search: Any) -> Any:
    text, part = text_of(value), text_of(search)
    if text is None or part is None:
        return None
    return 1 if part in text else 0


def _isempty(value: Any) -> int:
    return 1 if value is None or value == "" else 0


def _isblank(value: Any) -> int:
    return 1 if value is None or (isinstance(value, str) and not value.strip()) else 0


# -- numeric ------------------------------------------------------------------------------


def _numeric(fn: Callable[[float], Any]) -> Function:
    def apply(value: Any) -> Any:
        as_number = number(value)
        if as_number is None:
            return None
        try:
            return fn(as_number)
        except (ValueError, OverflowError):
            return None

    return apply


def _extreme(pick: Callable[..., Any]) -> Function:
    def apply(*values: Any) -> Any:
        numbers = [n for n in map(number, values) if n is not None]
        return pick(numbers) if numbers else None

    return apply


def _log(value: float) -> float | None:
    return math.log(value) if value > 0 else None


def _sqrt(value: float) -> float | None:
    return math.sqrt(value) if value >= 0 else None


# -- datetime ---------------------------------------------------------------------------------


def millis_of(value: Any) -> int | None:
    """Epoch milliseconds of a timestamp value: a number, or ISO 8601 text."""
    as_number = number(value)
    if as_number is not None:
        return int(as_number)
    text = text_of(value)
    if text is None:
        return None
    try:
        moment = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def _from_millis(value: Any) -> Any:
    as_number = number(value)
    return None if as_number is None else Instant(int(as_number))


def _to_millis(value: Any) -> Any:
    return millis_of(value)


# -- IP -------------------------------------------------------------------------------------


def _ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text_of(value)
    if text is None:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _valid(version: int | None) -> Function:
    def apply(value: Any) -> bool:
        address = _ip(value)
        return address is not None and (version is None or address.version == version)

    return apply


def _in_subnet(version: int | None) -> Function:
    def apply(value: Any, cidr: Any) -> bool:
        address = _ip(value)
        text = text_of(cidr)
        if address is None or text is None:
            return False
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return False
        if version is not None and (address.version != version or network.version != version):
            return False
        return address.version == network.version and address in network

    return apply


# -- general and JSON -----------------------------------------------------------------------


def _coalesce(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _json_parse(value: Any) -> Any:
    text = text_of(value)
    if text is None:
        return None
    try:
        return jsondoc.loads(text)
    except (ValueError, RecursionError):
        return None


def _json_stringify(value: Any) -> Any:
    if value is None:
        return None
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


FUNCTIONS: dict[str, tuple[Function, int, int | None]] = {
    "strlen": (_text_fn(len), 1, 1),
    "toupper": (_text_fn(str.upper), 1, 1),
    "tolower": (_text_fn(str.lower), 1, 1),
    "trim": (_trim(""), 1, 2),
    "ltrim": (_trim("l"), 1, 2),
    "rtrim": (_trim("r"), 1, 2),
    "substr": (_substr, 2, 3),
    "replace": (_replace, 3, 3),
    "concat": (_concat, 1, None),
    "strcontains": (_strcontains, 2, 2),
    "isempty": (_isempty, 1, 1),
    "isblank": (_isblank, 1, 1),
    "abs": (_numeric(abs), 1, 1),
    "ceil": (_numeric(math.ceil), 1, 1),
    "floor": (_numeric(math.floor), 1, 1),
    "greatest": (_extreme(max), 1, None),
    "least": (_extreme(min), 1, None),
    "log": (_numeric(_log), 1, 1),
    "sqrt": (_numeric(_sqrt), 1, 1),
    "frommillis": (_from_millis, 1, 1),
    "tomillis": (_to_millis, 1, 1),
    "isvalidip": (_valid(None), 1, 1),
    "isvalidipv4": (_valid(4), 1, 1),
    "isvalidipv6": (_valid(6), 1, 1),
    "isipinsubnet": (_in_subnet(None), 2, 2),
    "isipv4insubnet": (_in_subnet(4), 2, 2),
    "isipv6insubnet": (_in_subnet(6), 2, 2),
    "ispresent": (lambda value: value is not None, 1, 1),
    "coalesce": (_coalesce, 1, None),
    "jsonparse": (_json_parse, 1, 1),
    "jsonstringify": (_json_stringify, 1, 1),
    "unmask": (lambda value: value, 1, 1),
}
