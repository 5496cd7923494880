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
    assert "-> account 210987654321, arn arn:aws:iam::210987654321:user/alice" in text
    assert [job.name for job in cloud.clock.pending()] == ["cloudwatch retention us-east-1"]


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
