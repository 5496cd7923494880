"""The CloudWatch agent's EMF endpoint on loopback (aws-embedded-metrics' Agent/EC2 mode).

`AgentEndpoint.start` binds TCP and UDP sockets (loopback, port 25888 unless
told otherwise: the library's default ``tcp://127.0.0.1:25888``) and reads
on threads that only queue what arrives: over TCP, newline-separated JSON
documents per connection; over UDP, one or more per datagram. The documents
enter the simulation on its own thread, at the next clock move or API call,
as the X-Ray daemon's do (`awsmon.xray.daemon`): each becomes a log event in
the group and stream its ``_aws.LogGroupName`` / ``_aws.LogStreamName`` name
(created when missing, as the agent does; the library's default group is
``<service>-metrics`` and the stream the instance id here), written with
embedded-metric extraction, so its metrics reach CloudWatch.

Point the library at it with ``AWS_EMF_ENVIRONMENT=Agent`` (or EC2) and
``AWS_EMF_AGENT_ENDPOINT=tcp://127.0.0.1:<port>``.

Simulation notes: the event is stamped with the virtual now; the metrics
keep the document's ``_aws.Timestamp`` (the library's wall clock), which
PutLogEvents' EMF extraction reads as AWS does.
"""

from __future__ import annotations

import collections
import socket
import threading
from collections.abc import Callable
from typing import Any

from awsmon import jsondoc

__all__ = ["AgentEndpoint"]

_BUFFER = 64 * 1024


class AgentEndpoint:
    """A running TCP+UDP EMF listener feeding one agent's `deliver` callback.

    Attributes:
        host / port: where it listens (the same port for TCP and UDP).
        received: how many documents arrived so far.
    """

    def __init__(
        self,
        deliver: Callable[[str, str | None, str], None],
        tcp: socket.socket,
        udp: socket.socket,
        clock: Any,
        dispatcher: Any,
    ) -> None:
        self._deliver = deliver
        self._tcp, self._udp = tcp, udp
        self._clock, self._dispatcher = clock, dispatcher
        self.host, self.port = tcp.getsockname()[:2]
        self.received = 0
        self.arrived = threading.Event()
        self._inbox: collections.deque[str] = collections.deque()
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=target, name=f"awsmon-emf-{kind}-{self.port}", daemon=True)
            for kind, target in (("tcp", self._accept), ("udp", self._read_udp))
        ]
        clock.add_observer(self._on_time)
        dispatcher.before_call.append(self.pump)
        for thread in self._threads:
            thread.start()

    @classmethod
    def start(
        cls,
        deliver: Callable[[str, str | None, str], None],
        clock: Any,
        dispatcher: Any,
        host: str = "127.0.0.1",
        port: int = 25888,
    ) -> AgentEndpoint:
        """Bind TCP and UDP `host`:`port` (0: a free port for both) and start reading.

        Raises:
            OSError: the address is taken or not available.
        """
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, port))
            udp.bind((host, tcp.getsockname()[1]))
            tcp.listen()
        except OSError:
            tcp.close()
            udp.close()
            raise
        tcp.settimeout(0.05)
        udp.settimeout(0.05)
        return cls(deliver, tcp, udp, clock, dispatcher)

    @property
    def endpoint(self) -> str:
        """``tcp://host:port``, as ``AWS_EMF_AGENT_ENDPOINT`` spells it."""
        return f"tcp://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True until `stop`."""
        return not self._stopping.is_set()

    def _queue(self, text: str) -> None:
        for line in text.splitlines():
            if line.strip():
                self._inbox.append(line)
                self.received += 1
        self.arrived.set()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._read_tcp, args=(connection,), daemon=True).start()

    def _read_tcp(self, connection: socket.socket) -> None:
        pending = b""
        connection.settimeout(0.05)
        with connection:
            while not self._stopping.is_set():
                try:
                    chunk = connection.recv(_BUFFER)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                pending += chunk
                complete, _, pending = pending.rpartition(b"\n")
                if complete:
                    self._queue(complete.decode("utf-8", "replace"))
        if pending.strip():
            self._queue(pending.decode("utf-8", "replace"))

    def _read_udp(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._udp.recv(_BUFFER)
            except TimeoutError:
                continue
            except OSError:
                return
            self._queue(data.decode("utf-8", "replace"))

    def pump(self) -> None:
        """Bring the queued documents into the simulation (on the simulation's thread)."""
        while self._inbox:
            line = self._inbox.popleft()
            group, stream = _names(line)
            self._deliver(group, stream, line)

    def _on_time(self, _: object) -> None:
        self.pump()

    def stop(self) -> None:
        """Stop reading, close the sockets, and bring in what was received. Idempotent."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        for thread in self._threads:
            thread.join()
        self._tcp.close()
        self._udp.close()
        self._clock.remove_observer(self._on_time)
        if self.pump in self._dispatcher.before_call:
            self._dispatcher.before_call.remove(self.pump)
        self.pump()

    def __enter__(self) -> AgentEndpoint:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<CloudWatch agent EMF endpoint {self.endpoint} {state}, {self.received} documents>"


def _names(line: str) -> tuple[str, str | None]:
    """The (log group, log stream) an EMF document names in ``_aws`` (defaults when absent)."""
    try:
        document = jsondoc.loads(line)
    except ValueError:
        return "emf-unparsed", None
    meta = document.get("_aws") if isinstance(document, dict) else None
    if not isinstance(meta, dict):
        return "emf-unparsed", None
    group = meta.get("LogGroupName")
    stream = meta.get("LogStreamName")
    return (
        group if isinstance(group, str) and group else "aws-embedded-metrics",
        stream if isinstance(stream, str) and stream else None,
    )
