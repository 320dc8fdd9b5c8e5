"""Run one function over many tasks: here, in joblib worker processes, or on a Dask cluster.

Every long computation of the toolkit (``nasbench evaluate`` runs, ``nasbench proxies`` chunks,
``nasbench build-bank`` architectures) is a list of independent tasks whose results are written as
they arrive, so a killed run resumes from what was written. This module is the one place that
decides where the tasks run::

    >>> from predictors.parallel import imap_unordered
    >>> sorted(imap_unordered(abs, [-2, 1, -3]))
    [1, 2, 3]

Tasks seed torch's process-wide random state (network initialisation), so two tasks running at the
same time in one process would draw from each other's seed: every Dask worker process must run one
task at a time (``dask worker ADDRESS --nthreads 1 --nworkers N``); a cluster where a process runs
more (multi-threaded workers, several in-process workers) is refused with that instruction rather
than giving numbers that change from run to run.

A worker process that dies (the operating system kills one when memory runs out) does not end
the run at once: the tasks that were running then are run again one at a time, each alone in a
fresh worker, and the rest resume in parallel; up to ``retries`` times, with a line on stderr
each time; past that :class:`WorkerDied` says what happened. loky's warning "A worker stopped
while some jobs were given to the executor" is something else and loses nothing: its memory-leak
guard (psutil installed) lets a worker whose resident memory grew by 300 MB since its first task
send its result, exit and be replaced (torch keeps freed memory for reuse, and a large network
raises it).

``fn`` and the tasks must be picklable for ``n_jobs > 1`` and for a scheduler (module-level
functions, ``functools.partial`` of them, plain data): a worker process or a Dask worker imports
``fn``'s module itself, so the cluster's workers need this package installed.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["WorkerDied", "imap_unordered"]

#: how often a run's worker processes are restarted after one of them died
RETRIES = 2


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch threads (at least 1), then put the process's count back
    (work run in this process must not change the threads of what runs after it)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        torch.set_num_threads(before)


class WorkerDied(RuntimeError):
    """A joblib worker process was killed more often than the run restarts them."""


def imap_unordered(
    fn: Callable[[T], R],
    tasks: Iterable[T],
    *,
    n_jobs: int = 1,
    scheduler: Any = None,
    retries: int = RETRIES,
) -> Iterator[R]:
    """``fn(task)`` for every task, yielded in the order they finish.

    Args:
        fn: the work of one task.
        tasks: the tasks (consumed once).
        n_jobs: joblib worker processes; 1 runs the tasks here, one after another, in order.
            Ignored when ``scheduler`` is given.
        scheduler: a Dask scheduler address (``"tcp://host:8786"``) or a
            ``dask.distributed.Client``; every task becomes one future. A client passed in is left
            open; one made from an address is closed when the iterator finishes.
        retries: with ``n_jobs > 1``, how often the run goes on after a worker process died.

    Raises:
        ValueError: ``n_jobs`` below 1; a Dask worker process that would run two tasks at once.
        WorkerDied: a worker process died ``retries + 1`` times.
        Any exception of ``fn``, re-raised when its task's result is reached.
    """
    if n_jobs < 1:
        raise ValueError(f"n_jobs={n_jobs}: use 1 (run here) or more worker processes")
    if scheduler is not None:
        yield from _dask(fn, list(tasks), scheduler)
    elif n_jobs == 1:
        for task in tasks:
            yield fn(task)
    else:
        yield from _joblib(fn, list(tasks), n_jobs, retries)


def _indexed(fn: Callable[[T], R], i: int, task: T) -> tuple[int, R]:
    return i, fn(task)


def _joblib(fn: Callable[[T], R], tasks: list[T], n_jobs: int, retries: int) -> Iterator[R]:
    from joblib import Parallel, delayed
    from joblib.externals.loky import ProcessPoolExecutor
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    pending = dict(enumerate(tasks))
    deaths = 0
    while True:
        try:
            if deaths:
                # tasks go out in order, so the ones running when the worker died are the first
                # unanswered: each runs alone in one worker before the others resume, so that two
                # memory-hungry tasks do not meet again
                for i, task in list(pending.items())[:n_jobs]:
                    with ProcessPoolExecutor(max_workers=1) as alone:
                        result = alone.submit(fn, task).result()
                    del pending[i]
                    yield result
            # one task per batch: a resumed run's finished tasks return at once, and joblib's
            # automatic batching would then grow its batches until two long tasks left side by
            # side go to one worker while the other waits idle
            for i, result in Parallel(n_jobs=n_jobs, batch_size=1, return_as="generator_unordered")(
                delayed(_indexed)(fn, i, task) for i, task in list(pending.items())
            ):
                del pending[i]
                yield result
            return
        except TerminatedWorkerError as err:
            deaths += 1
            if deaths > retries:
                raise WorkerDied(
                    f"a worker process died {deaths} times ({len(pending)} of {len(tasks)} tasks "
                    "unfinished); the operating system kills one when memory runs out. What "
                    "finished is kept: rerun to resume, with fewer worker processes "
                    f"(n_jobs={max(1, n_jobs - 1)}) if memory is short"
                ) from err
            print(f"a worker process died ({len(pending)} of {len(tasks)} tasks unfinished); "
                  f"the first {min(n_jobs, len(pending))} run alone, then {n_jobs} workers again "
                  f"(restart {deaths} of {retries})", file=sys.stderr)


def _dask(fn: Callable[[T], R], tasks: list[T], scheduler: Any) -> Iterator[R]:
    from dask.distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        _check_one_task_per_process(client)
        for future in as_completed(client.map(fn, tasks, pure=False)):
            yield future.result()
    finally:
        if client is not scheduler:
            client.close()


def _check_one_task_per_process(client: Any) -> None:
    """Refuse a cluster where one process runs two tasks at once (see the module docstring)."""
    import os

    workers = client.scheduler_info()["workers"]
    per_process: dict[Any, int] = {}
    for address, pid in client.run(os.getpid).items():
        key = (workers[address]["host"], pid)
        per_process[key] = per_process.get(key, 0) + workers[address]["nthreads"]
    crowded = [n for n in per_process.values() if n > 1]
    if crowded:
        raise ValueError(
            f"a Dask worker process runs {crowded[0]} tasks at once: tasks seed torch's "
            "process-wide random state, so start one single-threaded worker per process "
            "(dask worker ADDRESS --nthreads 1 --nworkers N)"
        )
