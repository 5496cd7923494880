"""CloudWatch metric math, a pure language: parsed once, evaluated over time series.

Modules: `expression` (`compile_expression`, `MetricExpression`), `syntax`
(tokens and parser; documents the grammar), `tree` (the syntax tree's nodes),
`operators` (operators on values and their alignment rules), `functions` (the
functions), `search` (SEARCH's own language) and `series` (values and the
`EvaluationContext` protocol). Nothing here holds state or reads a clock.
"""

from __future__ import annotations

from awsmon.cloudwatch.math.expression import MetricExpression, compile_expression
from awsmon.cloudwatch.math.search import SearchQuery
from awsmon.cloudwatch.math.series import (
    EvaluationContext,
    SearchableMetric,
    Series,
    StaticContext,
)
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

__all__ = [
    "ArrayLiteral",
    "Call",
    "Chain",
    "EvaluationContext",
    "Keyword",
    "MetricExpression",
    "Negate",
    "Node",
    "Number",
    "Power",
    "Reference",
    "Search",
    "SearchQuery",
    "SearchableMetric",
    "Series",
    "StaticContext",
    "String",
    "compile_expression",
]
