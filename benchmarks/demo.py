"""How long ``python -m awsmon demo`` takes, against the 5-second budget of issue 17.

Runs the demo in fresh interpreters (as a learner would), and, as the baseline
measured in the same script, a bare ``python -c "import boto3"`` (most of a fresh
demo's start-up). Prints the median seconds of each, the demo's time with the
baseline subtracted, and the ratio of demo to baseline.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def _seconds(*args: str) -> tuple[float, float]:
    """Median wall and CPU seconds of a fresh interpreter running `args`."""
    walls, cpus = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Print the figures."""
    (base_wall, base_cpu), (demo_wall, demo_cpu) = _seconds("-c", "import boto3"), _seconds(
        "-m", "awsmon", "demo"
    )
    print(f"median of {RUNS}; wall time suffers from other load on the machine, CPU time less")
    print(f"python -c 'import boto3': wall {base_wall:.2f} s, CPU {base_cpu:.2f} s")
    print(f"python -m awsmon demo:    wall {demo_wall:.2f} s, CPU {demo_cpu:.2f} s (budget 5 s)")
    wall, cpu = demo_wall / base_wall, demo_cpu / base_cpu
    print(f"ratio demo / baseline:    wall {wall:.1f}x, CPU {cpu:.1f}x")


if __name__ == "__main__":
    main()
