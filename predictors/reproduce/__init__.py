"""Published studies reproduced from the stores: ``nasbench reproduce``.

One module per study. Each declares ``STUDY`` (a ``base.Study``): the paper it reproduces, the
protocol it follows, and ``run(config) -> base.Report`` which reads the published numbers from the
reference folder (``$NASBENCH_REFERENCE``, default ``../shared/reference``), computes ours from the
stores, and judges every cell by rules (``base``). Studies whose data is not here (a store not
built yet) return a skipped report that says which, never invented numbers.

::

    >>> from predictors import reproduce
    >>> reproduce.names()                        # every study, in report order
    >>> report = reproduce.get("nb201-facts").run(reproduce.Config())
    >>> print(report.markdown())

Importing this package loads no study module: ``get`` imports the one asked for.
"""

from __future__ import annotations

import importlib
import importlib.util

from predictors.reproduce.base import Config, Report, Study, StudySkipped

__all__ = ["Config", "Report", "Study", "StudySkipped", "get", "names"]

#: study name -> module, in the order ``--all`` runs them (cheap ones first)
_MODULES = {
    "nb201-facts": "predictors.reproduce.nb201_facts",
    "nb201-cross-dataset": "predictors.reproduce.nb201_cross_dataset",
    "nb201-12-vs-200-epochs": "predictors.reproduce.nb201_epochs",
    "nbgraph": "predictors.reproduce.nbgraph",
    "transnas101-cross-task": "predictors.reproduce.transnas_cross_task",
    "suite-zero-fig6": "predictors.reproduce.suite_zero_fig6",
    "suite-zero-fig6-ours": "predictors.reproduce.suite_zero_fig6_ours",
    "abdelfattah2021": "predictors.reproduce.abdelfattah",
    "zc-headlines": "predictors.reproduce.zc_headlines",
    "calibration-tao2024": "predictors.reproduce.calibration_tao",
    "robot": "predictors.reproduce.robot",
    "frustratingly-hard": "predictors.reproduce.frustratingly_hard",
    "suite-zero-xgb": "predictors.reproduce.suite_zero_xgb",
}


def names() -> list[str]:
    """Every registered study name, in the order ``nasbench reproduce --all`` runs them."""
    return [n for n, m in _MODULES.items() if importlib.util.find_spec(m) is not None]


def get(name: str) -> Study:
    """The study called ``name``.

    Raises:
        KeyError: unknown name (the message lists the known ones).
    """
    if name not in names():
        raise KeyError(f"unknown study {name!r}; known: {', '.join(names())}")
    return importlib.import_module(_MODULES[name]).STUDY
