"""Firehose S3 prefixes: ``!{namespace:value}`` expressions, compiled once, rendered per object.

A prefix is literal text with expressions:

- ``!{timestamp:<pattern>}``: the approximate arrival time of the oldest
  record in the object, formatted with a Java ``DateTimeFormatter`` pattern
  (awsmon knows ``yyyy uuuu yy MM M dd d DDD HH H mm m ss s SSS`` and
  ``'quoted'`` literals; other characters stand for themselves);
- ``!{firehose:random-string}``: 11 random characters, new at each use;
- ``!{firehose:error-output-type}``: the kind of failure (ErrorOutputPrefix only).

`compile_prefix` parses a prefix into an immutable `Prefix` (errors name
the position), `check_prefixes` applies Firehose's rules between Prefix and
ErrorOutputPrefix, and `Prefix.render` evaluates one. A Prefix without any
timestamp expression gets ``!{timestamp:yyyy/MM/dd/HH/}`` appended, which
gives the default ``YYYY/MM/dd/HH/`` keys.

>>> from datetime import datetime, UTC
>>> at = datetime(2018, 8, 27, 10, 30, tzinfo=UTC)
>>> compile_prefix("").render(at)
'2018/08/27/10/'
>>> compile_prefix("logs/").render(at)
'logs/2018/08/27/10/'
>>> compile_prefix("year=!{timestamp:yyyy}/day=!{timestamp:DDD}/").render(at)
'year=2018/day=239/'
>>> compile_prefix("bad/!{timestamp:yyyy")
Traceback (most recent call last):
...
awsmon.neighbours.firehose.prefix.PrefixError: unclosed expression: expected '}' at position 4
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from attrs import frozen

__all__ = ["DEFAULT_TIME_PREFIX", "Prefix", "PrefixError", "check_prefixes", "compile_prefix"]

DEFAULT_TIME_PREFIX = "!{timestamp:yyyy/MM/dd/HH/}"
"""What Firehose appends to a Prefix that has no timestamp expression."""

_FIELDS: dict[str, Callable[[datetime], str]] = {
    "yyyy": lambda t: f"{t.year:04d}",
    "uuuu": lambda t: f"{t.year:04d}",
    "yy": lambda t: f"{t.year % 100:02d}",
    "MM": lambda t: f"{t.month:02d}",
    "M": lambda t: str(t.month),
    "dd": lambda t: f"{t.day:02d}",
    "d": lambda t: str(t.day),
    "DDD": lambda t: f"{t.timetuple().tm_yday:03d}",
    "HH": lambda t: f"{t.hour:02d}",
    "H": lambda t: str(t.hour),
    "mm": lambda t: f"{t.minute:02d}",
    "m": lambda t: str(t.minute),
    "ss": lambda t: f"{t.second:02d}",
    "s": lambda t: str(t.second),
    "SSS": lambda t: f"{t.microsecond // 1000:03d}",
}
_LETTERS = re.compile(r"([A-Za-z])\1*")


class PrefixError(ValueError):
    """A prefix that Firehose would refuse; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}" if position >= 0 else message)
        self.position = position


@frozen
class _Literal:
    text: str


@frozen
class _Timestamp:
    fields: tuple[str | _Literal, ...]


@frozen
class _Firehose:
    value: str


_Part = _Literal | _Timestamp | _Firehose


def _timestamp_pattern(pattern: str, offset: int) -> _Timestamp:
    fields: list[str | _Literal] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            if end < 0:
                raise PrefixError("unclosed quote in timestamp pattern", offset + i)
            fields.append(_Literal(pattern[i + 1 : end] if end > i + 1 else "'"))
            i = end + 1
            continue
        letters = _LETTERS.match(pattern, i)
        if letters is None:
            fields.append(_Literal(char))
            i += 1
            continue
        run = letters.group(0)
        if run not in _FIELDS:
            raise PrefixError(f"unsupported timestamp pattern letters {run!r}", offset + i)
        fields.append(run)
        i += len(run)
    return _Timestamp(tuple(fields))


@frozen
class Prefix:
    """A compiled S3 prefix.

    Attributes:
        text: the prefix as given.
        parts: literal text and expressions, in order.
    """

    text: str
    parts: tuple[_Part, ...]

    @property
    def has_expressions(self) -> bool:
        """True when the prefix as given contains any ``!{...}`` expression."""
        return "!{" in self.text

    @property
    def has_error_output_type(self) -> bool:
        """True when the prefix uses ``!{firehose:error-output-type}``."""
        return any(isinstance(p, _Firehose) and p.value == "error-output-type" for p in self.parts)

    def render(
        self,
        at: datetime,
        *,
        random_string: Callable[[], str] = lambda: "00000000-00",
        error_output_type: str = "processing-failed",
    ) -> str:
        """The prefix evaluated for an object whose oldest record arrived `at`.

        Every timestamp expression uses the same instant; each
        ``random-string`` calls `random_string` anew.
        """
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, _Literal):
                out.append(part.text)
            elif isinstance(part, _Timestamp):
                out.extend(
                    f.text if isinstance(f, _Literal) else _FIELDS[f](at) for f in part.fields
                )
            elif part.value == "random-string":
                out.append(random_string())
            else:
                out.append(error_output_type)
        return "".join(out)


def compile_prefix(text: str, *, error_output: bool = False) -> Prefix:
    """Parse a Prefix (or, with `error_output`, an ErrorOutputPrefix).

    A Prefix without a timestamp expression gets `DEFAULT_TIME_PREFIX` appended.

    Raises:
        PrefixError: an unclosed or unknown expression, a bad timestamp
            pattern, ``error-output-type`` in a Prefix, or dynamic-partitioning
            keys (which awsmon does not simulate).
    """
    parts: list[_Part] = []
    i = 0
    while i < len(text):
        start = text.find("!{", i)
        if start < 0:
            parts.append(_Literal(text[i:]))
            break
        if start > i:
            parts.append(_Literal(text[i:start]))
        end = text.find("}", start)
        if end < 0:
            raise PrefixError("unclosed expression: expected '}'", start)
        namespace, _, value = text[start + 2 : end].partition(":")
        if namespace == "timestamp" and value:
            parts.append(_timestamp_pattern(value, start + len("!{timestamp:")))
        elif namespace == "firehose" and value in ("random-string", "error-output-type"):
            if value == "error-output-type" and not error_output:
                raise PrefixError(
                    "The '!{firehose:error-output-type}' expression is only allowed in "
                    "ErrorOutputPrefix",
                    start,
                )
            parts.append(_Firehose(value))
        elif namespace in ("partitionKeyFromQuery", "partitionKeyFromLambda"):
            raise PrefixError(
                f"'!{{{namespace}:...}}' needs dynamic partitioning to be enabled", start
            )
        else:
            raise PrefixError(f"unknown expression {text[start : end + 1]!r}", start)
        i = end + 1
    if not error_output and not any(isinstance(p, _Timestamp) for p in parts):
        parts.append(_timestamp_pattern("yyyy/MM/dd/HH/", -1))
    return Prefix(text, tuple(parts))


def check_prefixes(prefix: str | None, error_output_prefix: str | None) -> None:
    """Apply Firehose's rules between a Prefix and its ErrorOutputPrefix.

    >>> check_prefixes("logs/!{timestamp:yyyy}/", None)
    Traceback (most recent call last):
    ...
    awsmon.neighbours.firehose.prefix.PrefixError: ErrorOutputPrefix cannot be null ...

    Raises:
        PrefixError: either prefix is malformed, the Prefix has expressions
            but there is no ErrorOutputPrefix, or an ErrorOutputPrefix with
            expressions lacks ``!{firehose:error-output-type}``.
    """
    compiled = compile_prefix(prefix or "")
    if error_output_prefix is None:
        if compiled.has_expressions:
            raise PrefixError(
                "ErrorOutputPrefix cannot be null when Prefix contains expressions", -1
            )
        return
    errors = compile_prefix(error_output_prefix, error_output=True)
    if errors.has_expressions and not errors.has_error_output_type:
        raise PrefixError(
            "ErrorOutputPrefix with expressions must contain '!{firehose:error-output-type}'", -1
        )
