"""The syntax tree of a Logs Insights query: expressions and commands, all immutable.

Expressions: `Literal`, `FieldRef`, `Duration`, `Regex`, `Call`, `Aggregate`,
`Unary`, `Binary`, `Compare`, `Like`, `InList`, `BoolOp`, `Not`. Commands:
`Fields`, `Display`, `Filter`, `Stats`, `Sort`, `Limit`, `Parse`, `Dedup`.
Each expression keeps the query text it came from (`source`), which names
unaliased results (``count(*)``, ``bin(5m)``) as AWS does.
"""

from __future__ import annotations

from typing import Union

from attrs import frozen

__all__ = [
    "Aggregate", "Binary", "BoolOp", "Call", "Command", "Compare", "Dedup", "Display",
    "Duration", "Expr", "FieldRef", "Fields", "Filter", "InList", "Like", "Limit", "Literal",
    "Not", "Parse", "Pattern", "Regex", "Sort", "SortKey", "Stats", "Unary", "Unmask",
]  # fmt: skip


@frozen
class Literal:
    """A number or string written in the query."""

    value: object
    source: str


@frozen
class FieldRef:
    """A field, by name (``@timestamp``, ``status``, ``a.b.0``).

    `parts` is the access path when it was written with brackets or quoted
    segments (``doc.users[1].`special.char```: ``("doc", "users", "1",
    "special.char")``); `name` then joins the parts with dots.
    """

    name: str
    source: str
    parts: tuple[str, ...] | None = None


@frozen
class Duration:
    """A duration literal (``5m``): `millis` for fixed units, or `months` for calendar units."""

    millis: int
    months: int
    source: str


@frozen
class Regex:
    """A regex literal ``/.../``, checked and translated to Python syntax (`pattern`)."""

    pattern: str
    source: str


@frozen
class Call:
    """A scalar function call; `name` is the canonical lower-case name."""

    name: str
    args: tuple[Expr, ...]
    source: str


@frozen
class Aggregate:
    """An aggregation in ``stats`` (``count(*)`` has no arguments); `index` numbers it."""

    name: str
    args: tuple[Expr, ...]
    index: int
    source: str


@frozen
class Unary:
    """Arithmetic negation."""

    operand: Expr
    source: str


@frozen
class Binary:
    """Arithmetic: ``+ - * / % ^``."""

    op: str
    left: Expr
    right: Expr
    source: str


@frozen
class Compare:
    """A comparison: ``= != < <= > >=``."""

    op: str
    left: Expr
    right: Expr
    source: str


@frozen
class Like:
    """``like`` / ``not like`` (a substring or a regex) and ``=~`` (a regex)."""

    operand: Expr
    pattern: Expr
    negated: bool
    source: str


@frozen
class InList:
    """``in [...]`` / ``not in [...]``: whole-value membership."""

    operand: Expr
    values: tuple[Expr, ...]
    negated: bool
    source: str


@frozen
class BoolOp:
    """``and`` / ``or`` over two or more operands."""

    op: str
    operands: tuple[Expr, ...]
    source: str


@frozen
class Not:
    """``not``."""

    operand: Expr
    source: str


Expr = Union[  # noqa: UP007 - a runtime alias used before Python 3.12's type statement
    Literal, FieldRef, Duration, Regex, Call, Aggregate, Unary, Binary, Compare, Like, InList,
    BoolOp, Not,
]


@frozen
class Fields:
    """``fields``: (name, expression) pairs; the name is the alias or the source text."""

    items: tuple[tuple[str, Expr], ...]


@frozen
class Display:
    """``display``: the names shown (only the last display counts)."""

    names: tuple[str, ...]


@frozen
class Filter:
    """``filter``: rows for which the condition holds."""

    condition: Expr


@frozen
class Stats:
    """``stats``: aggregated items and the ``by`` groups, each (name, expression)."""

    items: tuple[tuple[str, Expr], ...]
    groups: tuple[tuple[str, Expr], ...]
    aggregates: tuple[Aggregate, ...]


@frozen
class SortKey:
    """One key of ``sort``."""

    expr: Expr
    descending: bool


@frozen
class Sort:
    """``sort``."""

    keys: tuple[SortKey, ...]


@frozen
class Limit:
    """``limit n``."""

    count: int


@frozen
class Parse:
    """``parse``: a glob (literal pieces around ``*``) or a regex with named groups."""

    source: Expr
    names: tuple[str, ...]
    glob: tuple[str, ...] | None
    regex: str | None


@frozen
class Dedup:
    """``dedup``: keep the first row of each combination of these fields."""

    names: tuple[str, ...]


@frozen
class Unmask:
    """``unmask``: show the fields' masked content; nothing is masked in awsmon, so a no-op."""

    names: tuple[str, ...]


@frozen
class Pattern:
    """``pattern``: cluster the values of `source` into text patterns (an aggregation)."""

    source: Expr


Command = Fields | Display | Filter | Stats | Sort | Limit | Parse | Dedup | Unmask | Pattern
