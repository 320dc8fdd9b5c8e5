"""Every notebook in ``notebooks/`` runs top to bottom on the real stores, and its committed
outputs are current.

Convention: a notebook is committed *with* its outputs (so plots show on the repository page), and
its last code cell is its **marker**: tagged ``marker`` in the cell metadata
(``"tags": ["marker"]``), it prints a few key numbers the notebook computed (a query value, a
correlation rounded to 3 decimals). The test executes the notebook afresh and compares the marker's
fresh output text with the committed one: a difference means the committed outputs are stale (the
code or the data changed since they were saved). A notebook without committed outputs or without a
marker cell fails. A marker prints only numbers that are fixed for a given checkout: nothing read
from a table that a background run is still growing (``nb201_bank``, ``nb201_zc``), or every
rebuild of that store would fail the test; print such counts in other cells. Nor a number from a
model trained with torch: its CPU kernels differ with the machine's vector instructions (AVX2 or
AVX-512), which moved a short GNN fit's Spearman by up to 0.022 at the same seed; print whether
it clears a floor instead (``04_gnn_encoders``).

The kernel runs in a temporary folder, with this checkout first on ``PYTHONPATH`` and
``NASBENCH_DATA`` defaulting to ``../shared/data`` (as in ``conftest.py``), so stores resolve
through ``nasbench.config`` to this checkout's ``data/stores`` whatever the kernel's folder.

Refresh a notebook's committed outputs (execute and save in place; written to a temporary file and
renamed)::

    .venv/bin/python tests/test_notebooks.py notebooks/01_querying_tables.ipynb [...]
    .venv/bin/python tests/test_notebooks.py --all
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MARKER = "marker"
#: seconds one cell may run before the notebook counts as broken
CELL_TIMEOUT = 600


def kernel_env() -> dict[str, str]:
    """The notebook kernel's environment: this checkout importable first, its raw data and stores.

    ``PYTHONHASHSEED`` is fixed so that anything iterating a set of strings prints in the same
    order on every run (a marker must be reproducible).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("NASBENCH_DATA", str(ROOT.parent / "shared" / "data"))
    env["PYTHONHASHSEED"] = "0"
    return env


def execute(path: Path) -> Any:
    """Run the notebook at ``path`` top to bottom in a temporary folder; return the executed
    ``NotebookNode``. A cell that raises stops the run with nbclient's ``CellExecutionError``
    (it names the cell and shows the traceback)."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="nasbench-notebook-") as cwd:
        client = NotebookClient(
            notebook, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
            resources={"metadata": {"path": cwd}},
        )
        client.execute(env=kernel_env())
    return notebook


def shown(path: Path) -> str:
    """``path`` relative to the checkout where it is inside it (for messages)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def code_cells(notebook: Any) -> list[Any]:
    return [c for c in notebook.cells if c.cell_type == "code"]


def marker_cell(notebook: Any) -> Any:
    """The notebook's marker: its last code cell, which must carry the ``marker`` tag.

    Raises:
        AssertionError: no code cell, the last one is not tagged, or another cell is tagged.
    """
    cells = code_cells(notebook)
    assert cells, "the notebook has no code cell"
    tagged = [i for i, c in enumerate(cells) if MARKER in c.get("metadata", {}).get("tags", [])]
    assert tagged == [len(cells) - 1], (
        f"the last code cell (and only it) must be tagged {MARKER!r}; tagged code cells: "
        f"{[i + 1 for i in tagged] or 'none'} of {len(cells)}"
    )
    return cells[-1]


def output_text(cell: Any) -> str:
    """What a cell printed (stdout) and returned (``text/plain``), in order; stderr (warnings,
    progress bars) is left out."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stdout":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data") and "text/plain" in out.data:
            parts.append(out.data["text/plain"] + "\n")
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}\n")
    return "".join(parts)


def refresh(path: Path) -> None:
    """Execute the notebook and save it with its outputs in place (temp file + rename)."""
    notebook = execute(path)
    marker_cell(notebook)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        nbformat.write(notebook, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


#: notebooks of the tour that must exist (a rename must not drop one from the test unnoticed)
REQUIRED = ("01_querying_tables", "02_predictor_leaderboard", "03_zero_cost_proxies", "04_gnn_encoders",
            "05_calibration", "06_reproducing_a_paper")


def test_notebooks_found() -> None:
    found = {p.stem for p in NOTEBOOKS}
    assert set(REQUIRED) <= found, f"missing notebooks {sorted(set(REQUIRED) - found)}; found {sorted(found)}"


def _notebook(*cells: tuple[str, str, list[str]]) -> Any:
    """A notebook of code cells ``(source, stdout, tags)`` with those outputs committed."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    notebook = new_notebook()
    for i, (source, stdout, tags) in enumerate(cells):
        cell = new_code_cell(source, execution_count=i + 1, metadata={"tags": tags} if tags else {})
        cell.outputs = [new_output("stream", name="stdout", text=stdout)] if stdout else []
        notebook.cells.append(cell)
    return notebook


def test_marker_must_be_the_last_code_cell() -> None:
    good = _notebook(("x = 1", "", []), ("print(x)", "1\n", [MARKER]))
    assert output_text(marker_cell(good)) == "1\n"
    for bad in (
        _notebook(("x = 1", "", []), ("print(x)", "1\n", [])),  # no marker
        _notebook(("print(1)", "1\n", [MARKER]), ("x = 1", "", [])),  # marker not last
        _notebook(("print(1)", "1\n", [MARKER]), ("print(2)", "2\n", [MARKER])),  # two markers
    ):
        with pytest.raises(AssertionError, match="must be tagged"):
            marker_cell(bad)


def test_output_text_keeps_stdout_and_results_not_stderr() -> None:
    from nbformat.v4 import new_output

    cell = _notebook(("print(1); 2", "1\n", [MARKER])).cells[0]
    cell.outputs += [
        new_output("stream", name="stderr", text="a warning\n"),
        new_output("execute_result", data={"text/plain": "2"}, execution_count=1),
    ]
    assert output_text(cell) == "1\n2\n"


@pytest.mark.slow
def test_kernel_reads_this_checkouts_stores(tmp_path: Path) -> None:
    # the kernel runs in a temporary folder: stores must still resolve to this checkout's
    import nasbench

    path = tmp_path / "where.ipynb"
    source = ("import os, sys, nasbench\n"
              "print(sys.executable)\nprint(os.getcwd())\nprint(nasbench.__file__)\n"
              "print(nasbench.store_dir())\n"
              "print(nasbench.load('nb201').query(6111, 'cifar10', 'test_accuracy'))")
    nbformat.write(_notebook((source, "", [MARKER])), path)
    python, cwd, module, stores, value = output_text(marker_cell(execute(path))).split()
    assert Path(python).resolve() == Path(sys.executable).resolve()  # the kernel is this venv's
    assert Path(cwd) != ROOT and not Path(cwd).is_relative_to(ROOT)
    assert Path(module).is_relative_to(ROOT)
    assert Path(stores) == nasbench.store_dir()
    with nasbench.load("nb201") as nb:
        assert float(value) == nb.query(6111, "cifar10", "test_accuracy")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_executed(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    marker = marker_cell(notebook)
    unrun = [i + 1 for i, c in enumerate(code_cells(notebook)) if c.get("execution_count") is None]
    assert not unrun, f"{path.name}: code cells {unrun} have no committed outputs; run `python tests/test_notebooks.py {shown(path)}`"
    assert output_text(marker).strip(), f"{path.name}: the marker cell printed nothing"
    errors = [o.ename for c in code_cells(notebook) for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"{path.name}: committed outputs hold errors {errors}"


def staleness(path: Path) -> str:
    """Execute the notebook; ``""`` if its marker prints what is committed, else a message saying
    what it prints now and how to refresh the committed outputs."""
    committed = output_text(marker_cell(nbformat.read(path, as_version=4)))
    fresh = output_text(marker_cell(execute(path)))
    if fresh == committed:
        return ""
    return (f"{path.name}: committed outputs are stale; the marker cell now prints\n{fresh}\ninstead of\n"
            f"{committed}\nrefresh with `python tests/test_notebooks.py {shown(path)}`")


@pytest.mark.slow
def test_stale_outputs_are_caught(tmp_path: Path) -> None:
    path = tmp_path / "stale.ipynb"
    nbformat.write(_notebook(("x = 6 * 7", "", []), ("print(x)", "41\n", [MARKER])), path)
    assert "now prints\n42\n\ninstead of\n41\n" in staleness(path)
    nbformat.write(_notebook(("x = 6 * 7", "", []), ("print(x)", "42\n", [MARKER])), path)
    assert staleness(path) == ""


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_outputs_are_current(path: Path) -> None:
    message = staleness(path)
    assert not message, message


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: python tests/test_notebooks.py NOTEBOOK.ipynb [...] | --all")
    targets = NOTEBOOKS if args == ["--all"] else [Path(a).resolve() for a in args]
    for target in targets:
        if not target.is_file() or target.suffix != ".ipynb":
            sys.exit(f"test_notebooks.py: {target} is not a notebook file (.ipynb)")
    for target in targets:
        refresh(target)
        print(f"refreshed {shown(target)}")
