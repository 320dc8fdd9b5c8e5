"""TransNAS-Bench-101: how well does the ranking on one task carry over to another?

Kendall tau between the final validation metrics of the seven tasks (each with its own metric and
direction: accuracy, SSIM, negative loss), per search space (micro: 4,096 cells; macro: 3,256
skeletons). The paper shows these correlations as a figure; the reference folder has no numbers
for them, so the matrices are computed facts (exact: whole tables). Every metric is oriented so
that higher is better before correlating (``describe(...).direction``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from predictors.reproduce.base import Config, Report, Study, StudySkipped, load_store
from predictors.reproduce.matrix import matrix_section

if TYPE_CHECKING:
    from nasbench import Benchmark

STORES = ("transnas101_micro", "transnas101_macro")
#: the paper's seven tasks and the final-epoch validation metric each is judged by (the micro
#: store also holds Suite-Zero's extra tasks; left out here)
TASK_METRICS = {
    "class_scene": "valid_accuracy",
    "class_object": "valid_accuracy",
    "room_layout": "valid_neg_loss",
    "jigsaw": "valid_accuracy",
    "segmentsemantic": "valid_pixel_accuracy",
    "normal": "valid_ssim",
    "autoencoder": "valid_ssim",
}
TASKS = tuple(TASK_METRICS)


def _task_values(b: Benchmark) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    out, metrics = {}, {}
    for task in TASKS:
        if task not in b.datasets:
            continue
        metric = TASK_METRICS[task]
        if metric not in b.metrics(task):
            continue
        v = np.asarray(b.values(task, metric), dtype=np.float64)
        out[task] = -v if b.describe(task, metric).direction == "min" else v
        metrics[task] = metric
    return out, metrics


def run(config: Config) -> Report:
    sections, opened = [], []
    for name in STORES:
        try:
            b = load_store(name)
        except StudySkipped:
            continue
        opened.append(f"`{name}` ({len(b):,} archs)")
        values, metrics = _task_values(b)
        about = "Metrics: " + ", ".join(f"{t} `{m}`" for t, m in metrics.items()) + "."
        sections.append(matrix_section(f"{name}: Kendall tau between tasks", values, about=about))
    if not sections:
        raise StudySkipped(f"not available: stores {', '.join(STORES)} not built")
    protocol = (
        f"Protocol: {', '.join(opened)}; per task its final-epoch validation metric (named below; "
        "oriented so higher is better), Kendall tau-b over the archs measured "
        "on both tasks. Exact: whole tables. No published numbers in the reference folder."
    )
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="transnas101-cross-task",
    title="TransNAS-Bench-101: rank correlation across tasks",
    cite="Duan et al., \"TransNAS-Bench-101: Improving Transferability and Generalizability of "
    "Cross-Task Neural Architecture Search\", CVPR 2021.",
    run=run,
    needs=STORES,
)
