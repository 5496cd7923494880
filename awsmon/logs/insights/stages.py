"""The Logs Insights commands that are more than one closure: ``parse``, ``stats`` and ``sort``.

- `parse_stage`: in a glob pattern each ``*`` takes the shortest text up to
  the next constant piece, the last one the rest of the value (the leftmost
  match; an anchored regex of atomic groups finds it in linear time,
  `glob_match` is the same rule written with ``str.find``); a regex
  fills its named groups. A value that does not match leaves the fields
  absent and keeps the row, as AWS does.
- `stats_rows`: groups by the ``by`` values (in first-seen order), feeds one
  accumulator per aggregation and group, then evaluates each item (an
  aggregation, or arithmetic over several) on the group's row.
- `sort_rows`: a stable sort on each key; numbers before text, absent values
  last in either direction.
- `pattern_rows`: ``pattern``, clustering values into text patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from awsmon.logs.insights.aggregates import Accumulator, CountAll, make_accumulator
from awsmon.logs.insights.compiler import Getter, aggregate_key, compile_expr
from awsmon.logs.insights.nodes import Literal, Parse, Pattern, Sort, Stats
from awsmon.logs.insights.regex import compile_regex
from awsmon.logs.insights.values import sort_key, text_of

__all__ = [
    "PATTERN_FIELDS",
    "RowCount",
    "Stage",
    "glob_match",
    "glob_regex",
    "parse_stage",
    "pattern_stage",
    "sort_stage",
    "stats_stage",
]

Row = dict[str, Any]
#: A compiled command: rows in, rows out (``counted``: rows consumed, for barriers).
Stage = Callable[..., Iterable[Row]]


def glob_regex(pieces: tuple[str, ...], names: tuple[str, ...] = ()) -> re.Pattern[str]:
    """The anchored regex matching a glob the way `glob_match` does, in linear time.

    Each capture is an atomic group ``(?>(.*?)piece)``: it commits to the
    first occurrence of the next constant piece, so nothing backtracks. With
    `names` (valid, distinct Python group names) the groups are named.
    """
    groups = [f"(?P<{name}>" for name in names] or ["("] * (len(pieces) - 1)
    parts = [r"\A(?>.*?" + re.escape(pieces[0]) + ")"]
    for group, piece in zip(groups[:-1], pieces[1:-1], strict=True):
        parts.append(f"(?>{group}.*?)" + re.escape(piece) + ")")
    last = pieces[-1]
    if last == "":
        parts.append(f"{groups[-1]}.*)")
    else:
        parts.append(f"(?>{groups[-1]}.*?)" + re.escape(last) + ")")
    return re.compile("".join(parts), re.DOTALL)


def glob_match(pieces: tuple[str, ...], text: str) -> list[str] | None:
    """The text each ``*`` between `pieces` takes in `text` (leftmost match), or None."""
    first = pieces[0]
    position = text.find(first)
    if position < 0:
        return None
    position += len(first)
    captures: list[str] = []
    last = len(pieces) - 1
    for index in range(1, last + 1):
        piece = pieces[index]
        if index == last and piece == "":
            captures.append(text[position:])
            return captures
        found = text.find(piece, position)
        if found < 0:
            return None
        captures.append(text[position:found])
        position = found + len(piece)
    return captures


def parse_stage(command: Parse) -> Stage:
    """The stage filling the fields `command` extracts from its source field."""
    source = compile_expr(command.source)
    names = command.names
    fill: Callable[[Row, str], None]
    if command.glob is not None and all(n.isidentifier() for n in names) and len(
        set(names)
    ) == len(names):
        match_named = glob_regex(command.glob, names).match

        def fill(row: Row, text: str) -> None:
            found = match_named(text)
            if found is not None:
                row.update(found.groupdict())

    elif command.glob is not None:
        match_glob = glob_regex(command.glob).match

        def fill(row: Row, text: str) -> None:
            found = match_glob(text)
            if found is not None:
                row.update(zip(names, found.groups(), strict=True))

    else:
        assert command.regex is not None
        search = compile_regex(command.regex).search

        def fill(row: Row, text: str) -> None:
            found = search(text)
            if found is not None:
                row.update((k, v) for k, v in found.groupdict().items() if v is not None)

    def run(rows: Iterable[Row], counted: RowCount | None = None) -> Iterator[Row]:
        for row in rows:
            text = source(row)
            if text.__class__ is not str:
                text = text_of(text)
            if text is not None:
                fill(row, text)
            yield row

    return run


class RowCount:
    """How many rows a stage consumed."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


def stats_stage(command: Stats) -> Stage:
    """The stage giving one row per group: the group values, then the items.

    The stage's `counted` (when given) gets the number of rows fed.
    """
    group_names = [name for name, _ in command.groups]
    group_getters = [compile_expr(expr) for _, expr in command.groups]
    specs = []
    for aggregate in command.aggregates:
        getter = compile_expr(aggregate.args[0]) if aggregate.args else None
        percentile = 0.0
        if aggregate.name == "pct":
            second = aggregate.args[1]
            assert isinstance(second, Literal)
            percentile = float(second.value)  # type: ignore[arg-type]
        specs.append((aggregate.name, getter, percentile))
    items = [(name, compile_expr(expr)) for name, expr in command.items]
    single = group_getters[0] if len(group_getters) == 1 else None

    def run(rows: Iterable[Row], counted: RowCount | None = None) -> Iterator[Row]:
        groups: dict[Any, tuple[tuple[Any, ...], list[Accumulator]]] = {}
        fed = 0
        if not group_getters:  # one group: no key to compute
            accumulators = [make_accumulator(*spec) for spec in specs]
            groups[()] = ((), accumulators)
            feeds = [a.feed for a in accumulators if type(a) is not CountAll]
            counters = [a for a in accumulators if type(a) is CountAll]
            for row in rows:
                fed += 1
                for feed in feeds:
                    feed(row)
            for counter in counters:
                counter.count = fed
            rows = ()
        for row in rows:
            fed += 1
            if single is not None:
                key: Any = single(row)
                values: tuple[Any, ...] = (key,)
            else:
                values = tuple(get(row) for get in group_getters)
                key = values
            try:
                entry = groups.get(key)
            except TypeError:  # a map or list made by jsonParse
                key = repr(values)
                entry = groups.get(key)
            if entry is None:
                entry = (values, [make_accumulator(*spec) for spec in specs])
                groups[key] = entry
            for accumulator in entry[1]:
                accumulator.feed(row)
        if counted is not None:
            counted.count += fed
        if not groups and not group_getters:
            groups[()] = ((), [make_accumulator(*spec) for spec in specs])
        for values, accumulators in groups.values():
            row = dict(zip(group_names, values, strict=True))
            for aggregate, accumulator in zip(command.aggregates, accumulators, strict=True):
                row[aggregate_key(aggregate.index)] = accumulator.value()
            out = dict(zip(group_names, values, strict=True))
            for name, get in items:
                out[name] = row[name] = get(row)  # later items may use earlier ones
            yield out

    return run


def sort_stage(command: Sort) -> Stage:
    """The stage sorting rows by the keys of `command` (stable)."""
    keys = [(compile_expr(key.expr), key.descending) for key in reversed(command.keys)]

    def run(rows: Iterable[Row], counted: RowCount | None = None) -> list[Row]:
        ordered = list(rows)
        for get, descending in keys:
            if descending:
                ordered.sort(key=lambda row: _present_key(get(row), 1), reverse=True)
            else:
                ordered.sort(key=lambda row: _present_key(get(row), 0))
        return ordered

    return run


def _present_key(value: Any, absent: int) -> tuple[int, Any]:
    if value is None:
        return (absent, (0, 0))
    return (1 - absent, sort_key(value))


#: The fields ``pattern`` makes, in AWS's order.
PATTERN_FIELDS = ("@pattern", "@ratio", "@sampleCount", "@severityLabel")
_SEVERITIES = (("FATAL", "Fatal"), ("CRITICAL", "Critical"), ("ERROR", "Error"),
               ("WARN", "Warning"), ("INFO", "Info"), ("DEBUG", "Debug"),
               ("TRACE", "Trace"))  # fmt: skip
_DIGIT = re.compile(r"\d")


def pattern_stage(command: Pattern) -> Stage:
    """The stage giving one row per text pattern of the source values, most frequent first.

    A pattern is the value with every whitespace-separated token holding a
    digit (numbers, ids, addresses, times) replaced by ``<*>``; ``@ratio`` is
    the share of the rows, ``@sampleCount`` their number and
    ``@severityLabel`` the first level word found (Error, Warning, Info ...,
    else Unknown).

    Simulation notes: AWS clusters with a machine-learned tokenizer whose
    patterns can differ; this rule gives the same shape of answer.
    """
    source = compile_expr(command.source)

    def run(rows: Iterable[Row], counted: RowCount | None = None) -> Iterator[Row]:
        return _patterns(rows, source)

    return run


def _patterns(rows: Iterable[Row], source: Getter) -> Iterator[Row]:
    counts: dict[str, int] = {}
    total = 0
    for row in rows:
        text = text_of(source(row))
        if text is None:
            continue
        total += 1
        has_digit = _DIGIT.search
        key = " ".join("<*>" if has_digit(token) else token for token in text.split())
        counts[key] = counts.get(key, 0) + 1
    for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        upper = key.upper()
        label = next((name for word, name in _SEVERITIES if word in upper), "Unknown")
        yield {"@pattern": key, "@ratio": count / total, "@sampleCount": count,
               "@severityLabel": label}  # fmt: skip
