"""Property selectors of JSON filter patterns and metric values: ``$.users[0].email``.

A selector is ``$`` followed by steps (FilterAndPatternSyntax.html): ``.name``
(letters, digits, ``-`` and ``_``), ``[N]`` (a zero-based array index, only
after a property), ``['name.with.dots']`` or ``.['name']`` (bracket notation),
and the wildcards ``.*`` / ``[*]`` (any object field or array element; at most
one per selector). The same selectors name a metric filter's value and
dimensions (``$.latency``).

This module also reads log messages as JSON: `load_object` parses a message
that is a whole JSON object (anything else is not JSON to a filter pattern),
and `scalar_text` gives a value node's text.

Main names: `Selector`, `parse_selector`, `read_selector`, `node_getter`,
`load_object`, `scalar_text`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from functools import lru_cache

from attrs import frozen

from awsmon import jsondoc
from awsmon.logs.filter_pattern_scan import Scanner

__all__ = [
    "MISSING",
    "WILDCARD",
    "Selector",
    "Step",
    "is_missing",
    "load_object",
    "node_getter",
    "parse_selector",
    "read_selector",
    "scalar_text",
]

#: The wildcard step (``.*`` or ``[*]``) in `Selector.steps`.
WILDCARD = None

#: A selector step: a property name, an array index, or `WILDCARD`.
Step = str | int | None

_PROPERTY_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
#: What `Selector.first` returns when the selector reaches nothing (see `is_missing`).
MISSING: object = object()
_MISSING = MISSING


def load_object(message: str) -> dict[str, object] | None:
    """The message parsed as a JSON object, or None if it is not one.

    Parsed by `awsmon.jsondoc` (msgspec when the ``fast`` extra is installed,
    with the standard library's answers); ``NaN`` and ``Infinity`` are not
    JSON here, and a message nested deeper than `jsondoc.MAX_DEPTH` is not
    read as JSON.
    """
    if not message.startswith("{") and not message.lstrip().startswith("{"):
        return None
    try:
        document = jsondoc.loads(message, constants=False)
    except ValueError:
        return None
    return document if type(document) is dict else None


def scalar_text(node: object) -> str | None:
    """The text of a JSON value node (string or number), None for anything else."""
    if type(node) is str:
        return node
    if type(node) is int:
        return str(node)
    if type(node) is float:
        return repr(node)
    return None


@frozen
class Selector:
    """A compiled property selector such as ``$.users[0].email``.

    Attributes:
        text: the selector as written.
        steps: property names (`str`), array indexes (`int`) and wildcards
            (`None`), from the root down.
    """

    text: str
    steps: tuple[Step, ...]

    @property
    def wildcards(self) -> int:
        """How many wildcard steps the selector has."""
        return sum(1 for step in self.steps if step is WILDCARD)

    def resolve(self, document: object) -> list[object]:
        """Every node the selector reaches in `document` (empty if none)."""
        nodes = [document]
        for step in self.steps:
            reached: list[object] = []
            for node in nodes:
                if step is WILDCARD:
                    if type(node) is dict:
                        reached.extend(node.values())
                    elif type(node) is list:
                        reached.extend(node)
                elif type(step) is str:
                    if type(node) is dict and step in node:
                        reached.append(node[step])
                elif type(node) is list and type(step) is int and step < len(node):
                    reached.append(node[step])
            nodes = reached
        return nodes

    def first(self, document: object) -> object:
        """The first node the selector reaches, or a private "missing" marker."""
        if WILDCARD in self.steps:
            nodes = self.resolve(document)
            return nodes[0] if nodes else _MISSING
        node = document
        for step in self.steps:
            if type(step) is str:
                if type(node) is not dict:
                    return _MISSING
                node = node.get(step, _MISSING)
                if node is _MISSING:
                    return _MISSING
            elif type(node) is list and type(step) is int and step < len(node):
                node = node[step]
            else:
                return _MISSING
        return node


def node_getter(selector: Selector) -> Callable[[object], object]:
    """`selector.first` as one function, specialised to a selector of one or two names.

    The answers are `Selector.first`'s (tests compare them); only the loop
    over the steps and its type tests per step are gone for ``$.name`` and
    ``$.name.name``, the selectors metric filters use most.
    """
    steps = selector.steps
    if len(steps) == 1 and type(steps[0]) is str:
        key = steps[0]

        def one(document: object) -> object:
            if type(document) is not dict:
                return _MISSING
            return document.get(key, _MISSING)

        return one
    if len(steps) == 2 and type(steps[0]) is str and type(steps[1]) is str:
        outer, inner = steps

        def two(document: object) -> object:
            if type(document) is not dict:
                return _MISSING
            node = document.get(outer, _MISSING)
            if type(node) is not dict:
                return _MISSING
            return node.get(inner, _MISSING)

        return two
    return selector.first


def is_missing(node: object) -> bool:
    """True for the marker `Selector.first` returns when nothing is reached."""
    return node is _MISSING


@lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """Compile a selector written on its own, such as a metric value ``$.latency``.

    Raises:
        InvalidParameterException: `text` is not a whole, valid selector.
    """
    scanner = Scanner(text)
    selector = read_selector(scanner)
    if not scanner.at_end():
        raise scanner.error("end of selector")
    return selector


def read_selector(scanner: Scanner) -> Selector:
    """Read a selector at the scanner's position (left just after it)."""
    start = scanner.pos
    if not scanner.accept("$"):
        raise scanner.error("a property selector starting with '$'")
    steps: list[Step] = []
    while True:
        if scanner.accept("."):
            if scanner.accept("*"):
                steps.append(WILDCARD)
            elif scanner.peek() == "[":
                steps.append(_read_bracket(scanner, allow_index=False))
            else:
                name = scanner.read_while(_PROPERTY_CHARS)
                if not name:
                    raise scanner.error("a property name (letters, digits, '-', '_') or '*'")
                steps.append(name)
        elif scanner.peek() == "[":
            index_position = scanner.pos
            step = _read_bracket(scanner, allow_index=True)
            if not steps and type(step) is int:
                raise scanner.error("a property before the array index", index_position)
            steps.append(step)
        else:
            break
    if not steps:
        raise scanner.error("'.' and a property name after '$'")
    selector = Selector(text=scanner.text[start : scanner.pos], steps=tuple(steps))
    if selector.wildcards > 1:
        raise scanner.error("at most one wildcard in a property selector", start)
    return selector


def _read_bracket(scanner: Scanner, *, allow_index: bool) -> Step:
    """Read ``[N]``, ``[*]`` or ``['name']`` / ``["name"]``."""
    scanner.expect("[")
    step: Step
    quote = scanner.peek()
    if quote in ("'", '"'):
        opening = scanner.pos
        closing = scanner.text.find(quote, opening + 1, scanner.end)
        if closing < 0:
            raise scanner.error(f"a closing {quote} for the name opened here", opening)
        step = scanner.text[opening + 1 : closing]
        scanner.pos = closing + 1
    elif scanner.accept("*"):
        step = WILDCARD
    elif allow_index and scanner.peek().isdecimal():
        digits = scanner.read_while(frozenset(string.digits))
        step = int(digits)
    else:
        raise scanner.error("an array index, '*' or a quoted property name")
    scanner.expect("]")
    return step
