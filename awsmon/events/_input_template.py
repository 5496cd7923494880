"""Input templates for `awsmon.events.transform` (internal, pure).

- `TemplateCompiler`: cuts an InputTemplate into literal text and `Slot`s,
  decides its `TemplateMode`, and rejects unknown placeholders and placeholders
  used as object keys.
- `Variables`: the values one application of a template sees (InputPathsMap
  paths resolved against the event, and the predefined ``aws.events.*``).
- `substitute`: the text one placeholder stands for.

The rules are documented in `awsmon.events.transform`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from attrs import frozen

from awsmon.events._cron_fields import as_utc
from awsmon.events._jsonpath import JsonPath
from awsmon.events.errors import ValidationException

__all__ = [
    "JSON_BLANKS",
    "PLACEHOLDER",
    "Slot",
    "TemplateCompiler",
    "TemplateMode",
    "Variables",
    "compact",
    "substitute",
]

PLACEHOLDER = re.compile(r"<([^<>]+)>")
"""A placeholder: ``<`` and ``>`` around anything but themselves (they cannot be escaped)."""

JSON_BLANKS = " \t\n\r"
# Envelope order of aws.events.event, as recorded from AWS.
EVENT_VARIABLE_ORDER = ("id", "account", "detail-type", "time", "source", "region", "resources")


def compact(value: Any) -> str:
    """Compact JSON text, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class TemplateMode(Enum):
    """How a template is read: as JSON, or as plain text."""

    JSON = "JSON"
    STRING = "STRING"


@frozen
class Slot:
    """A placeholder in a compiled template.

    Attributes:
        name: the variable's name.
        quoted: True inside a JSON string, or anywhere in a string template.
    """

    name: str
    quoted: bool


class TemplateCompiler:
    """Cuts a template into literal text and slots, tracking JSON structure.

    In a JSON template it follows strings (with their escapes), containers and
    whether an object key is due, to tell a placeholder inside quotes from one
    in value position, and to refuse one in key position.
    """

    def __init__(self, template: str, known: set[str], target_id: str) -> None:
        self.template = template
        self.known = known
        self.target_id = target_id
        self.json = template.lstrip(JSON_BLANKS)[:1] in ("{", "[")
        self.in_string = False
        self.string_is_key = False
        self.containers: list[str] = []
        self.key_due = False

    def compile(self) -> tuple[TemplateMode, tuple[str | Slot, ...]]:
        parts: list[str | Slot] = []
        literal: list[str] = []
        text = self.template
        pos = 0
        while pos < len(text):
            placeholder = PLACEHOLDER.match(text, pos)
            if placeholder:
                parts.extend(["".join(literal), self.slot(placeholder)])
                literal = []
                pos = placeholder.end()
                continue
            char = text[pos]
            if self.json and self.in_string and char == "\\" and text[pos + 1 : pos + 2] != "<":
                literal.append(text[pos : pos + 2])  # an escape pair; '<' cannot be escaped
                pos += 2
                continue
            if not self.json or self.in_string or char not in JSON_BLANKS:
                literal.append(char)
                if self.json:
                    self.track(char)
            pos += 1
        parts.append("".join(literal))
        mode = TemplateMode.JSON if self.json else TemplateMode.STRING
        return mode, tuple(part for part in parts if part != "")

    def in_key_position(self) -> bool:
        return self.key_due and bool(self.containers) and self.containers[-1] == "{"

    def track(self, char: str) -> None:
        """Follow the JSON structure by one (non-blank, non-escape) character."""
        if self.in_string:
            self.in_string = char != '"'
        elif char == '"':
            self.in_string, self.string_is_key = True, self.in_key_position()
        elif char in "{[":
            self.containers.append(char)
            self.key_due = char == "{"
        elif char in "}]":
            if self.containers:
                self.containers.pop()
            self.key_due = False
        elif char == ":":
            self.key_due = False
        elif char == ",":
            self.key_due = bool(self.containers) and self.containers[-1] == "{"

    def slot(self, placeholder: re.Match[str]) -> Slot:
        """Check one placeholder and say how its value is written."""
        name, position = placeholder.group(1), placeholder.start()
        if name not in self.known:
            raise ValidationException(
                f"InputTemplate for target {self.target_id} contains invalid placeholder "
                f"{name}. InputTemplate={self.template!r} at position {position}: expected "
                "a variable of InputPathsMap or a predefined aws.events variable",
                param="InputTemplate",
                value=self.template,
                position=position,
                expected="a variable of InputPathsMap or a predefined aws.events variable",
            )
        if self.json and (self.string_is_key if self.in_string else self.in_key_position()):
            raise ValidationException(
                f"InputTemplate for target {self.target_id} uses placeholder <{name}> as an "
                f"object key. InputTemplate={self.template!r} at position {position}: "
                "expected a literal object key",
                param="InputTemplate",
                value=self.template,
                position=position,
                expected="a literal object key",
            )
        if self.json and not self.in_string:
            self.key_due = False  # the placeholder is a value
        return Slot(name, quoted=self.in_string or not self.json)


class Variables:
    """The values of one template application, computed on demand."""

    def __init__(
        self,
        paths: tuple[tuple[str, JsonPath], ...],
        event: Mapping[str, Any],
        rule_arn: str,
        rule_name: str,
        ingestion_time: datetime,
    ) -> None:
        self.paths = dict(paths)
        self.event = event
        self.rule_arn = rule_arn
        self.rule_name = rule_name
        self.ingestion_time = as_utc(ingestion_time).strftime("%Y-%m-%dT%H:%M:%SZ")

    def get(self, name: str) -> tuple[Any, ...]:
        """``(value,)`` for a variable, or ``()`` when its path is not in the event."""
        if name in self.paths:
            return self.paths[name].find(self.event)
        if name == "aws.events.rule-arn":
            return (self.rule_arn,)
        if name == "aws.events.rule-name":
            return (self.rule_name,)
        if name == "aws.events.event.ingestion-time":
            return (self.ingestion_time,)
        if name == "aws.events.event":
            return (self.envelope(),)
        return (dict(self.event),)  # aws.events.event.json

    def envelope(self) -> dict[str, Any]:
        """``aws.events.event``: the event without detail, as AWS shapes it."""
        shaped: dict[str, Any] = {}
        for key in (*EVENT_VARIABLE_ORDER, *self.event):
            if key in shaped or key == "detail" or key not in self.event:
                continue
            if key == "detail-type":
                shaped["detailType"] = self.event[key]
            elif key == "time":
                shaped["time"] = self.ingestion_time
            else:
                shaped[key] = self.event[key]
        return shaped


def substitute(
    found: tuple[Any, ...], slot: Slot, mode: TemplateMode, cloudwatch_logs: bool
) -> str:
    """The text one placeholder stands for (``found`` is () when missing)."""
    bare = slot.quoted or cloudwatch_logs
    if not found:
        return "" if bare else '""'
    value = found[0]
    if isinstance(value, str):
        return value if bare else f'"{value}"'
    text = compact(value)
    if mode is TemplateMode.STRING and isinstance(value, Mapping | list | tuple):
        return text.replace('"', "")
    return text
