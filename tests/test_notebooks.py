"""The teaching notebooks of examples/notebooks/: each runs from a clean kernel and its checks pass.

The notebooks are written by examples/notebooks/build.py; a test checks they are
up to date with it. Each lesson's check cell is also run against a learner's
mistake (build.MISTAKES), in-process, and must say what is wrong.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nbformat = pytest.importorskip("nbformat")
build = _builder()


def test_notebooks_match_their_builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lesson has its notebook, written exactly as build.py writes it."""
    monkeypatch.setattr(build, "HERE", tmp_path)
    built = {path.name: path.read_text() for path in build.build()}
    shipped = {path.name: path.read_text() for path in NOTEBOOKS.glob("*.ipynb")}
    assert shipped == built
    assert len(shipped) == 9


@pytest.mark.parametrize("name", sorted(build.LESSONS), ids=str)
def test_notebook_runs_from_a_clean_kernel(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notebook executes top to bottom in a fresh kernel and its check cell says all good."""
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    last = notebook.cells[-1]
    text = "".join(output.get("text", "") for output in last.outputs)
    assert "All good!" in text
    assert "WRONG" not in text


@pytest.mark.parametrize("name", sorted(build.MISTAKES), ids=str)
def test_check_cell_names_the_mistake(name: str) -> None:
    """With a learner's mistake in place, the check cell says what is wrong and fails."""
    wrong, said = build.MISTAKES[name]
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(AssertionError):
        for kind, text in build.LESSONS[name]:
            if kind == "code":
                exec(wrong if text.startswith("# Your setup") else text, namespace)
    assert f"WRONG: {said}" in out.getvalue()
    assert out.getvalue().rstrip().endswith("thing(s) to fix")
