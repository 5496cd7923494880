"""The JSONPath subset EventBridge accepts in InputPath and InputPathsMap (internal, pure).

AWS documents dot notation (``$.detail.state``), names made of letters,
digits, dashes, underscores and forward slashes, array indices
(``$.resources[0]``) and wildcards (``$.detail.*``, ``$.resources[*]``), and
says bracket notation for names is not supported. `JsonPath.parse` accepts
exactly that and reports the first offending character; `JsonPath.find`
resolves a path against a parsed JSON document.

Main classes:

- `JsonPath`: a parsed path; ``find(document)`` → ``()`` when nothing is
  there, else a one-element tuple with the selected value.
- `PathSyntaxError`: where a path stops following the grammar; the callers
  turn it into the AWS error of their parameter.

Simulation notes:
    A path with a wildcard selects the list of every match, as Jayway
    JsonPath (Java) does for "indefinite" paths; a wildcard that matches
    nothing counts as a missing value (UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

__all__ = ["WILDCARD", "JsonPath", "PathSyntaxError"]

WILDCARD = "*"
"""The step that selects every member of an object or element of an array."""

_NAME_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-/")


class PathSyntaxError(Exception):
    """A JSON path breaks the grammar at ``position``, where ``expected`` was due."""

    def __init__(self, position: int, expected: str) -> None:
        super().__init__(f"at position {position}: expected {expected}")
        self.position = position
        self.expected = expected


@frozen
class JsonPath:
    """A parsed EventBridge JSON path.

    Attributes:
        steps: member names (str), array indices (int) and `WILDCARD`, from the root.
    """

    steps: tuple[str | int, ...]

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        """Parse ``$``, then any of ``.name``, ``.*``, ``[index]``, ``[*]``.

        Raises:
            PathSyntaxError: at the first character that breaks the grammar.
        """
        if not text.startswith("$"):
            raise PathSyntaxError(0, "'$'")
        steps: list[str | int] = []
        pos = 1
        while pos < len(text):
            if text[pos] == ".":
                pos += 1
                if text.startswith(WILDCARD, pos):
                    steps.append(WILDCARD)
                    pos += 1
                    continue
                end = pos
                while end < len(text) and text[end] in _NAME_CHARACTERS:
                    end += 1
                if end == pos:
                    raise PathSyntaxError(
                        pos, "a member name (letters, digits, '_', '-', '/') or '*'"
                    )
                steps.append(text[pos:end])
                pos = end
            elif text[pos] == "[":
                pos += 1
                end = pos
                while end < len(text) and text[end].isascii() and text[end].isdecimal():
                    end += 1
                if text.startswith(WILDCARD, pos):
                    steps.append(WILDCARD)
                    end = pos + 1
                elif end == pos or end - pos > 9:
                    raise PathSyntaxError(pos, "an array index or '*' (dot notation for names)")
                else:
                    steps.append(int(text[pos:end]))
                if not text.startswith("]", end):
                    raise PathSyntaxError(end, "']'")
                pos = end + 1
            else:
                raise PathSyntaxError(pos, "'.' or '['")
        return cls(tuple(steps))

    @property
    def is_definite(self) -> bool:
        """True when the path selects at most one value (no wildcard)."""
        return WILDCARD not in self.steps

    def render(self) -> str:
        """The path's canonical text."""
        parts = ["$"]
        for step in self.steps:
            parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
        return "".join(parts)

    def find(self, document: Any) -> tuple[Any, ...]:
        """The value the path selects in ``document``.

        Returns:
            ``()`` when the path selects nothing; otherwise ``(value,)``, where a
            path with a wildcard yields the list of all its matches.
        """
        nodes: list[Any] = [document]
        for step in self.steps:
            nodes = [child for node in nodes for child in _children(node, step)]
        if self.is_definite:
            return tuple(nodes[:1])
        return (nodes,) if nodes else ()


def _children(node: Any, step: str | int) -> list[Any]:
    """What one step selects below one node (nothing when the types do not fit)."""
    if isinstance(node, Mapping):
        if step == WILDCARD:
            return list(node.values())
        if isinstance(step, str) and step in node:
            return [node[step]]
        return []
    if isinstance(node, Sequence) and not isinstance(node, str):
        if step == WILDCARD:
            return list(node)
        if isinstance(step, int) and step < len(node):
            return [node[step]]
    return []
