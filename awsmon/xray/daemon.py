"""The X-Ray daemon's UDP protocol, served by the simulation.

`DaemonHandle.start` binds a UDP socket (loopback unless told otherwise) and
starts one reader thread that only queues the datagrams it receives
(`XRay.receive_datagram`). The documents enter the cloud on the simulation's
own thread, as the daemon would upload them (PutTraceSegments, up to 50 per
call): at the next X-Ray call, and every whole second of virtual time while
the daemon runs (a clock job), so a run stays deterministic whatever the
thread timing. A datagram is ``header "\\n" document``; a header other than
``{"format": "json", "version": 1}`` (format compared case-insensitively),
or a missing document, drops the datagram (kept in
`XRay.daemon_rejections`, as the real daemon logs it).

Any X-Ray SDK pointed at the address (``AWS_XRAY_DAEMON_ADDRESS`` or
``daemon_address``) sends here. ``python -m awsmon xray-daemon`` runs one
from the command line (`main`).

Simulation notes: the daemon's TCP proxy for the sampling APIs is not
served; give the SDK `XRay.sdk_sampler` (or ``sampling=False``) instead.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from awsmon.cloud import Cloud

if TYPE_CHECKING:
    from awsmon.xray.host import XRayHost

__all__ = ["DaemonHandle", "main"]

#: The largest datagram the daemon reads (its receive buffer, 64 KB).
BUFFER_BYTES = 64 * 1024


class DaemonHandle:
    """A running UDP listener feeding one `XRay` service.

    Attributes:
        host: the address it is bound to.
        port: the port it is bound to (useful when started with port 0).
        received: how many datagrams arrived so far.
    """

    def __init__(self, xray: XRayHost, sock: socket.socket) -> None:
        self._xray = xray
        self._socket = sock
        self.host, self.port = sock.getsockname()[:2]
        self.received = 0
        self.arrived = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._read, name=f"awsmon-xray-daemon-{self.port}", daemon=True
        )
        # Received documents enter the simulation on its own thread: at the next
        # move of the clock or the next API call, whichever comes first.
        xray.ctx.clock.add_observer(self._on_time)
        xray.ctx.cloud.dispatcher.before_call.append(xray.pump_datagrams)
        self._thread.start()

    @classmethod
    def start(cls, xray: XRayHost, host: str = "127.0.0.1", port: int = 2000) -> DaemonHandle:
        """Bind UDP `host`:`port` (0: a free port) and start reading.

        Raises:
            OSError: the address is taken or not available.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        sock.settimeout(0.05)
        return cls(xray, sock)

    @property
    def address(self) -> str:
        """``host:port``, as ``AWS_XRAY_DAEMON_ADDRESS`` spells it."""
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True until `stop`."""
        return not self._stopping.is_set()

    def _read(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._socket.recv(BUFFER_BYTES)
            except TimeoutError:
                continue
            except OSError:
                return
            self._xray.receive_datagram(data)
            self.received += 1
            self.arrived.set()

    def stop(self) -> None:
        """Stop reading, close the socket, and bring in what was received. Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._thread.join()
        self._socket.close()
        self._xray.ctx.clock.remove_observer(self._on_time)
        hooks = self._xray.ctx.cloud.dispatcher.before_call
        if self._xray.pump_datagrams in hooks:
            hooks.remove(self._xray.pump_datagrams)
        self._xray.pump_datagrams()

    def _on_time(self, _: object) -> None:
        self._xray.pump_datagrams()

    def __enter__(self) -> DaemonHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<X-Ray daemon {self.address} {state}, {self.received} datagrams>"


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    """``python -m awsmon xray-daemon``: serve the daemon protocol and print what arrives.

    Each accepted segment document prints one line (trace id, id, name) and
    each rejected one its error code. Stops on Ctrl-C, or after
    ``--max-datagrams``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m awsmon xray-daemon",
        description="An X-Ray daemon (UDP) answering from a simulated cloud.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=2000, help="UDP port (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulation")
    parser.add_argument("--max-datagrams", type=int, default=None, help="stop after N datagrams")
    args = parser.parse_args(argv)
    stream = out or sys.stdout
    cloud = Cloud(seed=args.seed)
    xray: XRayHost = cloud.xray
    # Documents carry the SDK's wall-clock times; accept any trace id time.
    xray.max_trace_age = None
    daemon = DaemonHandle.start(xray, args.host, args.port)
    print(f"X-Ray daemon listening on udp {daemon.address}", file=stream, flush=True)
    shown = 0
    try:
        while args.max_datagrams is None or daemon.received < args.max_datagrams:
            daemon.arrived.wait()
            daemon.arrived.clear()
            shown = _show(xray, shown, stream)
    except KeyboardInterrupt:
        pass
    finally:
        daemon.stop()
        _show(xray, shown, stream)
    return 0


def _show(xray: XRayHost, shown: int, stream: IO[str]) -> int:
    xray.pump_datagrams()
    for text, rejection in xray.daemon_rejections:
        if rejection is None:
            print(f"dropped datagram: {text[:80]!r}", file=stream)
        else:
            print(f"rejected {rejection.id}: {rejection.error_code}", file=stream)
    xray.daemon_rejections.clear()
    records = list(xray.store.records.values())
    segments = [s for r in records for s in r.documents()]
    for segment in segments[shown:]:
        print(f"{segment.trace_id} {segment.id} {segment.name}", file=stream, flush=True)
    return len(segments)
