"""Embedded Metric Format: metrics carried inside JSON log events.

A log event whose message is a JSON object with an ``_aws`` member describing
its metrics (CloudWatch_Embedded_Metric_Format_Specification.html) becomes
CloudWatch metrics when it is ingested the EMF way (the ``x-amzn-logs-format:
json/emf`` header, the CloudWatch agent, Lambda)::

    {"_aws": {"Timestamp": 1574109732004,
              "CloudWatchMetrics": [{"Namespace": "lambda-function-metrics",
                                     "Dimensions": [["functionVersion"]],
                                     "Metrics": [{"Name": "time", "Unit": "Milliseconds"}]}]},
     "functionVersion": "$LATEST", "time": 100}

Each directive × each dimension set × each metric definition gives one
metric: the namespace, the metric name, the dimensions read from the root
members the set names, the value (a number, or a list of up to 100 numbers)
from the root member of the metric's name, its unit and storage resolution,
at ``Timestamp``. A directive with ``"Dimensions": []`` (what
``aws-embedded-metrics`` writes after ``reset_dimensions(False)``) publishes
without dimensions.

`extract` validates a document against the specification's rules and
limits and returns its `EmfDatum` list, or raises `EmfError` saying why;
an invalid document publishes nothing, and the log event is stored anyway.

Simulation notes: one invalid directive invalidates the whole event (AWS:
UNCONFIRMED); Lambda's text before the JSON object is skipped; the rejected
documents are kept in `CloudWatchLogs.emf_rejections` (AWS counts them in
metrics whose names are UNCONFIRMED).

>>> doc = '{"_aws":{"Timestamp":1574109732004,"CloudWatchMetrics":[{"Namespace":"ns",'
>>> doc += '"Dimensions":[["fn"]],"Metrics":[{"Name":"time","Unit":"Milliseconds"}]}]},'
>>> doc += '"fn":"$LATEST","time":100,"requestId":"r"}'
>>> [(d.namespace, d.name, d.dimensions, d.values, d.unit.value) for d in extract(doc)]
[('ns', 'time', (('fn', '$LATEST'),), (100.0,), 'Milliseconds')]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attrs import frozen

from awsmon import jsondoc, registry
from awsmon.cloudwatch import MetricKey, StandardUnit
from awsmon.errors import ServiceError
from awsmon.logs.model import from_millis

if TYPE_CHECKING:
    from awsmon.logs._core import LogsCore

__all__ = ["EmfDatum", "EmfError", "extract", "publish_emf"]

MAX_METRICS_PER_DIRECTIVE = 100
MAX_DIMENSIONS_PER_SET = 30
MAX_VALUES = 100
MAX_NAME = 1024
MAX_DIMENSION_KEY = 250
MAX_DIMENSION_VALUE = 1024

_UNITS = {unit.value: unit for unit in StandardUnit}


class EmfError(ValueError):
    """Why a document is not valid EMF (the log event is stored, no metric published)."""


@frozen
class EmfDatum:
    """One metric an EMF document publishes."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    values: tuple[float, ...]
    unit: StandardUnit
    storage_resolution: int
    timestamp_ms: int


def _document(message: str) -> dict[str, Any] | None:
    """The JSON object in `message` (after any Lambda prefix), or None when there is none."""
    start = message.find("{")
    if start < 0:
        return None
    try:
        found = jsondoc.loads(message[start:] if start else message)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def is_emf(message: str) -> bool:
    """True when `message` is a JSON object with an ``_aws`` member (valid or not)."""
    return '"_aws"' in message and (_document(message) or {}).get("_aws") is not None


def _string(value: Any, what: str, maximum: int = MAX_NAME) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > maximum:
        raise EmfError(f"{what} must be a non-blank string of at most {maximum} characters")
    return value


def _numbers(value: Any, name: str) -> tuple[float, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > MAX_VALUES:
        raise EmfError(f"metric {name!r} must have 1 to {MAX_VALUES} values")
    numbers = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(item):
            raise EmfError(f"metric {name!r} has a value that is not a finite number: {item!r}")
        numbers.append(float(item))
    return tuple(numbers)


def extract(message: str) -> list[EmfDatum]:
    """The metrics an EMF log message publishes.

    Raises:
        EmfError: the message is not JSON, has no valid ``_aws`` member, or
            breaks a rule or limit of the specification.
    """
    document = _document(message)
    if document is None:
        raise EmfError("the message is not a JSON object")
    meta = document.get("_aws")
    if not isinstance(meta, dict):
        raise EmfError("the _aws member is missing or not an object")
    timestamp = meta.get("Timestamp")
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float) or timestamp < 0:
        raise EmfError("_aws.Timestamp must be a non-negative number of epoch milliseconds")
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(directives, list):
        raise EmfError("_aws.CloudWatchMetrics must be an array")
    found: list[EmfDatum] = []
    for directive in directives:
        found.extend(_directive(document, directive, int(timestamp)))
    return found


def _directive(document: dict[str, Any], directive: Any, timestamp: int) -> list[EmfDatum]:
    if not isinstance(directive, dict):
        raise EmfError("each CloudWatchMetrics entry must be an object")
    namespace = _string(directive.get("Namespace"), "Namespace")
    dimension_sets = directive.get("Dimensions")
    metrics = directive.get("Metrics")
    if not isinstance(dimension_sets, list) or not isinstance(metrics, list):
        raise EmfError("Dimensions and Metrics must be arrays")
    if len(metrics) > MAX_METRICS_PER_DIRECTIVE:
        raise EmfError(f"a directive may define at most {MAX_METRICS_PER_DIRECTIVE} metrics")
    resolved_sets: list[tuple[tuple[str, str], ...]] = []
    for dimension_set in dimension_sets or [[]]:
        if not isinstance(dimension_set, list) or len(dimension_set) > MAX_DIMENSIONS_PER_SET:
            raise EmfError(f"a dimension set is an array of at most {MAX_DIMENSIONS_PER_SET} keys")
        pairs = []
        for key in dimension_set:
            _string(key, "a dimension key", MAX_DIMENSION_KEY)
            value = document.get(key)
            if not isinstance(value, str) or len(value) > MAX_DIMENSION_VALUE:
                raise EmfError(f"dimension {key!r} must be a string member of the root")
            pairs.append((key, value))
        resolved_sets.append(tuple(pairs))
    found = []
    for definition in metrics:
        if not isinstance(definition, dict):
            raise EmfError("each metric definition must be an object")
        name = _string(definition.get("Name"), "a metric Name")
        unit = _UNITS.get(definition.get("Unit", "None"))
        if unit is None:
            raise EmfError(f"metric {name!r} has an unknown Unit {definition.get('Unit')!r}")
        resolution = definition.get("StorageResolution", 60)
        if resolution not in (1, 60) or isinstance(resolution, bool):
            raise EmfError(f"metric {name!r} has StorageResolution {resolution!r} (1 or 60)")
        if name not in document:
            raise EmfError(f"metric {name!r} has no member of that name on the root")
        values = _numbers(document[name], name)
        for dims in resolved_sets:
            found.append(EmfDatum(namespace, name, dims, values, unit, int(resolution), timestamp))
    return found


def publish_emf(logs: LogsCore, times: Sequence[int], messages: Sequence[str]) -> int:
    """Publish the EMF metrics of a batch into CloudWatch; return how many datapoints.

    Invalid documents are appended to ``logs.emf_rejections`` as
    ``(message, reason)`` and publish nothing.
    """
    try:
        registry.spec("cloudwatch")
    except KeyError:
        return 0
    cloudwatch = logs.ctx.sibling("cloudwatch")
    rejections = getattr(logs, "emf_rejections", None)
    published = 0
    for message in messages:
        if '"_aws"' not in message:
            continue
        try:
            data = extract(message)
            for datum in data:
                logs.ctx.check_skew("an EMF document's _aws.Timestamp", datum.timestamp_ms / 1000)
                when = from_millis(datum.timestamp_ms)
                cloudwatch.publish(
                    MetricKey.of(datum.namespace, datum.name, datum.dimensions),
                    [(when, value) for value in datum.values],
                    unit=datum.unit,
                    storage_resolution=datum.storage_resolution,
                )
                published += len(datum.values)
        except (EmfError, ServiceError) as error:
            if rejections is not None:
                rejections.append((message, str(error)))
    return published
