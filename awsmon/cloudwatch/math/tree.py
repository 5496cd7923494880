"""Metric math's syntax tree: the frozen nodes `awsmon.cloudwatch.math.syntax.parse` builds.

Positions are 0-based character offsets into the expression; they do not take
part in equality, so two parses of the same text compare equal.
"""

from __future__ import annotations

from attrs import field, frozen

from awsmon.cloudwatch.math.search import SearchQuery

__all__ = [
    "ArrayLiteral",
    "Call",
    "Chain",
    "Keyword",
    "Negate",
    "Node",
    "Number",
    "Power",
    "Reference",
    "Search",
    "String",
]


@frozen
class Number:
    """A numeric literal."""

    value: float
    position: int = field(default=0, eq=False)


@frozen
class String:
    """A quoted string argument (METRICS, SEARCH ...), unescaped."""

    text: str
    position: int = field(default=0, eq=False)


@frozen
class Keyword:
    """A bare upper-case word argument: REPEAT, LINEAR, AVG, MIN, MAX, SUM, ASC, DESC."""

    word: str
    position: int = field(default=0, eq=False)


@frozen
class Reference:
    """The id of another query of the request (a metric or an expression)."""

    query_id: str
    position: int = field(default=0, eq=False)


@frozen
class Negate:
    """Unary minus."""

    operand: Node
    position: int = field(default=0, eq=False)


@frozen
class Chain:
    """Left-associative operators of one precedence level: first op1 x1 op2 x2 ..."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    positions: tuple[int, ...] = field(default=(), eq=False)


@frozen
class Power:
    """base ^ exponent."""

    base: Node
    exponent: Node
    position: int = field(default=0, eq=False)


@frozen
class Call:
    """A function call (every function but SEARCH)."""

    name: str
    args: tuple[Node, ...]
    position: int = field(default=0, eq=False)


@frozen
class ArrayLiteral:
    """``[e1, e2, ...]``: an array of time series (nested arrays are concatenated)."""

    items: tuple[Node, ...]
    position: int = field(default=0, eq=False)


@frozen
class Search:
    """A SEARCH call, with its search text compiled."""

    query: SearchQuery
    position: int = field(default=0, eq=False)


Node = Number | String | Keyword | Reference | Negate | Chain | Power | Call | ArrayLiteral | Search
