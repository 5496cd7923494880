"""The CloudWatch Logs filter pattern language, compiled once and matched fast.

Filter patterns select log events in FilterLogEvents, metric filters,
subscription filters, TestMetricFilter and Live Tail
(FilterAndPatternSyntax.html). This module parses a pattern into an immutable
`FilterPattern` and matches messages with it; it holds no state and never
looks at a clock.

The first non-blank character picks the kind of pattern (`PatternKind`):

- nothing, or only blank quoted phrases (``""``, ``" "``): every event
  matches;
- ``{``: a JSON pattern, ``{ $.eventType = "UpdateTrail" }``
  (`awsmon.logs.filter_pattern_json`);
- ``[``: a space-delimited pattern, ``[ip, user, ..., status_code=4*, bytes]``
  (`awsmon.logs.filter_pattern_delimited`);
- ``%``: a regex, ``%AUTHORIZED%`` (`awsmon.logs.filter_pattern_regex`);
- anything else: unstructured terms, described below.

Unstructured terms match case-sensitively, as substrings anywhere in the
message (AWS: ``ERROR`` matches ``Exiting with ERRORCODE: -1``):

- ``ERROR ARGUMENTS``: every term must appear (AND, any order);
- ``"INTERNAL SERVER ERROR"``: a double-quoted phrase must appear verbatim;
  terms with characters other than letters, digits and ``_`` must be quoted;
- ``ERROR -ARGUMENTS``: a ``-`` term must not appear;
- ``?ERROR ?ARGUMENTS``: at least one ``?`` term must appear. AWS ignores the
  ``?`` terms of a pattern that also has plain or ``-`` terms (``?ERROR
  ?ARGUMENTS REQUEST`` matches every event containing ``REQUEST``).

For metric filters, `FilterPattern.match` returns a `MatchResult` that
resolves a metric value or dimension: ``$.latency`` from a JSON event,
``$size`` or ``$7`` from a space-delimited one; `MatchResult.extracted_values`
is TestMetricFilter's ``extractedValues``.

Every syntax error raises `InvalidParameterException` (code
``InvalidParameterException``, ``param="filterPattern"``) whose message
starts with AWS's "Invalid filter pattern" and gives the position and what
was expected.

Simulation notes: a space may follow ``-`` or ``?`` (AWS's 2021 page writes
``"ERROR" - "Exiting"``; UNCONFIRMED); blank phrases are ignored wherever
they appear, so ``" "`` matches everything; inside double quotes a backslash
escapes the next character (``\\"``; UNCONFIRMED). The exact wording AWS
uses after "Invalid filter pattern" is UNCONFIRMED.

Main classes: `FilterPattern`, `MatchResult`, `PatternKind`.

>>> pattern = FilterPattern.parse("[ip, user, ..., status_code=4*, size]")
>>> result = pattern.match('127.0.0.1 frank [10/Oct/2000] "GET / HTTP/1.0" 404 1534')
>>> result.value_of("$status_code"), result.number_of("$size")
('404', 1534.0)
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import repeat
from operator import contains
from types import MappingProxyType

from attrs import field, frozen

from awsmon.logs.errors import REQUEST, InvalidParameterException
from awsmon.logs.filter_pattern_delimited import DelimitedPattern, parse_delimited_pattern
from awsmon.logs.filter_pattern_explain import FilterExplanation, explain_filter
from awsmon.logs.filter_pattern_fields import Needles
from awsmon.logs.filter_pattern_json import JsonPattern, parse_json_pattern
from awsmon.logs.filter_pattern_regex import parse_regex
from awsmon.logs.filter_pattern_scan import WORD_CHARS, Scanner, parse_number
from awsmon.logs.filter_pattern_selector import (
    is_missing,
    parse_selector,
    scalar_text,
)

__all__ = [
    "MAX_PATTERN_LENGTH",
    "FilterPattern",
    "MatchResult",
    "PatternKind",
    "node_number",
    "node_numbers",
]

#: The longest filter pattern AWS accepts (``filterPattern``: 0 to 1024 characters).
MAX_PATTERN_LENGTH = 1024

#: A test on a raw log message.
MessageTest = Callable[[str], bool]


class PatternKind(enum.Enum):
    """Which of the filter pattern languages a pattern is written in."""

    MATCH_ALL = "match-all"
    TERMS = "terms"
    JSON = "json"
    SPACE_DELIMITED = "space-delimited"
    REGEX = "regex"


def _read_only(values: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy of `values`, so a `MatchResult` stays immutable."""
    return MappingProxyType(dict(values))


@frozen(eq=False)
class MatchResult:
    """What a matching log event offers a metric filter or TestMetricFilter.

    Attributes:
        message: the matching log message.
        extracted_values: TestMetricFilter's ``extractedValues``: for a
            space-delimited pattern ``$name`` for named fields and
            ``$<position>`` for unnamed fields and those an ellipsis covers;
            empty for every other kind of pattern.
    """

    message: str
    extracted_values: Mapping[str, str] = field(factory=dict, converter=_read_only)
    _document: dict[str, object] | None = field(default=None, repr=False, alias="document")
    _fields: tuple[str, ...] = field(default=(), repr=False, alias="fields")

    def value_of(self, selector: str) -> str | None:
        """The text a metric value or dimension expression resolves to, or None.

        Args:
            selector: ``$.path`` (JSON patterns), ``$name`` (a named
                space-delimited field) or ``$N`` (the N-th field of a
                space-delimited message, 1-based).

        Returns:
            The value as text (JSON strings as they are, numbers as written,
            booleans as ``true``/``false``), or None when the selector does
            not resolve to a single value (missing, null, object, array, or a
            selector of the wrong kind for this pattern).
        """
        if selector.startswith(("$.", "$[")):
            node = self._json_node(selector)
            if node is True or node is False:
                return "true" if node else "false"
            return scalar_text(node)
        if selector in self.extracted_values:
            return self.extracted_values[selector]
        position = selector[1:]
        if selector.startswith("$") and position.isdecimal() and position.isascii():
            index = int(position) - 1
            if 0 <= index < len(self._fields):
                return self._fields[index]
        return None

    def number_of(self, selector: str) -> float | None:
        """The number a metric value expression resolves to, or None if not a finite number.

        Args:
            selector: as for `value_of`. A JSON number is used as it is; a text
                value (a space-delimited field, a JSON string) must spell a
                number (``1534``, ``-2.5``, ``1e3``).
        """
        if selector.startswith(("$.", "$[")):
            return node_number(self._json_node(selector))
        text = self.value_of(selector)
        return None if text is None else node_number(text)

    def _json_node(self, selector: str) -> object:
        if self._document is None:
            return None
        try:
            compiled = parse_selector(selector)
        except InvalidParameterException:
            return None
        node = compiled.first(self._document)
        return None if is_missing(node) else node


def node_number(node: object) -> float | None:
    """The finite number a JSON node or a field's text stands for, or None.

    A JSON number is used as it is; a text must spell a number (``1534``,
    ``-2.5``, ``1e3``); anything else (missing, null, a boolean, an object)
    and numbers beyond the float range are None.
    """
    if type(node) is int or type(node) is float:
        number: float | int | None = node
    elif type(node) is str:
        number = parse_number(node)
    else:
        return None
    if number is None:
        return None
    try:
        value = float(number)
    except OverflowError:  # an integer beyond the float range
        return None
    return value if math.isfinite(value) else None


#: Integers of at most this magnitude convert to a finite float (the largest is ~1.8e308).
_FLOAT_SAFE = 2**1023
#: The types of JSON numbers (bool is not one).
_NUMBER_TYPES = {int, float}
_TEXT_TYPE = {str}


def node_numbers(nodes: Iterable[object]) -> list[float | None]:
    """`node_number` of each node, with JSON's ints and floats read inline (a batch's values).

    A list of ints and floats only, or of texts of ASCII digits only, is
    converted by C-level passes (`float`, then `math.isfinite` to confirm);
    an integer beyond the float range or a non-finite value sends the list
    the node-by-node way.
    """
    if type(nodes) is list:
        kinds = set(map(type, nodes))
        if kinds <= _NUMBER_TYPES or (
            # Fields of ASCII digits only: `parse_number` reads them as the integer they
            # spell, whose float is the text's (both correctly rounded); too long is inf.
            kinds == _TEXT_TYPE
            and all(map(str.isdigit, nodes))
            and all(map(str.isascii, nodes))
        ):
            try:
                floats = list(map(float, nodes))
            except OverflowError:
                pass
            else:
                if all(map(math.isfinite, floats)):
                    return floats  # type: ignore[return-value]  # list is invariant
    numbers: list[float | None] = []
    append = numbers.append
    isfinite = math.isfinite
    for node in nodes:
        kind = type(node)
        if kind is float:
            append(node if isfinite(node) else None)  # type: ignore[arg-type]
        elif kind is int and -_FLOAT_SAFE <= node <= _FLOAT_SAFE:  # type: ignore[operator]
            append(float(node))  # type: ignore[arg-type]
        else:
            append(node_number(node))
    return numbers


@frozen
class FilterPattern:
    """A compiled CloudWatch Logs filter pattern.

    Build one with `FilterPattern.parse`; it is immutable, hashable and equal
    to another compiled from the same text.

    Attributes:
        text: the pattern as written.
        kind: which pattern language the text is written in.
        regex_count: how many ``%...%`` regexes it uses (AWS allows at most
            five regex patterns among a log group's metric and subscription
            filters).
        terms: for unstructured term patterns, the ``(required, excluded,
            optional)`` terms, so a store can search its text for them
            directly; None for every other kind.
    """

    text: str
    kind: PatternKind = field(eq=False)
    _test: MessageTest = field(eq=False, repr=False, alias="test")
    regex_count: int = field(default=0, eq=False)
    _json: JsonPattern | None = field(default=None, eq=False, repr=False, alias="json")
    _delimited: DelimitedPattern | None = field(
        default=None, eq=False, repr=False, alias="delimited"
    )
    terms: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None = field(
        default=None, eq=False, repr=False
    )

    @classmethod
    def parse(cls, text: str) -> FilterPattern:
        """Compile a filter pattern (compiled patterns are cached by text).

        Args:
            text: the ``filterPattern`` as given to FilterLogEvents,
                PutMetricFilter, PutSubscriptionFilter or TestMetricFilter;
                ``""`` matches every event.

        Raises:
            InvalidParameterException: the pattern is longer than 1024
                characters or does not parse; the message gives the position
                and what was expected there.
        """
        return _compile(text)

    @property
    def needles(self) -> Needles | None:
        """Texts of which a matching message contains one (or starts with one), if known.

        Known for space-delimited patterns with a string condition (see
        `awsmon.logs.filter_pattern_fields`); a store searches its text for
        them and tests only the messages they occur in.
        """
        return None if self._delimited is None else self._delimited.needles

    @property
    def delimited(self) -> DelimitedPattern | None:
        """The compiled space-delimited pattern, for space-delimited patterns."""
        return self._delimited

    @property
    def json(self) -> JsonPattern | None:
        """The compiled JSON pattern, for JSON patterns (to test a shared parsed document)."""
        return self._json

    def matches_admitted(self, message: str) -> bool:
        """`matches` for a message known to contain (or start with) one of the `needles`."""
        if self._delimited is not None:
            return self._delimited.matches_admitted(message)
        return self._test(message)

    @property
    def is_match_all(self) -> bool:
        """True when the pattern matches every event (``""``, ``" "``)."""
        return self.kind is PatternKind.MATCH_ALL

    def matches(self, message: str) -> bool:
        """True when the log event `message` matches the pattern."""
        return self._test(message)

    def hits(self, messages: Sequence[str]) -> list[bool]:
        """`matches` for each of `messages`, the fastest way the pattern allows (a batch)."""
        if self._delimited is not None:
            return self._delimited.hits(messages)
        terms = self.terms
        if terms is not None and len(terms[0]) == 1 and not terms[1]:
            (term,) = terms[0]  # one plain term ("?" terms are ignored beside it)
            return list(map(contains, messages, repeat(term)))
        test = self._test
        return [test(message) for message in messages]

    def explain(self, message: str) -> FilterExplanation:
        """Whether `message` matches, what decided, and what a match extracts (explanation)."""
        found = self.match(message)
        return explain_filter(
            pattern=self.text,
            kind=self.kind.value,
            message=message,
            matched=found is not None,
            extracted=None if found is None else found.extracted_values,
            terms=self.terms,
            json=self._json,
            delimited=self._delimited,
        )

    def match(self, message: str) -> MatchResult | None:
        """Match `message` and return what a metric filter can extract, or None.

        The JSON object (for JSON patterns) or the field split (for
        space-delimited ones) is computed once and kept in the result, so
        `MatchResult.value_of` costs no second parse.
        """
        if self._json is not None:
            document = self._json.match(message)
            return None if document is None else MatchResult(message, document=document)
        if self._delimited is not None:
            fields = self._delimited.split(message)
            extracted = None if fields is None else self._delimited.extract(fields)
            if fields is None or extracted is None:
                return None
            return MatchResult(message, extracted, fields=tuple(fields))
        return MatchResult(message) if self._test(message) else None


@lru_cache(maxsize=512)
def _compile(text: str) -> FilterPattern:
    """Parse `text` into a `FilterPattern` (see `FilterPattern.parse`)."""
    if len(text) > MAX_PATTERN_LENGTH:
        raise REQUEST.invalid(
            "filterPattern",
            text,
            f"Member must have length less than or equal to {MAX_PATTERN_LENGTH}",
        )
    scanner = Scanner(text)
    scanner.skip_spaces()
    first = scanner.peek()
    if first == "{":
        json_pattern = parse_json_pattern(scanner)
        return FilterPattern(
            text,
            PatternKind.JSON,
            test=_json_test(json_pattern),
            regex_count=json_pattern.regex_count,
            json=json_pattern,
        )
    if first == "[":
        delimited = parse_delimited_pattern(scanner)
        return FilterPattern(
            text,
            PatternKind.SPACE_DELIMITED,
            test=_delimited_test(delimited),
            regex_count=delimited.regex_count,
            delimited=delimited,
        )
    if first == "%":
        search = parse_regex(scanner).search
        scanner.skip_spaces()
        if not scanner.at_end():
            raise scanner.error("end of pattern after the regex")
        return FilterPattern(
            text,
            PatternKind.REGEX,
            test=search,
            regex_count=1,
        )
    terms = _parse_terms(scanner)
    test = _terms_test(*terms)
    if test is None:
        return FilterPattern(text, PatternKind.MATCH_ALL, test=_match_all)
    return FilterPattern(text, PatternKind.TERMS, test=test, terms=terms)


def _match_all(message: str) -> bool:
    return True


def _json_test(pattern: JsonPattern) -> MessageTest:
    match = pattern.match
    return lambda message: match(message) is not None


def _delimited_test(pattern: DelimitedPattern) -> MessageTest:
    return pattern.matches


def _parse_terms(scanner: Scanner) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Parse unstructured terms into (required, excluded, optional) non-blank terms.

    Raises:
        InvalidParameterException: an unquoted term has a character other than
            a letter, digit or ``_``, a quote is not closed, or ``-``/``?`` has
            no term after it.
    """
    buckets: dict[str, list[str]] = {"": [], "-": [], "?": []}
    while True:
        scanner.skip_spaces()
        if scanner.at_end():
            break
        prefix = ""
        if scanner.peek() in ("-", "?"):
            prefix = scanner.advance()
            scanner.skip_spaces()
        if scanner.peek() == '"':
            term = scanner.read_quoted()
        else:
            term = scanner.read_while(WORD_CHARS)
            if not term:
                raise scanner.error(
                    "a term (letters, digits and '_'; put other characters in double quotes)"
                )
        if not scanner.at_end() and not scanner.peek().isspace():
            raise scanner.error(
                "a space after the term (put terms with characters other than letters, "
                "digits and '_' in double quotes)"
            )
        if term.strip():
            buckets[prefix].append(term)
    return tuple(buckets[""]), tuple(buckets["-"]), tuple(buckets["?"])


def _terms_test(
    include: tuple[str, ...], exclude: tuple[str, ...], optional: tuple[str, ...]
) -> MessageTest | None:
    """The fastest test for a set of terms (specialised for the common shapes).

    Plain loops and ``in`` beat ``all()`` over a generator by a factor of two
    or more on short messages, which is what FilterLogEvents sees.
    """
    if include or exclude:
        # AWS ignores "?" terms when the pattern has plain or "-" terms.
        if len(include) == 1 and not exclude:
            (term,) = include
            return lambda message: term in message
        if len(include) == 2 and not exclude:
            first, second = include
            return lambda message: first in message and second in message

        def test(message: str) -> bool:
            for term in include:
                if term not in message:
                    return False
            for term in exclude:  # noqa: SIM110 (a loop is faster than all())
                if term in message:
                    return False
            return True

        return test
    if optional:

        def test_any(message: str) -> bool:
            for term in optional:  # noqa: SIM110 (a loop is faster than any())
                if term in message:
                    return True
            return False

        return test_any
    return None
