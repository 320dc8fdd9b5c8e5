"""Abdelfattah et al. 2021 ("Zero-Cost Proxies for Lightweight NAS"), Table 1 on NB201, from our
own proxies.

Published (``abdelfattah2021_nb201_spearman.csv``): Spearman rho of grad_norm, snip, grasp,
fisher, synflow and jacob_cov against accuracy over all 15,625 NB201 archs, from the paper's table
(2 decimals) and from the stored output of its notebook (3 decimals; it takes the absolute value
of rho). Their target for CIFAR-10 is the **cifar10-valid** entry's test accuracy at 200 epochs
(seed mean); batch 64, one random minibatch, seed 42.

Ours: the ``nb201_zc`` table (``nasbench proxies``) against ``nb201`` ``cifar10-valid /
test_accuracy``; |rho| like the notebook (the signed value is given in a note). Only datasets the
table has proxies for are served. rho is over the archs where the proxy is finite (while the
table is partial, those computed so far), with a bootstrap interval over them.
"""

from __future__ import annotations

import numpy as np

from predictors.metrics import spearman
from predictors.reproduce import own_proxies
from predictors.reproduce.base import (
    Cell,
    Config,
    Report,
    Rule,
    Section,
    Study,
    StudySkipped,
    judge,
    load_store,
    read_reference,
    rounding_of,
)
from predictors.reproduce.stats import draw_interval

#: the paper's dataset -> (nb201 dataset, metric) of its target
TARGETS = {"cifar10": ("cifar10-valid", "test_accuracy"), "cifar100": ("cifar100", "test_accuracy"),
           "ImageNet16-120": ("ImageNet16-120", "test_accuracy")}
DEFAULT_RESAMPLES = 200


def _abs(cell: Cell) -> str | None:
    signed = cell.context.get("signed")
    if signed is None:
        return None
    return f"|rho| as the notebook computes it; signed rho {signed:+.3f}"


def _target(cell: Cell) -> str | None:
    t = cell.context.get("target")
    return f"target: nb201 `{t}` (the notebook's cifar10-valid test accuracy)" if t else None


RULES = (Rule("abs", _abs), *own_proxies.RULES, Rule("target", _target))


def bootstrap_abs_spearman(x: np.ndarray, y: np.ndarray, resamples: int) -> tuple[float, float]:
    """95% percentile interval of |Spearman| over row resamples (seeded).

    Shapes:
        x, y: (n,)
    """
    rng = np.random.default_rng(0)
    vals = [abs(spearman(x[i], y[i])) for i in (rng.integers(0, len(x), len(x)) for _ in range(resamples))]
    return draw_interval(vals)


def run(config: Config) -> Report:
    zc = own_proxies.open_table()
    nb = load_store("nb201")
    ref = read_reference("abdelfattah2021_nb201_spearman.csv")
    proxies = [c for c in ref.columns if c not in ("dataset", "source")]
    resamples = config.seeds or DEFAULT_RESAMPLES
    served, unserved = [], []
    for d in dict.fromkeys(ref["dataset"]):
        (served if d == own_proxies.DATASET else unserved).append(d)
    sections = []
    table = own_proxies.table_context(zc, len(nb))
    for d in served:
        tds, tmetric = TARGETS[d]
        y = np.asarray(nb.values(tds, tmetric, budget=200), dtype=np.float64)
        cells = []
        for proxy in proxies:
            found = own_proxies.column(zc, proxy)
            if found is None:
                continue
            metric, x = found
            keep = np.isfinite(x) & np.isfinite(y)
            if keep.sum() < 10:
                continue
            signed = spearman(x[keep], y[keep])
            if keep.sum() < len(nb):
                low, high = bootstrap_abs_spearman(x[keep], y[keep], resamples)
            else:
                low = high = float("nan")
            for rec in ref[ref["dataset"] == d].to_dict("records"):
                text = rec[proxy]
                cells.append(judge(Cell(
                    f"{d} ({rec['source']})", f"{proxy} (`{metric}`)", abs(signed), low, high,
                    published=float(text), rounding=rounding_of(text), digits=3,
                    context={**table, "signed": signed, "n": int(keep.sum()),
                             "target": f"{tds}/{tmetric}"},
                ), RULES))
        if cells:
            sections.append(Section(f"{d}: |Spearman rho| of our proxies", cells))
    if not sections:
        raise StudySkipped(f"not available: {own_proxies.STORE} has none of {', '.join(proxies)}")
    protocol = (
        f"Protocol: our proxies (`{own_proxies.STORE}`, dataset `{own_proxies.DATASET}`: "
        f"{own_proxies.describe_inputs(zc)}) against `nb201` 200-epoch seed-mean accuracy "
        "(cifar10: the `cifar10-valid` test accuracy, as the paper's notebook); |rho| as the "
        "notebook. Both published sources are shown (paper: 2 decimals; notebook: 3)."
    )
    if unserved:
        protocol += (f" Not served: {', '.join(unserved)} ({own_proxies.STORE} has proxies for "
                     f"{own_proxies.DATASET} only).")
    return STUDY.report(protocol, sections)


STUDY = Study(
    name="abdelfattah2021",
    title="Abdelfattah et al. 2021, Table 1 on NAS-Bench-201, from our own proxies",
    cite="Abdelfattah et al., \"Zero-Cost Proxies for Lightweight NAS\", ICLR 2021, Table 1 "
    "(notebook: SamsungLabs/zero-cost-nas nasbench201_correlations.ipynb).",
    run=run,
    default_seeds=DEFAULT_RESAMPLES,
    needs=("nb201_zc", "nb201"),
)
