"""Repository-wide checks: lint, types, the virtual clock rule and the public API."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import awsmon

ROOT = Path(__file__).resolve().parent.parent
WALL_CLOCK = re.compile(
    r"time\.time\(|time\.monotonic\(|time\.sleep\(|datetime\.now\(|datetime\.utcnow\(|"
    r"date\.today\(|perf_counter\(|\buuid1\(|\buuid4\("
)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    """ruff finds nothing in the package, the tests, the examples and the benchmarks."""
    result = _run("ruff", "check", "awsmon", "tests", "examples", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """mypy --strict (configured in pyproject.toml) finds nothing in the package."""
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_the_benchmarks() -> None:
    """The benchmarks type-check too (moto and orjson, their optional baselines, may be absent)."""
    result = _run("mypy", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_wall_clock_in_the_package() -> None:
    """Nothing in awsmon/ reads or waits on the wall clock, or draws unseeded ids."""
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "awsmon").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WALL_CLOCK.search(line) and "# wall-clock-ok" not in line
    ]
    assert hits == []


@pytest.mark.parametrize("name", awsmon.__all__)
def test_public_names_exist_and_are_documented(name: str) -> None:
    """Every name in awsmon.__all__ exists and has a docstring."""
    value = getattr(awsmon, name)
    assert value.__doc__ and value.__doc__.strip()


def test_all_is_sorted_and_complete() -> None:
    """awsmon.__all__ is sorted and names the documented entry points."""
    assert awsmon.__all__ == sorted(awsmon.__all__)
    assert {"Cloud", "VirtualClock", "ClockError", "ServiceError", "ApiCall"} <= set(awsmon.__all__)
