"""The one "import is light" test: each entry point loads only what its layer needs.

``nasbench`` is the lower layer (numpy only at import); its CLI and demo import ``predictors``,
h5py, pandas and tqdm inside the commands that need them; ``predictors`` loads torch, xgboost and
lightgbm only when a model that needs them is used.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NASBENCH_HEAVY = ("torch", "torch_geometric", "xgboost", "lightgbm", "sklearn", "h5py", "pandas",
                  "tqdm", "scipy", "predictors")


@pytest.mark.parametrize(
    ("statement", "forbidden"),
    [
        ("import nasbench", NASBENCH_HEAVY),
        ("import nasbench.cli", NASBENCH_HEAVY),
        ("import nasbench.demo", NASBENCH_HEAVY),
        ("import nasbench.spaces; nasbench.spaces.get('nb201'); nasbench.spaces.get('darts')",
         NASBENCH_HEAVY),
        ("import predictors; from predictors import metrics",
         ("sklearn", "xgboost", "lightgbm", "torch")),
        ("import predictors; predictors.XGBPredictor; predictors.LGBMPredictor",
         ("xgboost", "lightgbm", "torch")),  # the classes load sklearn only
    ],
)
def test_import_is_light(statement, forbidden):
    code = (
        f"import sys; {statement}; "
        f"print(sorted(m for m in {list(forbidden)!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": ROOT}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"{statement} imported {out.stdout.strip()}"
