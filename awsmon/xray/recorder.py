"""A recorder for simulated applications: segments and subsegments as context managers.

`Recorder` (``cloud.xray.recorder("checkout")``) produces real segment
documents on the virtual clock, the way an X-Ray SDK would, and puts them
into the simulated X-Ray when each segment ends::

    api = cloud.xray.recorder("api", origin="AWS::EC2::Instance")
    db = cloud.xray.recorder("orders-db")
    with api.segment(method="POST", url="https://shop.example/orders") as request:
        request.annotate("customer", "c-42")
        with request.subsegment("orders-db", namespace="remote") as call:
            header = call.trace_header()            # X-Amzn-Trace-Id for the callee
            with db.segment(trace_header=header):   # the callee continues the trace
                cloud.clock.advance(0.02)
        request.respond(201)

An exception leaving a block is recorded (``cause.exceptions``, ``fault``)
and re-raised. Times come from the virtual clock, so advance it inside the
blocks to give them a duration.

Simulation notes: a recorder samples every request unless it is given a
`Sampler` (``sampler=cloud.xray.sampler()``) or the incoming header says
``Sampled=0``; unsampled requests still propagate their header but send
nothing, as the SDKs do.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from awsmon.xray.model import TraceHeader, trace_id_for
from awsmon.xray.sampling import Sampler, SamplingRequest

if TYPE_CHECKING:
    from awsmon.xray.host import XRayHost

__all__ = ["ActiveSegment", "ActiveSubsegment", "Recorder"]


class _Active:
    """What segments and subsegments share: annotations, metadata, http, errors."""

    def __init__(self, recorder: Recorder, doc: dict[str, Any], trace_id: str, sampled: bool):
        self._recorder = recorder
        self.doc = doc
        self.trace_id = trace_id
        self.sampled = sampled

    @property
    def id(self) -> str:
        """The 16-hex-digit id."""
        return str(self.doc["id"])

    def annotate(self, key: str, value: str | int | float | bool) -> None:
        """Add an indexed annotation (searchable with ``annotation.key``)."""
        self.doc.setdefault("annotations", {})[key] = value

    def metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        """Add unindexed metadata under `namespace`."""
        self.doc.setdefault("metadata", {}).setdefault(namespace, {})[key] = value

    def http_request(self, **fields: Any) -> None:
        """Set ``http.request`` fields (``method``, ``url``, ``user_agent``, ``client_ip``...)."""
        self.doc.setdefault("http", {}).setdefault("request", {}).update(fields)

    def respond(self, status: int, content_length: int | None = None) -> None:
        """Set the HTTP response status (and the error, throttle or fault flag it implies)."""
        response = self.doc.setdefault("http", {}).setdefault("response", {})
        response["status"] = status
        if content_length is not None:
            response["content_length"] = content_length
        if status == 429:
            self.doc["throttle"] = True
        if 400 <= status <= 499:
            self.doc["error"] = True
        elif 500 <= status <= 599:
            self.doc["fault"] = True

    def record_exception(self, error: BaseException, *, remote: bool = False) -> None:
        """Record `error` in ``cause.exceptions`` and set the fault flag."""
        stack = [
            {"path": frame.filename, "line": frame.lineno, "label": frame.name}
            for frame in traceback.extract_tb(error.__traceback__)
        ][-50:]
        cause = self.doc.setdefault("cause", {"exceptions": []})
        cause["exceptions"].append(
            {
                "id": self._recorder._ids(),
                "message": str(error),
                "type": type(error).__name__,
                "remote": remote,
                "stack": stack,
            }
        )
        self.doc["fault"] = True

    @contextmanager
    def subsegment(
        self,
        name: str,
        *,
        namespace: str | None = None,
        aws: Mapping[str, Any] | None = None,
        sql: Mapping[str, Any] | None = None,
        http: Mapping[str, Any] | None = None,
    ) -> Iterator[ActiveSubsegment]:
        """Time a unit of work or a downstream call inside this one.

        Args:
            name: the operation (or, for a call, the callee's name: ``DynamoDB``).
            namespace: ``aws`` for AWS SDK calls, ``remote`` for other calls.
            aws, sql, http: the subsegment's blocks.
        """
        doc: dict[str, Any] = {
            "id": self._recorder._ids(),
            "name": name,
            "start_time": self._recorder._now(),
        }
        for key, value in (("namespace", namespace), ("aws", aws), ("sql", sql), ("http", http)):
            if value is not None:
                doc[key] = dict(value) if isinstance(value, Mapping) else value
        sub = ActiveSubsegment(self._recorder, doc, self.trace_id, self.sampled)
        try:
            yield sub
        except BaseException as error:
            sub.record_exception(error, remote=namespace in ("aws", "remote"))
            raise
        finally:
            doc["end_time"] = self._recorder._now()
            self.doc.setdefault("subsegments", []).append(doc)


class ActiveSubsegment(_Active):
    """A subsegment being recorded."""

    def trace_header(self) -> TraceHeader:
        """The ``X-Amzn-Trace-Id`` to send with a call made from this subsegment."""
        return TraceHeader(root=self.trace_id, parent=self.id, sampled="1" if self.sampled else "0")


class ActiveSegment(_Active):
    """A segment being recorded (one request served by the application)."""

    def set_user(self, user: str) -> None:
        """Name the user of the request (searchable with ``user = "..."``)."""
        self.doc["user"] = user

    def trace_header(self) -> TraceHeader:
        """The ``X-Amzn-Trace-Id`` to send with a call made outside any subsegment."""
        return TraceHeader(root=self.trace_id, parent=self.id, sampled="1" if self.sampled else "0")


class Recorder:
    """Records the requests a simulated application named `service_name` serves.

    Args:
        xray: the service the segments go to.
        service_name: the segment name.
        origin: the segment ``origin`` (``AWS::EC2::Instance`` ...), if any.
        aws: the segment's ``aws`` block (account, ec2 ...), if any.
        sampler: decide with these sampling rules (default: sample everything).
    """

    def __init__(
        self,
        xray: XRayHost,
        service_name: str,
        *,
        origin: str | None = None,
        aws: Mapping[str, Any] | None = None,
        sampler: Sampler | None = None,
    ) -> None:
        self._xray = xray
        self.service_name = service_name
        self.origin = origin
        self.aws = dict(aws) if aws else None
        self.sampler = sampler

    def _now(self) -> float:
        return self._xray.ctx.clock.time()

    def _ids(self) -> str:
        return self._xray.ctx.ids.hex(16)

    @contextmanager
    def segment(
        self,
        *,
        trace_header: TraceHeader | str | None = None,
        method: str | None = None,
        url: str | None = None,
        host: str | None = None,
        user: str | None = None,
    ) -> Iterator[ActiveSegment]:
        """Record one request: a segment from entering the block to leaving it.

        Args:
            trace_header: the incoming ``X-Amzn-Trace-Id`` (a `TraceHeader` or
                its text): continue that trace, under that parent, with its
                sampling decision.
            method, url: the HTTP request (also used by the sampling rules).
            host: the Host header, for the sampling rules.
            user: the user of the request.
        """
        header = TraceHeader.parse(trace_header) if isinstance(trace_header, str) else trace_header
        now = self._xray.ctx.now()
        trace_id = header.root if header else trace_id_for(self._xray.ctx.ids, now)
        sampled = self._decide(header, method, url, host)
        doc: dict[str, Any] = {
            "id": self._ids(),
            "name": self.service_name,
            "trace_id": trace_id,
            "start_time": self._now(),
        }
        if header is not None and header.parent is not None:
            doc["parent_id"] = header.parent
        if self.origin is not None:
            doc["origin"] = self.origin
        if self.aws is not None:
            doc["aws"] = dict(self.aws)
        segment = ActiveSegment(self, doc, trace_id, sampled)
        if method is not None or url is not None:
            segment.http_request(**{k: v for k, v in (("method", method), ("url", url)) if v})
        if user is not None:
            segment.set_user(user)
        try:
            yield segment
        except BaseException as error:
            segment.record_exception(error)
            raise
        finally:
            doc["end_time"] = self._now()
            if sampled:
                self._xray.put_trace_segments([doc])

    def _decide(
        self, header: TraceHeader | None, method: str | None, url: str | None, host: str | None
    ) -> bool:
        if header is not None and header.sampled in ("0", "1"):
            return header.sampled == "1"
        if self.sampler is None:
            return True
        path = None
        if url is not None:
            rest = url.split("://", 1)[-1]
            path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
            path = path.split("?", 1)[0]
        decision = self.sampler.should_sample(
            SamplingRequest(
                service_name=self.service_name,
                service_type=self.origin,
                host=host,
                http_method=method,
                url_path=path,
            )
        )
        return decision.sampled
