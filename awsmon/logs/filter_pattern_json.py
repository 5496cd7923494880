"""JSON filter patterns: ``{ $.a.b[0] = "x" && ($.n > 5 || $.flag IS TRUE) }``.

A JSON pattern is a boolean expression over property selectors, enclosed in
braces. It applies only to log events whose whole message is a JSON object;
any other message never matches, whatever the expression (even ``NOT
EXISTS``). The message is parsed once per event, and only for JSON patterns.

Selectors are described in `awsmon.logs.filter_pattern_selector`
(``$.a.b``, ``$.list[0]``, ``$['dotted.name']``, wildcards ``.*`` and
``[*]``); a pattern may use at most three wildcard selectors.

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
``EXISTS`` are accepted in any letter case (UNCONFIRMED); parentheses nest
at most 100 deep (AWS's limit, if any, is not documented).

Speed: before parsing a message, `JsonPattern.match` checks that it contains
the property names and literal string values the pattern needs (sound unless
the message has a backslash escape, in which case it always parses).

Main names: `JsonPattern`, `parse_json_pattern`.
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import and_, contains, or_
from typing import Any

from attrs import frozen

from awsmon.logs.filter_pattern_regex import RegexCounter
from awsmon.logs.filter_pattern_scan import Scanner, parse_number
from awsmon.logs.filter_pattern_selector import (
    MISSING,
    Selector,
    is_missing,
    load_object,
    node_getter,
    read_selector,
    scalar_text,
)

__all__ = [
    "MAX_NESTING",
    "MAX_WILDCARDS_PER_PATTERN",
    "JsonPattern",
    "parse_json_pattern",
]

#: AWS quota: up to three wildcard selectors in one filter pattern.
MAX_WILDCARDS_PER_PATTERN = 3

#: How deeply parentheses may nest (an awsmon limit that keeps parsing off
#: Python's recursion limit; AWS's own limit is not documented).
MAX_NESTING = 100

#: A test on a parsed JSON object.
DocumentTest = Callable[[dict[str, object]], bool]

_BARE_VALUE_CHARS = frozenset(string.ascii_letters + string.digits + "_.*+-")
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
#: The types of the JSON numbers a numeric comparison compares (bool is not one of them).
_NUMBER_TYPES = {int, float}


@frozen
class JsonPattern:
    """A compiled JSON filter pattern.

    Attributes:
        test: the expression, as a function of the parsed JSON object.
        regex_count: how many ``%...%`` regexes the pattern uses.
        required: texts that any matching message contains verbatim, unless
            it has a backslash (a JSON escape could spell them differently):
            quoted property names and literal string values. Checking them
            first spares the JSON parse for most non-matching messages.
        roots: the top-level property names the test reads (the first step
            of each selector), or None when a selector starts with a
            wildcard (the test may read any field): the test gives the same
            answer on the object restricted to these fields.
    """

    test: DocumentTest
    regex_count: int
    required: tuple[str, ...] = ()
    roots: frozenset[str] | None = frozenset()
    numeric: tuple[str, Callable[[Any, Any], bool], int | float] | None = None

    def test_each(self, documents: Sequence[dict[str, object]]) -> list[bool]:
        """`test` of each parsed object (a batch).

        A pattern that is one numeric comparison of a top-level field
        (``{ $.latency > 100 }``: `numeric` is its name, operator and
        number) is decided by C-level passes when every value is an int or
        a float; anything else (a missing field, a string, a boolean) goes
        through `test`, which gives the same answers.
        """
        numeric = self.numeric
        if numeric is not None:
            key, compare, number = numeric
            values = list(map(dict.get, documents, repeat(key)))
            if set(map(type, values)) <= _NUMBER_TYPES:
                return list(map(compare, values, repeat(number)))
        return list(map(self.test, documents))

    def admits(self, message: str) -> bool:
        """False when `message` lacks a text the pattern requires (so it cannot match)."""
        if self.required and "\\" not in message:
            for text in self.required:
                if text not in message:
                    return False
        return True

    def admits_each(self, messages: Sequence[str]) -> list[bool]:
        """`admits` for each of `messages`, by C-level passes (one per required text).

        The messages are searched for a backslash (which admits them all the
        same) only when one of them lacks a required text.
        """
        if not self.required:
            return [True] * len(messages)
        found = list(map(contains, messages, repeat(self.required[0])))
        for text in self.required[1:]:
            found = list(map(and_, found, map(contains, messages, repeat(text))))
        if all(found):
            return found
        return list(map(or_, map(contains, messages, repeat("\\")), found))

    def match(self, message: str) -> dict[str, object] | None:
        """The message's JSON object if the pattern matches it, else None."""
        if not self.admits(message):
            return None
        document = load_object(message)
        if document is None or not self.test(document):
            return None
        return document


#: A numeric comparison: its operator and the number on its right.
_Numeric = tuple[Callable[[Any, Any], bool], int | float]
#: A parsed (sub)expression: its test, and texts a matching message must contain.
_Expression = tuple[DocumentTest, frozenset[str]]

# The characters a JSON number's text can have (``-1.5e+30``, ``inf``): a string
# value with any other character can only match a JSON string.
_NUMBER_TEXT_CHARS = frozenset("0123456789+-.einf")


def parse_json_pattern(scanner: Scanner) -> JsonPattern:
    """Parse the JSON pattern starting at ``{`` and running to the end of the text.

    Raises:
        InvalidParameterException: the pattern is malformed, with the position.
    """
    parser = _Parser(scanner)
    scanner.expect("{")
    test, required = parser.parse_or()
    scanner.skip_spaces()
    if scanner.peek() != "}":
        raise scanner.error("'&&', '||' or '}'")
    scanner.advance()
    scanner.skip_spaces()
    if not scanner.at_end():
        raise scanner.error("end of pattern after '}'")
    return JsonPattern(
        test=test,
        regex_count=parser.regexes.count,
        required=tuple(sorted(required)),
        roots=None if parser.roots is None else frozenset(parser.roots),
        numeric=parser.numeric if parser.conditions == 1 else None,
    )


class _Parser:
    """Recursive descent over the JSON expression grammar (mutable parse state)."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.regexes = RegexCounter()
        self.wildcards = 0
        self.depth = 0
        #: The first steps of the selectors read so far (None: one starts with a wildcard).
        self.roots: set[str] | None = set()
        #: How many conditions the pattern has, and the last one's name, operator and number
        #: when it is a numeric comparison of a top-level field.
        self.conditions = 0
        self.numeric: tuple[str, Callable[[Any, Any], bool], int | float] | None = None

    def parse_or(self) -> _Expression:
        """``and_expr ('||' and_expr)*``; requires what every alternative requires."""
        terms = [self.parse_and()]
        while True:
            self.scanner.skip_spaces()
            if not self.scanner.accept("||"):
                break
            terms.append(self.parse_and())
        if len(terms) == 1:
            return terms[0]
        alternatives = tuple(test for test, _ in terms)
        required = frozenset.intersection(*(texts for _, texts in terms))
        return (lambda document: any(test(document) for test in alternatives)), required

    def parse_and(self) -> _Expression:
        """``atom ('&&' atom)*``; requires what any factor requires."""
        factors = [self.parse_atom()]
        while True:
            self.scanner.skip_spaces()
            if not self.scanner.accept("&&"):
                break
            factors.append(self.parse_atom())
        if len(factors) == 1:
            return factors[0]
        tests = tuple(test for test, _ in factors)
        required = frozenset().union(*(texts for _, texts in factors))
        return (lambda document: all(test(document) for test in tests)), required

    def parse_atom(self) -> _Expression:
        """``'(' or_expr ')' | condition``"""
        scanner = self.scanner
        scanner.skip_spaces()
        if scanner.accept("("):
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise scanner.error(f"at most {MAX_NESTING} nested parentheses", scanner.pos - 1)
            inner = self.parse_or()
            self.depth -= 1
            scanner.skip_spaces()
            if not scanner.accept(")"):
                raise scanner.error("'&&', '||' or ')'")
            return inner
        return self.parse_condition()

    def parse_condition(self) -> _Expression:
        """``selector (operator value | IS NULL|TRUE|FALSE | NOT EXISTS)``"""
        scanner = self.scanner
        start = scanner.pos
        selector = read_selector(scanner)
        self.wildcards += selector.wildcards
        root = selector.steps[0]
        if type(root) is not str:
            self.roots = None
        elif self.roots is not None:
            self.roots.add(root)
        if self.wildcards > MAX_WILDCARDS_PER_PATTERN:
            raise scanner.error(
                f"at most {MAX_WILDCARDS_PER_PATTERN} wildcard selectors in a pattern", start
            )
        # Every property the selector names must be there, as a quoted key.
        keys = frozenset(f'"{step}"' for step in selector.steps if type(step) is str)
        scanner.skip_spaces()
        self.conditions += 1
        for symbol in _OPERATORS:
            if scanner.accept(symbol):
                predicate, literal, numeric = self.parse_value(symbol)
                if numeric is not None and len(selector.steps) == 1 and type(root) is str:
                    self.numeric = (root, *numeric)
                required = keys | {literal} if literal else keys
                return _condition(selector, predicate, numeric), required
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
            return _condition(selector, lambda node: node is wanted), keys
        if keyword == "NOT":
            scanner.skip_spaces()
            literal_position = scanner.pos
            if scanner.read_while(frozenset(string.ascii_letters)).upper() != "EXISTS":
                scanner.pos = literal_position
                raise scanner.error("EXISTS after NOT")
            return _not_exists(selector), frozenset()
        scanner.pos = keyword_position
        raise scanner.error("an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS")

    def parse_value(
        self, symbol: str
    ) -> tuple[Callable[[object], bool], str | None, _Numeric | None]:
        """The right-hand side of `symbol`: a predicate on the value node, the
        literal text a matching message must contain (None if there is none),
        and, for a numeric comparison, its operator and number."""
        scanner = self.scanner
        scanner.skip_spaces()
        start = scanner.pos
        numeric_only = symbol not in ("=", "!=")
        negate = symbol == "!="
        if scanner.peek() == "%":
            if numeric_only:
                raise scanner.error(f"a number after '{symbol}'")
            return _text_predicate(self.regexes.parse(scanner).search, negate), None, None
        if scanner.peek() == '"':
            if numeric_only:
                raise scanner.error(f"a number after '{symbol}'")
            text = scanner.read_quoted()
        else:
            text = scanner.read_while(_BARE_VALUE_CHARS)
            if not text:
                raise scanner.error("a value (a string, a number or a %regex%)")
            number = parse_number(text)
            if number is not None:
                compare = _COMPARISONS[symbol]
                return _number_predicate(compare, number), None, (compare, number)
            if numeric_only:
                raise scanner.error(f"a number after '{symbol}'", start)
            if "+" in text or "-" in text:
                raise scanner.error(
                    "a number, or a string (quote strings that have characters other than "
                    "letters, digits, '_', '.' and '*')",
                    start,
                )
        core = text.strip("*")
        literal = None if negate or set(core) <= _NUMBER_TEXT_CHARS else core
        return _text_predicate(string_matcher(text), negate), literal, None


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
        return (lambda text: core in text) if core else _always
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


def _condition(
    selector: Selector, predicate: Callable[[object], bool], numeric: _Numeric | None = None
) -> DocumentTest:
    """A document test: `predicate` holds for (any of) the node(s) `selector` reaches.

    `numeric`, the operator and number of a numeric comparison (`predicate`
    itself), lets ``$.name > 100`` compile to one function with no call inside.
    """
    if selector.wildcards:
        return lambda document: any(predicate(node) for node in selector.resolve(document))
    steps = selector.steps
    if len(steps) == 1 and type(steps[0]) is str:
        # ``$.name`` on the parsed object (always a dict here): one lookup, no getter call.
        key, missing = steps[0], MISSING
        if numeric is not None:
            compare, number = numeric

            def compared(document: dict[str, object]) -> bool:
                node = document.get(key)  # None when missing: not a number either
                kind = type(node)
                return (kind is int or kind is float) and compare(node, number)

            return compared
        return lambda document: predicate(document.get(key, missing))
    first = node_getter(selector)
    return lambda document: predicate(first(document))


def _not_exists(selector: Selector) -> DocumentTest:
    """A document test true when `selector` reaches nothing."""
    if selector.wildcards:
        return lambda document: not selector.resolve(document)
    first = node_getter(selector)
    return lambda document: is_missing(first(document))
