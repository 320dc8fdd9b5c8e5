"""``nasbench reproduce``: published studies recomputed from the stores, judged cell by cell.

::

    nasbench reproduce --list                    # one study name per line
    nasbench reproduce nb201-facts robot         # these studies
    nasbench reproduce --all [--seeds N] [--out DIR] [--n-jobs 2]

Each study prints its report (markdown) and writes it to ``DIR/<study>.md`` (default
``benchmarks/results/reproduce/``; written to a temporary file and renamed). ``--all`` also writes
``DIR/README.md``: every study's one-line summary, with the run's wall time and the
machine's load, so the time of a full reproduction is on record next to its results. A run of
named studies replaces their lines in that index (marked as rerun alone, with the command), so the
index never shows a summary older than the report beside it. ``--seeds`` overrides
every study's own number of seeds / draws / runs (by default each follows its paper). A study whose
data is not built here is reported as skipped, with the reason.

Exit codes: 0 when every expected cell is within its tolerance, 1 when one is not, 2 for bad
arguments (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from predictors.reproduce.base import ROOT

__all__ = ["main", "build_parser"]

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "reproduce"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        print(f"nasbench reproduce: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="nasbench reproduce",
        description="Recompute published studies from the stores and compare them cell by cell.",
    )
    p.add_argument("studies", nargs="*", metavar="STUDY", help="study names (see --list)")
    p.add_argument("--all", action="store_true", help="run every study")
    p.add_argument("--list", action="store_true", help="print one study name per line and exit")
    p.add_argument("--seeds", type=int, default=None,
                   help="seeds / draws / runs per cell (default: each study's paper protocol)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"folder for <study>.md (default {DEFAULT_OUT.relative_to(ROOT)})")
    p.add_argument("--n-jobs", type=int, default=2, help="worker processes where a study trains models")
    p.add_argument("--progress", action="store_true", help="progress bars")
    p.add_argument("--quiet", action="store_true", help="print only the one-line summaries")
    return p


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    """Run the studies named in ``argv``; return the exit code (module docstring)."""
    from predictors import reproduce
    from predictors.reproduce.base import Config

    args = build_parser().parse_args(argv)
    known = reproduce.names()
    if args.list:
        print("\n".join(known))
        return 0
    if args.seeds is not None and args.seeds < 1:
        print(f"nasbench reproduce: --seeds must be at least 1; got {args.seeds}", file=sys.stderr)
        return 2
    if args.n_jobs < 1:
        print(f"nasbench reproduce: --n-jobs must be at least 1; got {args.n_jobs}", file=sys.stderr)
        return 2
    unknown = [s for s in args.studies if s not in known]
    if unknown:
        print(f"nasbench reproduce: unknown study {unknown[0]!r}; known: {', '.join(known)}",
              file=sys.stderr)
        return 2
    chosen = known if args.all else list(dict.fromkeys(args.studies))
    if not chosen:
        print("nasbench reproduce: name one or more studies or give --all (--list shows them)",
              file=sys.stderr)
        return 2
    config = Config(seeds=args.seeds, n_jobs=args.n_jobs, progress=args.progress)
    summaries, failed = [], False
    start_all = time.perf_counter()
    for name in chosen:
        report = reproduce.get(name).execute(config)
        report.command = "nasbench reproduce " + name + (
            f" --seeds {args.seeds}" if args.seeds is not None else "")
        text = report.markdown()
        _write(args.out / f"{name}.md", text)
        if not args.quiet:
            print(text)
        summaries.append(report.summary())
        failed |= bool(report.failures)
    wall = time.perf_counter() - start_all
    print("\n".join(summaries))
    print(f"{len(chosen)} studies in {wall:.0f} s; reports in {args.out}")
    index = args.out / "README.md"
    if args.all:
        _write(index, _index(summaries, wall, args))
    elif index.exists():
        _write(index, _update_index(index.read_text(), chosen, summaries, args))
    return 1 if failed else 0


def _index(summaries: list[str], wall: float, args: argparse.Namespace) -> str:
    """The ``--all`` index page: the command, its cost, one line per study."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    command = "nasbench reproduce --all" + (f" --seeds {args.seeds}" if args.seeds is not None else "") \
        + f" --n-jobs {args.n_jobs}"
    lines = ["# Reproductions", "", "```", command, "```", "",
             f"{len(summaries)} studies in {wall / 60:.1f} min wall on {os.cpu_count()} cores; "
             "load average "
             f"{load:.1f} at the end of the run.", ""]
    lines += [f"- {s}" for s in summaries]
    return "\n".join(lines) + "\n"


def _update_index(text: str, names: list[str], summaries: list[str],
                  args: argparse.Namespace) -> str:
    """The ``--all`` index ``text`` with the lines of the studies ``names`` replaced by their new
    ``summaries`` (same order), each marked with the command that rerun it; a study the index
    does not list yet is appended."""
    seeds = f" --seeds {args.seeds}" if args.seeds is not None else ""
    lines = text.rstrip("\n").split("\n")
    for name, summary in zip(names, summaries):
        line = f"- {summary} (rerun alone: `nasbench reproduce {name}{seeds}`)"
        at = [i for i, old in enumerate(lines) if old.startswith(f"- {name}: ")]
        if at:
            lines[at[0]] = line
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
