"""CloudWatch search expressions: the first argument of metric math's ``SEARCH``.

``SEARCH(' {Namespace, DimName, ...} SearchTerm ', 'Statistic', Period)``
[S-SRCH]. This module parses the quoted search text into an immutable
`SearchQuery` whose `SearchQuery.matches` decides whether one metric
(namespace, metric name, dimensions) is a result. The stateful service runs the
query over the metrics with recent data and fetches each match with the
query's statistic and period.

Main classes and functions:

- `SearchQuery`: schema, search term, statistic and period, with `matches`.
- `SearchSchema`: ``{Namespace, DimName1, ...}``.
- `Word`, `Phrase`, `Not`, `And`, `Or`: the search term tree.
- `parse_search`: text → `SearchQuery`, or `ValidationError` with the position.
- `tokens`: how CloudWatch splits a name into search tokens.

Matching rules [S-SRCH]:

- Names are split into tokens at camel-case boundaries, where digits start,
  and at non-alphanumeric characters (``CustomCount1`` → Custom, Count, 1);
  the whole name without delimiters is a token too (``customcount1``).
- An unquoted word matches a token of the namespace, metric name, a dimension
  name or a dimension value. A word that is a single token matches case
  insensitively; a word made of several camel-case or digit tokens is a
  *composite* and must match consecutive tokens with the same case
  (``CustomCount`` and ``Count1`` find ``CustomCount1``; ``count1`` does not).
  Non-alphanumeric characters in a word separate parts that must match
  consecutive tokens, each case insensitively (``network-errors`` finds
  ``Network-Errors-2`` and ``NetworkErrors2``).
- A ``"double-quoted phrase"`` must equal one of those names exactly.
  Backslash escapes ``"``, ``\\``, ``(`` and ``)`` in it.
- ``MetricName=``, ``Namespace=``, ``:aws.AccountId=`` and ``DimName=`` restrict a
  word or phrase to that property.
- ``AND`` (also implicit between terms), ``OR``, ``NOT`` (upper case only) and
  parentheses combine terms; NOT binds tightest, then AND, then OR.
- A schema matches metrics in exactly that namespace whose dimension names are
  exactly the listed ones.

Simulation notes:
    That a schema requires the exact dimension set, and that a word without
    any letter or digit matches nothing, are awsmon's reading: AWS does not say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from attrs import frozen

from awsmon.cloudwatch.errors import ValidationError
from awsmon.cloudwatch.metrics.statistics import Statistic

__all__ = [
    "And",
    "Not",
    "Or",
    "Phrase",
    "SearchQuery",
    "SearchSchema",
    "Term",
    "Word",
    "parse_search",
    "tokens",
]

_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
_CAMEL_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_OPERATORS = ("AND", "OR", "NOT")


def tokens(name: str) -> list[str]:
    """The search tokens of a name, in order and in their original case.

    >>> tokens("Project2-trial333")
    ['Project', '2', 'trial', '333']
    >>> tokens("SDBFailure")
    ['SDB', 'Failure']
    """
    return [t for run in _ALNUM_RUN.findall(name) for t in _CAMEL_TOKEN.findall(run)]


def _partial_match(word: str, name: str) -> bool:
    """Whether the unquoted search word `word` matches the name `name`."""
    parts = [_CAMEL_TOKEN.findall(run) for run in _ALNUM_RUN.findall(word)]
    if not parts:
        return False
    if len(parts) == 1 and "".join(parts[0]).lower() == "".join(_ALNUM_RUN.findall(name)).lower():
        return True
    target = tokens(name)
    flat = [(token, len(part) > 1) for part in parts for token in part]
    for start in range(len(target) - len(flat) + 1):
        if all(
            target[start + i] == token if composite else target[start + i].lower() == token.lower()
            for i, (token, composite) in enumerate(flat)
        ):
            return True
    return False


@frozen
class Word:
    """An unquoted search word (partial match), optionally restricted to a property."""

    text: str
    property: str | None = None


@frozen
class Phrase:
    """A double-quoted phrase (exact match), optionally restricted to a property."""

    text: str
    property: str | None = None


@frozen
class Not:
    """Metrics the operand does not match."""

    operand: Term


@frozen
class And:
    """Metrics every operand matches."""

    operands: tuple[Term, ...]


@frozen
class Or:
    """Metrics at least one operand matches."""

    operands: tuple[Term, ...]


Term = Word | Phrase | Not | And | Or


@frozen
class SearchSchema:
    """``{Namespace, DimName1, ...}``: the namespace and the exact set of dimension names."""

    namespace: str
    dimension_names: frozenset[str]


@frozen
class SearchQuery:
    """A compiled SEARCH: which metrics it finds, and with which statistic and period.

    Attributes:
        text: the search text as written (between the single quotes).
        schema: the metric schema, or None.
        term: the search term tree, or None.
        statistic: the statistic to read each match with.
        period: the period in seconds given in the SEARCH call, or None to use
            the query's period.
    """

    text: str
    schema: SearchSchema | None
    term: Term | None
    statistic: Statistic
    period: int | None = None

    def matches(
        self,
        namespace: str,
        metric_name: str,
        dimensions: Mapping[str, str],
        *,
        account_id: str | None = None,
    ) -> bool:
        """Whether the metric is a result of this search."""
        if self.schema is not None and (
            namespace != self.schema.namespace
            or frozenset(dimensions) != self.schema.dimension_names
        ):
            return False
        if self.term is None:
            return True
        return _term_matches(self.term, namespace, metric_name, dimensions, account_id)


def _term_matches(
    term: Term,
    namespace: str,
    metric_name: str,
    dimensions: Mapping[str, str],
    account_id: str | None,
) -> bool:
    if isinstance(term, Not):
        return not _term_matches(term.operand, namespace, metric_name, dimensions, account_id)
    if isinstance(term, And):
        return all(
            _term_matches(t, namespace, metric_name, dimensions, account_id) for t in term.operands
        )
    if isinstance(term, Or):
        return any(
            _term_matches(t, namespace, metric_name, dimensions, account_id) for t in term.operands
        )
    names: Sequence[str]
    if term.property is None:
        names = [namespace, metric_name, *dimensions.keys(), *dimensions.values()]
    elif term.property == "MetricName":
        names = [metric_name]
    elif term.property == "Namespace":
        names = [namespace]
    elif term.property == ":aws.AccountId":
        names = [] if account_id is None else [account_id]
    else:
        value = dimensions.get(term.property)
        names = [] if value is None else [value]
    if isinstance(term, Phrase):
        return term.text in names
    return any(_partial_match(term.text, name) for name in names)


# --------------------------------------------------------------------------------------------
# Parsing

_WORD_STOP = set(' \t\r\n()"=')


class _SearchParser:
    """Recursive-descent parser over the search text; positions are reported + `offset`."""

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.offset = offset
        self.pos = 0
        self.depth = 0

    def fail(self, message: str, pos: int | None = None) -> ValidationError:
        where = self.offset + (self.pos if pos is None else pos)
        return ValidationError(
            f"Invalid search expression at position {where}: {message}",
            param="Expression",
            value=self.text,
        )

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def peek_word(self) -> str:
        self.skip_space()
        end = self.pos
        while end < len(self.text) and self.text[end] not in _WORD_STOP:
            end += 1
        return self.text[self.pos : end]

    def quoted(self) -> str:
        """A double-quoted string at the current position, unescaped."""
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(chars)
            else:
                chars.append(char)
                self.pos += 1
        raise self.fail("expected '\"' to close the phrase", start)

    def schema(self) -> SearchSchema:
        start = self.pos
        self.pos += 1
        items: list[str] = []
        while True:
            self.skip_space()
            if self.peek() == '"':
                items.append(self.quoted())
            else:
                end = self.pos
                while end < len(self.text) and self.text[end] not in ",}":
                    end += 1
                items.append(self.text[self.pos : end].strip())
                self.pos = end
            char = self.peek()
            if char == "}":
                self.pos += 1
                break
            if char != ",":
                raise self.fail("expected '}' to close the metric schema", start)
            self.pos += 1
        if not items[0] or not all(items):
            raise self.fail("expected a namespace and dimension names in the metric schema", start)
        return SearchSchema(items[0], frozenset(items[1:]))

    def parse(self) -> tuple[SearchSchema | None, Term | None]:
        schema = None
        if self.peek() == "{":
            schema = self.schema()
            if self.peek() == ",":
                self.pos += 1
        term = None if self.peek() == "" else self.or_term()
        if self.peek() != "":
            raise self.fail(f"unexpected '{self.text[self.pos]}'")
        if schema is None and term is None:
            raise self.fail("expected a metric schema, a search term, or both")
        return schema, term

    def or_term(self) -> Term:
        operands = [self.and_term()]
        while self.peek_word() == "OR":
            self.pos += 2
            operands.append(self.and_term())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_term(self) -> Term:
        operands = [self.not_term()]
        while True:
            word = self.peek_word()
            if word == "AND":
                self.pos += 3
            elif self.peek() in ("", ")") or word == "OR":
                break
            operands.append(self.not_term())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_term(self) -> Term:
        if self.peek_word() == "NOT":
            self.pos += 3
            self.depth += 1
            if self.depth > 100:
                raise self.fail("search term nested too deeply")
            term = Not(self.not_term())
            self.depth -= 1
            return term
        return self.atom()

    def atom(self) -> Term:
        char = self.peek()
        start = self.pos
        if char == "(":
            self.pos += 1
            self.depth += 1
            if self.depth > 100:
                raise self.fail("search term nested too deeply")
            term = self.or_term()
            self.depth -= 1
            if self.peek() != ")":
                raise self.fail("expected ')'")
            self.pos += 1
            return term
        if char == '"':
            return Phrase(self.quoted())
        word = self.peek_word()
        if not word or word in _OPERATORS:
            found = f"'{word or char}'" if (word or char) else "end of search"
            raise self.fail(f"expected a search term, found {found}")
        self.pos += len(word)
        if self.peek() != "=":
            return Word(word)
        self.pos += 1
        value_char = self.peek()
        if value_char == '"':
            return Phrase(self.quoted(), word)
        value = self.peek_word()
        if not value or value in _OPERATORS:
            raise self.fail(f"expected a value for '{word}='", start)
        self.pos += len(value)
        return Word(value, word)


def parse_search(
    text: str, *, statistic: Statistic, period: int | None = None, offset: int = 0
) -> SearchQuery:
    """Parse a search text (what SEARCH's first argument holds between its quotes).

    Args:
        text: the search text, e.g. ``{AWS/EC2,InstanceId} MetricName="CPUUtilization"``.
        statistic: the parsed second argument of SEARCH.
        period: the third argument of SEARCH, if given.
        offset: where `text` starts in the whole expression, for error positions.

    Raises:
        ValidationError: the text is not a valid search; the message gives the
            position in the whole expression and what was expected.
    """
    if len(text) > 1024:
        raise ValidationError(
            f"Invalid search expression at position {offset}: a search query is limited to "
            f"1024 characters, got {len(text)}",
            param="Expression",
            value=text,
        )
    schema, term = _SearchParser(text, offset).parse()
    return SearchQuery(text, schema, term, statistic, period)
