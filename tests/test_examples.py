"""The runnable examples in examples/ print exactly what their .out files say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.stem)
def test_example_output(script: Path) -> None:
    """Running the example gives its recorded output, byte for byte (runs are deterministic)."""
    expected = script.with_suffix(".out")
    assert expected.exists(), f"{script.name} has no recorded output {expected.name}"
    # The checkout comes first on the path, so a bare checkout runs its examples too.
    path = os.pathsep.join(filter(None, [str(EXAMPLES.parent), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert result.stdout == expected.read_text()
