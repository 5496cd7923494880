"""Tests of awsmon/demo.py and awsmon/__main__.py: the demo scenario."""

from __future__ import annotations

import io
import subprocess
import sys

from awsmon.__main__ import main
from awsmon.demo import run


def test_demo_tells_the_story() -> None:
    """The demo runs the clock's jobs, routes STS through every layer and rolls metrics up."""
    out = io.StringIO()
    cloud = run(out=out)
    text = out.getvalue()
    assert text.count("heartbeat job runs") == 3
    assert "[2025-03-14 15:11:56]   a one-off job runs at +2m30s" in text
    assert "Now the same through boto3" in text
    assert "average 120 ms, max 140 ms, 5 samples" in text
    assert "Period=60: 0 datapoints" in text and "Period=300: 3 datapoints" in text
    assert "alarm web-errors is now ALARM: Threshold Crossed: 1 datapoint [4.0" in text
    assert "pager got: web-errors OK -> ALARM" in text
    assert "EventBridge delivered 3 alarm state change event(s)" in text
    assert "-> account 210987654321, arn arn:aws:iam::210987654321:user/alice" in text
    assert "cloudwatch retention us-east-1" in [job.name for job in cloud.clock.pending()]


def test_demo_tells_the_incident_across_services() -> None:
    """The incident chapter: the alarm fires and clears; X-Ray, Insights and CloudTrail explain."""
    out = io.StringIO()
    run(out=out)
    text = out.getvalue()
    assert "alarm payments-errors: OK -> ALARM" in text
    assert "alarm payments-errors: ALARM -> OK" in text
    assert "X-Ray: 20 of 32 traces have a fault in payments" in text
    assert "Logs Insights: runs from 16:30: 20, shortest 1000 ms" in text
    assert (
        "CloudTrail: 16:31:26 UpdateFunctionConfiguration by "
        "arn:aws:sts::123456789012:assumed-role/Deploy/pipeline-7" in text
    )


def test_demo_is_deterministic() -> None:
    """The same seed tells the same story, word for word."""
    first, second = io.StringIO(), io.StringIO()
    run(seed=3, out=first)
    run(seed=3, out=second)
    assert first.getvalue() == second.getvalue()


def test_command_line() -> None:
    """python -m awsmon demo prints the story; no command is a usage error."""
    result = subprocess.run(
        [sys.executable, "-m", "awsmon", "demo"], capture_output=True, text=True, check=True
    )
    assert "The end." in result.stdout
    assert main(["demo", "--seed", "1"]) == 0


def test_xray_daemon_command() -> None:
    """python -m awsmon xray-daemon serves UDP on loopback and prints the segments it receives."""
    import json
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "awsmon",
            "xray-daemon",
            "--port",
            str(port),
            "--max-datagrams",
            "1",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert "listening on udp 127.0.0.1" in process.stdout.readline()
    document = {
        "name": "web",
        "id": "70de5b6f19ff9a0a",
        "trace_id": "1-5759e988-bd862e3fe1be46a994272793",
        "start_time": 1.478293361271e9,
        "end_time": 1.478293361449e9,
    }
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            sender.sendto(
                b'{"format": "json", "version": 1}\n' + json.dumps(document).encode(),
                ("127.0.0.1", port),
            )
            time.sleep(0.2)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "1-5759e988-bd862e3fe1be46a994272793 70de5b6f19ff9a0a web" in out
