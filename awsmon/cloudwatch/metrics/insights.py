"""CloudWatch Metrics Insights: the SQL-like query of GetMetricData and metric-math alarms.

Grammar (AWS's "Metrics Insights query components and syntax" page)::

    SELECT FUNCTION(metricName)
    FROM namespace | SCHEMA(namespace [, labelKey ...])
    [ WHERE condition ]
    [ GROUP BY labelKey [, labelKey ...] ]
    [ ORDER BY FUNCTION() [ ASC | DESC ] ]
    [ LIMIT n ]

    condition = term { OR term } ; term = factor { AND factor } ;
    factor    = NOT factor | "(" condition ")"
              | labelKey ( "=" | "!=" ) value
              | labelKey [ NOT ] LIKE 'pattern'          (* % matches any text *)
              | labelKey [ NOT ] IN ( value { , value } ) ;

FUNCTION is AVG, COUNT, MAX, MIN or SUM; keywords are case-insensitive,
identifiers case-sensitive. An identifier that is not letters, digits and
underscores goes in double quotes (``"AWS/EC2"``); values go in single
quotes; a backslash escapes a quote inside either.

Semantics: ``FROM namespace`` reads every metric of that name in the
namespace; ``SCHEMA(ns)`` only those without dimensions; ``SCHEMA(ns, k1,
k2)`` only those whose dimension names are exactly {k1, k2}. WHERE filters on
dimension values (a metric without the key fails ``=``/``LIKE``/``IN`` and
passes their negations). Each period, the function aggregates every
observation of the matching metrics of a group (AVG = total sum / total
samples). GROUP BY gives one series per combination of values, labelled with
the values joined by a space (a metric missing a key is left out); ORDER BY
sorts the series by the function over all their points (default ASC) and
LIMIT keeps the first n (at most `MAX_SERIES`, AWS's 500 series).

Simulation notes: ``OR``, ``NOT`` and parentheses in WHERE, and the
treatment of metrics missing a WHERE or GROUP BY key, are UNCONFIRMED
(AWS's grammar line shows only AND). Error messages name the position
(0-based) as awsmon's metric-math errors do; AWS's exact wording is
UNCONFIRMED.

Main names: `MetricsInsightsQuery` (`parse`, `selects`, `group_of`,
`evaluate`), `is_metrics_insights`, `InsightsSeries`.

>>> query = MetricsInsightsQuery.parse(
...     'SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId) GROUP BY InstanceId')
>>> query.selects("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"})
True
>>> query.selects("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1", "Az": "a"})
False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Union

from attrs import frozen

from awsmon.cloudwatch.errors import ValidationError

__all__ = [
    "FUNCTIONS", "INSIGHTS_WINDOW_S", "MAX_SERIES", "InsightsSeries", "MetricsInsightsQuery",
    "Observation", "is_metrics_insights",
]  # fmt: skip

FUNCTIONS = ("AVG", "COUNT", "MAX", "MIN", "SUM")
#: The most series one query returns (and the largest LIMIT).
MAX_SERIES = 500
#: How far back a Metrics Insights query reads (AWS: the most recent 3 hours).
INSIGHTS_WINDOW_S = 3 * 3600
_MAX_DEPTH = 30
_KEYWORDS = frozenset(("SELECT", "FROM", "SCHEMA", "WHERE", "AND", "OR", "NOT", "GROUP", "BY",
                       "ORDER", "ASC", "DESC", "LIMIT", "LIKE", "IN"))  # fmt: skip
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>[0-9]+(?:\.[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<quoted>"(?:[^"\\]|\\.)*")
      | (?P<string>'(?:[^'\\]|\\.)*')
      | (?P<op>!=|[(),=*])
    """,
    re.VERBOSE | re.DOTALL,
)

_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)

#: One period's observations of one metric: (sample count, sum, minimum, maximum).
Observation = tuple[float, float, float, float]


def is_metrics_insights(expression: str) -> bool:
    """Whether an Expression is a Metrics Insights query (it starts with SELECT)."""
    return _SELECT.match(expression) is not None


def _error(text: str, position: int, detail: str) -> ValidationError:
    return ValidationError(
        f"Invalid Metrics Insights query at position {position}: {detail}",
        param="Expression",
        value=text,
    )


# -- conditions ------------------------------------------------------------------------------


@frozen
class Compare:
    """``key = value`` / ``key != value``."""

    key: str
    value: str
    negated: bool


@frozen
class LikeMatch:
    """``key [NOT] LIKE 'pattern'``: `pieces` are the texts between ``%`` wildcards."""

    key: str
    pieces: tuple[str, ...]
    negated: bool


@frozen
class InValues:
    """``key [NOT] IN (...)``."""

    key: str
    values: frozenset[str]
    negated: bool


@frozen
class Junction:
    """AND / OR over two or more conditions."""

    op: str
    parts: tuple[Condition, ...]


@frozen
class Negation:
    """NOT condition."""

    part: Condition


Condition = Union[Compare, LikeMatch, InValues, Junction, Negation]  # noqa: UP007


def _like(pieces: tuple[str, ...], text: str) -> bool:
    """SQL LIKE with ``%`` only, in linear time (leftmost placement of each piece)."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, last = pieces[0], pieces[-1]
    if not text.startswith(first) or len(text) < len(first) + len(last):
        return False
    position = len(first)
    end = len(text) - len(last)
    for piece in pieces[1:-1]:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return text.endswith(last) and position <= end


def _holds(condition: Condition, dimensions: Mapping[str, str]) -> bool:
    if isinstance(condition, Junction):
        parts = (_holds(part, dimensions) for part in condition.parts)
        return all(parts) if condition.op == "AND" else any(parts)
    if isinstance(condition, Negation):
        return not _holds(condition.part, dimensions)
    value = dimensions.get(condition.key)
    if value is None:
        found = False
    elif isinstance(condition, Compare):
        found = value == condition.value
    elif isinstance(condition, LikeMatch):
        found = _like(condition.pieces, value)
    else:
        found = value in condition.values
    return found is not condition.negated


# -- the query -------------------------------------------------------------------------------


@frozen
class InsightsSeries:
    """One result series: its label, group values and a value per period start (epoch s)."""

    label: str
    group: tuple[str, ...]
    points: dict[int, float]


@frozen
class MetricsInsightsQuery:
    """A parsed Metrics Insights query.

    Attributes:
        text: the query as written.
        function: AVG, COUNT, MAX, MIN or SUM.
        metric_name: the metric read.
        namespace: its namespace.
        schema: None for ``FROM namespace``; else the exact dimension names
            SCHEMA requires (empty: no dimensions).
        where: the WHERE condition, or None.
        group_by: the GROUP BY keys.
        order_by: (function, descending) of ORDER BY, or None.
        limit: LIMIT, or None.
    """

    text: str
    function: str
    metric_name: str
    namespace: str
    schema: frozenset[str] | None
    where: Condition | None
    group_by: tuple[str, ...]
    order_by: tuple[str, bool] | None
    limit: int | None

    @classmethod
    def parse(cls, text: str) -> MetricsInsightsQuery:
        """Parse `text`.

        Raises:
            ValidationError: the query does not parse (the message names the position).
        """
        return _Parser(text).query()

    def selects(self, namespace: str, metric_name: str, dimensions: Mapping[str, str]) -> bool:
        """Whether the metric (namespace, name, dimension name → value) is read by the query."""
        if namespace != self.namespace or metric_name != self.metric_name:
            return False
        if self.schema is not None and frozenset(dimensions) != self.schema:
            return False
        return self.where is None or _holds(self.where, dimensions)

    def group_of(self, dimensions: Mapping[str, str]) -> tuple[str, ...] | None:
        """The GROUP BY values of a metric, or None when it lacks a key."""
        values = tuple(dimensions.get(key) for key in self.group_by)
        if any(value is None for value in values):
            return None
        return values  # type: ignore[return-value]

    def evaluate(
        self,
        metrics: Iterable[tuple[Mapping[str, str], Mapping[int, Observation]]],
        *,
        label: str,
    ) -> list[InsightsSeries]:
        """The result series over metrics already selected, each with its observations per period.

        Args:
            metrics: (dimensions, period start → observation) of every
                selected metric.
            label: the label of the single series of a query without GROUP BY.
        """
        groups: dict[tuple[str, ...], dict[int, list[float]]] = {}
        for dimensions, observations in metrics:
            group = self.group_of(dimensions)
            if group is None:
                continue
            for start, (count, total, low, high) in observations.items():
                if count <= 0:
                    continue
                points = groups.setdefault(group, {})  # groups without data make no series
                merged = points.get(start)
                if merged is None:
                    points[start] = [count, total, low, high]
                else:
                    merged[0] += count
                    merged[1] += total
                    merged[2] = min(merged[2], low)
                    merged[3] = max(merged[3], high)
        series = [
            InsightsSeries(
                label=" ".join(group) if self.group_by else label,
                group=group,
                points={start: _apply(self.function, *stat) for start, stat in sorted(p.items())},
            )
            for group, p in groups.items()
        ]
        series.sort(key=lambda s: s.group)
        if self.order_by is not None:
            function, descending = self.order_by
            series.sort(key=lambda s: _order_value(function, s.points.values()),
                        reverse=descending)  # fmt: skip
        return series[: min(self.limit or MAX_SERIES, MAX_SERIES)]


def _apply(function: str, count: float, total: float, low: float, high: float) -> float:
    if function == "AVG":
        return total / count
    if function == "COUNT":
        return count
    if function == "SUM":
        return total
    return low if function == "MIN" else high


def _order_value(function: str, values: Iterable[float]) -> float:
    numbers = list(values)
    if not numbers:
        return float("-inf")
    if function == "AVG":
        return sum(numbers) / len(numbers)
    if function == "COUNT":
        return float(len(numbers))
    if function == "SUM":
        return sum(numbers)
    return min(numbers) if function == "MIN" else max(numbers)


# -- parsing ------------------------------------------------------------------------------------


@frozen
class _Token:
    kind: str  # number | name | quoted | string | op | end
    text: str
    value: str
    position: int


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1], flags=re.DOTALL)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _error(text, position, f"unexpected character {text[position]!r}")
        kind = match.lastgroup or "space"
        raw = match.group(0)
        if kind != "space":
            value = _unquote(raw) if kind in ("quoted", "string") else raw
            tokens.append(_Token(kind, raw, value, position))
        position = match.end()
    tokens.append(_Token("end", "", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def fail(self, expected: str) -> ValidationError:
        token = self.token
        found = "the end of the query" if token.kind == "end" else repr(token.text)
        return _error(self.text, token.position, f"expected {expected}, found {found}")

    def keyword(self, word: str) -> bool:
        return self.token.kind == "name" and self.token.text.upper() == word

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise self.fail(word)
        self.advance()

    def expect_op(self, op: str) -> None:
        if self.token.kind != "op" or self.token.text != op:
            raise self.fail(f"'{op}'")
        self.advance()

    def identifier(self, what: str) -> str:
        token = self.token
        if token.kind == "quoted" or (
            token.kind == "name" and token.text.upper() not in _KEYWORDS
        ):
            self.advance()
            return token.value
        raise self.fail(what)

    def function(self) -> str:
        token = self.token
        if token.kind == "name" and token.text.upper() in FUNCTIONS:
            self.advance()
            return token.text.upper()
        raise self.fail("one of " + ", ".join(FUNCTIONS))

    def query(self) -> MetricsInsightsQuery:
        self.expect_keyword("SELECT")
        function = self.function()
        self.expect_op("(")
        metric_name = self.identifier("a metric name")
        self.expect_op(")")
        self.expect_keyword("FROM")
        schema: frozenset[str] | None = None
        if self.keyword("SCHEMA"):
            self.advance()
            self.expect_op("(")
            namespace = self.identifier("a namespace")
            keys: list[str] = []
            while self.token.kind == "op" and self.token.text == ",":
                self.advance()
                keys.append(self.identifier("a dimension name"))
            self.expect_op(")")
            schema = frozenset(keys)
        else:
            namespace = self.identifier("a namespace or SCHEMA(...)")
        where = None
        if self.keyword("WHERE"):
            self.advance()
            where = self.condition()
        group_by: list[str] = []
        if self.keyword("GROUP"):
            self.advance()
            self.expect_keyword("BY")
            group_by.append(self.identifier("a dimension name"))
            while self.token.kind == "op" and self.token.text == ",":
                self.advance()
                group_by.append(self.identifier("a dimension name"))
        order_by = None
        if self.keyword("ORDER"):
            self.advance()
            self.expect_keyword("BY")
            order_function = self.function()
            self.expect_op("(")
            self.expect_op(")")
            descending = False
            if self.keyword("ASC") or self.keyword("DESC"):
                descending = self.advance().text.upper() == "DESC"
            order_by = (order_function, descending)
        limit = None
        if self.keyword("LIMIT"):
            self.advance()
            token = self.token
            if token.kind != "number" or not token.text.isdecimal():
                raise self.fail("a whole number")
            self.advance()
            limit = int(token.text)
            if not 1 <= limit <= MAX_SERIES:
                raise _error(self.text, token.position,
                             f"LIMIT must be between 1 and {MAX_SERIES}")  # fmt: skip
        if self.token.kind != "end":
            raise self.fail("the end of the query")
        return MetricsInsightsQuery(
            text=self.text, function=function, metric_name=metric_name, namespace=namespace,
            schema=schema, where=where, group_by=tuple(group_by), order_by=order_by, limit=limit,
        )  # fmt: skip

    def condition(self) -> Condition:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _error(self.text, self.token.position, "the condition nests too deeply")
        try:
            return self._junction("OR", lambda: self._junction("AND", self.factor))
        finally:
            self.depth -= 1

    def _junction(self, word: str, part: Callable[[], Condition]) -> Condition:
        parts = [part()]
        while self.keyword(word):
            self.advance()
            parts.append(part())
        return parts[0] if len(parts) == 1 else Junction(word, tuple(parts))

    def factor(self) -> Condition:
        if self.keyword("NOT"):
            self.advance()
            self.depth += 1
            try:
                if self.depth > _MAX_DEPTH:
                    raise _error(self.text, self.token.position, "the condition nests too deeply")
                return Negation(self.factor())
            finally:
                self.depth -= 1
        if self.token.kind == "op" and self.token.text == "(":
            self.advance()
            inner = self.condition()
            self.expect_op(")")
            return inner
        key = self.identifier("a dimension name")
        token = self.token
        if token.kind == "op" and token.text in ("=", "!="):
            self.advance()
            return Compare(key, self.value(), token.text == "!=")
        negated = False
        if self.keyword("NOT"):
            self.advance()
            negated = True
            if not (self.keyword("LIKE") or self.keyword("IN")):
                raise self.fail("LIKE or IN")
        if self.keyword("LIKE"):
            self.advance()
            return LikeMatch(key, tuple(self.value().split("%")), negated)
        if self.keyword("IN"):
            self.advance()
            self.expect_op("(")
            values = [self.value()]
            while self.token.kind == "op" and self.token.text == ",":
                self.advance()
                values.append(self.value())
            self.expect_op(")")
            return InValues(key, frozenset(values), negated)
        raise self.fail("=, !=, LIKE or IN")

    def value(self) -> str:
        token = self.token
        if token.kind in ("string", "number"):
            self.advance()
            return token.value
        raise self.fail("a quoted value")

