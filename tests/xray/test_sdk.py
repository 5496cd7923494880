"""The official aws-xray-sdk against the simulation: in-process emitter and UDP daemon.

The SDK stamps wall-clock times; `drive_wall_clock()` makes them follow the
virtual clock, so its segments land on the virtual timeline.
"""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aws_xray_sdk.core import AWSXRayRecorder
from aws_xray_sdk.core.emitters.udp_emitter import UDPEmitter

from awsmon import Cloud
from awsmon.xray.daemon import DaemonHandle, main


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    cloud = Cloud()
    with cloud.clock.drive_wall_clock():
        yield cloud


def checkout(recorder: AWSXRayRecorder, cloud: Cloud) -> str:
    """One request: an annotated segment with a failing remote call, 0.3 s virtual."""
    segment = recorder.begin_segment("checkout-service")
    segment.put_annotation("tenant", "acme")
    segment.put_http_meta("method", "POST")
    segment.put_http_meta("url", "https://shop.example/checkout")
    sub = recorder.begin_subsegment("payments.example", namespace="remote")
    cloud.clock.advance(0.2)
    sub.put_http_meta("status", 503)
    recorder.end_subsegment()
    cloud.clock.advance(0.1)
    segment.put_http_meta("status", 502)
    recorder.end_segment()
    return str(segment.trace_id)


def sdk_recorder(**options: object) -> AWSXRayRecorder:
    recorder = AWSXRayRecorder()
    recorder.configure(context_missing="LOG_ERROR", **options)  # type: ignore[arg-type]
    return recorder


def test_in_process_emitter(cloud: Cloud) -> None:
    """The SDK's segments land in the cloud on the virtual timeline, no socket needed."""
    recorder = sdk_recorder(emitter=cloud.xray.sdk_emitter(), sampling=False)
    trace_id = checkout(recorder, cloud)
    now = cloud.clock.now()
    page = cloud.xray.get_trace_summaries(
        now - timedelta(minutes=1), now, filter_expression='service("checkout-service") { fault }'
    )
    [view] = page.traces
    assert view.trace_id == trace_id
    assert view.response_time == pytest.approx(0.3, abs=1e-3)
    assert view.annotations("tenant") == ["acme"]
    assert [n.name for n in view.nodes()] == ["checkout-service", "payments.example"]
    assert view.inferred[0].node is not None and view.inferred[0].node.type == "remote"
    cause = view.analysis().fault[0]
    assert [s.node.name for s in cause.services] == ["checkout-service", "payments.example"]


def test_streamed_subsegments(cloud: Cloud) -> None:
    """Subsegments streamed ahead of their segment are attached when it arrives."""
    recorder = sdk_recorder(emitter=cloud.xray.sdk_emitter(), sampling=False, streaming_threshold=1)
    segment = recorder.begin_segment("batch")
    for index in range(3):
        recorder.begin_subsegment(f"step{index}")
        cloud.clock.advance(0.01)
        recorder.end_subsegment()
    recorder.end_segment()
    view = cloud.xray.store.view(str(segment.trace_id))
    assert view is not None
    assert sorted(c.name for c in view.segments[0].walk()) == ["batch", "step0", "step1", "step2"]
    assert len(cloud.xray.segments(str(segment.trace_id))) >= 2


def test_udp_daemon(cloud: Cloud) -> None:
    """The SDK's UDP emitter reaches the daemon; documents enter at the next clock second."""
    with cloud.xray.start_daemon(port=0) as daemon:
        assert daemon.host == "127.0.0.1"
        recorder = sdk_recorder(emitter=UDPEmitter(), daemon_address=daemon.address, sampling=False)
        trace_id = checkout(recorder, cloud)
        assert daemon.arrived.wait(timeout=10)
        assert len(cloud.xray.store) == 0 or daemon.received >= 1  # not yet pumped, or pumped
        cloud.clock.advance(1)
        assert cloud.xray.store.view(trace_id) is not None
    assert not daemon.running
    summaries = cloud.client("xray").get_trace_summaries(
        StartTime=cloud.clock.now() - timedelta(minutes=1), EndTime=cloud.clock.now()
    )
    assert [s["Id"] for s in summaries["TraceSummaries"]] == [trace_id]


def test_daemon_protocol_checks_headers(awsmon_cloud: Cloud) -> None:
    """Bad headers and missing bodies are dropped (E8.3); a good datagram is taken in."""
    xray = awsmon_cloud.xray
    now = awsmon_cloud.clock.time()
    good = (
        '{"trace_id": "1-67d446a6-bd862e3fe1be46a994272793", "id": "defdfd9912dc5a56", '
        f'"start_time": {now - 0.03}, "end_time": {now}, "name": "test.elasticbeanstalk.com"}}'
    )
    with xray.start_daemon(port=0) as daemon:
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for header in (
            '{"format": "json", "version": 1}',
            '{"format":"xml","version":1}',
            '{"format":"JSON","version":2}',
        ):
            sender.sendto(f"{header}\n{good}".encode(), ("127.0.0.1", daemon.port))
        sender.sendto(b'{"format":"json","version":1}', ("127.0.0.1", daemon.port))
        sender.close()
        while daemon.received < 4:
            assert daemon.arrived.wait(timeout=10)
            daemon.arrived.clear()
    assert [t for t, r in xray.daemon_rejections if r is None] and len(xray.daemon_rejections) == 3
    assert len(xray.store) == 1


def test_sdk_sampler_follows_the_rules(cloud: Cloud) -> None:
    """With the simulated sampler, 20 requests in one second: the first, then ~5 % of the rest."""
    recorder = sdk_recorder(
        emitter=cloud.xray.sdk_emitter(), sampler=cloud.xray.sdk_sampler(), sampling=True
    )
    sampled = []
    for _ in range(20):
        segment = recorder.begin_segment("svc")
        sampled.append(bool(segment.sampled))
        recorder.end_segment()
    assert sampled[0] is True
    assert sum(sampled) <= 5
    assert len(cloud.xray.store) == sum(sampled)


def test_command_line_daemon() -> None:
    """`python -m awsmon xray-daemon` serves the protocol and prints each document."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = io.StringIO()
    thread = threading.Thread(
        target=main, args=(["--port", str(port), "--max-datagrams", "1"], out)
    )
    thread.start()
    doc = (
        '{"trace_id": "1-5759e988-bd862e3fe1be46a994272793", "id": "defdfd9912dc5a56", '
        '"start_time": 1461096053.37518, "end_time": 1461096053.4042, "name": "test.eb.com"}'
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(200):
            if "listening" in out.getvalue():
                break
            threading.Event().wait(0.01)
        sender.sendto(f'{{"format":"json","version":1}}\n{doc}'.encode(), ("127.0.0.1", port))
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert "1-5759e988-bd862e3fe1be46a994272793 defdfd9912dc5a56 test.eb.com" in out.getvalue()


def test_daemon_port_in_use(awsmon_cloud: Cloud) -> None:
    """Starting a daemon on a taken port raises OSError and leaves no job behind."""
    with awsmon_cloud.xray.start_daemon(port=0) as daemon:
        jobs = len(awsmon_cloud.clock.pending())
        with pytest.raises(OSError):
            DaemonHandle.start(awsmon_cloud.xray, "127.0.0.1", daemon.port)
        assert len(awsmon_cloud.clock.pending()) == jobs
