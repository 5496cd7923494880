"""X-Ray value objects and enums: segments, trace ids, trace headers, groups, encryption.

Main names:

- `Segment`: one validated segment document (a segment, or a subsegment sent
  on its own), with its JSON text kept (`Segment.document` parses it).
- `TraceHeader`: the ``X-Amzn-Trace-Id`` header, parsed and rendered as the
  SDKs do (unknown fields kept).
- `trace_id_for`, `trace_id_epoch`: X-Ray trace ids and the request time they
  carry (``1-58406520-…`` is 1480615200).
- `Group`, `InsightsConfiguration`, `EncryptionConfig`, `ServiceId` and the
  enums `TimeRangeType`, `SamplingStrategyName`, `EncryptionType`,
  `EncryptionStatus`.

>>> trace_id_epoch("1-58406520-a006649127e371903a2de979")
1480615200
>>> str(TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1;Foo=bar"))
'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1;Foo=bar'
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from attrs import field, frozen

from awsmon import jsondoc

if TYPE_CHECKING:
    from awsmon.ids import IdFactory

__all__ = [
    "EncryptionConfig",
    "EncryptionStatus",
    "EncryptionType",
    "Group",
    "InsightsConfiguration",
    "SamplingStrategyName",
    "Segment",
    "ServiceId",
    "TimeRangeType",
    "TraceHeader",
    "epoch_to_datetime",
    "trace_id_epoch",
    "trace_id_for",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: An X-Ray trace id: version 1, 8 hex digits of epoch seconds, 24 random hex digits.
TRACE_ID_RE = re.compile(r"1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}")
#: A 64-bit segment, subsegment or exception id: 16 hex digits.
ENTITY_ID_RE = re.compile(r"[0-9a-fA-F]{16}")




def epoch_to_datetime(seconds: float) -> datetime:
    """An aware UTC datetime from epoch seconds (X-Ray's document time format)."""
    return _EPOCH + timedelta(seconds=seconds)


def trace_id_epoch(trace_id: str) -> int:
    """The epoch second a trace id carries (its 8-hex-digit middle part)."""
    return int(trace_id[2:10], 16)


def trace_id_for(ids: IdFactory, when: datetime) -> str:
    """A new trace id for a request at `when`, its random part from `ids` (seeded)."""
    seconds = int((when - _EPOCH).total_seconds())
    return f"1-{seconds:08x}-{ids.hex(24)}"


class TimeRangeType(enum.Enum):
    """What GetTraceSummaries' time range applies to."""

    TRACE_ID = "TraceId"  #: the request time in the trace id (the default)
    EVENT = "Event"  #: when the trace was last updated (a segment received)
    SERVICE = "Service"  #: the end time of a segment


class SamplingStrategyName(enum.Enum):
    """How GetTraceSummaries samples its result when asked to."""

    PARTIAL_SCAN = "PartialScan"
    FIXED_RATE = "FixedRate"


class EncryptionType(enum.Enum):
    """How X-Ray encrypts trace data at rest."""

    NONE = "NONE"
    KMS = "KMS"


class EncryptionStatus(enum.Enum):
    """Whether an encryption change is still being applied."""

    UPDATING = "UPDATING"
    ACTIVE = "ACTIVE"


@frozen(kw_only=True)
class EncryptionConfig:
    """The account's encryption settings (GetEncryptionConfig).

    Attributes:
        type: NONE (X-Ray's own keys) or KMS.
        key_id: the KMS key (id, alias or ARN) when `type` is KMS.
        status: UPDATING right after a change, ACTIVE once applied.
    """

    type: EncryptionType = EncryptionType.NONE
    key_id: str | None = None
    status: EncryptionStatus = EncryptionStatus.ACTIVE


@frozen(kw_only=True)
class InsightsConfiguration:
    """A group's X-Ray Insights settings."""

    insights_enabled: bool = False
    notifications_enabled: bool = False


@frozen(kw_only=True)
class Group:
    """A named filter expression over traces (CreateGroup).

    Attributes:
        name: 1–32 characters, letters, digits and ``-``; ``Default`` is the
            built-in group of every trace.
        arn: ``arn:aws:xray:{region}:{account}:group/{name}/{id}``.
        filter_expression: the expression incoming traces are tested against,
            or None (``Default``, or a group without one: every trace).
        insights: the Insights settings.
        version: increases with every change of the filter expression.
        tags: the group's tags.
    """

    name: str
    arn: str
    filter_expression: str | None = None
    insights: InsightsConfiguration = InsightsConfiguration()
    version: int = 1
    tags: Mapping[str, str] = field(factory=dict)


@frozen
class ServiceId:
    """A service node's identity in a trace: name, type and account."""

    name: str
    type: str | None = None
    account_id: str | None = None


class Segment(NamedTuple):
    """One accepted segment document: a segment, or a subsegment sent on its own.

    Attributes:
        id: the 16-hex-digit id.
        trace_id: the trace it belongs to.
        name: the service (segment) or operation (subsegment) name.
        start_time: epoch seconds.
        end_time: epoch seconds, None while in progress.
        parent_id: the caller's subsegment (segments) or the parent
            (independent subsegments), if any.
        independent_subsegment: True for a ``"type": "subsegment"`` document.
        text: the JSON document as received (compact JSON for a document given
            parsed, or for one element of an array document).
        size: the size of `text` in bytes (UTF-8), what counts against the
            document and trace size limits.
        digest: what processing reads of the document, taken while it was
            validated: one flat tuple, ``(partial, *entity, *entity, ...)``,
            whether any entity is in progress, then for each entity (the
            document's own, then its nested subsegments depth first) six
            values, ``id, start, end, outcome, node key, nested call`` (end
            None while in progress; the outcome as
            `awsmon.xray.trace_tree.status_of` gives it; the node key is the
            segment's node for a segment document's own entity, the inferred
            node for a subsegment that calls another node, else None: see
            `awsmon.xray.nodes`; nested call True for a nested subsegment that
            calls another node). Only strings, numbers and shared key tuples:
            the cycle collector stops tracking it at once. None when not taken
            (`awsmon.xray.segments.digest_of` computes it).

    The JSON text is kept rather than the parsed tree: strings cost the
    garbage collector nothing, and a day of traces holds millions of parsed
    dicts otherwise; `document` parses it again when a view is built.

    A named tuple rather than an attrs class: one is made for every document
    uploaded, and a frozen attrs instance costs five times as much to make.
    As before, two segments are equal when their fields other than `text`,
    `size` and `digest` are; construct them with keywords.
    """

    id: str
    trace_id: str
    name: str
    start_time: float
    end_time: float | None
    parent_id: str | None
    independent_subsegment: bool
    text: str
    size: int = 0
    digest: tuple[Any, ...] | None = None

    def __eq__(self, other: object) -> bool:
        if type(other) is not Segment:
            return NotImplemented
        return self[:7] == other[:7]

    def __ne__(self, other: object) -> bool:
        if type(other) is not Segment:
            return NotImplemented
        return self[:7] != other[:7]

    def __hash__(self) -> int:
        return hash(self[:7])

    def __repr__(self) -> str:
        return (
            f"Segment(id={self.id!r}, trace_id={self.trace_id!r}, name={self.name!r}, "
            f"start_time={self.start_time!r}, end_time={self.end_time!r}, "
            f"parent_id={self.parent_id!r}, independent_subsegment={self.independent_subsegment!r})"
        )

    @property
    def document(self) -> dict[str, Any]:
        """The parsed document (a new dict at every call)."""
        parsed: dict[str, Any] = jsondoc.loads(self.text)
        return parsed

    @property
    def in_progress(self) -> bool:
        """True while the document has no end time."""
        return self.end_time is None

    @property
    def started_at(self) -> datetime:
        """`start_time` as an aware datetime."""
        return epoch_to_datetime(self.start_time)

    @property
    def ended_at(self) -> datetime | None:
        """`end_time` as an aware datetime, None while in progress."""
        return None if self.end_time is None else epoch_to_datetime(self.end_time)


@frozen(kw_only=True)
class TraceHeader:
    """The ``X-Amzn-Trace-Id`` tracing header.

    Parsing follows the SDKs: fields split on ``;`` then on ``=``; unknown
    fields are kept in order and rendered after Root, Parent and Sampled; a
    header without a valid ``Root`` is treated as absent (`parse` returns None).

    Attributes:
        root: the trace id.
        parent: the caller's segment or subsegment id, if any.
        sampled: ``"1"``, ``"0"``, ``"?"`` (the callee decides) or None.
        extra: the other fields (``Lineage``, ``Self``, custom ones), in order.

    >>> h = TraceHeader.parse(
    ...     "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?")
    >>> h.parent, h.sampled, h.sampling_requested
    ('53995c3f42cd8ad8', '?', True)
    >>> TraceHeader.parse("garbage") is None
    True
    """

    root: str
    parent: str | None = None
    sampled: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> TraceHeader | None:
        """The header `text` spells, or None when it is absent or malformed."""
        if not text:
            return None
        fields: dict[str, str] = {}
        extra: list[tuple[str, str]] = []
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            if not sep:
                return None
            if key in ("Root", "Parent", "Sampled"):
                fields[key] = value
            else:
                extra.append((key, value))
        root = fields.get("Root")
        if root is None or TRACE_ID_RE.fullmatch(root) is None:
            return None
        parent = fields.get("Parent")
        if parent is not None and ENTITY_ID_RE.fullmatch(parent) is None:
            return None
        sampled = fields.get("Sampled")
        if sampled not in (None, "0", "1", "?"):
            sampled = None
        return cls(root=root, parent=parent, sampled=sampled, extra=tuple(extra))

    @property
    def sampling_requested(self) -> bool:
        """True for ``Sampled=?``: the caller asks the callee to decide."""
        return self.sampled == "?"

    def __str__(self) -> str:
        parts = [f"Root={self.root}"]
        if self.parent is not None:
            parts.append(f"Parent={self.parent}")
        if self.sampled is not None:
            parts.append(f"Sampled={self.sampled}")
        parts.extend(f"{key}={value}" for key, value in self.extra)
        return ";".join(parts)
