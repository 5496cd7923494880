"""The wall-clock seam: ClockSkewWarning, Cloud(start="wall"), drive_wall_clock with SDKs.

watchtower (the logging handler for CloudWatch Logs) and aws-lambda-powertools'
Metrics stamp their data with the process's clock. With one line —
``with cloud.clock.drive_wall_clock():``, or the ``awsmon_wall_clock`` fixture —
their data lands at virtual now. Without it, AWS's rules drop or refuse it, and
awsmon says why with one `ClockSkewWarning` per service.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from awsmon import ClockError, ClockSkewWarning, Cloud, VirtualClock
from awsmon.errors import InvalidParameter

FAR = datetime(2031, 5, 5, 12, 0, tzinfo=UTC)


def _skew_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ClockSkewWarning)]


class TestClockSkewWarning:
    """One warning per service, the AWS answer unchanged."""

    def test_metric_datum_refused_and_explained_once(self) -> None:
        cloud = Cloud()
        metrics = cloud.client("cloudwatch")
        datum = [{"MetricName": "m", "Value": 1.0, "Timestamp": FAR}]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(2):
                with pytest.raises(InvalidParameter, match="two hours in the future"):
                    metrics.put_metric_data(Namespace="N", MetricData=datum)
        (message,) = _skew_warnings(caught)
        assert "cloudwatch: a metric datum" in message
        assert cloud.clock.now().isoformat() in message
        assert "drive_wall_clock" in message and "start=" in message

    def test_log_event_dropped_and_explained(self) -> None:
        cloud = Cloud()
        logs = cloud.client("logs")
        logs.create_log_group(logGroupName="g")
        logs.create_log_stream(logGroupName="g", logStreamName="s")
        stamp = int(FAR.timestamp() * 1000)
        with pytest.warns(ClockSkewWarning, match="logs: a log event"):
            answer = logs.put_log_events(
                logGroupName="g", logStreamName="s",
                logEvents=[{"timestamp": stamp, "message": "hello"}],
            )
        assert answer["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 0}

    def test_segment_and_trace_id(self) -> None:
        cloud = Cloud()
        start = FAR.timestamp()
        doc = {
            "name": "svc", "id": "0123456789abcdef", "start_time": start,
            "end_time": start + 1, "trace_id": f"1-{int(start):08x}-0123456789abcdef01234567",
        }
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cloud.xray.put_trace_segments([doc])
        (message,) = _skew_warnings(caught)
        assert message.startswith("xray: a segment's start_time")

    def test_within_a_day_is_quiet(self) -> None:
        cloud = Cloud()
        near = cloud.clock.now() - timedelta(hours=20)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ClockSkewWarning)
            cloud.client("cloudwatch").put_metric_data(
                Namespace="N", MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": near}]
            )

    def test_each_service_once_per_cloud(self) -> None:
        """Two clouds warn on their own."""
        for _ in range(2):
            cloud = Cloud()
            with pytest.warns(ClockSkewWarning), pytest.raises(InvalidParameter):
                cloud.client("cloudwatch").put_metric_data(
                    Namespace="N", MetricData=[{"MetricName": "m", "Value": 1, "Timestamp": FAR}]
                )


class TestStartAtWall:
    """``Cloud(start="wall")``: the wall time rounded down to the minute."""

    def test_wall_start(self) -> None:
        before = datetime.now(UTC).replace(second=0, microsecond=0)
        cloud = Cloud(start="wall")
        after = datetime.now(UTC)
        now = cloud.clock.now()
        assert before <= now <= after
        assert now.second == 0 and now.microsecond == 0

    def test_explicit_start_and_default(self) -> None:
        assert Cloud(start=datetime(2024, 1, 1)).clock.now() == datetime(2024, 1, 1, tzinfo=UTC)
        assert Cloud().clock.now() == VirtualClock().now()

    def test_misuse(self) -> None:
        with pytest.raises(ClockError, match="'tomorrow'"):
            Cloud(start="tomorrow")
        with pytest.raises(ValueError, match="either a clock or a start"):
            Cloud(clock=VirtualClock(), start="wall")


@pytest.fixture
def quiet_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("awsmon-test-watchtower")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger
    for handler in list(logger.handlers):
        logger.removeHandler(handler)


class TestSdks:
    """watchtower and aws-lambda-powertools, with the one line that aligns the clocks."""

    def test_watchtower(self, awsmon_wall_clock: Cloud, quiet_logger: logging.Logger) -> None:
        """``awsmon_wall_clock`` (or ``with cloud.clock.drive_wall_clock():``) is the one line."""
        watchtower = pytest.importorskip("watchtower")
        handler = watchtower.CloudWatchLogHandler(log_group_name="app", log_stream_name="web")
        quiet_logger.addHandler(handler)
        quiet_logger.info("user %s signed in", "ada")
        awsmon_wall_clock.clock.advance(5)
        quiet_logger.info("user %s signed out", "ada")
        handler.close()
        page = awsmon_wall_clock.client("logs").get_log_events(
            logGroupName="app", logStreamName="web", startFromHead=True
        )
        events = page["events"]
        assert [e["message"] for e in events] == ["user ada signed in", "user ada signed out"]
        start = int(Cloud().clock.time() * 1000)
        assert [e["timestamp"] for e in events] == [start, start + 5000]

    def test_powertools_metrics(self) -> None:
        """Metrics printed as EMF by a Lambda handler land in CloudWatch at virtual now."""
        metrics_module = pytest.importorskip("aws_lambda_powertools.metrics")
        cloud = Cloud()
        metrics = metrics_module.Metrics(namespace="Shop", service="cart")

        @metrics.log_metrics
        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            metrics.add_metric(name="Orders", unit=metrics_module.MetricUnit.Count, value=3)
            return {"ok": True}

        cloud.lambda_.register("cart", handler)
        with cloud.clock.drive_wall_clock():  # the one line
            cloud.lambda_.invoke("cart", {})
        now = cloud.clock.now()
        stats = cloud.client("cloudwatch").get_metric_statistics(
            Namespace="Shop", MetricName="Orders",
            Dimensions=[{"Name": "service", "Value": "cart"}],
            StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=1),
            Period=60, Statistics=["Sum"],
        )
        assert [p["Sum"] for p in stats["Datapoints"]] == [3.0]

    def test_powertools_without_the_line_warns(self) -> None:
        """Without it, the EMF document is stamped with the wall clock, and awsmon says so."""
        metrics_module = pytest.importorskip("aws_lambda_powertools.metrics")
        cloud = Cloud()
        metrics = metrics_module.Metrics(namespace="Shop", service="cart")

        @metrics.log_metrics
        def handler(event: dict[str, Any], context: Any) -> None:
            metrics.add_metric(name="Orders", unit=metrics_module.MetricUnit.Count, value=1)

        cloud.lambda_.register("cart", handler)
        with pytest.warns(ClockSkewWarning, match="EMF document"):
            cloud.lambda_.invoke("cart", {})


def test_the_pytest_option(tmp_path: Any) -> None:
    """``--awsmon-wall-clock`` makes every ``awsmon_cloud`` drive the wall clock."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "test_it.py").write_text(
        "import time\n"
        "def test_it(awsmon_cloud):\n"
        "    assert abs(time.time() - awsmon_cloud.clock.time()) < 1\n"
        "    awsmon_cloud.clock.advance(60)\n"
        "    assert abs(time.time() - awsmon_cloud.clock.time()) < 1\n",
        encoding="utf-8",
    )
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "-p", "awsmon.testing.pytest_plugin", str(tmp_path / "test_it.py"),
        "--rootdir", str(tmp_path), "-c", "/dev/null",
    ]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    on = subprocess.run([*command, "--awsmon-wall-clock"], capture_output=True, env=env)
    off = subprocess.run(command, capture_output=True, env=env)
    assert on.returncode == 0, on.stdout.decode()
    assert off.returncode == 1, off.stdout.decode()
