"""What an EventBridge target receives: Input, InputPath and InputTransformer.

A rule's target gets the whole event, unless it sets exactly one of:

- ``Input``: a constant JSON text, delivered as is (`ConstantInput`);
- ``InputPath``: a JSON path; the selected part of the event is delivered
  (`InputPath`);
- ``InputTransformer``: an ``InputPathsMap`` of variables (JSON paths) and an
  ``InputTemplate`` with ``<variable>`` placeholders (`InputTransformer`).

Each is compiled once, as PutTargets validates it, into an immutable object
whose ``apply(event, *, rule_arn, rule_name, ingestion_time)`` returns the text
delivered to the target. `compile_target_input` picks and compiles the right
one from the target's wire members. Nothing here holds state or reads a clock.

Main classes and functions: `compile_target_input`, `InputTransformer`,
`InputPath`, `ConstantInput`, `WholeEvent`, `TargetInput` (their protocol),
`TemplateMode`, `TransformationFailed`.

Substitution (reference A.9.2, from recorded AWS behaviour):

- A template whose first non-blank character is ``{`` or ``[`` is a JSON
  template; anything else is a string template, delivered as its own text
  (``"instance <i> is <s>"`` keeps its quotes; AWS's API reference also shows
  unquoted ones).
- Outside quotes in a JSON template, a string value is written between quotes,
  numbers, booleans and null as JSON literals, objects and arrays as compact
  JSON. Inside quotes, and everywhere in a string template, a string is
  written bare and anything else as its compact JSON text; a string template
  also drops every ``"`` of an object or array (``{acc_id:0a787ecb,sf_id:baz}``,
  ``[HIGH]``).
- Values are not escaped (AWS's user guide: "EventBridge doesn't escape values
  extracted by Input Path"). A JSON template whose result is not valid JSON
  (an object value inside quotes, a value with a quote in it) delivers
  nothing: ``apply`` raises `TransformationFailed`.
- A variable whose path is not in the event is the empty string: ``""``
  outside quotes, nothing inside (observed; the user guide says the variable
  "isn't created", the recorded behaviour wins).
- Predefined variables: ``aws.events.rule-arn``, ``aws.events.rule-name``,
  ``aws.events.event.ingestion-time`` (``YYYY-MM-DDThh:mm:ssZ``),
  ``aws.events.event`` (the envelope without ``detail``, ``detail-type`` as
  ``detailType`` and ``time`` the ingestion time) and ``aws.events.event.json``
  (the whole event).

Simulation notes:
    - JSON templates are delivered minified (AWS: "The JSON that is passed to
      the target is minified"): blanks outside strings are dropped; values
      are compact JSON.
    - A placeholder is any ``<...>`` without ``<`` or ``>`` inside (AWS: they
      cannot be escaped), so an unknown one is rejected wherever it appears.
      In a JSON template a placeholder may not be (or be inside) an object key
      (AWS documents the restriction; its error text is UNCONFIRMED, as are
      the texts for a malformed JSON path and the "nothing delivered" cases).
    - ``cloudwatch_logs=True`` reproduces the user guide's CloudWatch Logs
      example, where values outside quotes arrive unquoted and the result is
      not checked as JSON (UNCONFIRMED beyond that example).
    - An InputPath that selects nothing delivers nothing (UNCONFIRMED).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from attrs import frozen

from awsmon import jsondoc
from awsmon.errors import AwsmonError
from awsmon.events._input_template import (
    Slot,
    TemplateCompiler,
    TemplateMode,
    Variables,
    compact,
    substitute,
)
from awsmon.events._jsonpath import JsonPath, PathSyntaxError
from awsmon.events.errors import REQUEST, ValidationException

__all__ = [
    "PREDEFINED_VARIABLES",
    "ConstantInput",
    "InputPath",
    "InputTransformer",
    "TargetInput",
    "TemplateMode",
    "TransformationFailed",
    "WholeEvent",
    "compile_target_input",
]

PREDEFINED_VARIABLES = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)
"""Variables every template may use without an InputPathsMap entry."""

MAX_PATHS = 100
MAX_KEY_LENGTH = 256
MAX_PATH_LENGTH = 256
MAX_TEMPLATE_LENGTH = 8192
MAX_INPUT_LENGTH = 8192

_KEY_PATTERN = r"[A-Za-z0-9\_\-]+"


class TransformationFailed(AwsmonError, ValueError):
    """The transformed input is not valid JSON, so AWS delivers nothing to the target.

    Not an API error: the rule matched, the invocation fails (the service
    counts it in ``FailedInvocations``).

    Attributes:
        text: what the template produced.
    """

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text


class TargetInput(Protocol):
    """What every compiled input setting offers: the text a target receives."""

    def apply(
        self,
        event: Mapping[str, Any],
        *,
        rule_arn: str,
        rule_name: str,
        ingestion_time: datetime,
    ) -> str:
        """The text delivered to the target for ``event``."""
        ...


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_json(text: str) -> bool:
    """Whether ``text`` is strict JSON (no NaN or Infinity, no control characters in strings)."""
    try:
        jsondoc.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- simple inputs


class _EventOnly:
    """An input setting whose text depends on the event alone, not on the rule or the time."""

    __slots__ = ()

    def apply(
        self,
        event: Mapping[str, Any],
        *,
        rule_arn: str = "",
        rule_name: str = "",
        ingestion_time: datetime | None = None,
    ) -> str:
        """The text delivered to the target for `event` (the other arguments do not matter)."""
        return self._text(event)

    def _text(self, event: Mapping[str, Any]) -> str:
        raise NotImplementedError


@frozen
class WholeEvent(_EventOnly):
    """No input setting: the target receives the whole event as compact JSON."""

    def _text(self, event: Mapping[str, Any]) -> str:
        """The event's JSON text."""
        return compact(event)


@frozen
class ConstantInput(_EventOnly):
    """``Input``: a constant JSON text delivered instead of the event.

    Attributes:
        text: the JSON text, exactly as given.
    """

    text: str

    @classmethod
    def compile(
        cls, text: str, *, target_id: str, member: str = "targets.1.member"
    ) -> ConstantInput:
        """Validate ``Input`` as PutTargets does.

        Raises:
            ValidationException: longer than 8192 characters, or not valid JSON
                ("Input for target {id} is not a valid JSON text.").
        """
        if len(text) > MAX_INPUT_LENGTH:
            raise REQUEST.invalid(
                f"{member}.input",
                text,
                f"Member must have length less than or equal to {MAX_INPUT_LENGTH}",
            )
        if not _is_json(text):
            raise ValidationException(
                f"Input for target {target_id} is not a valid JSON text.", param="Input", value=text
            )
        return cls(text)

    def _text(self, event: Mapping[str, Any]) -> str:
        """The constant text, whatever the event."""
        return self.text


@frozen
class InputPath(_EventOnly):
    """``InputPath``: the target receives the part of the event the path selects.

    Attributes:
        path: the parsed JSON path.
        target_id: the target's Id, for messages.
    """

    path: JsonPath
    target_id: str = ""

    @classmethod
    def compile(cls, text: str, *, target_id: str, member: str = "targets.1.member") -> InputPath:
        """Validate ``InputPath`` as PutTargets does.

        Raises:
            ValidationException: longer than 256 characters, or not in the
                JSONPath subset EventBridge accepts (position and expectation
                in the message).
        """
        if len(text) > MAX_PATH_LENGTH:
            raise REQUEST.invalid(
                f"{member}.inputPath",
                text,
                f"Member must have length less than or equal to {MAX_PATH_LENGTH}",
            )
        try:
            return cls(JsonPath.parse(text), target_id)
        except PathSyntaxError as error:
            raise ValidationException(
                f"InputPath for target {target_id} is not a valid JSON path. "
                f"InputPath={text!r} at position {error.position}: expected {error.expected}",
                param="InputPath",
                value=text,
                position=error.position,
                expected=error.expected,
            ) from None

    def _text(self, event: Mapping[str, Any]) -> str:
        """The selected value as compact JSON (a string arrives with its quotes).

        Raises:
            TransformationFailed: the path selects nothing in this event.
        """
        found = self.path.find(event)
        if not found:
            raise TransformationFailed(
                f"InputPath {self.path.render()} of target {self.target_id} "
                "selects nothing in the event; nothing is delivered",
                text="",
            )
        return compact(found[0])


# --------------------------------------------------------------------------- transformer


@frozen(kw_only=True)
class InputTransformer:
    """``InputTransformer``: variables taken from the event, substituted into a template.

    Attributes:
        paths: the InputPathsMap as (variable, parsed path) pairs, in given order.
        template: the InputTemplate as given.
        mode: JSON or STRING (see the module docstring).
        parts: the template cut into literal text (minified in JSON mode) and slots.
        target_id: the target's Id, for messages.
    """

    paths: tuple[tuple[str, JsonPath], ...]
    template: str
    mode: TemplateMode
    parts: tuple[str | Slot, ...]
    target_id: str = ""

    @classmethod
    def compile(
        cls,
        input_paths_map: Mapping[str, str] | None,
        input_template: str,
        *,
        target_id: str,
        member: str = "targets.1.member",
    ) -> InputTransformer:
        """Validate an InputTransformer as PutTargets does and compile it.

        Args:
            input_paths_map: variable name → JSON path (at most 100 entries).
            input_template: the template, 1 to 8192 characters.
            target_id: the target's Id, quoted in AWS's messages.
            member: the target's location in the request, for AWS's
                constraint messages (``targets.N.member``).

        Raises:
            ValidationException: a broken length or key constraint (AWS's
                "1 validation error detected: ..." form), a malformed JSON
                path, "InputTemplate for target {id} contains invalid
                placeholder {name}.", or a placeholder used as an object key.
        """
        location = f"{member}.inputTransformer"
        paths = _compile_paths(input_paths_map or {}, location, target_id)
        if not 1 <= len(input_template) <= MAX_TEMPLATE_LENGTH:
            constraint = (
                "Member must have length greater than or equal to 1"
                if not input_template
                else f"Member must have length less than or equal to {MAX_TEMPLATE_LENGTH}"
            )
            raise REQUEST.invalid(f"{location}.inputTemplate", input_template, constraint)
        known = {name for name, _ in paths} | set(PREDEFINED_VARIABLES)
        mode, parts = TemplateCompiler(input_template, known, target_id).compile()
        return cls(
            paths=paths, template=input_template, mode=mode, parts=parts, target_id=target_id
        )

    def apply(
        self,
        event: Mapping[str, Any],
        *,
        rule_arn: str,
        rule_name: str,
        ingestion_time: datetime,
        cloudwatch_logs: bool = False,
    ) -> str:
        """The text delivered to the target for ``event``.

        Args:
            event: the matched event, as parsed JSON (the original event: paths
                resolve against it, never against a transformed one).
            rule_arn: value of ``<aws.events.rule-arn>``.
            rule_name: value of ``<aws.events.rule-name>``.
            ingestion_time: when EventBridge received the event (naive means UTC).
            cloudwatch_logs: substitute as for a CloudWatch Logs target (values
                outside quotes unquoted, result not checked as JSON).

        Raises:
            TransformationFailed: a JSON template produced invalid JSON; AWS
                delivers nothing.

        >>> compiled = InputTransformer.compile(
        ...     {"state": "$.detail.state"}, '{"state": <state>}', target_id="t1"
        ... )
        >>> event = {"detail": {"state": "ok"}}
        >>> compiled.apply(event, rule_arn="", rule_name="", ingestion_time=datetime(2024, 1, 5))
        '{"state":"ok"}'
        """
        variables = Variables(self.paths, event, rule_arn, rule_name, ingestion_time)
        pieces: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                pieces.append(part)
            else:
                pieces.append(
                    substitute(variables.get(part.name), part, self.mode, cloudwatch_logs)
                )
        text = "".join(pieces)
        if self.mode is TemplateMode.JSON and not cloudwatch_logs and not _is_json(text):
            raise TransformationFailed(
                f"InputTemplate of target {self.target_id} produced invalid JSON for this "
                "event; nothing is delivered",
                text=text,
            )
        return text


def _compile_paths(
    input_paths_map: Mapping[str, str], location: str, target_id: str
) -> tuple[tuple[str, JsonPath], ...]:
    """Check InputPathsMap against its API constraints and parse every path."""
    where = f"{location}.inputPathsMap"
    shown = "{" + ", ".join(f"{k}={v}" for k, v in input_paths_map.items()) + "}"
    if len(input_paths_map) > MAX_PATHS:
        raise REQUEST.invalid(
            where, shown, f"Member must have length less than or equal to {MAX_PATHS}"
        )
    compiled: list[tuple[str, JsonPath]] = []
    for key, path in input_paths_map.items():
        broken = []
        if len(key) > MAX_KEY_LENGTH:
            broken.append(f"Member must have length less than or equal to {MAX_KEY_LENGTH}")
        if not key:
            broken.append("Member must have length greater than or equal to 1")
        if not re.fullmatch(_KEY_PATTERN, key):
            broken.append(f"Member must satisfy regular expression pattern: {_KEY_PATTERN}")
        if broken:
            constraint = f"Map keys must satisfy constraint: [{', '.join(broken)}]"
            raise REQUEST.invalid(where, shown, constraint)
        if len(path) > MAX_PATH_LENGTH:
            constraint = (
                "Map value must satisfy constraint: "
                f"[Member must have length less than or equal to {MAX_PATH_LENGTH}]"
            )
            raise REQUEST.invalid(where, shown, constraint)
        try:
            compiled.append((key, JsonPath.parse(path)))
        except PathSyntaxError as error:
            raise ValidationException(
                f"InputPathsMap for target {target_id} contains an invalid JSON path for "
                f"{key}. InputPathsMap[{key!r}]={path!r} at position {error.position}: "
                f"expected {error.expected}",
                param="InputPathsMap",
                value=path,
                position=error.position,
                expected=error.expected,
            ) from None
    return tuple(compiled)


# --------------------------------------------------------------------------- choosing


def compile_target_input(
    *,
    target_id: str,
    input: str | None = None,
    input_path: str | None = None,
    input_paths_map: Mapping[str, str] | None = None,
    input_template: str | None = None,
    member: str = "targets.1.member",
) -> TargetInput:
    """Compile a target's input setting, as PutTargets validates it.

    Args:
        target_id: the target's Id.
        input: the target's ``Input``.
        input_path: the target's ``InputPath``.
        input_paths_map: ``InputTransformer.InputPathsMap``.
        input_template: ``InputTransformer.InputTemplate`` (required when the
            target has an InputTransformer).
        member: the target's location in the request (``targets.N.member``).

    Returns:
        `WholeEvent` when none is set, else the compiled setting.

    Raises:
        ValidationException: more than one of Input, InputPath and
            InputTransformer ("Only one of Input, InputPath, or InputTransformer
            must be provided for target {id}."), or the setting is not valid.
    """
    has_transformer = input_paths_map is not None or input_template is not None
    if sum((input is not None, input_path is not None, has_transformer)) > 1:
        raise ValidationException(
            "Only one of Input, InputPath, or InputTransformer must be provided for target "
            f"{target_id}.",
            param="Targets",
            value=target_id,
        )
    if input is not None:
        return ConstantInput.compile(input, target_id=target_id, member=member)
    if input_path is not None:
        return InputPath.compile(input_path, target_id=target_id, member=member)
    if not has_transformer:
        return WholeEvent()
    if input_template is None:
        raise REQUEST.invalid(
            f"{member}.inputTransformer.inputTemplate", "null", "Member must not be null"
        )
    return InputTransformer.compile(
        input_paths_map, input_template, target_id=target_id, member=member
    )
