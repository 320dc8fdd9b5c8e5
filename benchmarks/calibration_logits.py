"""Make the real-network logits that ``tests/test_calibration_metrics.py`` cross-checks metrics on.

Trains the best NB201 cell (official index 6111) with the bank's default reduced recipe
(``predictors.bank.BankRecipe()``: C=8, N=1, 16x16 CIFAR-10 JPEG q75, 10,000 training images,
5 epochs, seed 777) and saves, float32:

* ``test``: logits on the 10,000 CIFAR-10 (JPEG q75) test images in the order of
  ``predictors.datasets.cifar10("test", seed=0)`` (labels are not stored: the test reloads them);
* ``ood``: logits on 2,000 MNIST digits (``predictors.datasets.mnist("test", 2000, seed=0)``,
  3-channel, CIFAR-normalised), the bank's OOD set.

Writes ``data/calibration/nb201_6111_bankrecipe_logits.npz`` (atomically) and prints the wall time.

    .venv/bin/python benchmarks/calibration_logits.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "data" / "calibration" / "nb201_6111_bankrecipe_logits.npz"


def main() -> None:
    from nasbench.spaces.nb201 import SPACE
    from predictors.bank import BankRecipe, train_arch
    from predictors.datasets import _write_npz

    t0 = time.time()
    got: dict[str, np.ndarray] = {}
    rec = train_arch(SPACE.arch_at(6111), BankRecipe(), logits_out=got)
    _write_npz(OUT, test=got["test"].astype(np.float32), ood=got["ood"].astype(np.float32))
    print(f"wrote {OUT.relative_to(ROOT)}: test accuracy {rec['test_accuracy'][-1]:.2f} %, "
          f"train {rec['train_time']:.0f} s + eval {rec['eval_time']:.0f} s, "
          f"{time.time() - t0:.0f} s wall")


if __name__ == "__main__":
    main()
