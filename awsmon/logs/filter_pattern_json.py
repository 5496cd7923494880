"""JSON filter patterns: ``{ $.a.b[0] = "x" && ($.n > 5 || $.flag IS TRUE) }``.

A JSON pattern is a boolean expression over property selectors, enclosed in
braces. It applies only to log events whose whole message is a JSON object;
any other message never matches, whatever the expression (even ``NOT
EXISTS``). The message is parsed once per event, and only for JSON patterns.

Selectors (FilterAndPatternSyntax.html): ``$`` followed by steps: ``.name``
(letters, digits, ``-`` and ``_``), ``[N]`` (zero-based array index, only
after a property), ``['name.with.dots']`` or ``.['name']`` (bracket
notation), and the wildcards ``.*`` / ``[*]`` (any object field or array
element; at most one per selector and three per pattern).

Conditions, and how they treat the value the selector reaches:

- ``= / !=`` with a string (quoted, or bare letters, digits, ``_``, ``.``
  and ``*``): compares text, case-sensitively. A ``*`` at the start and/or
  end is a wildcard (``*Event``, ``Event*``, ``*ven*``, ``*``); inside the
  string it is literal (``Ev*ent`` matches only ``Ev*ent``).
- ``= / !=`` with a regex ``%...%``: a search in the text.
- ``= != < > <= >=`` with a number (``400``, ``-5``, ``+1000``, ``55.5``,
  ``1e-3``): numeric comparison, against JSON numbers only.
- ``IS NULL``, ``IS TRUE``, ``IS FALSE``: the JSON literal ``null``,
  ``true`` or ``false``.
- ``NOT EXISTS``: the selector reaches nothing.

Comparisons (``=``, ``!=`` and the numeric ones) need a *value node*: a JSON
string or number. A selector that reaches an object, an array, a boolean,
``null`` or nothing makes both ``=`` and ``!=`` false (AWS: ``{$.users = 1}``
and ``{$.users != 1}`` both fail on ``{"users": [1, 2, 3]}``). ``&&`` binds
tighter than ``||``; parentheses group. With a wildcard selector the
condition holds when it holds for any value reached.

Simulation notes: string conditions compare a JSON number through its text
(``50`` for 50; floats as Python writes them, so ``1e3`` reads ``1000.0``),
which makes ``{ $.latency = * }`` true for any number or string; a numeric
condition never matches a JSON string (UNCONFIRMED; the reference's
recommendation); messages with text before the JSON object do not match
(UNCONFIRMED); the keywords ``IS``, ``NOT``, ``NULL``, ``TRUE``, ``FALSE`` and
``EXISTS`` are accepted in any letter case (UNCONFIRMED).

Main names: `JsonPattern`, `parse_json_pattern`, `Selector`,
`parse_selector`, `load_object`, `scalar_text`.
"""

from __future__ import annotations

import json
import operator
import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from attrs import frozen

from awsmon.logs.filter_pattern_regex import RegexCounter
from awsmon.logs.filter_pattern_scan import Scanner, parse_number

__all__ = [
    "MAX_WILDCARDS_PER_PATTERN",
    "JsonPattern",
    "Selector",
    "load_object",
    "parse_json_pattern",
    "parse_selector",
    "scalar_text",
]

#: AWS quota: up to three wildcard selectors in one filter pattern.
MAX_WILDCARDS_PER_PATTERN = 3

#: The wildcard step (``.*`` or ``[*]``) in `Selector.steps`.
WILDCARD = None

#: A selector step: a property name, an array index, or `WILDCARD`.
Step = str | int | None

#: A test on a parsed JSON object.
DocumentTest = Callable[[dict[str, object]], bool]

_PROPERTY_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_BARE_VALUE_CHARS = frozenset(string.ascii_letters + string.digits + "_.*+-")
_MISSING = object()
# Any: the operator module's functions accept whatever supports the comparison.
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")  # two-character ones first


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def load_object(message: str) -> dict[str, object] | None:
    """The message parsed as a JSON object, or None if it is not one."""
    if not message.startswith("{") and not message.lstrip().startswith("{"):
        return None
    try:
        document = _DECODER.decode(message)
    except (ValueError, RecursionError):
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
        if self.wildcards:
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


def is_missing(node: object) -> bool:
    """True for the marker `Selector.first` returns when nothing is reached."""
    return node is _MISSING


@frozen
class JsonPattern:
    """A compiled JSON filter pattern.

    Attributes:
        test: the expression, as a function of the parsed JSON object.
        regex_count: how many ``%...%`` regexes the pattern uses.
    """

    test: DocumentTest
    regex_count: int


def parse_json_pattern(scanner: Scanner) -> JsonPattern:
    """Parse the JSON pattern starting at ``{`` and running to the end of the text.

    Raises:
        InvalidParameterException: the pattern is malformed, with the position.
    """
    parser = _Parser(scanner)
    scanner.expect("{")
    test = parser.parse_or()
    scanner.skip_spaces()
    if scanner.peek() != "}":
        raise scanner.error("'&&', '||' or '}'")
    scanner.advance()
    scanner.skip_spaces()
    if not scanner.at_end():
        raise scanner.error("end of pattern after '}'")
    return JsonPattern(test=test, regex_count=parser.regexes.count)


@lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """Compile a selector written on its own, such as a metric value ``$.latency``.

    Raises:
        InvalidParameterException: `text` is not a whole, valid selector.
    """
    scanner = Scanner(text)
    selector = _read_selector(scanner)
    if not scanner.at_end():
        raise scanner.error("end of selector")
    return selector


def _read_selector(scanner: Scanner) -> Selector:
    """Read a selector at the scanner's position."""
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
    elif allow_index and scanner.peek().isdigit():
        digits = scanner.read_while(frozenset(string.digits))
        step = int(digits)
    else:
        raise scanner.error("an array index, '*' or a quoted property name")
    scanner.expect("]")
    return step


class _Parser:
    """Recursive descent over the JSON expression grammar (mutable parse state)."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.regexes = RegexCounter()
        self.wildcards = 0

    def parse_or(self) -> DocumentTest:
        """``and_expr ('||' and_expr)*``"""
        terms = [self.parse_and()]
        while True:
            self.scanner.skip_spaces()
            if not self.scanner.accept("||"):
                break
            terms.append(self.parse_and())
        if len(terms) == 1:
            return terms[0]
        alternatives = tuple(terms)
        return lambda document: any(test(document) for test in alternatives)

    def parse_and(self) -> DocumentTest:
        """``atom ('&&' atom)*``"""
        factors = [self.parse_atom()]
        while True:
            self.scanner.skip_spaces()
            if not self.scanner.accept("&&"):
                break
            factors.append(self.parse_atom())
        if len(factors) == 1:
            return factors[0]
        required = tuple(factors)
        return lambda document: all(test(document) for test in required)

    def parse_atom(self) -> DocumentTest:
        """``'(' or_expr ')' | condition``"""
        scanner = self.scanner
        scanner.skip_spaces()
        if scanner.accept("("):
            inner = self.parse_or()
            scanner.skip_spaces()
            if not scanner.accept(")"):
                raise scanner.error("'&&', '||' or ')'")
            return inner
        return self.parse_condition()

    def parse_condition(self) -> DocumentTest:
        """``selector (operator value | IS NULL|TRUE|FALSE | NOT EXISTS)``"""
        scanner = self.scanner
        start = scanner.pos
        selector = _read_selector(scanner)
        self.wildcards += selector.wildcards
        if self.wildcards > MAX_WILDCARDS_PER_PATTERN:
            raise scanner.error(
                f"at most {MAX_WILDCARDS_PER_PATTERN} wildcard selectors in a pattern", start
            )
        scanner.skip_spaces()
        for symbol in _OPERATORS:
            if scanner.accept(symbol):
                return _condition(selector, self.parse_value(symbol))
        keyword_position = scanner.pos
        keyword = scanner.read_while(frozenset(string.ascii_letters)).upper()
        if keyword == "IS":
            scanner.skip_spaces()
            literal_position = scanner.pos
            literal = scanner.read_while(frozenset(string.ascii_letters)).upper()
            expected = {"NULL": None, "TRUE": True, "FALSE": False}
            if literal not in expected:
                scanner.pos = literal_position
                raise scanner.error("NULL, TRUE or FALSE after IS")
            wanted = expected[literal]
            return _condition(selector, lambda node: node is wanted)
        if keyword == "NOT":
            scanner.skip_spaces()
            literal_position = scanner.pos
            if scanner.read_while(frozenset(string.ascii_letters)).upper() != "EXISTS":
                scanner.pos = literal_position
                raise scanner.error("EXISTS after NOT")
            return _not_exists(selector)
        scanner.pos = keyword_position
        raise scanner.error("an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS")

    def parse_value(self, symbol: str) -> Callable[[object], bool]:
        """The right-hand side of `symbol`, as a predicate on the value node."""
        scanner = self.scanner
        scanner.skip_spaces()
        start = scanner.pos
        numeric_only = symbol not in ("=", "!=")
        negate = symbol == "!="
        if scanner.peek() in ('"', "%"):
            if numeric_only:
                raise scanner.error(f"a number after '{symbol}'")
            if scanner.peek() == "%":
                text_test = _searcher(self.regexes.parse(scanner))
            else:
                text_test = string_matcher(scanner.read_quoted())
            return _text_predicate(text_test, negate)
        token = scanner.read_while(_BARE_VALUE_CHARS)
        if not token:
            raise scanner.error("a value (a string, a number or a %regex%)")
        number = parse_number(token)
        if number is not None:
            return _number_predicate(_COMPARISONS[symbol], number)
        if numeric_only:
            raise scanner.error(f"a number after '{symbol}'", start)
        if "+" in token or "-" in token:
            raise scanner.error(
                "a number, or a string (quote strings that have characters other than "
                "letters, digits, '_', '.' and '*')",
                start,
            )
        return _text_predicate(string_matcher(token), negate)


def _searcher(regex: re.Pattern[str]) -> Callable[[str], bool]:
    search = regex.search
    return lambda text: search(text) is not None


def string_matcher(value: str) -> Callable[[str], bool]:
    """A test for text equal to `value`, where a leading/trailing ``*`` is a wildcard."""
    core = value
    leading = core.startswith("*")
    if leading:
        core = core[1:]
    trailing = core.endswith("*")
    if trailing:
        core = core[:-1]
    if leading and trailing:
        return core.__contains__ if core else _always
    if leading:
        return lambda text: text.endswith(core)
    if trailing:
        return lambda text: text.startswith(core)
    return core.__eq__


def _always(text: str) -> bool:
    return True


def _text_predicate(test: Callable[[str], bool], negate: bool) -> Callable[[object], bool]:
    """A predicate applying `test` to a string or number node (false for others)."""

    def predicate(node: object) -> bool:
        text = scalar_text(node)
        if text is None:
            return False
        return not test(text) if negate else test(text)

    return predicate


def _number_predicate(
    compare: Callable[[Any, Any], bool], number: int | float
) -> Callable[[object], bool]:
    """A predicate comparing a JSON number node with `number` (false for others)."""

    def predicate(node: object) -> bool:
        kind = type(node)
        return (kind is int or kind is float) and compare(node, number)

    return predicate


def _condition(selector: Selector, predicate: Callable[[object], bool]) -> DocumentTest:
    """A document test: `predicate` holds for (any of) the node(s) `selector` reaches."""
    if selector.wildcards:
        return lambda document: any(predicate(node) for node in selector.resolve(document))
    first = selector.first
    return lambda document: predicate(first(document))


def _not_exists(selector: Selector) -> DocumentTest:
    """A document test true when `selector` reaches nothing."""
    if selector.wildcards:
        return lambda document: not selector.resolve(document)
    first = selector.first
    return lambda document: first(document) is _MISSING
