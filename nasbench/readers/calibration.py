"""Reader for the calibration bank of "A Benchmark Study on Calibration" (Tao et al., ICLR 2024).

The bank ships one CSV per dataset and space. The three NAS-Bench-201 (NATS "tss") files,
``cifar10_tss.csv``, ``cifar100_tss.csv`` and ``ImageNet_tss.csv``, have 15,625 rows and exactly
154 columns, in this order (``BANK_COLUMNS``):

====== ============================================================ ===============================
index  columns                                                      meaning
====== ============================================================ ===============================
0      ``config``                                                   NATS / NB201 official index
1      ``acc``                                                      top-1 accuracy, full test set
2-3    ``correct_confidence``, ``incorrect_confidence``             clean mean confidence (Jung et
                                                                    al.'s RobustnessDataset)
4      ``arch``                                                     arch string (see below)
5-94   ``{pre,post}_{ECE,ECE_em,cwCE,cwCE_em,MCE}_{b}``             binned calibration errors,
                                                                    b = 5,10,15,20,25,50,100,200,500
95-104 ``{pre,post}_{KSCE,KDECE,MMCE,NLL,Brier}``                   bin-free measures
105-6  ``auc_cifar10c``, ``auc_svhn``                               OOD AUROC (CIFAR-10 only)
107-38 ``fgsm_Linf_acc*``, ``pgd_Linf_acc*``,                       adversarial accuracy, eps on the
       ``aa_apgd_ce_Linf_acc*``, ``aa_square_Linf_acc*``            0-255 pixel scale
139-53 ``brightness`` ... ``zoom_blur``                             CIFAR-10-C corruption accuracy
====== ============================================================ ===============================

Conventions and caveats (from the bank's code; see ``calibration/SCHEMA.md`` under the data root):

* **Rows and archs.** A row is keyed by ``config``, the official NB201 index; ``arch`` holds the
  string of the config's *isomorphism representative*, not its own string, because only the 6,466
  non-isomorphic cells were evaluated and the other 9,159 rows are copies of their
  representative's row. The reader checks that ``arch`` is isomorphic to ``config``'s cell.
* **Units.** Every accuracy, confidence, calibration error and AUROC is a fraction (0-1); NLL is in
  nats; ``Brier`` is the multiclass Brier score divided by the number of classes. nasbench stores
  accuracies in percent (x100, like every other store) and everything else as the bank has it.
* **pre / post temperature scaling.** ``pre_*`` metrics use the full test set; ``post_*`` metrics
  use the 80 % of the test set left after fitting the temperature (grid search T = 0.1..10 picking
  the lowest 15-bin ECE) on the other 20 %, so pre and post are measured on different samples.
* **Bins.** ``ECE``/``MCE``/``cwCE``: equal-width bins, (lo, hi]; ``ECE_em``: equal-mass bins with
  deduplicated edges (ties can give fewer bins); ``cwCE_em`` in the tss files is Nixon et al.'s
  adaptive calibration error ("ACE": per class, equal-count bins, averaged over classes).
* **Silent failures.** KSCE, KDECE, MMCE and ``cwCE_em`` were set to 0 when their computation
  raised; an exact 0 of these is stored as NaN (missing).
* **Weights.** Single seed (the first of NATS's seeds), 200-epoch weights, so ``budget=200``.
* Columns copied from other studies (confidences, AUROC, adversarial and corruption accuracies)
  are per config (joined by row position), not copies of the representative.

The size-space files (``*_sss.csv``, channel strings such as ``8:8:8:8:8``) are not in the NB201
space and are rejected. ``convert_calibration_csv`` turns one or more tss files into a store::

    >>> from nasbench.readers.calibration import convert_calibration_csv
    >>> convert_calibration_csv(["cifar10_tss.csv", "cifar100_tss.csv"], "calibration-full.h5")
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasbench.store import Column

#: bin counts of the binned measures, in file order
BINS: tuple[int, ...] = (5, 10, 15, 20, 25, 50, 100, 200, 500)
#: binned families, in file order
BINNED: tuple[str, ...] = ("ECE", "ECE_em", "cwCE", "cwCE_em", "MCE")
#: bin-free families, in file order
BIN_FREE: tuple[str, ...] = ("KSCE", "KDECE", "MMCE", "NLL", "Brier")
#: epsilons of the adversarial columns as written in the names ("0_1" = 0.1 / 255)
FGSM_EPS: tuple[str, ...] = (
    "0_1", "0_5", "1_0", "2_0", "3_0", "4_0", "5_0", "6_0", "7_0", "8_0", "255_0",
)
ATTACK_EPS: tuple[str, ...] = ("0_1", "0_5", "1_0", "2_0", "3_0", "4_0", "8_0")
CORRUPTIONS: tuple[str, ...] = (
    "brightness", "contrast", "defocus_blur", "elastic_transform", "fog", "frost",
    "gaussian_noise", "glass_blur", "impulse_noise", "jpeg_compression", "motion_blur",
    "pixelate", "shot_noise", "snow", "zoom_blur",
)


def _bank_columns() -> tuple[str, ...]:
    cols = ["config", "acc", "correct_confidence", "incorrect_confidence", "arch"]
    for family in BINNED:
        for b in BINS:
            cols += [f"pre_{family}_{b}", f"post_{family}_{b}"]
    for family in BIN_FREE:
        cols += [f"pre_{family}", f"post_{family}"]
    cols += ["auc_cifar10c", "auc_svhn"]
    cols += [f"fgsm_Linf_acc{e}" for e in FGSM_EPS]
    for attack in ("pgd", "aa_apgd_ce", "aa_square"):
        cols += [f"{attack}_Linf_acc{e}" for e in ATTACK_EPS]
    cols += list(CORRUPTIONS)
    return tuple(cols)


#: the 154 column names of a tss bank CSV, in file order
BANK_COLUMNS: tuple[str, ...] = _bank_columns()
assert len(BANK_COLUMNS) == 154

#: bank file name -> dataset name used by nasbench (as NB201 names it)
FILE_DATASETS: dict[str, str] = {
    "cifar10_tss.csv": "cifar10",
    "cifar100_tss.csv": "cifar100",
    "ImageNet_tss.csv": "ImageNet16-120",
}
DATASETS: tuple[str, ...] = ("cifar10", "cifar100", "ImageNet16-120")

#: families whose code returned 0 on any exception: an exact 0 means "failed"
_ZERO_IS_FAILURE = ("KSCE", "KDECE", "MMCE", "cwCE_em")
BUDGET = 200

_FAMILY_TEXT = {
    "ECE": "top-label expected calibration error, equal-width bins (lo, hi]",
    "ECE_em": "top-label expected calibration error, equal-mass bins (edges deduplicated, so "
    "ties can give fewer bins; Kumar et al.'s plug-in L1 estimator)",
    "cwCE": "class-wise calibration error: mean over all classes of the equal-width-binned "
    "|mean p_k - frequency of k|",
    "cwCE_em": "adaptive calibration error (Nixon et al. 'ACE', the bank's cwCE_em in tss "
    "files): per class, equal-count bins of the sorted p_k, averaged over classes",
    "MCE": "maximum calibration error: the largest |mean confidence - accuracy| over non-empty "
    "equal-width bins",
    "KSCE": "Kolmogorov-Smirnov calibration error of the top-label confidences",
    "KDECE": "kernel-density (triweight) estimate of the top-label L1 calibration error",
    "MMCE": "maximum mean calibration error (netcal's MMCE, Laplacian kernel width 0.4)",
    "NLL": "negative log-likelihood of the true class",
    "Brier": "multiclass Brier score divided by the number of classes (sklearn mean_squared_error "
    "of the one-hot labels)",
}


@dataclass(frozen=True)
class MetricSpec:
    """How one bank column becomes a nasbench metric.

    Attributes:
        bank: the bank's column name.
        metric: the nasbench metric name.
        unit, split, direction, description: as in ``nasbench.store.Column``.
        scale: factor applied to the bank's value (100 for accuracies: fraction -> %).
        per_config: True if the column was joined per config by row position (copied from another
            study), False if it comes from the calibration run and is shared by an isomorphism
            class.
        zero_is_missing: an exact 0 means the computation failed.
    """

    bank: str
    metric: str
    unit: str
    split: str
    direction: str
    description: str
    scale: float = 1.0
    per_config: bool = False
    zero_is_missing: bool = False


_PRE = "before temperature scaling, on the full test set"
_POST = (
    "after temperature scaling (T fitted by a 0.1..10 grid search minimising 15-bin ECE on a "
    "random 20 % of the test set), on the other 80 % of the test set"
)


def _eps(text: str) -> str:
    whole, _, frac = text.partition("_")
    return whole if frac in ("", "0") else f"{whole}.{frac}"


def metric_spec(bank: str) -> MetricSpec:
    """The nasbench metric for one bank column (``config`` and ``arch`` have none).

    Raises:
        ValueError: ``bank`` is not a value column of the bank schema.
    """
    if bank == "acc":
        return MetricSpec(
            bank, "test_accuracy", "%", "test", "max",
            "top-1 accuracy of the evaluated weights on the full test set (the bank's 'acc' x 100); "
            "not NATS's reported accuracy (other input normalisation, single seed)",
            scale=100.0,
        )
    if bank in ("correct_confidence", "incorrect_confidence"):
        which = bank.split("_")[0]
        return MetricSpec(
            bank, f"confidence/{which}", "fraction", "test", "",
            f"mean top-label confidence of the {which}ly classified clean test images, copied from "
            "Jung et al.'s RobustnessDataset (not from the calibration run)",
            per_config=True,
        )
    match = re.fullmatch(r"(pre|post)_(ECE_em|cwCE_em|ECE|cwCE|MCE)_(\d+)", bank)
    if match and int(match[3]) in BINS:
        when, family, b = match[1], match[2], int(match[3])
        return MetricSpec(
            bank, f"{family.lower()}/{when}_ts/{b}_bins", "fraction", "test", "min",
            f"{_FAMILY_TEXT[family]}; {b} bins; {_PRE if when == 'pre' else _POST} "
            f"(bank column {bank})",
            zero_is_missing=family in _ZERO_IS_FAILURE,
        )
    match = re.fullmatch(r"(pre|post)_(KSCE|KDECE|MMCE|NLL|Brier)", bank)
    if match:
        when, family = match[1], match[2]
        unit = "nats" if family == "NLL" else "fraction"
        return MetricSpec(
            bank, f"{family.lower()}/{when}_ts", unit, "test", "min",
            f"{_FAMILY_TEXT[family]}; {_PRE if when == 'pre' else _POST} (bank column {bank})",
            zero_is_missing=family in _ZERO_IS_FAILURE,
        )
    match = re.fullmatch(r"auc_(cifar10c|svhn)", bank)
    if match:
        ood = {"cifar10c": "CIFAR-10-C gaussian_noise (last 10,000 = highest severity)",
               "svhn": "the SVHN test split"}[match[1]]
        return MetricSpec(
            bank, f"ood_auroc/{match[1]}", "fraction", "test", "max",
            f"AUROC of predictive entropy separating the CIFAR-10 test set from {ood}, before "
            "temperature scaling (from the earlier NATS_Bench_Calibration pipeline; CIFAR-10 only)",
            per_config=True,
        )
    match = re.fullmatch(r"(fgsm|pgd|aa_apgd_ce|aa_square)_Linf_acc(\d+_\d+)", bank)
    if match and match[2] in (FGSM_EPS if match[1] == "fgsm" else ATTACK_EPS):
        attack, eps = match[1], _eps(match[2])
        return MetricSpec(
            bank, f"robust_accuracy/{attack}/eps_{eps}", "%", "test", "max",
            f"accuracy under the {attack} L-inf attack with eps = {eps}/255, copied from Jung et "
            "al.'s RobustnessDataset (not from the calibration run)",
            scale=100.0, per_config=True,
        )
    if bank in CORRUPTIONS:
        return MetricSpec(
            bank, f"corruption_accuracy/{bank}", "%", "test", "max",
            f"accuracy on CIFAR-10-C '{bank}' (element [2] of RobustnessDataset's per-corruption "
            "list; which severity that is was not verified), copied from Jung et al.'s "
            "RobustnessDataset (not from the calibration run)",
            scale=100.0, per_config=True,
        )
    raise ValueError(
        f"{bank!r} is not a value column of the calibration bank schema; value columns are "
        f"{', '.join(BANK_COLUMNS[1:4])}, {', '.join(BANK_COLUMNS[5:8])}, ... (see BANK_COLUMNS)"
    )


#: metric spec of every value column, in file order
SPECS: tuple[MetricSpec, ...] = tuple(metric_spec(c) for c in BANK_COLUMNS if c not in ("config", "arch"))


def dataset_of(path: str | Path) -> str:
    """The dataset a bank file holds, from its name (``cifar10_tss.csv`` -> ``cifar10``).

    Raises:
        ValueError: the name is not a tss bank file (sss files are named as such).
    """
    name = Path(path).name
    if name in FILE_DATASETS:
        return FILE_DATASETS[name]
    if name.endswith("_sss.csv"):
        raise ValueError(
            f"{name}: size-space (sss) bank files hold channel strings such as '8:8:8:8:8', not "
            "NB201 cells; only the tss files can be converted"
        )
    raise ValueError(
        f"cannot tell the dataset of {name!r}; the bank's tss files are "
        f"{', '.join(FILE_DATASETS)} (or pass datasets=...)"
    )


def check_header(header: Sequence[str], where: str = "CSV") -> None:
    """Raise ``ValueError`` unless ``header`` is exactly ``BANK_COLUMNS`` (names and order)."""
    header = [h.strip() for h in header]
    if header == list(BANK_COLUMNS):
        return
    if header and header[0] in ("", "Unnamed: 0") and header[1:] == list(BANK_COLUMNS):
        raise ValueError(
            f"{where}: the first column is an unnamed index (written by pandas to_csv without "
            "index=False); drop it, the bank's first column is 'config'"
        )
    missing = [c for c in BANK_COLUMNS if c not in header]
    unknown = [c for c in header if c not in BANK_COLUMNS]
    dupes = sorted({c for c in header if header.count(c) > 1})
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if dupes:
        problems.append(f"duplicate column(s): {', '.join(dupes)}")
    if not problems:
        pos = next(i for i, (a, b) in enumerate(zip(header, BANK_COLUMNS)) if a != b)
        problems.append(
            f"columns out of order: position {pos} is {header[pos]!r}, the bank has "
            f"{BANK_COLUMNS[pos]!r} there"
        )
    if any(h.startswith("8:") or h.endswith("_sss") for h in header):
        problems.append("this looks like a size-space (sss) file, which is not in the NB201 space")
    raise ValueError(
        f"{where} does not have the calibration bank's 154 tss columns: " + "; ".join(problems)
    )


def read_bank_csv(path: str | Path):
    """Read and validate one tss bank CSV; return a DataFrame indexed by ``config``.

    Checks the header (exact names and order), that ``config`` values are unique integers in
    0..15,624, that every value column is numeric, and that every ``arch`` is a valid NB201 string
    isomorphic to its config's cell (the bank writes the isomorphism representative's string).

    Raises:
        ValueError: naming the file and the first offending column, row or value.
    """
    import pandas as pd

    from nasbench.spaces.nb201 import SPACE

    path = Path(path)
    with open(path, newline="") as fh:
        header = next(csv.reader(fh), [])
    check_header(header, where=str(path))
    frame = pd.read_csv(path, dtype={"arch": str})
    config = pd.to_numeric(frame["config"], errors="coerce")
    bad = config.isna() | (config % 1 != 0) | (config < 0) | (config >= SPACE.size)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(
            f"{path}: row {row} has config {frame['config'].iloc[row]!r}; configs are NB201 "
            f"indices 0..{SPACE.size - 1}"
        )
    frame["config"] = config.astype(np.int64)
    dupes = frame["config"][frame["config"].duplicated()]
    if len(dupes):
        raise ValueError(f"{path}: config {int(dupes.iloc[0])} appears more than once")
    for col in BANK_COLUMNS:
        if col in ("config", "arch"):
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() & frame[col].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"{path}: column {col!r}, row {row} (config {int(frame['config'].iloc[row])}) "
                f"holds {frame[col].iloc[row]!r}, not a number"
            )
        frame[col] = values.astype(np.float64)
    for cfg, arch in zip(frame["config"].to_numpy(), frame["arch"].to_numpy()):
        check_arch(int(cfg), arch, where=str(path))
    return frame.set_index("config", drop=False)


def check_arch(config: int, arch: object, where: str = "CSV") -> None:
    """Raise ``ValueError`` unless ``arch`` is isomorphic to the NB201 cell at ``config``."""
    from nasbench.spaces.nb201 import SPACE

    if not isinstance(arch, str) or not arch:
        return  # an empty arch cell carries no claim to check
    try:
        cell = SPACE.parse(arch)
    except ValueError as exc:
        raise ValueError(f"{where}: config {config}: arch is not an NB201 string ({exc})") from None
    own = SPACE.arch_at(config)
    if SPACE.canonical_hash(cell) != SPACE.canonical_hash(own):
        raise ValueError(
            f"{where}: config {config} has arch {arch!r}, which is not isomorphic to the NB201 cell "
            f"at index {config} ({own}); the bank's arch is the config's isomorphism representative"
        )


def bank_columns(
    frame,
    dataset: str,
    archs: Sequence[str],
    *,
    fill_isomorphs: bool = False,
    source: str = "",
) -> list[Column]:
    """Columns of a store over ``archs`` (NB201 official order) from bank-schema rows.

    ``frame`` may hold any subset of the value columns (missing ones are skipped). With
    ``fill_isomorphs``, a calibration-run value of a config is copied to every config of its
    isomorphism class, as the bank itself does; per-config columns are never copied.

    Raises:
        ValueError: two rows of one isomorphism class disagree on a calibration-run value.
    """
    from nasbench.spaces.nb201 import SPACE

    if dataset not in DATASETS:
        raise ValueError(f"unknown calibration dataset {dataset!r}; use one of {', '.join(DATASETS)}")
    configs = frame["config"].to_numpy(dtype=np.int64)
    n = len(archs)
    if n != SPACE.size:
        raise ValueError(f"a calibration store has the {SPACE.size} NB201 archs as rows, got {n}")
    classes: dict[str, list[int]] = {}
    if fill_isomorphs:
        for i, arch in enumerate(archs):
            classes.setdefault(SPACE.canonical_hash(arch), []).append(i)
    columns = []
    for spec in SPECS:
        if spec.bank not in frame.columns:
            continue
        raw = frame[spec.bank].to_numpy(dtype=np.float64)
        if spec.zero_is_missing:
            raw = np.where(raw == 0.0, np.nan, raw)
        values = np.full(n, np.nan)
        values[configs] = raw * spec.scale
        if not np.isfinite(values).any():
            continue
        if fill_isomorphs and not spec.per_config:
            values = _fill(values, classes, archs, spec.bank, dataset)
        columns.append(
            Column(
                dataset=dataset,
                metric=spec.metric,
                values=values,
                unit=spec.unit,
                split=spec.split,
                budget=BUDGET,
                aggregation="single",
                source=source,
                description=spec.description + (
                    "" if spec.per_config or not fill_isomorphs
                    else "; values of an isomorphism class's representative, copied to all its "
                    "members as in the bank"
                ),
                direction=spec.direction,
            )
        )
    return columns


def _fill(
    values: np.ndarray, classes: dict[str, list[int]], archs: Sequence[str], bank: str, dataset: str
) -> np.ndarray:
    out = values.copy()
    for rows in classes.values():
        known = values[rows]
        finite = known[np.isfinite(known)]
        if not finite.size:
            continue
        if np.ptp(finite) > 1e-9 * max(1.0, float(np.abs(finite).max())):
            raise ValueError(
                f"{dataset}/{bank}: isomorphic configs {[r for r in rows if np.isfinite(values[r])]} "
                f"hold different values {sorted(set(finite.tolist()))}; the bank copies one "
                "representative's row to its whole class"
            )
        out[rows] = finite[0]
    return out



def convert_calibration_csv(
    paths: str | Path | Iterable[str | Path],
    out: str | Path,
    *,
    datasets: Sequence[str] | None = None,
    fill_isomorphs: bool = False,
    name: str = "calibration",
) -> Path:
    """Build a calibration store from the bank's own tss CSV files; return its path.

    Args:
        paths: one or more of ``cifar10_tss.csv``, ``cifar100_tss.csv``, ``ImageNet_tss.csv``.
        out: the ``.h5`` file to write (atomically).
        datasets: dataset name per path (default: inferred from the file names).
        fill_isomorphs: copy calibration-run values across isomorphism classes (only needed when a
            file holds just the 6,466 representatives; the published files already have all rows).
        name: the store's name.

    Raises:
        ValueError: a file does not have the bank's exact 154 columns (naming the missing or
            unknown ones), has a bad row, or two files hold the same dataset.
    """
    from nasbench.sources import sha256_of
    from nasbench.spaces.nb201 import OFFICIAL_ORDER_SOURCE, SPACE
    from nasbench.store import write_store

    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not paths:
        raise ValueError("convert_calibration_csv: give at least one bank CSV")
    names = list(datasets) if datasets is not None else [dataset_of(p) for p in paths]
    if len(names) != len(paths):
        raise ValueError(f"{len(paths)} files but {len(names)} dataset names")
    if len(set(names)) != len(names):
        raise ValueError(f"two files hold the same dataset: {names}")
    archs = list(SPACE.official_order)
    columns: list[Column] = []
    sources = [{**OFFICIAL_ORDER_SOURCE.as_dict(), "part": ""}]
    for path, dataset in zip(map(Path, paths), names):
        frame = read_bank_csv(path)
        columns += bank_columns(
            frame, dataset, archs, fill_isomorphs=fill_isomorphs, source=f"bank:{path.name}"
        )
        sources.append(
            {"path": str(path), "sha256": sha256_of(path),
             "repo": "https://github.com/Linwei94/calibration-study", "commit": "",
             "repo_path": path.name, "license": "none stated",
             "note": f"calibration bank {path.name}", "part": f"bank:{path.name}"}
        )
    return write_store(
        out,
        name=name,
        space="nb201",
        archs=archs,
        columns=columns,
        sources=sources,
        description=DESCRIPTION + f" Converted from the bank's own CSVs: {', '.join(names)}.",
        official_index=True,
    )


DESCRIPTION = (
    "Calibration bank of 'A Benchmark Study on Calibration' (Tao et al., ICLR 2024) on the "
    "NAS-Bench-201 cells: accuracy and 100 calibration measures (ECE, equal-mass ECE, class-wise "
    "CE, ACE, MCE at 5..500 bins; KSCE, KDECE, MMCE, NLL, Brier) before ('pre_ts', full test set) "
    "and after ('post_ts', 80 % split) temperature scaling, plus OOD AUROC and adversarial / "
    "corruption accuracies copied from other studies. Single seed, 200-epoch weights. Calibration "
    "errors are fractions (0-1, lower is better), NLL in nats, accuracies in %. Only the 6,466 "
    "non-isomorphic cells were evaluated; isomorphic cells carry their representative's values."
)
