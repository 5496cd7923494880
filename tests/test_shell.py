"""Tests of awsmon/shell.py: the AWS CLI in a simulated shell, driven by scripts."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from awsmon.shell import Shell, parse_duration

pytest.importorskip("awscli")

LAB = Path(__file__).resolve().parent.parent / "examples" / "shell" / "alarm_lab.txt"


def _run(*lines: str, seed: int = 0) -> tuple[Shell, str]:
    out = io.StringIO()
    shell = Shell(seed=seed, out=out)
    shell.run_script(lines)
    return shell, out.getvalue()


def test_put_metric_data_with_the_cli_decimal_value() -> None:
    """The CLI sends decimal.Decimal for a double; the datapoint is stored as a number."""
    _, text = _run(
        "aws cloudwatch put-metric-data --namespace Lab --metric-name Hits --value 5",
        "advance 1m",
        "aws cloudwatch get-metric-statistics --namespace Lab --metric-name Hits"
        " --start-time 2025-03-14T15:00:00Z --end-time 2025-03-14T16:00:00Z"
        " --period 3600 --statistics Sum --query Datapoints[0].Sum --output text",
    )
    assert "is invalid" not in text
    assert text.splitlines()[-1] == "5.0"


def test_alarm_lab_script() -> None:
    """The shipped lab: the alarm goes OK -> ALARM, explain says why, the trail saw it all."""
    _, text = _run(*LAB.read_text().splitlines())
    assert "15:12:00 alarm hits-high: Alarm updated from OK to ALARM" in text
    assert "ALARM when 2 of the last 3 datapoints are GreaterThanThreshold 10" in text
    assert "reason: Threshold Crossed: 2 out of the last 3 datapoints [15.0" in text
    assert "\nALARM\n" in text
    assert "\nERROR db timeout\n" in text
    assert "CreateLogGroup\troot" in text
    timeline = text.rpartition("awsmon> timeline")[2]
    assert "CreateLogGroup" in timeline and "PutMetricAlarm" in timeline


def test_cli_errors_are_shown_not_raised() -> None:
    """An AWS error and a CLI usage error both print and leave the shell running."""
    _, text = _run(
        "aws logs describe-log-streams --log-group-name missing",
        "aws cloudwatch put-metric-data --namespace Lab",
        "now",
    )
    assert "ResourceNotFoundException" in text
    assert "aws: error" in text or "required" in text
    assert text.rstrip().endswith("2025-03-14T15:09:26Z")


def test_verbs_and_their_mistakes() -> None:
    """Unknown verbs, bad durations and unknown alarms say so; timeline starts empty."""
    _, text = _run("timeline", "advance soon", "explain alarm nope", "frobnicate", "help")
    assert "nothing has happened yet" in text or "(no moments)" in text
    assert "error: not a duration: 'soon'" in text
    assert "error: \"no alarm named 'nope'\"" in text
    assert "unknown command 'frobnicate'" in text
    assert "advance DURATION" in text


def test_save_reset_load_replays_the_scenario(tmp_path: Path) -> None:
    """save writes the lines that changed the cloud; load replays them on a fresh cloud."""
    scenario = tmp_path / "scenario.txt"
    shell, text = _run(
        "aws logs create-log-group --log-group-name /a",
        "advance 2m",
        "now",
        f"save {scenario}",
        "reset",
        "aws logs describe-log-groups --query length(logGroups)",
        f"load {scenario}",
        "aws logs describe-log-groups --query logGroups[].logGroupName --output text",
        "now",
    )
    assert scenario.read_text().splitlines()[1:] == [
        "aws logs create-log-group --log-group-name /a",
        "advance 2m",
    ]
    assert "saved 2 line(s)" in text
    assert "a fresh cloud (seed 0) at 2025-03-14T15:09:26Z" in text
    assert "\n0\n" in text
    assert text.rstrip().endswith("/a\nawsmon> now\n2025-03-14T15:11:26Z")
    assert shell.lines[-1].endswith("--query logGroups[].logGroupName --output text")


def test_exit_stops_a_script() -> None:
    """Lines after exit do not run."""
    _, text = _run("exit", "now")
    assert "2025" not in text


def test_repl_reads_until_end_of_input() -> None:
    """The interactive loop reads from any text stream."""
    out = io.StringIO()
    Shell(out=out).repl(io.StringIO("advance 90s\nnow\n"))
    assert out.getvalue().splitlines()[-1] == "2025-03-14T15:10:56Z"


def test_command_line_replays_a_script(tmp_path: Path) -> None:
    """python -m awsmon shell SCRIPT prints the session."""
    script = tmp_path / "lab.txt"
    script.write_text("advance 1h\nnow\n")
    result = subprocess.run(
        [sys.executable, "-m", "awsmon", "shell", str(script)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.splitlines()[-1] == "2025-03-14T16:09:26Z"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("5m", 300), ("1h30m", 5400), ("2d", 172800)]
)
def test_durations(text: str, seconds: int) -> None:
    """Durations are <number><unit> runs."""
    assert parse_duration(text) == timedelta(seconds=seconds)


@given(st.lists(st.tuples(st.integers(0, 999), st.sampled_from("smhd")), min_size=1, max_size=4))
def test_duration_property(parts: list[tuple[int, str]]) -> None:
    """Any run of <number><unit> parses to the sum of its parts."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = "".join(f"{n}{u}" for n, u in parts)
    assert parse_duration(text).total_seconds() == sum(n * units[u] for n, u in parts)


@given(st.text(max_size=8))
def test_duration_rejects_or_parses(text: str) -> None:
    """Any text either parses or raises ValueError naming it."""
    try:
        parse_duration(text)
    except ValueError as error:
        assert repr(text) in str(error)
