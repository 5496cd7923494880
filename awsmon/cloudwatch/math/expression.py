"""CloudWatch metric math: parse an expression once, evaluate it over time series.

Metric math is the expression language of GetMetricData's ``Expression`` and
of math alarms' ``Metrics[]`` [S-MM]. `compile_expression` (or
`MetricExpression.parse`) turns the text into an immutable `MetricExpression`
that lists the query ids it references; `MetricExpression.evaluate` computes
it in an `EvaluationContext` that the caller provides.

Main classes and functions:

- `MetricExpression`: a compiled expression with `ids`, `functions`,
  `searches` and `evaluate`.
- `compile_expression`: text → `MetricExpression`, or `ValidationError`.
- `awsmon.cloudwatch.math` gathers the public names: `Series`,
  `EvaluationContext`, `StaticContext`, `SearchableMetric`
  (`awsmon.cloudwatch.math.series`), `SearchQuery` (`awsmon.cloudwatch.math.search`)
  and the syntax tree nodes (`awsmon.cloudwatch.math.tree`; the grammar is
  documented in `awsmon.cloudwatch.math.syntax`).

The work is split over pure modules of this package: `syntax` (tokens, tree,
parser), `functions` (operators and functions on values), `search` (SEARCH's
own language) and `series` (values and the context protocol).

Errors: anything that does not parse, names an unknown function, gives a
function the wrong arguments, references an id the context does not know, or
combines values of the wrong types raises `ValidationError` (the code
GetMetricData and PutMetricAlarm answer with); the message gives the
character position (0-based) and what was expected. Functions that need a
service awsmon does not simulate (Contributor Insights, Service Quotas,
anomaly detection for now) parse but raise `awsmon.errors.Unsupported` when
evaluated.
"""

from __future__ import annotations

from attrs import field, frozen

from awsmon.cloudwatch.math.functions import FUNCTIONS
from awsmon.cloudwatch.math.operators import EvaluationFailure, Value, binary, negate
from awsmon.cloudwatch.math.search import SearchQuery
from awsmon.cloudwatch.math.series import EvaluationContext, Series
from awsmon.cloudwatch.math.syntax import error, parse, position_of, walk
from awsmon.cloudwatch.math.tree import (
    ArrayLiteral,
    Call,
    Chain,
    Keyword,
    Negate,
    Node,
    Number,
    Power,
    Reference,
    Search,
    String,
)

# The package (`awsmon.cloudwatch.math`) gathers the public names of all its modules.
__all__ = ["MetricExpression", "SearchQuery", "Series", "compile_expression"]

# --------------------------------------------------------------------------------------------
# Evaluation


class _CallArguments:
    """`Arguments` for one call: evaluates argument nodes when a function asks."""

    def __init__(self, call: Call, context: EvaluationContext, text: str) -> None:
        self.call = call
        self.context = context
        self.text = text

    def __len__(self) -> int:
        return len(self.call.args)

    def value(self, index: int) -> Value:
        return _evaluate(self.call.args[index], self.context, self.text)

    def is_word(self, index: int) -> bool:
        return isinstance(self.call.args[index], Keyword | String)

    def word(self, index: int) -> str:
        arg = self.call.args[index]
        if isinstance(arg, Keyword):
            return arg.word
        if isinstance(arg, String):
            return arg.text
        raise EvaluationFailure(f"{self.call.name} expects a keyword or a string here")

    def reference(self, index: int) -> str:
        arg = self.call.args[index]
        if not isinstance(arg, Reference):
            raise EvaluationFailure(f"{self.call.name} expects the id of a metric query here")
        return arg.query_id


def _evaluate(node: Node, context: EvaluationContext, text: str) -> Value:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Reference):
        resolved = context.resolve(node.query_id)
        if resolved is None:
            raise error(text, node.position, f"unknown id '{node.query_id}'")
        return resolved if isinstance(resolved, Series) else tuple(resolved)
    if isinstance(node, Negate):
        return negate(_evaluate(node.operand, context, text))
    if isinstance(node, Chain):
        result = _evaluate(node.first, context, text)
        for (op, operand), position in zip(node.rest, node.positions, strict=True):
            right = _evaluate(operand, context, text)
            try:
                result = binary(op, result, right)
            except EvaluationFailure as failure:
                raise error(text, position, str(failure)) from None
        return result
    if isinstance(node, Power):
        base = _evaluate(node.base, context, text)
        exponent = _evaluate(node.exponent, context, text)
        try:
            return binary("^", base, exponent)
        except EvaluationFailure as failure:
            raise error(text, node.position, str(failure)) from None
    if isinstance(node, ArrayLiteral):
        items: list[Series] = []
        for item in node.items:
            value = _evaluate(item, context, text)
            if isinstance(value, float):
                raise error(text, position_of(item), "array items must be time series, got S")
            items.extend(value if isinstance(value, tuple) else (value,))
        return tuple(items)
    if isinstance(node, Search):
        return tuple(context.search(node.query))
    if isinstance(node, Call):
        try:
            return FUNCTIONS[node.name](_CallArguments(node, context, text))
        except EvaluationFailure as failure:
            raise error(text, node.position, str(failure)) from None
    raise error(text, node.position, "expected a value")


# --------------------------------------------------------------------------------------------
# The compiled expression

_NAME_ARGUMENTS = frozenset({"INSIGHT_RULE_METRIC", "LAMBDA", "DB_PERF_INSIGHTS"})
"""Functions whose bare-word arguments are names of other resources, not query ids."""


@frozen
class MetricExpression:
    """A compiled metric-math expression.

    Attributes:
        text: the expression as written.
        root: its syntax tree.
        ids: the query ids it references directly (not those METRICS() or
            SEARCH may reach); the caller checks they exist and have no cycle.
        functions: the function names it calls (SEARCH included).
        searches: the compiled SEARCH queries, in order.

    >>> from datetime import datetime, UTC
    >>> from awsmon.cloudwatch.math import StaticContext
    >>> t0 = datetime(2024, 1, 1, tzinfo=UTC)
    >>> m1 = Series([t0], [30.0])
    >>> expression = compile_expression("m1 * 2 + 1")
    >>> sorted(expression.ids)
    ['m1']
    >>> context = StaticContext(start=t0, end=t0, data={"m1": m1})
    >>> expression.evaluate(context).values
    (61.0,)
    """

    text: str
    root: Node = field(repr=False)
    ids: frozenset[str]
    functions: frozenset[str]
    searches: tuple[SearchQuery, ...]

    @property
    def uses_metrics(self) -> bool:
        """True when it calls METRICS(), so it depends on every MetricStat query."""
        return "METRICS" in self.functions

    @classmethod
    def parse(cls, text: str) -> MetricExpression:
        """Compile `text`; see `compile_expression`."""
        root = parse(text)
        nodes = walk(root)
        references = {n.query_id for n in nodes if isinstance(n, Reference)}
        for node in nodes:
            if isinstance(node, Call) and node.name in _NAME_ARGUMENTS:
                references -= {a.query_id for a in node.args if isinstance(a, Reference)}
        functions = {n.name for n in nodes if isinstance(n, Call)}
        searches = tuple(n.query for n in nodes if isinstance(n, Search))
        if searches:
            functions.add("SEARCH")
        return cls(text, root, frozenset(references), frozenset(functions), searches)

    def evaluate(self, context: EvaluationContext) -> Series | tuple[Series, ...]:
        """Compute the expression over the data `context` gives.

        Returns:
            One `Series` (TS) or a tuple of them (TS[]).

        Raises:
            ValidationError: an id the context does not know, values of the
                wrong type for an operator or function, or a final result that
                is a scalar (the final result must be TS or TS[] [S-MM]).
            Unsupported: a function that needs a service awsmon does not simulate.
        """
        result = _evaluate(self.root, context, self.text)
        if isinstance(result, float):
            raise error(
                self.text,
                0,
                "the final result of a math expression must be a time series or an array "
                "of time series, not a scalar",
            )
        return result


def compile_expression(text: str) -> MetricExpression:
    """Parse and check a metric-math expression once, for any number of evaluations.

    Raises:
        ValidationError: the text is not a valid expression; the message gives
            the character position and what was expected there.
    """
    return MetricExpression.parse(text)
