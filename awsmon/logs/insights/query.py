"""A compiled Logs Insights query and its evaluation over an iterable of events.

`Query.parse(text)` parses and compiles once; `Query.run(events)` evaluates
over events given as `SourceEvent` tuples ``(timestamp_ms, message,
log_stream, log, ingestion_ms, ptr)`` — ``log`` is ``account-id:group-name``
(AWS's ``@log``) and ``ptr`` anything the caller wants back as ``@ptr``.

Evaluation streams: each event becomes a row dict with the generated fields
(``@timestamp``, ``@message``, ``@logStream``, ``@log``, ``@ingestionTime``),
plus the discovered fields (`awsmon.logs.insights.discovery`) only when the
query reads a field nothing else defines. ``fields``, ``parse`` and
``filter`` work row by row; ``stats`` groups (a later ``stats`` groups the
groups); ``sort``, ``dedup`` and ``limit`` work on the rows so far.

Shown fields: the last ``display``; else every name made by ``fields``
commands (after the last ``stats``: its groups and items, then later
``fields``); else ``@timestamp`` and ``@message``. Rows without ``stats``
carry ``@ptr``. Without ``sort`` rows keep event order (AWS gives no order).

>>> query = Query.parse("filter @message like /ERROR/ | stats count(*) as n by bin(1m)")
>>> events = [(60_000 * i + 5, m, "s", "1:g", 0, None) for i, m in enumerate(["ERROR a", "ok", "ERROR b"])]
>>> [(row["bin(1m)"], row["n"]) for row in query.run(events).rows]
[(0, 1), (120000, 1)]
"""  # noqa: E501

from __future__ import annotations

import collections
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from attrs import field, frozen

from awsmon.logs.insights.compiler import Getter, compile_expr, field_getter
from awsmon.logs.insights.discovery import discover
from awsmon.logs.insights.nodes import (
    Aggregate,
    Binary,
    BoolOp,
    Call,
    Command,
    Compare,
    Dedup,
    Display,
    Expr,
    FieldRef,
    Fields,
    Filter,
    InList,
    Like,
    Limit,
    Literal,
    Not,
    Parse,
    Pattern,
    Regex,
    Sort,
    Stats,
    Unary,
)  # fmt: skip
from awsmon.logs.insights.parser import MAX_LIMIT, parse_query
from awsmon.logs.insights.regex import literal_of
from awsmon.logs.insights.stages import (
    PATTERN_FIELDS,
    RowCount,
    Stage,
    parse_stage,
    pattern_stage,
    sort_stage,
    stats_stage,
)
from awsmon.logs.insights.values import Instant, truthy

__all__ = ["PTR", "Query", "QueryResult", "SourceEvent"]

#: ``(timestamp_ms, message, log_stream, log, ingestion_ms, ptr)``.
SourceEvent = tuple[int, str, str, str, int, Any]
#: The field carrying the caller's pointer for each row of a non-stats query.
PTR = "@ptr"
GENERATED = ("@timestamp", "@message", "@logStream", "@log", "@ingestionTime")

Row = dict[str, Any]


@frozen(kw_only=True)
class QueryResult:
    """What a query produced.

    Attributes:
        rows: result rows, each field name → value (absent fields left out),
            in the shown order; rows of non-stats queries carry `PTR`.
        fields: the shown field names.
        records_matched: events that passed the filters before the first stats.
        records_scanned: events read.
        bytes_scanned: UTF-8 bytes of the messages read.
        is_stats: whether the query aggregates.
    """

    rows: tuple[dict[str, Any], ...]
    fields: tuple[str, ...]
    records_matched: int
    records_scanned: int
    bytes_scanned: int
    is_stats: bool


class _Counter:
    __slots__ = ("bytes", "count")

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0


@frozen
class Query:
    """A parsed and compiled Logs Insights query (immutable; reusable across runs)."""

    text: str
    commands: tuple[Command, ...]
    _discovers: bool = field(alias="_discovers")
    _shown: tuple[str, ...] = field(alias="_shown")
    _needles: tuple[str, ...] = field(alias="_needles")
    _stages: tuple[Stage, ...] = field(alias="_stages", eq=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Query:
        """Parse and compile `text`.

        Raises:
            MalformedQueryException: a syntax error, with the position.
        """
        commands = parse_query(text)
        return cls(
            text,
            commands,
            _discovers=_needs_discovery(commands),
            _shown=_shown_fields(commands),
            _needles=_message_needles(commands),
            _stages=tuple(_compile(command, commands) for command in commands),
        )

    @property
    def required_texts(self) -> tuple[str, ...]:
        """Texts every event the query keeps contains (from its leading ``like`` filters).

        A caller that pre-selects events containing them (with an index or a
        block scan) passes `run` those only, with ``scanned`` counted itself.
        """
        return self._needles

    @property
    def is_stats(self) -> bool:
        """Whether the query has a ``stats`` command."""
        return any(isinstance(command, Stats | Pattern) for command in self.commands)

    def run(
        self,
        events: Iterable[SourceEvent],
        *,
        limit: int = MAX_LIMIT,
        scanned: tuple[int, int] | None = None,
    ) -> QueryResult:
        """Evaluate the query over `events`; at most `limit` rows (a ``limit`` command wins).

        Args:
            events: the events, oldest first.
            limit: the most rows returned.
            scanned: (records, bytes) read, when `events` were pre-selected
                with `required_texts`; by default `events` are all that was read.
        """
        counter = _Counter()
        rows: Iterable[Row] = self._rows(events, counter)
        matched = RowCount()
        barrier = False
        counted: Iterator[Row] | None = None
        for command, stage in zip(self.commands, self._stages, strict=True):
            if not barrier and isinstance(command, Stats | Pattern | Sort | Dedup | Limit):
                barrier = True
                if isinstance(command, Stats):
                    rows = stage(rows, matched)
                    continue
                rows = counted = _counted(rows, matched)
            rows = stage(rows, None)
        if not barrier:
            rows = counted = _counted(rows, matched)
        if not any(isinstance(command, Limit) for command in self.commands):
            rows = itertools.islice(rows, limit)
        final = list(rows)
        if counted is not None:  # a limit stopped early: count (and scan) the rest
            collections.deque(counted, maxlen=0)
        return QueryResult(
            rows=tuple(self._project(row) for row in final),
            fields=self._shown,
            records_matched=matched.count,
            records_scanned=counter.count if scanned is None else scanned[0],
            bytes_scanned=counter.bytes if scanned is None else scanned[1],
            is_stats=self.is_stats,
        )

    def _rows(self, events: Iterable[SourceEvent], counter: _Counter) -> Iterator[Row]:
        discovers = self._discovers
        needles = self._needles
        count = 0
        size = 0
        try:
            for stamp, message, stream, log, ingested, ptr in events:
                count += 1
                size += len(message) if message.isascii() else len(message.encode())
                if needles:
                    if needles[0] not in message:
                        continue
                    if len(needles) > 1 and not all(needle in message for needle in needles):
                        continue
                row = {"@timestamp": stamp, "@message": message, "@logStream": stream,
                       "@log": log, "@ingestionTime": ingested, PTR: ptr}  # fmt: skip
                if discovers:
                    for key, value in discover(message).items():
                        row.setdefault(key, value)
                yield row
        finally:
            counter.count = count
            counter.bytes = size

    def _project(self, row: Row) -> dict[str, Any]:
        out = {name: row[name] for name in self._shown if row.get(name) is not None}
        for name in self._shown:
            if name in _INSTANT_NAMES and out.get(name).__class__ is int:
                out[name] = Instant(out[name])
        if not self.is_stats and PTR in row:
            out[PTR] = row[PTR]
        return out


_INSTANT_NAMES = frozenset(("@timestamp", "@ingestionTime"))


def _compile(command: Command, commands: tuple[Command, ...]) -> Stage:
    """The stage of one command, its expressions compiled once."""
    if isinstance(command, Filter):
        condition = compile_expr(command.condition)
        if not isinstance(command.condition, Compare | Like | InList | BoolOp | Not):
            condition = _as_condition(condition)

        def filtered(rows: Iterable[Row], counted: RowCount | None = None) -> Iterable[Row]:
            return (row for row in rows if condition(row))

        return filtered
    if isinstance(command, Fields):
        items = tuple((name, compile_expr(expr)) for name, expr in command.items)
        return lambda rows, counted=None: _with_fields(rows, items)
    if isinstance(command, Parse):
        return parse_stage(command)
    if isinstance(command, Stats):
        return stats_stage(command)
    if isinstance(command, Pattern):
        return pattern_stage(command)
    if isinstance(command, Sort):
        return sort_stage(command)
    if isinstance(command, Limit):
        count = command.count
        return lambda rows, counted=None: itertools.islice(rows, count)
    if isinstance(command, Dedup):
        getters = [field_getter(name) for name in command.names]
        presorted = _sorted_before(command, commands)
        return lambda rows, counted=None: _dedup(rows, getters, presorted)
    return lambda rows, counted=None: rows  # display: at projection; unmask: nothing is masked


def _counted(rows: Iterable[Row], counter: RowCount) -> Iterator[Row]:
    for row in rows:
        counter.count += 1
        yield row


def _with_fields(rows: Iterable[Row], items: tuple[tuple[str, Getter], ...]) -> Iterator[Row]:
    for row in rows:
        values = [(name, get(row)) for name, get in items]
        row.update(values)
        yield row


def _as_condition(test: Getter) -> Getter:
    """A filter test from an expression that is not a predicate (its truthiness)."""
    return lambda row: truthy(test(row))


def _sorted_before(command: Dedup, commands: tuple[Command, ...]) -> bool:
    """Whether rows reaching `command` are in a chosen order (a sort or an aggregation)."""
    for previous in commands:
        if previous is command:
            return False
        if isinstance(previous, Sort | Stats | Pattern):
            return True
    return False


def _dedup(rows: Iterable[Row], getters: list[Getter], presorted: bool) -> Iterator[Row]:
    """Keep the first row of each value combination (rows missing a field are all kept).

    Unsorted rows are taken newest first, as AWS does.
    """
    if not presorted:
        rows = sorted(rows, key=lambda row: row.get("@timestamp") or 0, reverse=True)
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = tuple(get(row) for get in getters)
        if any(value is None for value in key):
            yield row
            continue
        hashable = tuple(repr(value) if isinstance(value, dict | list) else value for value in key)
        if hashable not in seen:
            seen.add(hashable)
            yield row


def _defines(command: Command) -> list[str]:
    if isinstance(command, Fields | Stats):
        made = [name for name, _ in command.items]
        return made + [name for name, _ in command.groups] if isinstance(command, Stats) else made
    if isinstance(command, Parse):
        return list(command.names)
    if isinstance(command, Pattern):
        return list(PATTERN_FIELDS)
    return []


def _referenced(expr: Expr, into: set[str]) -> None:
    if isinstance(expr, FieldRef):
        into.add(expr.name)
    for child in _children(expr):
        _referenced(child, into)


def _children(expr: Expr) -> tuple[Expr, ...]:
    if isinstance(expr, Unary | Not):
        return (expr.operand,)
    if isinstance(expr, Binary | Compare):
        return (expr.left, expr.right)
    if isinstance(expr, Like):
        return (expr.operand, expr.pattern)
    if isinstance(expr, InList):
        return (expr.operand, *expr.values)
    if isinstance(expr, BoolOp):
        return expr.operands
    if isinstance(expr, Call | Aggregate):
        return expr.args
    return ()


def _needs_discovery(commands: tuple[Command, ...]) -> bool:
    """Whether some field the query reads, before any command defines it, comes from the message."""
    defined: set[str] = set(GENERATED)
    for command in commands:
        exprs: list[Expr] = []
        if isinstance(command, Fields | Stats):
            exprs = [expr for _, expr in command.items]
            if isinstance(command, Stats):
                exprs += [expr for _, expr in command.groups]
        elif isinstance(command, Filter):
            exprs = [command.condition]
        elif isinstance(command, Sort):
            exprs = [key.expr for key in command.keys]
        elif isinstance(command, Parse | Pattern):
            exprs = [command.source]
        elif isinstance(command, Display | Dedup):
            exprs = [FieldRef(name, name) for name in command.names]
        used: set[str] = set()
        for expr in exprs:
            _referenced(expr, used)
        if any(name not in defined and name.split(".")[0] not in defined for name in used):
            return True
        if isinstance(command, Stats | Pattern):
            return False
        defined.update(_defines(command))
    return False


def _message_needles(commands: tuple[Command, ...]) -> tuple[str, ...]:
    """Texts every kept ``@message`` must contain, from the leading filters (a cheap pre-test)."""
    needles: list[str] = []
    for command in commands:
        if not isinstance(command, Filter):
            if "@message" in _defines(command) or not isinstance(command, Fields | Parse):
                break
            continue
        condition = command.condition
        terms = condition.operands if isinstance(condition, BoolOp) and condition.op == "and" else (
            condition,
        )
        for term in terms:
            if (
                isinstance(term, Like)
                and not term.negated
                and isinstance(term.operand, FieldRef)
                and term.operand.name == "@message"
            ):
                pattern = term.pattern
                if isinstance(pattern, Regex):
                    needle = literal_of(pattern.pattern)
                elif isinstance(pattern, Literal) and isinstance(pattern.value, str):
                    needle = pattern.value
                else:
                    needle = None
                if needle:
                    needles.append(needle)
    return tuple(needles)


def _shown_fields(commands: tuple[Command, ...]) -> tuple[str, ...]:
    displays = [command for command in commands if isinstance(command, Display)]
    if displays:
        return displays[-1].names
    start = 0
    shown: list[str] = []
    for index, command in enumerate(commands):
        if isinstance(command, Stats):
            start = index
            shown = [name for name, _ in command.groups + command.items]
        elif isinstance(command, Pattern):
            start = index
            shown = list(PATTERN_FIELDS)
    for command in commands[start:]:
        if isinstance(command, Fields):
            shown.extend(name for name, _ in command.items if name not in shown)
    return tuple(shown) if shown else ("@timestamp", "@message")

