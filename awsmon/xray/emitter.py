"""The official ``aws-xray-sdk`` (Python), wired to a simulated X-Ray in-process.

- `SdkEmitter`: give it to the SDK's recorder
  (``xray_recorder.configure(emitter=cloud.xray.sdk_emitter())``) and every
  segment or streamed subsegment the SDK sends lands in the cloud as a
  PutTraceSegments call, without a socket. Calls made from another thread
  are queued like daemon datagrams and enter the cloud on the simulation's
  thread.
- `SdkSampler`: give it as ``sampler=`` and the SDK samples with this
  service's rules, the reservoir on the virtual clock and the cloud's seeded
  random source (`awsmon.xray.sampling.Sampler`), instead of polling a daemon
  from background threads.

The SDK stamps times with the process's clock: run it inside
``cloud.clock.drive_wall_clock()`` so its segments fall on the virtual
timeline.

This module does not import ``aws_xray_sdk``: both classes follow the duck
types the SDK's recorder calls (``send_entity``/``set_daemon_address``;
``should_trace``/``load_settings``/``load_local_rules``/``start``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from awsmon.xray.sampling import SamplingRequest

if TYPE_CHECKING:
    from awsmon.xray.host import XRayHost
    from awsmon.xray.sampling import Sampler

__all__ = ["SdkEmitter", "SdkSampler"]

_HEADER = b'{"format":"json","version":1}\n'


class _Entity(Protocol):
    def serialize(self) -> str: ...


class SdkEmitter:
    """An ``aws_xray_sdk`` emitter that puts the SDK's documents into a simulated X-Ray.

    Attributes:
        sent: how many documents the SDK sent.
    """

    def __init__(self, xray: XRayHost) -> None:
        self._xray = xray
        self._thread = threading.get_ident()
        self.sent = 0

    def send_entity(self, entity: _Entity) -> None:
        """Take one segment or subsegment from the SDK (its ``serialize()`` JSON)."""
        document = entity.serialize()
        self.sent += 1
        if threading.get_ident() != self._thread:
            self._xray.receive_datagram(_HEADER + document.encode())
            return
        self._xray.put_trace_segments([document])

    def set_daemon_address(self, address: str | None) -> None:
        """Ignored: nothing goes over the network."""


class SdkSampler:
    """An ``aws_xray_sdk`` sampler deciding with the simulated service's sampling rules."""

    def __init__(self, xray: XRayHost) -> None:
        self._xray = xray
        self._sampler: Sampler | None = None
        self._origin: str | None = None

    @property
    def sampler(self) -> Sampler:
        """The underlying `Sampler` (created on first use, with its clock jobs)."""
        if self._sampler is None:
            self._sampler = self._xray.sampler()
        return self._sampler

    def should_trace(self, sampling_req: Mapping[str, Any] | None = None) -> str | bool:
        """The SDK's question: the matched rule's name when sampled, else False."""
        req = dict(sampling_req or {})
        decision = self.sampler.should_sample(
            SamplingRequest(
                service_name=req.get("service"),
                service_type=req.get("service_type") or self._origin,
                host=req.get("host"),
                http_method=req.get("method"),
                url_path=req.get("path"),
            )
        )
        if decision.sampled:
            return decision.rule_name or True
        return False

    def load_settings(self, daemon_config: Any, context: Any, origin: str | None = None) -> None:
        """Remember the origin the SDK's plugins found (the rules' ServiceType)."""
        self._origin = origin

    def load_local_rules(self, rules: Any) -> None:
        """Ignored: the service's rules decide."""

    def start(self) -> None:
        """Nothing to start: reports and rule refreshes are clock jobs."""
