"""PutMetricData's common shape, read and checked in one pass, and datapoints grouped by slot.

Most PutMetricData requests are lists of plain ``{"MetricName", "Dimensions",
"Value", "Timestamp", "Unit", "StorageResolution"}`` dicts whose few distinct
metrics repeat. `read_values` checks such a batch with the rules of the
general path (`awsmon.cloudwatch.api` through `Params`, then
`MetricDatum.check`), checking each distinct (name, dimensions) once
(`KeyCache`) and comparing timestamps as epoch seconds. It answers None for
anything else — another shape, an unusual type, any invalid value — and the
caller then takes the general path, which gives the exact error. So the one
pass never decides an error; it only accepts what the general path accepts,
and groups the values as the general path stores them (`group_datums`).

A batch is stored as ``{(key, unit, slot): {value: count}}``: one store write
per metric, unit and time slot (`MetricCatalog.put_grouped`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from awsmon.cloudwatch.errors import InvalidParameterValue
from awsmon.cloudwatch.metrics.model import (
    MAX_DIMENSIONS,
    MAX_VALUE,
    Dimension,
    MetricDatum,
    MetricKey,
    StandardUnit,
    check_namespace,
)
from awsmon.params import timestamp_of
from awsmon.skew import SKEW_LIMIT
from awsmon.times import to_datetime

__all__ = [
    "MAX_PUT_BYTES",
    "Grouped",
    "KeyCache",
    "ValueBatch",
    "group_datums",
    "read_values",
]

#: The largest PutMetricData request AWS accepts (1 MB).
MAX_PUT_BYTES = 1_048_576
#: Datums one PutMetricData may carry.
MAX_DATUMS = 1000
#: Values stored per (metric key, unit, slot start in epoch seconds): value -> count.
Grouped = dict[tuple[MetricKey, StandardUnit, int], dict[float, float]]

_UNITS = {unit.value: unit for unit in StandardUnit}
_PAST = timedelta(weeks=2)
_FUTURE = timedelta(hours=2)
# The JSON text of one datum outside its names: member names, punctuation, a
# value (an int up to 2^360 has 109 digits), a timestamp, a unit, a resolution.
_DATUM_TEXT = 300
_DIMENSION_TEXT = 32
# JSON escapes one character into at most 12 (a surrogate pair as two \\uXXXX).
_ESCAPED = 12


class _Checked:
    """A checked metric key and a bound on the JSON text of its names (identity-hashed)."""

    __slots__ = ("key", "text")

    def __init__(self, key: MetricKey, text: int) -> None:
        self.key = key
        self.text = text


class KeyCache:
    """Metric keys already checked as PutMetricData checks them, by (name, dimension pairs).

    Checking a key is pure, so the result holds for every later request; the
    cache forgets everything when it holds `limit` keys and namespaces.
    """

    def __init__(self, limit: int = 50_000) -> None:
        self._limit = limit
        self._size = 0
        self._namespaces: dict[str, dict[tuple[Any, ...], _Checked]] = {}
        self._bounds: _Bounds | None = None

    def bounds(self, now: datetime) -> _Bounds:
        """The time limits of a call at `now` (the last call's, while the clock stands still)."""
        last = self._bounds
        if last is None or last.now != now:
            last = self._bounds = _Bounds(now)
        return last

    def __len__(self) -> int:
        """The metric keys held."""
        return sum(len(known) for known in self._namespaces.values())

    def _make_room(self) -> None:
        if self._size >= self._limit:
            self._namespaces.clear()  # a batch holding one of them keeps using it
            self._size = 0
        self._size += 1

    def namespace(self, namespace: Any) -> dict[tuple[Any, ...], _Checked] | None:
        """The checked keys of a valid custom `namespace`, or None when it is not one."""
        found = self._namespaces.get(namespace) if type(namespace) is str else None
        if found is None:
            if type(namespace) is not str:
                return None
            try:
                check_namespace(namespace)
            except InvalidParameterValue:
                return None
            self._make_room()
            found = self._namespaces[namespace] = {}
        return found

    def check(
        self, namespace: str, known: dict[tuple[Any, ...], _Checked], name: Any, dims: Any
    ) -> _Checked | None:
        """Check a datum's MetricName and Dimensions in `namespace` and remember them.

        The entry is filed under `_signature(name, dims)`; None when they are
        not what the general path accepts.
        """
        pairs = _pairs(dims)
        if pairs is None or type(name) is not str or not _unicode(name):
            return None
        try:
            key = MetricKey.of(
                namespace, name, [Dimension(n, v) for n, v in pairs]
            ).check(prefix="MetricData.member.1.")
        except InvalidParameterValue:
            return None
        text = _ESCAPED * (len(name) + sum(len(n) + len(v) for n, v in pairs))
        checked = _Checked(key, text + _DIMENSION_TEXT * len(pairs) + _DATUM_TEXT)
        self._make_room()
        known[_signature(name, dims)] = checked
        return checked


def _signature(name: Any, dims: Any) -> tuple[Any, ...]:
    """What identifies a datum's name and dimensions as given: the name and each
    dimension's members in order (equal signatures are equally valid)."""
    if dims is None:
        return (name,)
    if len(dims) == 1:
        return (name, dims[0]["Name"], dims[0]["Value"])  # a two-member dict, as checked
    return (name, *[tuple(entry.items()) for entry in dims])


class ValueBatch:
    """A checked batch of single-value datums, grouped by metric, unit and slot.

    Attributes:
        skewed: timestamps over `SKEW_LIMIT` from the call's time, in datum order
            (the service warns about the virtual clock, as for any datum).
    """

    __slots__ = ("_groups", "skewed")

    def __init__(
        self, groups: dict[tuple[_Checked, str, int], dict[float, float]], skewed: list[datetime]
    ) -> None:
        self._groups = groups
        self.skewed = skewed

    def grouped(self) -> Grouped:
        """The values by (metric key, unit, slot)."""
        return {
            (checked.key, _UNITS[unit], slot): values
            for (checked, unit, slot), values in self._groups.items()
        }


def _unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _pairs(dims: Any) -> list[tuple[str, str]] | None:
    """The (Name, Value) pairs of a Dimensions list of two-member dicts of text, or None."""
    if dims is None:
        return []
    if type(dims) is not list or len(dims) > MAX_DIMENSIONS:
        return None
    pairs = []
    for entry in dims:
        if type(entry) is not dict or len(entry) != 2:
            return None
        name, value = entry.get("Name"), entry.get("Value")
        if type(name) is not str or type(value) is not str:
            return None
        pairs.append((name, value))
    return pairs


def read_values(
    data: Any, now: datetime, keys: KeyCache
) -> ValueBatch | None:
    """The checked, grouped single-value datums of a PutMetricData request, or None.

    Args:
        data: the request parameters (``Namespace`` and ``MetricData`` only).
        now: the virtual time of the call.
        keys: the keys checked by earlier calls.

    Returns:
        The batch when every datum is a plain single value that the general
        path accepts; None for anything else (the caller takes the general path).
    """
    if type(data) is not dict or len(data) != 2:
        return None
    entries = data.get("MetricData")
    namespace = data.get("Namespace")
    if type(entries) is not list or not 0 < len(entries) <= MAX_DATUMS:
        return None
    known = keys.namespace(namespace)
    if known is None or type(namespace) is not str:
        return None
    groups: dict[tuple[_Checked, str, int], dict[float, float]] = {}
    skewed: list[datetime] = []
    bounds = keys.bounds(now)
    try:
        text = _read_entries(entries, namespace, known, keys, bounds, groups, skewed)
    except (KeyError, TypeError):  # a required member absent; an unhashable name or unit
        return None
    if text is None or text > MAX_PUT_BYTES:
        return None  # invalid, or may be too large: the general path measures it exactly
    return ValueBatch(groups, skewed)


class _Bounds:
    """The call's time limits, as datetimes and as epoch seconds."""

    __slots__ = ("earliest", "hi", "latest", "lo", "now", "skew_hi", "skew_lo", "stamped")

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.earliest, self.latest = now - _PAST, now + _FUTURE
        self.lo, self.hi = self.earliest.timestamp(), self.latest.timestamp()
        self.skew_lo = (now - SKEW_LIMIT).timestamp()
        self.skew_hi = (now + SKEW_LIMIT).timestamp()
        self.stamped = math.floor(now.timestamp())

    def seconds(self, when: datetime | None) -> tuple[int | None, datetime | None]:
        """Epoch seconds of a datum's timestamp (None: absent or outside the limits),
        and the timestamp again when it may be over `SKEW_LIMIT` from now."""
        if when is None:
            return None, None
        if when.tzinfo is not UTC:
            when = to_datetime(when)
        epoch = when.timestamp()
        # Strictly inside in float seconds means inside in exact time.
        if not self.lo < epoch < self.hi and not self.earliest <= when <= self.latest:
            return None, None
        skewed = None if self.skew_lo < epoch < self.skew_hi else when
        return math.floor(epoch), skewed


def _read_entries(
    entries: list[Any],
    namespace: str,
    known: dict[tuple[Any, ...], _Checked],
    keys: KeyCache,
    bounds: _Bounds,
    groups: dict[tuple[_Checked, str, int], dict[float, float]],
    skewed: list[datetime],
) -> int | None:
    """Check and group `entries` into `groups`; the bound on their JSON text, or None."""
    stamped = bounds.stamped
    times: dict[datetime, int] = {}  # epoch seconds of the valid timestamps seen
    far: dict[datetime, datetime] = {}  # those perhaps over SKEW_LIMIT from now
    text = 100 + _ESCAPED * len(namespace)
    for entry in entries:
        if type(entry) is not dict:
            return None
        name = entry["MetricName"]
        value = entry["Value"]
        dims = entry.get("Dimensions")
        when = entry.get("Timestamp")
        unit = entry.get("Unit")
        resolution = entry.get("StorageResolution")
        if name is None or value is None:
            return None
        if len(entry) != 2 + (dims is not None) + (when is not None) + (
            unit is not None
        ) + (resolution is not None):
            return None  # an unknown member, or one given as None
        if dims is None:
            sign: tuple[Any, ...] = (name,)
        elif type(dims) is not list:
            return None
        elif len(dims) == 1 and type(dims[0]) is dict and len(dims[0]) == 2:
            sign = (name, dims[0]["Name"], dims[0]["Value"])
        else:
            sign = (name, *[tuple(e.items()) if type(e) is dict else None for e in dims])
        checked = known.get(sign)
        if checked is None:
            checked = keys.check(namespace, known, name, dims)
            if checked is None:
                return None
        text += checked.text  # with the rest of the datum's text
        if type(value) is float:
            if not -MAX_VALUE <= value <= MAX_VALUE:
                return None
        elif type(value) is int and -MAX_VALUE <= value <= MAX_VALUE:
            value = float(value)
        else:
            return None
        if unit is None:
            unit = "None"
        elif unit not in _UNITS:
            return None
        if resolution is None:
            resolution = 60
        elif type(resolution) is not int or (resolution != 60 and resolution != 1):
            return None
        seconds: int | None
        if when is None:
            seconds = stamped
        elif type(when) is datetime:
            seconds = times.get(when)
            if seconds is None:
                found = bounds.seconds(when)
                if found[0] is None:
                    return None
                seconds = times[when] = found[0]
                if found[1] is not None:
                    far[when] = found[1]
            if far and when in far:
                skewed.append(far[when])
        else:
            # Its JSON text: a Decimal may print with any number of digits.
            text += _ESCAPED * len(when if isinstance(when, str) else str(when))
            found = bounds.seconds(timestamp_of(when))
            if found[0] is None:
                return None
            seconds = found[0]
            if found[1] is not None:
                skewed.append(found[1])
        group = (checked, unit, seconds - seconds % resolution)
        values = groups.get(group)
        if values is None:
            groups[group] = {value: 1.0}
        else:
            values[value] = values.get(value, 0.0) + 1.0
    return text


def group_datums(datums: Sequence[MetricDatum], now: datetime) -> tuple[Grouped, list[MetricDatum]]:
    """Checked datums as `Grouped` values, and the datums that are not single values.

    A datum without a timestamp is stamped `now`.
    """
    grouped: Grouped = {}
    others = []
    stamped = math.floor(now.timestamp())
    for datum in datums:
        if datum.value is None:
            others.append(datum)
            continue
        seconds = stamped if datum.timestamp is None else math.floor(datum.timestamp.timestamp())
        group = (datum.key, datum.unit, seconds - seconds % datum.storage_resolution)
        values = grouped.setdefault(group, {})
        value = float(datum.value)
        values[value] = values.get(value, 0.0) + 1.0
    return grouped, others
