"""Report on this project's calibration bank beside the findings of Tao et al. (ICLR 2024).

Reads a ``nasbench build-bank`` results folder (default ``data/bank/nb201_cifar10``) and writes
``benchmarks/results/calibration_bank.md`` with plots ``calibration_bank_*.png``:

* accuracy and ECE ranges; Kendall tau between the bank's final test accuracy and NB201's
  200-epoch CIFAR-10 test accuracy (seed mean) on the same cells (the bank as a cheap proxy);
* Kendall between ECE and accuracy, between bin counts (5 / 10 / 15 / 100 / 500), pre vs post
  temperature scaling, and between calibration metrics (ECE vs KSCE / MMCE / ACE), each beside
  the published value from ``shared/reference/README.md`` with a verdict from the numbers.

Kendall is scipy's tau-b. Statistics use the cells whose final test accuracy is above 15 %
(cells with a disconnected output stay at chance, 10 %, and have degenerate calibration); the
count of cells left out is reported.

    .venv/bin/python benchmarks/calibration_bank.py [--bank data/bank/nb201_cifar10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"

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
BIN_COUNTS = (5, 10, 15, 100, 500)
#: below this many cells a Kendall tau is too noisy (its standard error is ~0.15 at n = 30) to
#: call a published finding confirmed or refuted
MIN_CELLS = 30


def _tau(a: np.ndarray, b: np.ndarray) -> tuple[float, float, int]:
    from scipy.stats import kendalltau

    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return float("nan"), float("nan"), int(ok.sum())
    res = kendalltau(a[ok], b[ok])
    return float(res.statistic), float(res.pvalue), int(ok.sum())


def _verdict(ours: float, published: float, n: int) -> str:
    if not np.isfinite(ours):
        return "not enough cells"
    if n < MIN_CELLS:
        return f"too few cells to judge (n = {n} < {MIN_CELLS})"
    diff = ours - published
    if abs(diff) <= 0.15:
        word = "holds"
    elif diff > 0:
        word = "does not hold: stronger here"
    else:
        word = "does not hold: weaker here"
    return f"{word} ({ours:+.2f} vs {published:+.2f}, n = {n})"


def analyse(bank: Path) -> dict:
    from predictors.bank import read_recipe, read_results

    recipe = read_recipe(bank)
    records = read_results(bank)
    if recipe is None or not records:
        raise SystemExit(f"no bank results in {bank}; run `nasbench build-bank --out {bank}` first")
    final = str(recipe.epochs)
    acc = np.array([r["test_accuracy"][-1] for r in records])
    curves = np.array([r["test_accuracy"] for r in records])
    idx = np.array([r["index"] for r in records])

    def cal(when: str, key: str) -> np.ndarray:
        return np.array([r["calibration"].get(final, {}).get(when, {}).get(key, np.nan)
                         for r in records], dtype=float)

    return {"recipe": recipe, "records": records, "acc": acc, "curves": curves, "idx": idx,
            "cal": cal, "temperature": np.array([r["calibration"].get(final, {}).get(
                "temperature", np.nan) for r in records]),
            "train_time": np.array([r["train_time"] for r in records]),
            "eval_time": np.array([r["eval_time"] for r in records])}


def report(bank: Path, out_md: Path, plots: bool = True) -> str:
    import nasbench

    a = analyse(bank)
    acc, idx, cal = a["acc"], a["idx"], a["cal"]
    recipe = a["recipe"]
    nb = nasbench.load("nb201")
    ref = nb.query(idx.tolist(), "cifar10", "test_accuracy")
    live = acc > 15.0
    n_all, n_live = len(acc), int(live.sum())
    lines = [
        "# Calibration bank: NB201 on CIFAR-10 (JPEG q75), reduced recipe",
        "",
        f"`.venv/bin/python benchmarks/calibration_bank.py --bank {bank.relative_to(ROOT) if bank.is_relative_to(ROOT) else bank}`",
        "",
        f"Bank: `{bank.name}`, **{n_all} cells trained** (PARTIAL: the target is 502 = 500 seeded "
        "random isomorphism-class representatives + the best and worst NB201 cells); "
        f"{n_all - n_live} of them stay at chance (final test accuracy <= 15 %, e.g. a cell whose "
        f"output is disconnected) and are left out of the statistics below, leaving n = {n_live}.",
        "",
        f"Recipe (`recipe.json`): NB201 network C={recipe.C}, N={recipe.N}; {recipe.resolution}x"
        f"{recipe.resolution} inputs; {recipe.train_size:,} training images; {recipe.epochs} epochs; "
        f"SGD lr {recipe.lr} {recipe.schedule}, batch {recipe.batch_size}, weight decay "
        f"{recipe.weight_decay}; seed {recipe.seed}. Calibration as Tao et al.: pre = full test "
        "split, post = temperature from a 0.1..10 grid (lowest 15-bin ECE on a seeded 20 %), "
        "metrics on the other 80 %. Mean wall time per cell "
        f"{np.mean(a['train_time']):.0f} s training + {np.mean(a['eval_time']):.0f} s evaluation "
        "on one (heavily shared) CPU thread.",
        "",
        "## Ranges (cells above chance)",
        "",
        "| quantity | min | median | max |",
        "|---|---:|---:|---:|",
    ]

    def rng_row(name: str, v: np.ndarray, fmt: str = "{:.4f}") -> None:
        v = v[live & np.isfinite(v)]
        if len(v):
            lines.append(f"| {name} | {fmt.format(v.min())} | {fmt.format(np.median(v))} | "
                         f"{fmt.format(v.max())} |")

    rng_row("final test accuracy (%)", acc, "{:.2f}")
    rng_row("NB201 200-epoch CIFAR-10 test accuracy (%)", ref, "{:.2f}")
    for key in ("ECE_15", "ECE_500", "ECE_em_15", "cwCE_15", "cwCE_em_15", "MCE_15", "KSCE",
                "KDECE", "MMCE", "NLL", "Brier"):
        rng_row(f"pre {key}", cal("pre", key))
    rng_row("post ECE_15", cal("post", "ECE_15"))
    rng_row("temperature", a["temperature"], "{:.1f}")

    # the bank as a proxy of NB201
    tau_ref, p_ref, n_ref = _tau(acc[live], ref[live])
    tau_all, _, n_all_ref = _tau(acc, ref)
    lines += [
        "",
        "## The bank as a cheap proxy of NB201",
        "",
        f"Kendall tau between this bank's final test accuracy and NB201's 200-epoch CIFAR-10 test "
        f"accuracy on the same cells: **{tau_ref:.3f}** (n = {n_ref}, p = {p_ref:.1g}; with the "
        f"chance-level cells {tau_all:.3f}, n = {n_all_ref}). Target of issue 14: >= 0.6. "
        + (f"Too few cells to judge (n < {MIN_CELLS})." if n_ref < MIN_CELLS
           else "Met." if tau_ref >= 0.6 else "Not met on the cells trained so far.")
        + " PARTIAL: measured on the cells finished so far, not the planned 502."
        + f" {np.mean(ref[live] >= 90):.0%} of these cells reach >= 90 % in NB201 (median "
        f"{np.median(ref[live]):.1f} %): a random sample of representatives is mostly good cells, "
        "whose order is the hardest to reproduce with a short recipe.",
        "",
        "| epoch | Kendall vs NB201 (cells above chance) |",
        "|---:|---:|",
    ]
    for e in range(a["curves"].shape[1]):
        t, _, n = _tau(a["curves"][live, e], ref[live])
        lines.append(f"| {e + 1} | {t:.3f} (n = {n}) |")

    # Tao et al.'s findings
    lines += [
        "",
        "## Tao et al.'s findings on this bank",
        "",
        "| Kendall tau between | this bank | published (CIFAR-10, NB201, all models) | verdict |",
        "|---|---:|---:|---|",
    ]
    for (x, y, when), pub in PUBLISHED.items():
        t, _, n = _tau(cal(when, x)[live], cal(when, y)[live])
        lines.append(f"| {when} {x} vs {y} | {t:.3f} | {pub:.2f} | {_verdict(t, pub, n)} |")
    t, _, n = _tau(cal("pre", "ECE_15")[live], cal("post", "ECE_15")[live])
    lines.append(f"| ECE_15 pre vs post | {t:.3f} | about 0 | "
                 f"{_verdict(t, PRE_POST_PUBLISHED, n)} |")
    t_ea, _, n_ea = _tau(cal("pre", "ECE_15")[live], acc[live])
    t_ep, _, _ = _tau(cal("post", "ECE_15")[live], acc[live])
    lines += [
        "",
        f"ECE_15 vs accuracy: Kendall {t_ea:.3f} pre, {t_ep:.3f} post temperature scaling "
        f"(n = {n_ea}); negative means more accurate cells are better calibrated.",
        "",
        "Kendall tau between ECE bin counts (cells above chance):",
        "",
        "| | " + " | ".join(f"{b}" for b in BIN_COUNTS) + " |",
        "|---|" + "---:|" * len(BIN_COUNTS),
    ]
    mats = {}
    for when in ("pre", "post"):
        m = np.full((len(BIN_COUNTS), len(BIN_COUNTS)), np.nan)
        for i, bi in enumerate(BIN_COUNTS):
            for j, bj in enumerate(BIN_COUNTS):
                m[i, j] = _tau(cal(when, f"ECE_{bi}")[live], cal(when, f"ECE_{bj}")[live])[0]
        mats[when] = m
        for i, bi in enumerate(BIN_COUNTS):
            lines.append(f"| {when} {bi} | " + " | ".join(f"{v:.2f}" for v in m[i]) + " |")
    if plots:
        names = _plots(acc, ref, live, cal, mats, out_md.parent)
        lines += ["", "Plots: " + ", ".join(f"[{n}]({n})" for n in names), ""]
    lines += [
        "",
        f"Caveats: a reduced recipe ({recipe.epochs} epochs, not 200) on a JPEG q75 copy of "
        f"CIFAR-10, one seed, C={recipe.C} N={recipe.N} networks; the published values are over "
        f"6,466 fully trained cells, these over the {n_all} cells trained so far. Verdict "
        "rule: 'holds' when within 0.15 of the "
        f"published tau, judged only with at least {MIN_CELLS} cells.",
        "",
    ]
    text = "\n".join(lines)
    out_md.write_text(text)
    return text


def _plots(acc, ref, live, cal, mats, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    ax = axes[0]
    ax.scatter(ref[live], acc[live], s=10, label="above chance")
    ax.scatter(ref[~live], acc[~live], s=10, c="grey", label="chance")
    ax.set_xlabel("NB201 200-epoch CIFAR-10 test accuracy (%)")
    ax.set_ylabel("bank final test accuracy (%)")
    ax.legend()
    ax = axes[1]
    ax.scatter(cal("pre", "ECE_15")[live], cal("post", "ECE_15")[live], s=10)
    ax.set_xlabel("ECE_15 pre temperature scaling")
    ax.set_ylabel("ECE_15 post temperature scaling")
    ax = axes[2]
    ax.scatter(acc[live], cal("pre", "ECE_15")[live], s=10, label="pre")
    ax.scatter(acc[live], cal("post", "ECE_15")[live], s=10, label="post")
    ax.set_xlabel("bank final test accuracy (%)")
    ax.set_ylabel("ECE_15")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "calibration_bank_scatter.png", dpi=90)
    plt.close(fig)
    names.append("calibration_bank_scatter.png")
    fig, axes = plt.subplots(1, 2, figsize=(9, 4))
    for ax, when in zip(axes, ("pre", "post")):
        im = ax.imshow(mats[when], vmin=-1, vmax=1, cmap="RdBu")
        ax.set_xticks(range(len(BIN_COUNTS)), BIN_COUNTS)
        ax.set_yticks(range(len(BIN_COUNTS)), BIN_COUNTS)
        ax.set_title(f"Kendall between ECE bin counts, {when}")
        for i in range(len(BIN_COUNTS)):
            for j in range(len(BIN_COUNTS)):
                ax.text(j, i, f"{mats[when][i, j]:.2f}", ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8)
    fig.savefig(folder / "calibration_bank_bins.png", dpi=90)
    plt.close(fig)
    names.append("calibration_bank_bins.png")
    fixture = ROOT / "data" / "calibration" / "nb201_6111_bankrecipe_logits.npz"
    if fixture.is_file():
        # the bank's own cell 6111 (same recipe and seed, so the same logits)
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
        post = cal.softmax(logits[held] / np.float32(t))
        cal.reliability_diagram(post, labels[held], 15, ax=axes[1],
                                title=f"post TS (T={t:.1f}): ECE_15 {cal.ece(post, labels[held]):.4f}")
        fig.tight_layout()
        fig.savefig(folder / "calibration_bank_reliability.png", dpi=90)
        plt.close(fig)
        names.append("calibration_bank_reliability.png")
    return names


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bank", default=str(ROOT / "data" / "bank" / "nb201_cifar10"))
    ap.add_argument("--out", default=str(RESULTS / "calibration_bank.md"))
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args(argv)
    print(report(Path(args.bank).resolve(), Path(args.out), plots=not args.no_plots))


if __name__ == "__main__":
    main()
