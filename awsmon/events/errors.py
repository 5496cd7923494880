"""The EventBridge error codes awsmon raises.

Main classes:

- `InvalidEventPatternException`: an event pattern that is not valid JSON or breaks
  the pattern grammar (PutRule, TestEventPattern, CreateArchive, UpdateArchive,
  StartReplay answer it).
- `ValidationException`: a parameter breaks AWS's rules for it, e.g. a
  ScheduleExpression that does not parse or an InputTransformer template with an
  unknown placeholder (PutRule, PutTargets).
- `ResourceNotFoundException`, `ResourceAlreadyExistsException`: a bus, rule,
  archive, replay or event source that is missing, or exists already.
- `LimitExceededException`: more than 5 targets on a rule, 100 buses, 300
  rules on a bus, 10 active replays.
- `ManagedRuleException`: a rule an AWS service manages, changed without Force.
- `PolicyLengthExceededException`: a bus policy over 10,240 characters.
- `IllegalStatusException`: CancelReplay on a replay that is no longer active.
- `InvalidStateException`: an event source in the wrong state for the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from awsmon.errors import AlreadyExists, Conflict, InvalidParameter, LimitExceeded, NotFound
from awsmon.params import Params, Wording

__all__ = [
    "WORDING",
    "IllegalStatusException",
    "InvalidEventPatternException",
    "InvalidStateException",
    "LimitExceededException",
    "ManagedRuleException",
    "PolicyLengthExceededException",
    "ResourceAlreadyExistsException",
    "ResourceNotFoundException",
    "ValidationException",
    "existing",
]

T = TypeVar("T")

#: How EventBridge words validation errors: members in lower camel case, located
#: by path (``targets.1.member.id``); a missing member is ``Value null ... must not be null``.
WORDING = Wording(member_case="camel", missing="null")


class InvalidEventPatternException(
    InvalidParameter, code="InvalidEventPatternException", service="events"
):
    """The event pattern is not valid JSON or breaks the pattern grammar.

    The message has AWS's shape, ``Event pattern is not valid. Reason: <reason>``
    followed by the Jackson-style location ``at [Source: (String)"..."; line: L,
    column: C]``.

    Attributes:
        reason: AWS's reason text alone (what tests and callers usually compare).
        position: 0-based character offset in the pattern text where the problem
            was found, or None when the problem is not tied to one place.
        line: 1-based line of that position (None when `position` is None).
        column: 1-based column of that position (None when `position` is None).
    """

    def __init__(
        self,
        message: str,
        *,
        param: str | None = "EventPattern",
        value: Any = None,
        reason: str = "",
        position: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, param=param, value=value)
        self.reason = reason or message
        self.position = position
        self.line = line
        self.column = column


class ValidationException(InvalidParameter, code="ValidationException", service="events"):
    """A parameter breaks AWS's rules for it (PutRule, PutTargets).

    Raised, among others, for a schedule expression that does not parse
    ("Parameter ScheduleExpression is not valid.") and for input transformer
    settings AWS rejects ("InputTemplate for target {id} contains invalid
    placeholder {name}.").

    Attributes:
        position: 0-based character offset in `value` where a syntax error was
            found, or None when the error is not tied to one place.
        expected: what the parser expected at `position` ("" when not a syntax
            error).
    """

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        value: Any = None,
        position: int | None = None,
        expected: str = "",
    ) -> None:
        super().__init__(message, param=param, value=value)
        self.position = position
        self.expected = expected


class IllegalStatusException(Conflict, code="IllegalStatusException", service="events"):
    """The replay is not in a state that allows the operation (CancelReplay)."""


class InvalidStateException(Conflict, code="InvalidStateException", service="events"):
    """The event source is not in a state that allows the operation."""


class LimitExceededException(LimitExceeded, code="LimitExceededException", service="events"):
    """An EventBridge quota would be exceeded (targets per rule, buses, rules, replays)."""


class ManagedRuleException(InvalidParameter, code="ManagedRuleException", service="events"):
    """The rule is managed by an AWS service; only Force may delete it or its targets."""


class PolicyLengthExceededException(
    LimitExceeded, code="PolicyLengthExceededException", service="events"
):
    """The event bus policy would be longer than 10,240 characters."""


class ResourceAlreadyExistsException(
    AlreadyExists, code="ResourceAlreadyExistsException", service="events"
):
    """A bus, archive, replay or partner event source of that name exists already."""


class ResourceNotFoundException(NotFound, code="ResourceNotFoundException", service="events"):
    """The bus, rule, archive, replay, event source or policy statement does not exist."""


def existing(table: Mapping[str, T], name: str, message: str, param: str) -> T:
    """`table[name]`; when missing, `ResourceNotFoundException` (`message`, naming `param`)."""
    found = table.get(name)
    if found is None:
        raise ResourceNotFoundException(message, param=param, value=name)
    return found


#: AWS's validation errors for members the domain checks, named by their request
#: path (``REQUEST.invalid("targets.1.member.inputPath", value, constraint)``), in
#: EventBridge's wording; the wire layer's `Params` words its own the same way.
REQUEST = Params({}, invalid=ValidationException, missing=ValidationException, wording=WORDING)
