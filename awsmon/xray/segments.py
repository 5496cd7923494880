"""Segment documents: parsing and validation as PutTraceSegments does it.

`parse_documents` turns one element of ``TraceSegmentDocuments`` (a JSON
string, or an already-parsed mapping from the domain API) into accepted
`Segment` values and `Rejection` records; PutTraceSegments keeps the former
and returns the latter in ``UnprocessedTraceSegments``. A document may be a
segment, an in-progress segment, a subsegment sent on its own
(``"type": "subsegment"`` with ``trace_id`` and ``parent_id``) or a JSON array
of such subsegments.

Checks, in order (the first failure names the error code):

==============================  ==========================================
problem                         ``ErrorCode``
==============================  ==========================================
not JSON, not an object, >64 KB ``InvalidSegment``
``id`` absent / not 16 hex      ``MissingId`` / ``InvalidId``
``trace_id`` absent / malformed ``MissingTraceId`` / ``InvalidTraceId``
trace id time past retention    ``InvalidTraceId``
``name`` absent / bad chars     ``MissingName`` / ``InvalidName``
``start_time`` absent/not num   ``MissingStartTime`` / ``InvalidStartTime``
no ``end_time``, not in progress ``MissingEndTime`` (``InvalidEndTime``)
subsegment without parent       ``MissingParentId`` / ``InvalidParentId``
annotations not scalar / keys   ``InvalidAnnotations``
==============================  ==========================================

Nested subsegments are checked the same way (without ``trace_id``); a bad one
rejects the whole document with its code. Documents given parsed (the domain
API) are turned into compact JSON text first, so they get the same JSON and
size checks. A valid document can still be refused by its trace when the
trace is full (``InvalidSegment``, "Trace Size Exceeded. ...": see
`awsmon.xray.trace.TraceLimits`).

Simulation notes: AWS documents ``InvalidTraceId``, ``InvalidName``,
``MissingId`` and ``MissingEndTime``; the other codes are UNCONFIRMED and
follow the same naming. Trace ids whose time is older than the retention
period (30 days) are rejected (the developer guide shows this; the API
reference says the time is not validated), configurable through
`max_trace_age`. Subsegment names are only checked for length; segment names
must be Unicode letters, digits, whitespace or ``_ . : / % & # = + \\ - @``.

>>> accepted, rejected = parse_documents(
...     '{"name":"example.com","id":"70de5b6f19ff9a0a","start_time":1.478293361271E9,'
...     '"trace_id":"1-581cf771-a006649127e371903a2de979"}', now=1.4783e9)
>>> accepted, rejected[0].error_code, rejected[0].message
([], 'MissingEndTime', 'Invalid segment. ErrorCode: MissingEndTime')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from awsmon import jsondoc
from awsmon.xray.model import TRACE_ID_RE, Segment, trace_id_epoch
from awsmon.xray.nodes import NodeKey, inferred_key, is_call, segment_key
from awsmon.xray.trace_tree import ERROR, FAULT, OK, THROTTLE, status_of

__all__ = [
    "DIGEST_STRIDE",
    "MAX_DOCUMENT_BYTES",
    "MAX_TRACE_AGE_SECONDS",
    "TRACE_TOO_LARGE",
    "Rejection",
    "digest_of",
    "parse_documents",
    "valid_annotation_key",
]

#: Values per entity in a `Segment.digest`, after its leading "partial" flag.
DIGEST_STRIDE = 6

#: The largest segment document X-Ray accepts (64 KB).
MAX_DOCUMENT_BYTES = 64 * 1024
#: Trace data retention, also the oldest trace id time accepted (30 days).
MAX_TRACE_AGE_SECONDS = 30 * 86400
#: The message of a document rejected because its trace is full (aws-xray-sdk-python#309).
TRACE_TOO_LARGE = (
    "Trace Size Exceeded. Reduce the number of segments per trace and the size of your "
    "segment documents."
)

_NAME_PUNCTUATION = frozenset("_.:/%&#=+\\-@")
_ANNOTATION_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@frozen
class Rejection:
    """A document PutTraceSegments did not accept (an ``UnprocessedTraceSegments`` entry).

    Attributes:
        id: the document's id when it could be read, else None.
        error_code: ``MissingEndTime``, ``InvalidTraceId``, ...
        subsegment: True when the rejected entity is a subsegment.
    """

    id: str | None
    error_code: str
    subsegment: bool = False
    detail: str | None = None

    @property
    def message(self) -> str:
        """The message X-Ray gives: ``Invalid segment. ErrorCode: <code>`` (or `detail`)."""
        if self.detail is not None:
            return self.detail
        kind = "subsegment" if self.subsegment else "segment"
        return f"Invalid {kind}. ErrorCode: {self.error_code}"

    @classmethod
    def trace_too_large(cls, segment: Segment) -> Rejection:
        """The rejection of a document that does not fit in its trace (`TraceLimits`)."""
        return cls(segment.id, "InvalidSegment", segment.independent_subsegment, TRACE_TOO_LARGE)


class _Invalid(Exception):
    def __init__(self, code: str, entity_id: str | None, subsegment: bool) -> None:
        super().__init__(code)
        self.code = code
        self.entity_id = entity_id
        self.subsegment = subsegment


def valid_annotation_key(key: str) -> bool:
    """True when `key` is usable as an annotation key (ASCII letters, digits, ``_``).

    >>> valid_annotation_key("user_id"), valid_annotation_key("user-id")
    (True, False)
    """
    # For ASCII text, isalnum is exactly letters and digits.
    return 0 < len(key) <= 500 and key.isascii() and key.replace("_", "a").isalnum()


_GOOD_NAMES: set[str] = set()
_new_segment = tuple.__new__


_GOOD_TRACE_IDS: dict[str, int] = {}  # valid trace ids seen lately -> their epoch second


def _valid_name(name: str) -> bool:
    if name in _GOOD_NAMES:  # services send the same few names over and over
        return True
    valid = 0 < len(name) <= 200 and all(
        c.isalnum() or c.isspace() or c in _NAME_PUNCTUATION for c in name
    )
    if valid and len(_GOOD_NAMES) < 10_000:
        _GOOD_NAMES.add(name)
    return valid


def parse_documents(
    document: str | Mapping[str, Any] | list[Any],
    *,
    now: float,
    max_trace_age: float | None = MAX_TRACE_AGE_SECONDS,
) -> tuple[list[Segment], list[Rejection]]:
    """Parse and validate one ``TraceSegmentDocuments`` element.

    Args:
        document: the JSON text (or its parsed form).
        now: the current virtual time, epoch seconds (for the trace id age check).
        max_trace_age: the oldest trace id time accepted, in seconds before
            `now`; None accepts any.

    Returns:
        The accepted segments (each keeping its JSON text, not the parsed
        tree: see `Segment`) and the rejections.
    """
    if isinstance(document, str):
        text: str | None = document
        try:
            size = len(document) if document.isascii() else len(document.encode())
        except UnicodeEncodeError:  # a lone surrogate: no request can carry it
            return [], [Rejection(None, "InvalidSegment")]
        if size > MAX_DOCUMENT_BYTES:
            return [], [Rejection(None, "InvalidSegment")]
        try:
            parsed: Any = jsondoc.loads(document, constants=False)
        except ValueError:
            return [], [Rejection(None, "InvalidSegment")]
        if type(parsed) is dict:  # one document, the common case
            oldest = None if max_trace_age is None else now - max_trace_age
            try:
                return [_segment(parsed, oldest, document, size, array=False)], []
            except _Invalid as bad:
                return [], [Rejection(bad.entity_id, bad.code, bad.subsegment)]
    else:
        parsed, text, size = document, None, 0
    array = isinstance(parsed, list)
    items = parsed if array else [parsed]
    accepted: list[Segment] = []
    rejected: list[Rejection] = []
    oldest = None if max_trace_age is None else now - max_trace_age
    for item in items:
        try:
            if text is None or array:
                item_text, item_size = _dump(item, array)
            else:
                item_text, item_size = text, size
            segment = _segment(item, oldest, item_text, item_size, array=array)
            if text is None:  # given parsed: digest what processing will read back
                reread = jsondoc.loads(item_text)
                segment = segment._replace(
                    digest=digest_of(reread, segment.independent_subsegment)
                )
            accepted.append(segment)
        except _Invalid as bad:
            rejected.append(Rejection(bad.entity_id, bad.code, bad.subsegment))
    return accepted, rejected


def _dump(item: Any, array: bool) -> tuple[str, int]:
    """The compact JSON text of a parsed document (domain input, or one array element)."""
    try:
        text = json.dumps(item, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        entity_id = item.get("id") if isinstance(item, Mapping) else None
        raise _Invalid(
            "InvalidSegment", entity_id if isinstance(entity_id, str) else None, array
        ) from None
    size = len(text) if text.isascii() else len(text.encode())
    if size > MAX_DOCUMENT_BYTES:
        raise _Invalid("InvalidSegment", None, array)
    return text, size


def _segment(item: Any, oldest: float | None, text: str, size: int, *, array: bool) -> Segment:
    if not isinstance(item, dict):
        raise _Invalid("InvalidSegment", None, array)
    subsegment = array or item.get("type") == "subsegment"
    flat: list[Any] = []
    entity_id = _check_entity(item, subsegment, 0, flat)
    trace_id = item.get("trace_id")
    if trace_id is None:
        raise _Invalid("MissingTraceId", entity_id, subsegment)
    if not isinstance(trace_id, str):
        raise _Invalid("InvalidTraceId", entity_id, subsegment)
    epoch = _GOOD_TRACE_IDS.get(trace_id)
    if epoch is None:
        if TRACE_ID_RE.fullmatch(trace_id) is None:
            raise _Invalid("InvalidTraceId", entity_id, subsegment)
        if len(_GOOD_TRACE_IDS) >= 4096:  # the pieces of a trace arrive close together
            _GOOD_TRACE_IDS.clear()
        epoch = _GOOD_TRACE_IDS[trace_id] = trace_id_epoch(trace_id)
    if oldest is not None and epoch < oldest:
        raise _Invalid("InvalidTraceId", entity_id, subsegment)
    parent_id = item.get("parent_id")
    if parent_id is None:
        if subsegment:
            raise _Invalid("MissingParentId", entity_id, subsegment)
    elif not isinstance(parent_id, str) or not _is_entity_id(parent_id):
        raise _Invalid("InvalidParentId", entity_id, subsegment)
    digest = (None in flat[2::DIGEST_STRIDE], *flat)
    # Segment(id=..., ...) without its keyword parsing: the fields in order.
    fields = (entity_id, trace_id, item["name"], flat[1], flat[2], parent_id, subsegment)
    return _new_segment(Segment, (*fields, text, size, digest))


def digest_of(document: Mapping[str, Any], subsegment: bool) -> tuple[Any, ...]:
    """The digest of a stored (so valid) document: see `Segment.digest`."""
    flat: list[Any] = []
    _check_entity(document, subsegment, 0, flat)
    return (None in flat[2::DIGEST_STRIDE], *flat)


_HEX = "0123456789abcdefABCDEF"


def _is_entity_id(value: str) -> bool:
    """16 hex digits (``ENTITY_ID_RE``), without a regex call."""
    return len(value) == 16 and not value.strip(_HEX)


def _time(value: Any) -> float | None:
    """A document time as a float; None when it is not a number (or too large for one)."""
    if type(value) is float:
        return value
    if not _is_number(value):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def _check_entity(
    item: Mapping[str, Any],
    subsegment: bool,
    depth: int,
    flat: list[Any],
) -> str:
    """Check the fields every segment and subsegment has; returns the id.

    Appends the entity's digest (see `Segment.digest`) to `flat`, then its
    nested subsegments' (depth first): its id, start, end, outcome, node key
    and whether it is a nested call. The
    common types (str, float, dict) are tested first by identity: this runs
    for every entity uploaded.
    """
    get = item.get
    entity_id = get("id")
    if type(entity_id) is not str or len(entity_id) != 16 or entity_id.strip(_HEX):
        if entity_id is None:
            raise _Invalid("MissingId", None, subsegment)
        if not isinstance(entity_id, str) or not _is_entity_id(entity_id):
            raise _Invalid("InvalidId", None, subsegment)
    name = get("name")
    if name is None:
        raise _Invalid("MissingName", entity_id, subsegment)
    if not isinstance(name, str) or not (
        (0 < len(name) <= 250) if subsegment else (name in _GOOD_NAMES or _valid_name(name))
    ):
        raise _Invalid("InvalidName", entity_id, subsegment)
    raw_start: Any = get("start_time")
    start = raw_start if type(raw_start) is float else _time(raw_start)
    if start is None:
        code = "MissingStartTime" if raw_start is None else "InvalidStartTime"
        raise _Invalid(code, entity_id, subsegment)
    raw_end: Any = get("end_time")
    end = raw_end if type(raw_end) is float else None
    if end is None:
        if raw_end is None:
            if get("in_progress") is not True:
                raise _Invalid("MissingEndTime", entity_id, subsegment)
        else:
            end = _time(raw_end)
            if end is None:
                raise _Invalid("InvalidEndTime", entity_id, subsegment)
    if end is not None:
        if raw_end < raw_start:
            raise _Invalid("InvalidEndTime", entity_id, subsegment)
        if get("in_progress") is True:
            end = None
    if "annotations" in item:
        annotations = item["annotations"]
        if annotations is not None and not _valid_annotations(annotations):
            raise _Invalid("InvalidAnnotations", entity_id, subsegment)
    if "error" in item or "fault" in item or "throttle" in item:
        for flag in ("error", "fault", "throttle"):
            value = get(flag)
            if value is not None and not isinstance(value, bool):
                raise _Invalid("InvalidSegment", entity_id, subsegment)
        outcome = status_of(item)
    else:
        outcome = _http_outcome(get("http"))
    if not subsegment:
        key: NodeKey | None = segment_key(item)
        nested_call = False
    elif is_call(item):
        key = inferred_key(item, name)[0]
        nested_call = depth > 0  # a nested subsegment, not the document's own entity
    else:
        key, nested_call = None, False
    flat += (entity_id, start, end, outcome, key, nested_call)
    children = get("subsegments")
    if children is not None:
        if not isinstance(children, list) or depth > 64:
            raise _Invalid("InvalidSegment", entity_id, subsegment)
        for child in children:
            if not isinstance(child, dict):
                raise _Invalid("InvalidSegment", entity_id, True)
            try:
                _check_entity(child, True, depth + 1, flat)
            except _Invalid as bad:
                # The document is rejected as a whole: name the document's id,
                # and say the problem is in a subsegment.
                raise _Invalid(bad.code, entity_id, True) from None
    return entity_id


def _http_outcome(http: Any) -> int:
    """`status_of` for a document without error, fault or throttle flags."""
    if type(http) is not dict and not isinstance(http, dict):
        return OK
    response = http.get("response")
    if not isinstance(response, dict):
        return OK
    status = response.get("status")
    if type(status) is not int and (not isinstance(status, int) or isinstance(status, bool)):
        return OK
    if 500 <= status <= 599:
        return FAULT
    if status == 429:
        return THROTTLE
    if 400 <= status <= 499:
        return ERROR
    return OK


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _valid_annotations(annotations: Any) -> bool:
    if not isinstance(annotations, dict):
        return False
    for key, value in annotations.items():
        if not valid_annotation_key(key):
            return False
        if value is not None and not isinstance(value, str | int | float | bool):
            return False
    return True
