"""A PutLogEvents batch as metric filters see it: each message parsed at most once.

`FilterBatch` holds one accepted batch while the log group's metric filters
run over it, and `FilterBatch.points` turns one metric transformation into
the datapoints it publishes, by metric key, so that CloudWatch is called once
per key and batch rather than once per event.

Shared work, so that filters cost what they must and no more:

- a JSON message is parsed once, the first time a JSON filter gets past its
  cheap text checks, and the object is shared by every JSON filter on the
  group; the checks run as C-level passes over the batch: only messages whose
  first non-blank character is ``{`` can be JSON objects (found once per
  batch), and `JsonPattern.admits_each` looks for the texts a match needs;
- given the top-level fields the group's JSON filters read (`json_keys`),
  a message is read only that far (`awsmon.logs.json_fields.FieldsReader`:
  the same answers as the whole parse, at a fraction of its cost), and a
  pattern that is one numeric comparison of a field is decided by C-level
  passes (`JsonPattern.test_each`);
- each filter tests a message once; a metric value or dimension is extracted
  only from the messages that matched (from the shared JSON object, or one
  field split of a space-delimited message);
- the minute each timestamp falls in is computed once per batch, one
  datetime per minute shared by every event in it;
- a space-delimited pattern whose conditions are all ``= prefix*`` decides
  each message with one regex match (its gate), and a single-term pattern
  with one ``in`` test, at C speed without a Python call per message;
- the values of the hits are read in one pass (`node_numbers`), and the
  points of the misses (the default value) only when there is a default.

Main names: `FilterBatch`, `literal_value`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import compress, repeat
from operator import eq, is_, is_not, itemgetter
from typing import Any, TypeVar

from awsmon.cloudwatch import MetricKey
from awsmon.logs.errors import InvalidParameterException
from awsmon.logs.filter_pattern import FilterPattern, MatchResult, node_numbers
from awsmon.logs.filter_pattern_delimited import DelimitedPattern
from awsmon.logs.filter_pattern_scan import parse_number
from awsmon.logs.filter_pattern_selector import (
    load_object,
    node_getter,
    parse_selector,
)
from awsmon.logs.json_fields import fields_reader
from awsmon.logs.model import MetricTransformation, from_millis

__all__ = ["FilterBatch", "json_keys", "literal_value"]

#: The datapoints a transformation makes of a batch, by metric key.
Points = dict[MetricKey, list[tuple[datetime, float]]]

_UNPARSED = object()
_T = TypeVar("_T")
_FIRST_CHARACTER = itemgetter(0)


def literal_value(text: str) -> float | None:
    """The metric value `text` when it is a number rather than a selector, else None."""
    number = None if text.startswith("$") else parse_number(text)
    if number is None:
        return None
    value = float(number)
    return value if math.isfinite(value) else None


def json_keys(
    filters: Iterable[tuple[FilterPattern, Sequence[MetricTransformation]]],
) -> tuple[str, ...] | None:
    """The top-level fields the JSON filters among `filters` read, or None for every field.

    Each JSON pattern names its fields (`JsonPattern.roots`: None when a
    selector starts with a wildcard), and so does each ``$.`` metric value
    and dimension of its transformations; a selector that does not parse
    reads nothing.
    """
    keys: dict[str, None] = {}
    for pattern, transformations in filters:
        json = pattern.json
        if json is None:
            continue
        if json.roots is None:
            return None
        keys.update(dict.fromkeys(sorted(json.roots)))
        for transformation in transformations:
            for text in (transformation.metric_value, *transformation.dimensions.values()):
                if not text.startswith(("$.", "$[")):
                    continue
                try:
                    root = parse_selector(text).steps[0]
                except InvalidParameterException:
                    continue
                if type(root) is not str:
                    return None
                keys[root] = None
    return tuple(keys)


def _gather(values: Sequence[_T], indexes: list[int]) -> list[_T]:
    """``[values[i] for i in indexes]`` by one C-level call."""
    if len(indexes) > 1:
        return list(itemgetter(*indexes)(values))
    return [values[index] for index in indexes]


def _consume(calls: Iterable[object]) -> None:
    """Run an iterator of calls to the end at C speed (`deque` keeping nothing)."""
    deque(calls, maxlen=0)


class FilterBatch:
    """One accepted batch of events, with what the metric filters share (mutable, per call).

    Args:
        times: the events' timestamps (epoch ms), in batch order, which is
            chronological (PutLogEvents refuses any other).
        messages: their messages.
        json_keys: the top-level fields the JSON filters read (`json_keys`):
            JSON messages are then read only that far (`FieldsReader`); None
            parses them whole.
    """

    def __init__(
        self,
        times: Sequence[int],
        messages: Sequence[str],
        json_keys: Sequence[str] | None = None,
    ) -> None:
        self.times = times
        self.messages = messages
        self._reader = None if json_keys is None else fields_reader(tuple(json_keys))
        self._documents: list[object] = []
        self._minutes: list[datetime] | None = None
        self._objects: list[int] | None = None

    def minutes(self) -> list[datetime]:
        """The start of the minute each event falls in (computed once per batch).

        Events in one minute share one datetime object, so CloudWatch's
        publish converts each minute back to epoch seconds once. The times are
        in order, so each minute's run of events is found by bisection: the
        work follows the minutes the batch spans, not its events.
        """
        if self._minutes is None:
            times = self.times
            minutes: list[datetime] = []
            first, count = 0, len(times)
            while first < count:
                floor = times[first] - times[first] % 60_000
                end = bisect_left(times, floor + 60_000, first)
                minutes += [from_millis(floor)] * (end - first)
                first = end
            self._minutes = minutes
        return self._minutes

    def document(self, index: int) -> dict[str, object] | None:
        """Message `index` parsed as a JSON object, or None (parsed once per batch)."""
        documents = self._parsed()
        document = documents[index]
        if document is _UNPARSED:
            document = documents[index] = self._load([self.messages[index]])[0]
        return document  # type: ignore[return-value]  # a dict or None once parsed

    def _load(self, messages: list[str]) -> list[dict[str, object] | None]:
        """`messages` read as JSON objects: whole, or only the fields the filters read."""
        if self._reader is None:
            return list(map(load_object, messages))
        return self._reader.read_each(messages)

    def _parsed(self) -> list[object]:
        """The per-message parse cache (`_UNPARSED` until a JSON filter needs the object)."""
        if not self._documents:
            self._documents = [_UNPARSED] * len(self.messages)
        return self._documents

    def hits(self, pattern: FilterPattern) -> list[bool]:
        """Whether each message matches `pattern` (JSON objects parsed once, shared)."""
        json = pattern.json
        if json is None:
            return pattern.hits(self.messages)
        messages = self.messages
        documents = self._parsed()
        candidates = self._object_indexes()
        admitted = list(compress(candidates, json.admits_each(_gather(messages, candidates))))
        # Parse what no JSON filter of the batch has parsed yet (all of it, the first time).
        unparsed = list(
            compress(admitted, map(is_, _gather(documents, admitted), repeat(_UNPARSED)))
        )
        loaded = self._load(_gather(messages, unparsed))
        _consume(map(documents.__setitem__, unparsed, loaded))
        parsed = _gather(documents, admitted)
        objects = list(map(is_not, parsed, repeat(None)))  # None: not a JSON object
        tested = json.test_each(list(compress(parsed, objects)))  # type: ignore[arg-type]
        flags = [False] * len(messages)
        _consume(
            map(flags.__setitem__, compress(compress(admitted, objects), tested), repeat(True))
        )
        return flags

    def _object_indexes(self) -> list[int]:
        """The messages whose first non-blank character is ``{`` (only those can be JSON objects).

        Found once per batch by C-level passes: the first characters, and when
        one of them is a blank, `str.lstrip` and `str.startswith`.
        """
        if self._objects is None:
            messages = self.messages
            try:
                firsts = list(map(_FIRST_CHARACTER, messages))
            except IndexError:  # an empty message: the stripping way below
                firsts = [" "]
            if any(map(str.isspace, firsts)):
                looks = map(str.startswith, map(str.lstrip, messages), repeat("{"))
            else:  # no message starts with a blank: its first character decides
                looks = map(eq, firsts, repeat("{"))
            self._objects = list(compress(range(len(messages)), looks))
        return self._objects

    def result(self, pattern: FilterPattern, index: int) -> MatchResult | None:
        """What matching message `index` offers a metric value or dimension."""
        message = self.messages[index]
        if pattern.json is not None:
            return MatchResult(message, document=self.document(index))
        return pattern.match(message)

    def points(self, pattern: FilterPattern, transformation: MetricTransformation) -> Points:
        """The datapoints one transformation makes of the batch, by metric key.

        A matching event gives its metric value (the literal, or what the
        selector extracts: skipped when it is not a number), with the
        dimensions its selectors extract (skipped when one is missing or
        empty); an event that does not match gives the default value, if set.
        """
        namespace, name = transformation.metric_namespace, transformation.metric_name
        literal = literal_value(transformation.metric_value)
        default = transformation.default_value
        dimensions: Mapping[str, str] = transformation.dimensions
        plain_key = MetricKey.of(namespace, name)
        flags = self.hits(pattern)
        minutes = self.minutes()
        if literal is not None and not dimensions:
            if default is None:
                plain = [(minute, literal) for minute in compress(minutes, flags)]
            else:
                plain = [
                    (minute, literal if hit else default)
                    for minute, hit in zip(minutes, flags, strict=True)
                ]
            return {plain_key: plain} if plain else {}
        if pattern.json is not None and literal is None and not dimensions:
            return self._json_values(transformation, flags)
        delimited = pattern.delimited
        if delimited is not None and literal is None and not dimensions:
            index = delimited.field_index(transformation.metric_value)
            if index is not None:
                return self._field_values(delimited, index, transformation, flags)
        out: Points = {}
        selector = transformation.metric_value
        for index, (minute, hit) in enumerate(zip(minutes, flags, strict=True)):
            result = self.result(pattern, index) if hit else None
            if result is None:
                if default is not None:
                    out.setdefault(plain_key, []).append((minute, default))
                continue
            value = literal if literal is not None else result.number_of(selector)
            if value is None:
                continue
            key = plain_key
            if dimensions:
                resolved = {dim: result.value_of(sel) for dim, sel in dimensions.items()}
                if any(v is None or v == "" for v in resolved.values()):
                    continue
                key = MetricKey.of(namespace, name, {k: str(v) for k, v in resolved.items()})
            out.setdefault(key, []).append((minute, value))
        return out

    def _json_values(self, transformation: MetricTransformation, flags: list[bool]) -> Points:
        """`points` for a JSON pattern whose value is a ``$.`` selector, without dimensions.

        The selector is compiled once and read straight from the shared
        objects (what `MatchResult.number_of` does, minus a result per event).
        """
        key = MetricKey.of(transformation.metric_namespace, transformation.metric_name)
        default = transformation.default_value
        try:
            selector = parse_selector(transformation.metric_value)
        except InvalidParameterException:  # not a JSON selector: nothing resolves
            return self._default_points(key, default, flags)
        # Every hit's message was parsed into a dict by `hits`.
        hit_documents: Iterable[Any] = compress(self._documents, flags)
        steps = selector.steps
        if len(steps) == 1 and type(steps[0]) is str:
            name = steps[0]  # ``$.name``: one lookup, None (no number) when missing
            nodes: Iterable[object] = list(map(dict.get, hit_documents, repeat(name)))
        else:  # node_number is None for the "missing" marker, as for any non-number
            nodes = map(node_getter(selector), hit_documents)
        return self._value_points(key, default, flags, node_numbers(nodes))

    def _field_values(
        self,
        delimited: DelimitedPattern,
        index: int,
        transformation: MetricTransformation,
        flags: list[bool],
    ) -> Points:
        """`points` for a space-delimited value the field reader reaches, without dimensions.

        Only that one field of a matching message is read (what
        `MatchResult.number_of` gives after a full split and extraction).
        """
        key = MetricKey.of(transformation.metric_namespace, transformation.metric_name)
        default = transformation.default_value
        texts = list(map(delimited.read_field, compress(self.messages, flags), repeat(index)))
        return self._value_points(key, default, flags, node_numbers(texts))

    def _value_points(
        self,
        key: MetricKey,
        default: float | None,
        flags: list[bool],
        values: Iterable[float | None],
    ) -> Points:
        """The points of the hits' `values` (None skipped), and the default for the misses."""
        hit_minutes = compress(self.minutes(), flags)
        if default is None:
            if type(values) is list and None not in values:
                points = list(zip(hit_minutes, values, strict=True))
                return {key: points} if points else {}
            pairs = zip(hit_minutes, values, strict=True)
            points = [(minute, value) for minute, value in pairs if value is not None]
            return {key: points} if points else {}
        read = iter(values)
        points = []
        for minute, hit in zip(self.minutes(), flags, strict=True):
            if not hit:
                points.append((minute, default))
                continue
            value = next(read)
            if value is not None:
                points.append((minute, value))
        return {key: points} if points else {}

    def _default_points(self, key: MetricKey, default: float | None, flags: list[bool]) -> Points:
        """The points when no hit gives a value: the default for each miss, if set."""
        if default is None:
            return {}
        rows = zip(self.minutes(), flags, strict=True)
        points = [(minute, default) for minute, hit in rows if not hit]
        return {key: points} if points else {}
