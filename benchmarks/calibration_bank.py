"""Report on this project's calibration banks beside the findings of Tao et al. (ICLR 2024).

Reads the ``nasbench build-bank`` results folders under ``data/bank/`` (default: every folder
with results; ``--bank`` names one, repeatable) and writes one report,
``benchmarks/results/calibration_bank.md``, with a section per bank and plots
``calibration_bank_<bank>_*.png``. Every sentence of the report is computed from the numbers.

Per bank, with calibration read at the bank's LAST calibration epoch (``recipe.calib_epochs``;
every epoch when empty):

* status: records so far against the bank's target (from ``--target BANK=N`` or the ``--archs N``
  of the command in the bank's README, plus the 2 extremes unless ``--no-extremes``);
* accuracy, calibration and temperature ranges;
* where a published table covers the same architectures (``REFERENCES``): Kendall tau between
  the bank's accuracy and the published one, with a 95 % percentile-bootstrap interval over
  architectures (seeded) and n, against the issue's target; per calibration epoch the Kendall
  of that epoch's test accuracy. NAS-Bench-Graph publishes the test accuracy at the epoch of
  lowest validation loss, so a ``nbgraph`` bank is compared through its own
  ``test_accuracy[argmin(valid_loss)]`` (the first such epoch), the final epoch shown beside it;
* Kendall between ECE and accuracy, between bin counts (5 / 10 / 15 / 100 / 500), pre vs post
  temperature scaling, and between calibration metrics (ECE vs KSCE / MMCE / cwCE), each beside
  the published value from ``shared/reference/README.md`` with a verdict from the numbers.

Kendall is scipy's tau-b. Statistics use the *live* architectures: final test accuracy above
chance (100 / classes) + 5 points, as a network whose output is cut off stays at chance and has a
degenerate calibration; the count left out is reported. Fewer than ``MIN_CELLS`` live
architectures give "too few to judge" verdicts (a tau's standard error is ~0.15 at n = 30).

    .venv/bin/python benchmarks/calibration_bank.py [--bank nbgraph_cora ...] [--target nbgraph_cora=502]
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
BANKS = ROOT / "data" / "bank"
#: small banks that change one field of a bank's recipe (``benchmarks/bank_recipes.py``)
PILOTS = ROOT / "data" / "bank_pilots"

#: published Kendall tau values (shared/reference/README.md, calibration bank section; CIFAR-10,
#: NATS topology space, all models)
PUBLISHED = {
    ("ECE_5", "ECE_500", "pre"): 0.82,
    ("ECE_5", "ECE_10", "pre"): 0.98,
    ("ECE_5", "ECE_500", "post"): 0.25,
    ("ECE_5", "ECE_10", "post"): 0.81,
    ("ECE_15", "KSCE", "pre"): 0.98,
    ("ECE_15", "MMCE", "pre"): 0.91,
    ("ECE_15", "cwCE_em_15", "pre"): 0.36,
}
PRE_POST_PUBLISHED = 0.0  # "pre vs post about 0"
#: a finding "holds" when this bank's tau is within this of the published one
HOLDS_WITHIN = 0.15
BIN_COUNTS = (5, 10, 15, 100, 500)
#: below this many live architectures a Kendall tau is too noisy (standard error ~0.15 at n = 30)
#: to call a finding confirmed or refuted
MIN_CELLS = 30
#: classes per dataset: chance accuracy is 100 / classes
CLASSES = {"cifar10": 10, "mnist": 10, "cora": 7, "citeseer": 6, "enzymes": 6, "proteins": 2,
           "mutag": 2}
#: an architecture is live when its final test accuracy exceeds chance by more than this (points)
CHANCE_MARGIN = 5.0
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0
#: calibration columns whose ranges are listed
RANGE_KEYS = ("ECE_15", "ECE_500", "ECE_em_15", "cwCE_15", "cwCE_em_15", "MCE_15", "KSCE",
              "KDECE", "MMCE", "NLL", "Brier")


@dataclass(frozen=True)
class Reference:
    """A published table that covers a bank's architectures.

    Attributes:
        store: the store name (``nasbench.load``), queried with the bank's arch strings.
        dataset: its dataset.
        metric: its metric.
        words: what the published number is, for the report.
        target: the Kendall tau the issue aims at.
        at_best_valid: compare with the bank's test accuracy at its first epoch of lowest
            validation loss (how the published number was picked) instead of the final epoch.
    """

    store: str
    dataset: str
    metric: str
    words: str
    target: float
    at_best_valid: bool


#: (space, dataset) -> the published table of the same architectures
REFERENCES = {
    ("nb201", "cifar10"): Reference(
        "nb201", "cifar10", "test_accuracy",
        "NB201's 200-epoch CIFAR-10 test accuracy (seed mean)", 0.6, False),
    ("nbgraph", "cora"): Reference(
        "nbgraph", "cora", "test_accuracy",
        "NAS-Bench-Graph's published Cora test accuracy (mean of the authors' seeds, each at "
        "the epoch of lowest validation loss)", 0.7, True),
    ("nbgraph", "citeseer"): Reference(
        "nbgraph", "citeseer", "test_accuracy",
        "NAS-Bench-Graph's published CiteSeer test accuracy (mean of the authors' seeds, each at "
        "the epoch of lowest validation loss)", 0.7, True),
}


class Tau(NamedTuple):
    """Kendall tau-b with its p-value, the number of pairs of finite values, and a 95 % interval
    (NaN where not bootstrapped or n < 3)."""

    tau: float
    p: float
    n: int
    lo: float = float("nan")
    hi: float = float("nan")


def kendall(a: np.ndarray, b: np.ndarray, interval: bool = False,
            resamples: int | None = None) -> Tau:
    """Kendall tau-b of the finite pairs of ``a`` and ``b``, optionally with a bootstrap interval.

    The interval is the 95 % percentile interval of ``resamples`` (default
    ``BOOTSTRAP_RESAMPLES``) resamples of the pairs (architectures), drawn with seed
    ``BOOTSTRAP_SEED``; NaN when a resample has no defined tau (a constant column, likely only
    with a handful of architectures).

    Shapes:
        a, b: ``(n,)`` float arrays; NaN marks a missing value.
    """
    from scipy.stats import kendalltau

    ok = np.isfinite(a) & np.isfinite(b)
    x, y = np.asarray(a, float)[ok], np.asarray(b, float)[ok]
    n = int(ok.sum())
    if n < 3:
        return Tau(float("nan"), float("nan"), n)
    res = kendalltau(x, y)
    lo = hi = float("nan")
    if interval and np.isfinite(res.statistic):
        lo, hi = _bootstrap((x, y), lambda u, v: kendalltau(u, v).statistic, resamples)
    return Tau(float(res.statistic), float(res.pvalue), n, lo, hi)


def _bootstrap(data: tuple[np.ndarray, ...], statistic: Callable[..., float],
               resamples: int | None = None) -> tuple[float, float]:
    """95 % percentile interval of ``statistic`` over ``resamples`` (default
    ``BOOTSTRAP_RESAMPLES``) paired resamples of the architectures (seed ``BOOTSTRAP_SEED``)."""
    from scipy.stats import bootstrap

    with warnings.catch_warnings():
        # in a tiny bank a resample can be constant: its tau is undefined, the interval comes
        # out NaN and the report shows none (scipy warns; the warning is noise here)
        warnings.simplefilter("ignore")
        ci = bootstrap(data, statistic, paired=True, vectorized=False,
                       n_resamples=resamples or BOOTSTRAP_RESAMPLES, method="percentile",
                       rng=np.random.default_rng(BOOTSTRAP_SEED)).confidence_interval
    return float(ci.low), float(ci.high)


def paired_tau_difference(x: np.ndarray, y: np.ndarray, ref: np.ndarray
                          ) -> tuple[float, float, float]:
    """tau(y, ref) - tau(x, ref) and its 95 % percentile bootstrap interval over architectures.

    Shapes:
        x, y, ref: ``(n,)`` finite float arrays of the same architectures.
    """
    from scipy.stats import kendalltau

    def diff(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> float:
        return float(kendalltau(v, r).statistic - kendalltau(u, r).statistic)

    return (diff(x, y, ref), *_bootstrap((x, y, ref), diff))


# ---------------------------------------------------------------------------------------------
# a bank folder as arrays
# ---------------------------------------------------------------------------------------------


@dataclass
class Bank:
    """One bank folder read into arrays (records in the order they finished).

    Attributes:
        name: the folder name.
        folder: the folder.
        recipe: its ``predictors.bank.BankRecipe``.
        records: its records (``predictors.bank.read_results``).
        target: the planned number of architectures (None: unknown).
        target_source: where the target came from, in words.
        calib_epoch: the last calibration epoch (1-based): where calibration is read.
        final: ``(n,)`` final-epoch test accuracy (%).
        best_valid: ``(n,)`` test accuracy at the first epoch of lowest validation loss (%).
        curves: ``(n, epochs)`` test accuracy per epoch (%).
        threshold: live architectures have ``final > threshold`` (None: classes unknown, all live).
        live: ``(n,)`` bool.
    """

    name: str
    folder: Path
    recipe: Any
    records: list[dict]
    target: int | None
    target_source: str
    calib_epoch: int
    final: np.ndarray = field(repr=False)
    best_valid: np.ndarray = field(repr=False)
    curves: np.ndarray = field(repr=False)
    threshold: float | None
    live: np.ndarray = field(repr=False)

    @property
    def compared(self) -> np.ndarray:
        """``(n,)`` the accuracy set beside the published table: ``best_valid`` where the
        bank's :class:`Reference` was picked at the lowest validation loss, else ``final``."""
        ref = REFERENCES.get((self.recipe.space, self.recipe.dataset))
        return self.best_valid if ref is not None and ref.at_best_valid else self.final

    def cal(self, when: str, key: str, epoch: int | None = None) -> np.ndarray:
        """``(n,)`` calibration column ``key`` (``pre`` / ``post``) at ``epoch`` (default: the
        last calibration epoch); NaN where not recorded (e.g. a diverged run)."""
        e = str(epoch or self.calib_epoch)
        return np.array([r["calibration"].get(e, {}).get(when, {}).get(key, np.nan)
                         for r in self.records], dtype=float)

    def temperature(self) -> np.ndarray:
        e = str(self.calib_epoch)
        return np.array([r["calibration"].get(e, {}).get("temperature", np.nan)
                         for r in self.records], dtype=float)


def load_bank(folder: Path, target: int | None = None) -> Bank:
    """Read a bank folder; ``target`` overrides the README's planned count.

    Raises:
        ValueError: the folder has no ``recipe.json``.
    """
    from nasbench.recipes._bank import planned_count
    from predictors.bank import read_recipe, read_results

    recipe = read_recipe(folder)
    if recipe is None:
        raise ValueError(f"{folder} is not a bank folder (no recipe.json); pass a folder made by "
                         "`nasbench build-bank --out FOLDER` or a name under data/bank/")
    records = read_results(folder)
    source = "given on the command line"
    if target is None:
        target = planned_count(folder)
        source = "from the command in the bank's README" if target else "unknown (no README command)"
    epochs = recipe.epochs

    def per_epoch(key: str) -> np.ndarray:
        out = np.full((len(records), epochs), np.nan)
        for i, r in enumerate(records):
            v = np.asarray(r[key], dtype=float)[:epochs]
            out[i, :len(v)] = v
        return out

    curves = per_epoch("test_accuracy")
    valid_loss = per_epoch("valid_loss")
    final = curves[:, -1] if len(records) else np.zeros(0)
    best_valid = np.full(len(records), np.nan)
    for i in range(len(records)):
        if np.isfinite(valid_loss[i]).any():
            # nanargmin returns the first of tied minima, as NAS-Bench-Graph's pick
            best_valid[i] = curves[i, int(np.nanargmin(valid_loss[i]))]
    classes = CLASSES.get(recipe.dataset)
    threshold = None if classes is None else 100.0 / classes + CHANCE_MARGIN
    live = np.isfinite(final) & (final > (threshold if threshold is not None else -np.inf))
    return Bank(folder.name, folder, recipe, records, target, source,
                recipe.calibration_epochs[-1], final, best_valid, curves, threshold, live)


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------


def reference_values(bank: Bank) -> np.ndarray | None:
    """``(n,)`` the published value of each record's architecture (None: no reference)."""
    ref = REFERENCES.get((bank.recipe.space, bank.recipe.dataset))
    if ref is None or not bank.records:
        return None
    import nasbench

    bench = nasbench.load(ref.store)
    try:
        return np.asarray(bench.query([r["arch"] for r in bank.records], ref.dataset, ref.metric),
                          dtype=float)
    finally:
        bench.close()


def shared_live(base: Bank, other: Bank) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``(i, j)`` of the architectures both banks trained and left live:
    ``base.records[i]`` and ``other.records[j]`` are the same architecture."""
    at = {r["arch"]: i for i, r in enumerate(base.records)}
    pairs = [(at[r["arch"]], j) for j, r in enumerate(other.records)
             if r["arch"] in at and base.live[at[r["arch"]]] and other.live[j]]
    return (np.array([p[0] for p in pairs], dtype=int), np.array([p[1] for p in pairs], dtype=int))


#: recipe fields that are bookkeeping, not training
IGNORED_FIELDS = ("calib_epochs", "extra")


def recipe_changes(base: Any, other: Any) -> list[str]:
    """``field base -> other`` for every training field in which two ``BankRecipe``s differ."""
    a, b = base.to_json(), other.to_json()
    return [f"{k} {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b))
            if k not in IGNORED_FIELDS and a.get(k) != b.get(k)]


def only_seed_differs(base: Any, other: Any) -> bool:
    """The two ``BankRecipe``s differ in the training seed and in no other training field."""
    return [c.split()[0] for c in recipe_changes(base, other)] == ["seed"]


def target_side(t: Tau, target: float) -> str:
    """Where ``target`` lies against ``t``'s 95 % interval: ``below``, ``above`` or ``within``."""
    return "below" if t.lo > target else "above" if t.hi < target else "within"


def seed_pilots(bank: Bank, root: Path | None = None) -> list[Bank]:
    """The pilot banks under ``root`` (default ``PILOTS``) that train ``bank``'s recipe with
    another training seed (the only training field that differs)."""
    from predictors.bank import read_recipe

    root = PILOTS if root is None else root
    out = []
    for folder in sorted(root.glob("*")) if root.is_dir() else []:
        other = read_recipe(folder) if (folder / "recipe.json").is_file() else None
        if other is not None and only_seed_differs(bank.recipe, other):
            out.append(load_bank(folder))
    return out


def reference_anchors(bank: Bank, target: np.ndarray, compared: np.ndarray) -> dict[str, Any]:
    """Yardsticks for the bank's Kendall, from the published table alone, on the live archs.

    ``target`` / ``compared``: the reference and the bank's compared accuracy of the live archs
    (as :func:`analyse` has them). ``"params"``: the reference dataset's parameter count against
    the reference (what a free baseline reaches); ``"seeds"``: two of the published runs
    against each other (the first two seed columns, archs with both: how well one full training
    run ranks another); ``"bank_minus_params"``: the bank's tau minus the parameter count's,
    paired, with a 95 % interval (:func:`paired_tau_difference`; at least ``MIN_CELLS`` archs);
    ``"short"``: ``(epochs, tau)`` of the store's shortest published training schedule (NB201:
    its separate 12-epoch run, full network and data) against the reference, and
    ``"bank_minus_short"`` the bank's tau minus it, paired: what a short full-size training
    reaches, beside this bank's reduced one. ``"own_seeds"``: ``[(pilot folder, seed, Tau)]``, this
    bank's own recipe run again with another training seed (:func:`seed_pilots`) against this
    bank on the architectures live in both, with interval: how well two runs of the recipe agree.
    A key is missing where the store has no such metric, fewer than two seeds, no shorter budget
    or no seed pilot.
    """
    import nasbench

    ref = REFERENCES[bank.recipe.space, bank.recipe.dataset]
    archs = [r["arch"] for i, r in enumerate(bank.records) if bank.live[i]]
    out: dict[str, Any] = {}
    bench = nasbench.load(ref.store)
    try:
        if "params" in bench.metrics(ref.dataset):
            params = np.asarray(bench.query(archs, ref.dataset, "params"), dtype=float)
            out["params"] = kendall(params, target)
            ok = np.isfinite(params) & np.isfinite(target) & np.isfinite(compared)
            if ok.sum() >= MIN_CELLS:
                out["bank_minus_params"] = paired_tau_difference(params[ok], compared[ok],
                                                                 target[ok])
        full = bench.full_budget(ref.dataset)
        shorter = [e for e in bench.budgets(ref.dataset, ref.metric)
                   if e is not None and full is not None and e < full]
        if shorter:
            short = np.asarray(bench.query(archs, ref.dataset, ref.metric, budget=min(shorter)),
                               dtype=float)
            out["short"] = (min(shorter), kendall(short, target))
            ok = np.isfinite(short) & np.isfinite(target) & np.isfinite(compared)
            if ok.sum() >= MIN_CELLS:
                out["bank_minus_short"] = paired_tau_difference(short[ok], compared[ok], target[ok])
        try:
            runs = np.asarray(bench.query(archs, ref.dataset, ref.metric, seed="all"), float)
        except nasbench.InvalidArgumentError:  # the store keeps only the seed mean
            runs = np.zeros((0, 0))
        if runs.ndim == 2 and runs.shape[1] >= 2:
            out["seeds"] = kendall(runs[:, 0], runs[:, 1])
    finally:
        bench.close()
    own = []
    for pilot in seed_pilots(bank):
        i, j = shared_live(bank, pilot)
        shown = pilot.folder.relative_to(ROOT) if pilot.folder.is_relative_to(ROOT) else pilot.folder
        own.append((shown, pilot.recipe.seed,
                    kendall(bank.compared[i], pilot.compared[j], interval=True)))
    if own:
        out["own_seeds"] = own
    return out


#: about this many steps in ``kendall_by_count``, each with an interval from fewer resamples than
#: the report's headline intervals (a curve to look at, 13 intervals per bank)
BY_COUNT_STEPS = 12
BY_COUNT_RESAMPLES = 400


def kendall_by_count(compared: np.ndarray, ref: np.ndarray, live: np.ndarray
                     ) -> list[tuple[int, Tau]]:
    """Kendall (live architectures, with a ``BY_COUNT_RESAMPLES`` interval) over the first ``k``
    records in the order they finished, for ``k`` from ``MIN_CELLS`` to all of them in about
    ``BY_COUNT_STEPS`` steps: how a partial bank's estimate settles as architectures are added.
    Empty below ``MIN_CELLS`` records.

    Shapes:
        compared, ref, live: ``(n,)``, record order.
    """
    n = len(compared)
    if n < MIN_CELLS:
        return []
    step = max(10, math.ceil((n - MIN_CELLS) / BY_COUNT_STEPS))
    ks = sorted({*range(MIN_CELLS, n + 1, step), n})
    return [(k, kendall(compared[:k][live[:k]], ref[:k][live[:k]], interval=True,
                        resamples=BY_COUNT_RESAMPLES)) for k in ks]


def analyse(bank: Bank) -> dict[str, Any]:
    """Every number of a bank's section, as a dict (the report renders it; tests read it).

    Keys: ``n``, ``n_live``, ``reference`` (the ``Reference`` or None), ``ref`` (``(n,)`` values),
    ``ref_tau`` (the compared accuracy vs the reference, live archs, with interval),
    ``ref_tau_final`` (final epoch, live, with interval), ``ref_tau_all`` (compared accuracy,
    every record), ``halves`` (tau within the better / worse half by the reference),
    ``per_epoch`` ({epoch: Tau}), ``findings`` ([(label, Tau, published)]), ``ece_acc``
    ({"pre"/"post": Tau}), ``bins`` ({"pre"/"post": (k, k) matrix}), ``by_count``
    (``kendall_by_count``).
    """
    live = bank.live
    out: dict[str, Any] = {"n": len(bank.records), "n_live": int(live.sum())}
    ref_def = REFERENCES.get((bank.recipe.space, bank.recipe.dataset))
    ref = reference_values(bank)
    out["reference"], out["ref"] = ref_def, ref
    if ref is not None and ref_def is not None:
        compared = bank.compared
        out["ref_tau"] = kendall(compared[live], ref[live], interval=True)
        out["ref_tau_final"] = (kendall(bank.final[live], ref[live], interval=True)
                                if ref_def.at_best_valid else out["ref_tau"])
        out["ref_tau_all"] = kendall(compared, ref)
        r, c = ref[live], compared[live]
        if np.isfinite(r).sum():
            med = float(np.nanmedian(r))
            out["halves"] = (med, kendall(c[r >= med], r[r >= med]), kendall(c[r < med], r[r < med]))
        out["per_epoch"] = {e: kendall(bank.curves[live, e - 1], r)
                            for e in bank.recipe.calibration_epochs}
        out["anchors"] = reference_anchors(bank, r, c)
        out["by_count"] = kendall_by_count(compared, ref, live)
    findings = []
    for (x, y, when), pub in PUBLISHED.items():
        findings.append((f"{when} {x} vs {y}", kendall(bank.cal(when, x)[live],
                                                         bank.cal(when, y)[live]), pub))
    findings.append(("ECE_15 pre vs post", kendall(bank.cal("pre", "ECE_15")[live],
                                                    bank.cal("post", "ECE_15")[live]),
                     PRE_POST_PUBLISHED))
    out["findings"] = findings
    acc_at = bank.curves[:, bank.calib_epoch - 1] if bank.records else np.zeros(0)
    out["ece_acc"] = {w: kendall(bank.cal(w, "ECE_15")[live], acc_at[live]) for w in ("pre", "post")}
    bins = {}
    for when in ("pre", "post"):
        cols = [bank.cal(when, f"ECE_{b}")[live] for b in BIN_COUNTS]
        bins[when] = np.array([[kendall(ci, cj).tau for cj in cols] for ci in cols])
    out["bins"] = bins
    return out


# ---------------------------------------------------------------------------------------------
# words
# ---------------------------------------------------------------------------------------------


def _f(v: float, fmt: str = "{:.3f}") -> str:
    return fmt.format(v) if np.isfinite(v) else "n/a"


def _tau_text(t: Tau) -> str:
    ci = f", 95 % CI [{t.lo:.3f}, {t.hi:.3f}]" if np.isfinite(t.lo) else ""
    return f"{_f(t.tau)} (n = {t.n}{ci})"


def finding_verdict(ours: Tau, published: float) -> str:
    """Whether a published tau holds on this bank, in words (too few cells: no verdict)."""
    if ours.n < MIN_CELLS:
        return f"too few to judge (n = {ours.n} < {MIN_CELLS})"
    if not np.isfinite(ours.tau):
        return f"not defined (a constant column, n = {ours.n})"
    diff = ours.tau - published
    if abs(diff) <= HOLDS_WITHIN:
        word = "holds"
    elif diff > 0:
        word = "does not hold: stronger here"
    else:
        word = "does not hold: weaker here"
    return f"{word} ({ours.tau:+.2f} vs {published:+.2f}, n = {ours.n})"


def target_verdict(t: Tau, target: float) -> str:
    """Whether a reference Kendall meets the issue's target, in words.

    "met" / "not met" only when the 95 % interval lies wholly on one side of the target;
    otherwise "undecided", with the side of the point estimate (a partial bank's point moves as
    cells are added, so it is no verdict).
    """
    if t.n < MIN_CELLS:
        return f"too few to judge (n = {t.n} < {MIN_CELLS})"
    if not np.isfinite(t.tau):
        return "not defined"
    if not np.isfinite(t.lo):
        return ("met" if t.tau >= target else "not met") + " (point estimate; no interval)"
    if t.lo >= target:
        return "met; the whole 95 % interval is at or above it"
    if t.hi < target:
        return "not met; the whole 95 % interval is below it"
    side = "at or above" if t.tau >= target else "below"
    return f"undecided; the point estimate is {side} it, but the 95 % interval contains it"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def status_text(bank: Bank) -> str:
    """``PARTIAL: n of T records`` / ``complete: ...`` / ``n records; target unknown``."""
    n = len(bank.records)
    if bank.target is None:
        return f"{_count(n, 'record')}; target {bank.target_source}"
    word = "complete" if n >= bank.target else "PARTIAL"
    return f"{word}: {n} of {bank.target} records (target {bank.target_source})"


def _recipe_text(bank: Bank) -> str:
    r = bank.recipe
    opt = r.optimizer
    if opt == "sgd":
        opt += (f" momentum {r.momentum}" + (" Nesterov" if r.nesterov else "")) if r.momentum else ""
    parts = [f"space `{r.space}` on `{r.dataset}`"]
    if r.space == "nbgraph":
        parts.append(f"dropout {r.dropout}")
        if r.dataset not in ("cora", "citeseer", "pubmed"):
            parts.append(f"hidden {r.C}, batch {r.batch_size} graphs")
    else:
        parts.append(f"network C={r.C}, N={r.N}; {r.resolution}x{r.resolution} inputs; "
                     f"{r.train_size:,} training images; batch {r.batch_size}")
    parts.append(f"{r.epochs} epochs, {opt} lr {r.lr} {r.schedule}, weight decay {r.weight_decay}, "
                 f"seed {r.seed}")
    cal = ("every epoch" if not r.calib_epochs
           else "epochs " + ", ".join(map(str, r.calibration_epochs)))
    parts.append(f"calibration at {cal} (read here at epoch {bank.calib_epoch})")
    return "; ".join(parts)


def _left_out(bank: Bank, a: dict[str, Any]) -> str:
    """How many of the architectures left out diverged, and what the reference says of them."""
    out = ~bank.live
    if not out.any():
        return ""
    diverged = sum(bool(r.get("calibration", {}).get(str(bank.calib_epoch), {}).get("diverged"))
                   for r, o in zip(bank.records, out) if o)
    text = (f" {diverged} of these diverged (a non-finite training loss; no calibration recorded)."
            if diverged else " None of them diverged.")
    ref = a.get("ref")
    if ref is not None and np.isfinite(ref[out]).any():
        name = a["reference"].words.split(" (")[0]
        lo, hi = np.nanmin(ref[out]), np.nanmax(ref[out])
        text += (f" {name} gives them all {lo:.1f} %." if f"{lo:.1f}" == f"{hi:.1f}" else
                 f" {name} gives them {lo:.1f}-{hi:.1f} % (median {np.nanmedian(ref[out]):.1f} %).")
    return text


def render(bank: Bank, a: dict[str, Any], plots: list[str]) -> list[str]:
    """The markdown lines of one bank's section."""
    n, n_live = a["n"], a["n_live"]
    lines = [f"## Bank `{bank.name}`", "", f"**{status_text(bank)}.**"]
    if n == 0:
        return [*lines, "", "No architecture has finished yet: nothing to report.", ""]
    left = n - n_live
    if bank.threshold is None:
        lines.append(f"The classes of `{bank.recipe.dataset}` are not listed here, so every "
                     f"record counts: n = {n_live}.")
    else:
        lines.append(f"{left} of them stay at or below chance + {CHANCE_MARGIN:g} points (final "
                     f"test accuracy <= {bank.threshold:.1f} %) and are left out of the statistics "
                     f"below, leaving n = {n_live}.{_left_out(bank, a)}")
    if n_live < MIN_CELLS:
        lines.append(f"With fewer than {MIN_CELLS} live architectures every verdict below is "
                     "\"too few to judge\".")
    times = np.array([r.get("train_time", np.nan) for r in bank.records], float)
    evals = np.array([r.get("eval_time", np.nan) for r in bank.records], float)
    lines += ["", f"Recipe (`recipe.json`): {_recipe_text(bank)}. Mean wall time per architecture "
              f"{np.nanmean(times):.1f} s training + {np.nanmean(evals):.1f} s evaluation.", ""]

    # ranges
    ref_def, ref = a["reference"], a["ref"]
    live = bank.live
    lines += [f"### Ranges (live architectures; calibration at epoch {bank.calib_epoch})", "",
              "| quantity | min | median | max |", "|---|---:|---:|---:|"]

    def rng_row(name: str, v: np.ndarray, fmt: str = "{:.4f}") -> None:
        v = v[live & np.isfinite(v)]
        if len(v):
            lines.append(f"| {name} | {fmt.format(v.min())} | {fmt.format(np.median(v))} | "
                         f"{fmt.format(v.max())} |")

    rng_row("final test accuracy (%)", bank.final, "{:.2f}")
    if bank.recipe.space == "nbgraph":
        rng_row("test accuracy at lowest validation loss (%)", bank.best_valid, "{:.2f}")
    if ref is not None:
        rng_row(f"reference: {ref_def.store} {ref_def.dataset} {ref_def.metric} (%)", ref, "{:.2f}")
    for key in RANGE_KEYS:
        rng_row(f"pre {key}", bank.cal("pre", key))
    rng_row("post ECE_15", bank.cal("post", "ECE_15"))
    rng_row("temperature", bank.temperature(), "{:.1f}")
    lines += _split_effect_lines(bank)

    if ref is not None:
        lines += _reference_lines(bank, a)

    # Tao et al.'s findings
    lines += ["", f"### Tao et al.'s findings on this bank (epoch {bank.calib_epoch})", "",
              "| Kendall tau between | this bank | published (CIFAR-10, NB201, all models) | verdict |",
              "|---|---:|---:|---|"]
    for label, t, pub in a["findings"]:
        pub_text = "about 0" if label == "ECE_15 pre vs post" else f"{pub:.2f}"
        lines.append(f"| {label} | {_f(t.tau)} | {pub_text} | {finding_verdict(t, pub)} |")
    pre, post = a["ece_acc"]["pre"], a["ece_acc"]["post"]
    lines += ["", f"ECE_15 vs test accuracy at epoch {bank.calib_epoch}: Kendall {_f(pre.tau)} pre, "
              f"{_f(post.tau)} post temperature scaling (n = {pre.n}). "
              + _sign_words(pre, "Before") + " " + _sign_words(post, "After"), ""]
    lines += ["Kendall tau between ECE bin counts (live architectures):", "",
              "| | " + " | ".join(str(b) for b in BIN_COUNTS) + " |",
              "|---|" + "---:|" * len(BIN_COUNTS)]
    for when in ("pre", "post"):
        for i, b in enumerate(BIN_COUNTS):
            lines.append(f"| {when} {b} | " + " | ".join(_f(v, "{:.2f}") for v in a["bins"][when][i])
                         + " |")
    if plots:
        lines += ["", "Plots: " + ", ".join(f"[{p}]({p})" for p in plots)]
    lines += ["", f"Caveats: one seed per architecture; {_count(n, 'architecture')}"
              + (f" so far of {bank.target} planned" if bank.target and n < bank.target else "")
              + "; the published calibration values are over 6,466 NB201 cells fully trained on "
              f"CIFAR-10. Verdict rule: 'holds' when within {HOLDS_WITHIN} of the published tau, "
              f"judged only with at least {MIN_CELLS} live architectures.", ""]
    return lines


#: temperatures this close to 1 leave the probabilities (almost) as they are
NEUTRAL_T = 0.05


def _split_effect_lines(bank: Bank) -> list[str]:
    """Where the fitted temperature is about 1, how often the post-TS ECE still differs from the
    pre-TS one: the bank's convention measures post-TS metrics on the 80 % of the test set not
    used to fit T, pre-TS on all of it (``../shared/data/calibration/SCHEMA.md``)."""
    t = bank.temperature()
    pre, post = bank.cal("pre", "ECE_15"), bank.cal("post", "ECE_15")
    keep = bank.live & np.isfinite(t) & np.isfinite(pre) & np.isfinite(post)
    neutral = keep & (np.abs(t - 1.0) <= NEUTRAL_T)
    if neutral.sum() < MIN_CELLS:
        return []
    higher = float(np.mean(post[neutral] > pre[neutral]))
    ratio = float(np.median(post[neutral] / pre[neutral]))
    text = (f"Temperature within {NEUTRAL_T} of 1 for {int(neutral.sum())} of {int(keep.sum())} "
            f"architectures; there post-TS ECE_15 is above pre-TS ECE_15 in {100 * higher:.0f} % "
            f"of them (median ratio {ratio:.2f}). Post-TS metrics are measured on the 80 % of the "
            "test set not used to fit T, pre-TS on all of it (the bank's convention).")
    if np.all(np.abs(t[neutral] - 1.0) < 1e-6):
        # the grid's point nearest 1 divides the float32 logits by 1.0: the scaled probabilities
        # are the unscaled ones, and only the evaluation set differs
        text += (" There the fitted T is 1, so the scaled probabilities are the unscaled ones: "
                 "these differences come from the evaluation set (80 % of the test set against "
                 "all of it), not from the scaling.")
    return ["", text]


def _sign_words(t: Tau, when: str) -> str:
    if t.n < MIN_CELLS or not np.isfinite(t.tau):
        return f"{when} scaling: too few to judge."
    if abs(t.tau) < 0.1:
        return f"{when} scaling, ECE and accuracy are about unrelated (|tau| < 0.1)."
    if t.tau < 0:
        return f"{when} scaling, more accurate architectures are better calibrated."
    return f"{when} scaling, more accurate architectures are worse calibrated."


def _reference_lines(bank: Bank, a: dict[str, Any]) -> list[str]:
    ref_def: Reference = a["reference"]
    t, tf, ta = a["ref_tau"], a["ref_tau_final"], a["ref_tau_all"]
    what = ("test accuracy at its first epoch of lowest validation loss" if ref_def.at_best_valid
            else "final test accuracy")
    lines = ["", "### Against the published table", "",
             f"Reference: {ref_def.words} (store `{ref_def.store}`, dataset `{ref_def.dataset}`, "
             f"metric `{ref_def.metric}`).", "",
             f"Kendall tau between this bank's {what} and the reference on the same architectures: "
             f"**{_tau_text(t)}**, p = {_f(t.p, '{:.1g}')}; with the architectures at chance "
             f"{_f(ta.tau)} (n = {ta.n}). Target of issue 14: >= {ref_def.target}: "
             f"**{target_verdict(t, ref_def.target)}**."]
    if ref_def.at_best_valid:
        lines.append(f"At the final epoch ({bank.recipe.epochs}) instead: {_tau_text(tf)}, "
                     f"{target_verdict(tf, ref_def.target)}.")
    if bank.target and a["n"] < bank.target:
        lines.append(f"PARTIAL: measured on {a['n']} of the {bank.target} planned architectures.")
    by_count = a.get("by_count", [])
    if len(by_count) > 1:
        k0, t0 = by_count[0]
        lines.append(f"As records were added (finish order): over the first {k0}, "
                     f"{_tau_text(t0)} ({BY_COUNT_RESAMPLES} resamples; the curve: the "
                     "`_progress` plot).")
    if "halves" in a:
        med, top, bottom = a["halves"]
        if min(top.n, bottom.n) < MIN_CELLS or not (np.isfinite(top.tau) and np.isfinite(bottom.tau)):
            cmp = "too few in a half to compare them."
        elif abs(top.tau - bottom.tau) <= 0.1:
            cmp = "both halves are ordered about equally well (within 0.1)."
        elif top.tau < bottom.tau:
            cmp = "the better half is the harder one to order."
        else:
            cmp = "the worse half is the harder one to order."
        lines.append(f"The reference's median over these architectures is {med:.2f} %; Kendall "
                     f"within the better half {_f(top.tau)} (n = {top.n}), within the worse half "
                     f"{_f(bottom.tau)} (n = {bottom.n}): {cmp}")
    anchors = a.get("anchors", {})
    if anchors:
        parts = []
        if "params" in anchors:
            p = anchors["params"]
            text = f"the parameter count alone ranks them at {_f(p.tau)} (n = {p.n})"
            if "bank_minus_params" in anchors:
                m, lo, hi = anchors["bank_minus_params"]
                side = _side(lo, hi)
                text += (f", and this bank is {side} it: {m:+.3f} [{lo:+.3f}, {hi:+.3f}] "
                         "(paired, 95 % bootstrap)")
            parts.append(text)
        if "short" in anchors:
            epochs, st = anchors["short"]
            text = (f"the published table's own {epochs}-epoch training (its full network and "
                    f"data) ranks them at {_f(st.tau)} (n = {st.n})")
            if "bank_minus_short" in anchors:
                m, lo, hi = anchors["bank_minus_short"]
                side = _side(lo, hi)
                text += f", and this bank is {side} it: {m:+.3f} [{lo:+.3f}, {hi:+.3f}]"
            parts.append(text)
        if "seeds" in anchors:
            sd = anchors["seeds"]
            parts.append(f"two of the published training runs agree with each other at "
                         f"{_f(sd.tau)} (n = {sd.n})")
        if parts:
            lines.append("Yardsticks from the published table on the same live architectures: "
                         + "; ".join(parts) + ".")
        for folder, seed, own in anchors.get("own_seeds", []):
            text = (f"This bank's recipe run again with training seed {seed} "
                    f"(`{folder}`) ranks the architectures live in both like this "
                    f"bank at {_tau_text(own)}")
            if own.n >= MIN_CELLS and np.isfinite(own.lo):
                text += (f": the target of {ref_def.target} is {target_side(own, ref_def.target)} "
                         "the interval of two runs' agreement")
            lines.append(text + " (`benchmarks/bank_recipes.py`).")
    lines += ["", "| epoch (calibration epochs) | Kendall of that epoch's test accuracy vs reference |",
              "|---:|---:|"]
    for e, te in a["per_epoch"].items():
        lines.append(f"| {e} | {_f(te.tau)} (n = {te.n}) |")
    return lines


def _side(low: float, high: float) -> str:
    """Where a paired difference's 95 % interval puts the bank against a yardstick."""
    return "above" if low > 0 else "below" if high < 0 else "not distinguishable from"


# ---------------------------------------------------------------------------------------------
# plots (written to a temporary file and renamed)
# ---------------------------------------------------------------------------------------------


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fd, tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=90)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        Path(tmp).unlink(missing_ok=True)


def make_plots(bank: Bank, a: dict[str, Any], folder: Path) -> list[str]:
    """Scatter plots, bin-count heatmaps and (NB201 bank) a reliability diagram; file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not bank.records:
        return []
    prefix = f"calibration_bank_{bank.name}"
    names = []
    live, ref = bank.live, a["ref"]
    acc = bank.curves[:, bank.calib_epoch - 1]
    pre, post = bank.cal("pre", "ECE_15"), bank.cal("post", "ECE_15")
    panels = 3 if ref is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.4 * panels, 4))
    axes = list(axes)
    if ref is not None:
        ax = axes.pop(0)
        y = bank.compared
        ax.scatter(ref[live], y[live], s=10, label="live")
        ax.scatter(ref[~live], y[~live], s=10, c="grey", label="at chance")
        ax.set_xlabel(f"{a['reference'].store} {a['reference'].dataset} test accuracy (%)")
        ax.set_ylabel("bank test accuracy (%)" + (" at lowest valid loss"
                                                  if a["reference"].at_best_valid else ", final"))
        ax.legend()
    ax = axes[0]
    ax.scatter(pre[live], post[live], s=10)
    ax.set_xlabel("ECE_15 pre temperature scaling")
    ax.set_ylabel("ECE_15 post temperature scaling")
    ax = axes[1]
    ax.scatter(acc[live], pre[live], s=10, label="pre")
    ax.scatter(acc[live], post[live], s=10, label="post")
    ax.set_xlabel(f"bank test accuracy at epoch {bank.calib_epoch} (%)")
    ax.set_ylabel("ECE_15")
    ax.legend()
    fig.suptitle(bank.name)
    fig.tight_layout()
    _save(fig, folder / f"{prefix}_scatter.png")
    names.append(f"{prefix}_scatter.png")

    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, when in zip(axes, ("pre", "post")):
        m = a["bins"][when]
        im = ax.imshow(m, vmin=-1, vmax=1, cmap="RdBu")
        ax.set_xticks(range(len(BIN_COUNTS)), BIN_COUNTS)
        ax.set_yticks(range(len(BIN_COUNTS)), BIN_COUNTS)
        ax.set_title(f"{bank.name}: Kendall between ECE bins, {when}", fontsize=9)
        for i in range(len(BIN_COUNTS)):
            for j in range(len(BIN_COUNTS)):
                ax.text(j, i, _f(m[i, j], "{:.2f}"), ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8)
    _save(fig, folder / f"{prefix}_bins.png")
    names.append(f"{prefix}_bins.png")

    if len(a.get("by_count", [])) > 1:
        ks = np.array([k for k, _ in a["by_count"]])
        taus = np.array([[t.tau, t.lo, t.hi] for _, t in a["by_count"]])
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        ax.fill_between(ks, taus[:, 1], taus[:, 2], alpha=0.25, label="95 % bootstrap interval")
        ax.plot(ks, taus[:, 0], marker="o", ms=3, label="Kendall tau")
        ax.axhline(a["reference"].target, color="k", ls="--", lw=1, label="issue 14's aim")
        ax.set_xlabel("records so far (finish order)")
        ax.set_ylabel(f"Kendall vs {a['reference'].store} {a['reference'].metric}")
        ax.set_title(f"{bank.name}: the estimate as architectures are added", fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        _save(fig, folder / f"{prefix}_progress.png")
        names.append(f"{prefix}_progress.png")

    if _reliability(bank, folder / f"{prefix}_reliability.png"):
        names.append(f"{prefix}_reliability.png")
    return names


def _reliability(bank: Bank, path: Path) -> bool:
    """Reliability diagrams of NB201 cell 6111 from its saved logits (the bank's default recipe
    and seed, so the bank's own cell); False where the bank is not that one."""
    from predictors.bank import BankRecipe

    fixture = ROOT / "data" / "calibration" / "nb201_6111_bankrecipe_logits.npz"
    if not fixture.is_file() or bank.recipe != BankRecipe():
        return False
    import matplotlib.pyplot as plt

    from nasbench import calibration as cal
    from predictors import datasets

    with np.load(fixture) as npz:
        logits = npz["test"]
    _, labels = datasets.cifar10("test", seed=0)
    valid, held = cal.temperature_split(len(labels))
    t = cal.fit_temperature(logits[valid], labels[valid])
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    cal.reliability_diagram(cal.softmax(logits), labels, 15, ax=axes[0],
                            title=f"cell 6111, pre TS: ECE_15 {cal.ece(cal.softmax(logits), labels):.4f}")
    probs = cal.softmax(logits[held] / np.float32(t))
    cal.reliability_diagram(probs, labels[held], 15, ax=axes[1],
                            title=f"post TS (T={t:.1f}): ECE_15 {cal.ece(probs, labels[held]):.4f}")
    fig.tight_layout()
    _save(fig, path)
    return True


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------


def default_banks(root: Path = BANKS) -> list[Path]:
    """Every folder under ``root`` with a ``recipe.json`` and results, by name."""
    from predictors.bank import RESULTS as RESULTS_FILE

    return sorted(p for p in root.iterdir()
                  if (p / "recipe.json").is_file() and (p / RESULTS_FILE).is_file()) \
        if root.is_dir() else []


def report(folders: Sequence[Path], out_md: Path, targets: dict[str, int] | None = None,
           plots: bool = True, command: str = ".venv/bin/python benchmarks/calibration_bank.py",
           waiting: Sequence[str] = ()) -> tuple[str, dict[str, dict[str, Any]]]:
    """Write the report on ``folders`` to ``out_md`` (plots beside it); return (text, numbers).

    Args:
        folders: bank folders (each with ``recipe.json``).
        out_md: the markdown file (written to a temporary file and renamed).
        targets: bank name -> planned architecture count (overrides the README).
        plots: write the PNGs.
        command: the command line printed at the top.
        waiting: names of bank folders without results yet (listed, not reported).

    Returns:
        The markdown text and, per bank name, the numbers of :func:`analyse` plus ``"bank"``.
    """
    targets = targets or {}
    banks = [load_bank(f, targets.get(f.name)) for f in folders]
    numbers: dict[str, dict[str, Any]] = {}
    lines = ["# Calibration banks: accuracy, calibration and Tao et al.'s findings", "",
             f"`{command}`", "",
             "| bank | status | live | calibration epoch | Kendall vs published [95 % CI] | "
             "target | verdict |", "|---|---|---:|---:|---|---:|---|"]
    sections: list[str] = []
    for bank in banks:
        a = analyse(bank)
        a["bank"] = bank
        numbers[bank.name] = a
        names = make_plots(bank, a, out_md.parent) if plots else []
        sections += render(bank, a, names)
        if a.get("ref_tau") is not None:
            t, target = a["ref_tau"], a["reference"].target
            tau_cell, verdict = _tau_text(t), target_verdict(t, target)
            target_cell = f">= {target}"
        else:
            has_ref = (bank.recipe.space, bank.recipe.dataset) in REFERENCES
            tau_cell = "no records yet" if has_ref else "no published table"
            target_cell = f">= {REFERENCES[bank.recipe.space, bank.recipe.dataset].target}" \
                if has_ref else "-"
            verdict = "-"
        lines.append(f"| `{bank.name}` | {status_text(bank)} | {a['n_live']} | {bank.calib_epoch} "
                     f"| {tau_cell} | {target_cell} | {verdict} |")
    if waiting:
        lines += ["", "Bank folders without results yet (not reported): "
                  + ", ".join(f"`{w}`" for w in waiting) + "."]
    lines += ["", f"Kendall is scipy's tau-b; intervals are 95 % percentile bootstraps over "
              f"architectures ({BOOTSTRAP_RESAMPLES:,} resamples, seed {BOOTSTRAP_SEED}). "
              f"Statistics use the live architectures (final test accuracy above chance + "
              f"{CHANCE_MARGIN:g} points); fewer than {MIN_CELLS} give no verdict.", ""]
    text = "\n".join(lines + sections)
    fd, tmp = tempfile.mkstemp(prefix=out_md.name + ".", suffix=".tmp", dir=out_md.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_md)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return text, numbers


def _resolve(text: str) -> Path:
    p = Path(text)
    if not p.exists() and (BANKS / text).exists():
        p = BANKS / text
    return p.resolve()


def _target(text: str) -> tuple[str, int]:
    name, sep, n = text.partition("=")
    if not sep or not n.isdigit() or int(n) < 1:
        raise argparse.ArgumentTypeError(f"--target wants BANK=N with N a positive count, got {text!r}")
    return name, int(n)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bank", action="append", default=[],
                    help="a bank folder or a name under data/bank/ (repeatable; default: every "
                    "folder under data/bank/ with results)")
    ap.add_argument("--target", action="append", type=_target, default=[],
                    help="BANK=N: the planned architecture count of a bank (default: its README)")
    ap.add_argument("--out", default=str(RESULTS / "calibration_bank.md"))
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args(argv)
    waiting: list[str] = []
    if args.bank:
        folders = [_resolve(b) for b in args.bank]
    else:
        folders = default_banks()
        waiting = sorted(p.name for p in BANKS.iterdir() if p.is_dir() and p not in folders) \
            if BANKS.is_dir() else []
    if not folders:
        print(f"error: no bank results under {BANKS}; make one with `nasbench build-bank --out "
              "data/bank/NAME` or pass --bank FOLDER", file=sys.stderr)
        return 2
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"error: --out {out}: folder {out.parent} does not exist", file=sys.stderr)
        return 2
    command = " ".join([".venv/bin/python benchmarks/calibration_bank.py",
                        *map(shlex.quote, argv)])
    try:
        text, _ = report(folders, out, dict(args.target), plots=not args.no_plots,
                         command=command, waiting=waiting)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
