"""The CloudWatch agent's ``timestamp_format`` language: a pure module.

`compile_timestamp_format` compiles a collect_list ``timestamp_format``
(``%Y-%m-%d %H:%M:%S`` ...) into a `TimestampFormat` that finds and parses the
timestamp in a log line; an unknown directive raises `AgentConfigError` naming
its position.

>>> fmt = compile_timestamp_format("%Y-%m-%d %H:%M:%S")
>>> fmt.parse("2024-05-01 12:30:00 GET /", year=2024)
datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone

from attrs import frozen

from awsmon.neighbours.ec2.errors import AgentConfigError

__all__ = ["TimestampFormat", "compile_timestamp_format"]


@frozen
class TimestampFormat:
    """A compiled ``timestamp_format``: the regex finding a timestamp and its fields."""

    text: str
    regex: re.Pattern[str]
    fields: tuple[str, ...]

    def parse(self, line: str, *, year: int, local: timezone = UTC) -> datetime | None:
        """The first timestamp in `line` (None when there is none or it is not a date).

        Args:
            year: the year to assume when the format has none.
            local: the zone of timestamps without %z/%Z (``timezone: Local``).
        """
        match = self.regex.search(line)
        if match is None:
            return None
        parts = match.groupdict()
        try:
            return _build(parts, year, local)
        except (ValueError, KeyError):
            return None


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]  # fmt: skip
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
          "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "JST": 9}  # fmt: skip
_DIRECTIVES: dict[str, tuple[str, str]] = {
    "Y": ("year", r"\d{4}"),
    "y": ("year2", r"\d{2}"),
    "b": ("month_name", "|".join(m[:3].capitalize() for m in _MONTHS)),
    "B": ("month_name", "|".join(m.capitalize() for m in _MONTHS)),
    "m": ("month", r"\d{2}"),
    "-m": ("month", r"\d{1,2}"),
    "d": ("day", r"\d{2}"),
    "-d": ("day", r"\s?\d{1,2}"),
    "A": ("weekday", "|".join(d.capitalize() for d in _DAYS)),
    "a": ("weekday", "|".join(d[:3].capitalize() for d in _DAYS)),
    "H": ("hour", r"\d{2}"),
    "I": ("hour12", r"\d{2}"),
    "-I": ("hour12", r"\d{1,2}"),
    "p": ("ampm", "AM|PM|am|pm"),
    "M": ("minute", r"\d{2}"),
    "-M": ("minute", r"\d{1,2}"),
    "S": ("second", r"\d{2}"),
    "-S": ("second", r"\d{1,2}"),
    "f": ("fraction", r"\d{1,9}"),
    "Z": ("zone_name", "|".join(_ZONES)),
    "z": ("offset", r"[+-]\d{4}"),
}


def compile_timestamp_format(text: str, path: str = "/timestamp_format") -> TimestampFormat:
    """Compile a collect_list ``timestamp_format`` (``%Y-%m-%d %H:%M:%S`` ...).

    Raises:
        AgentConfigError: an unknown directive, naming its position.
    """
    if not isinstance(text, str):
        raise AgentConfigError("timestamp_format must be a string", path)
    pieces: list[str] = []
    fields: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "%":
            pieces.append(r"\s+" if char == " " else re.escape(char))
            index += 1
            continue
        key = (
            text[index + 1 : index + 3]
            if text[index + 1 : index + 2] == "-"
            else text[index + 1 : index + 2]
        )
        if key not in _DIRECTIVES:
            raise AgentConfigError(
                f"unknown directive %{key or ''} at position {index} of timestamp_format", path
            )
        field_name, pattern = _DIRECTIVES[key]
        if field_name in fields:
            pieces.append(f"(?:{pattern})")
        else:
            pieces.append(f"(?P<{field_name}>{pattern})")
            fields.append(field_name)
        index += 1 + len(key)
    return TimestampFormat(text, re.compile("".join(pieces)), tuple(fields))


def _build(parts: Mapping[str, str | None], year: int, local: timezone) -> datetime:
    if parts.get("year"):
        year = int(parts["year"] or 0)
    elif parts.get("year2"):
        year = 2000 + int(parts["year2"] or 0)
    month = 1
    if parts.get("month"):
        month = int(parts["month"] or 0)
    elif parts.get("month_name"):
        name = (parts["month_name"] or "").lower()
        month = next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(name))
    day = int((parts.get("day") or "1").strip())
    hour = int(parts.get("hour") or 0)
    if parts.get("hour12"):
        hour = int(parts["hour12"] or 0) % 12
        if (parts.get("ampm") or "").lower() == "pm":
            hour += 12
    minute = int(parts.get("minute") or 0)
    second = int(parts.get("second") or 0)
    fraction = parts.get("fraction") or "0"
    micro = int((fraction + "000000")[:6])
    zone = local
    if parts.get("offset"):
        offset = parts["offset"] or "+0000"
        sign = -1 if offset[0] == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    elif parts.get("zone_name"):
        zone = timezone(timedelta(hours=_ZONES[parts["zone_name"] or "UTC"]))
    moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    return moment.astimezone(UTC)
