"""``predictors.parallel``: the same results here, in worker processes and on a Dask cluster."""

from __future__ import annotations

import operator
from functools import partial

import pandas as pd
import pytest

from predictors.parallel import WorkerDied, imap_unordered
from predictors.zero_cost import table


def test_here_in_order_workers_and_dask_give_the_same_results():
    tasks = list(range(7))
    square = partial(operator.pow, 2)
    assert list(imap_unordered(square, tasks)) == [2**t for t in tasks]
    assert sorted(imap_unordered(square, tasks, n_jobs=2)) == [2**t for t in tasks]
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        got = sorted(imap_unordered(square, tasks, scheduler=cluster.scheduler_address))
    assert got == [2**t for t in tasks]


@pytest.mark.parametrize("workers, threads", [(1, 2), (2, 1)])
def test_a_process_running_two_tasks_at_once_is_refused(workers, threads):
    # two tasks in one process at once would share torch's seed: results would change run to run
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=threads, processes=False,
                      dashboard_address=None) as cluster:
        with pytest.raises(ValueError, match="--nthreads 1"):
            list(imap_unordered(abs, [1, 2], scheduler=cluster.scheduler_address))


def test_a_task_error_reaches_the_caller_and_bad_n_jobs_is_refused():
    with pytest.raises(ZeroDivisionError):
        list(imap_unordered(partial(operator.truediv, 1), [1, 0]))
    with pytest.raises(ValueError, match="n_jobs=0"):
        list(imap_unordered(abs, [1], n_jobs=0))


def test_proxy_table_on_a_dask_cluster_equals_the_local_run(tmp_path):
    from dask.distributed import LocalCluster

    archs, proxies = [3, 77, 1500], ["params", "flops", "synflow"]
    table.run("nb201", "cifar10", archs, proxies, tmp_path / "here", chunk=1, batch_size=8,
              progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        table.run("nb201", "cifar10", archs, proxies, tmp_path / "dask", chunk=1, batch_size=8,
                  progress=False, scheduler=cluster.scheduler_address)
    here, there = (table.read_results(tmp_path / d).sort_values("index").reset_index(drop=True)
                   for d in ("here", "dask"))
    assert here["index"].tolist() == archs
    cols = ["index", "arch", *proxies]
    pd.testing.assert_frame_equal(here[cols], there[cols])


def _pid_after(seconds: float) -> tuple[float, int]:
    import os
    import time

    time.sleep(seconds)
    return seconds, os.getpid()


def test_long_tasks_after_many_instant_ones_go_to_different_workers():
    # a resumed run skips its finished chunks in no time; joblib's automatic batching then grew its
    # batches and handed the last two long chunks to one worker while the other sat idle
    tasks = [0.0] * 260 + [1.0, 1.0] + [0.0] * 15
    slow = {pid for s, pid in imap_unordered(_pid_after, tasks, n_jobs=2) if s}
    assert len(slow) == 2


def _killed_once(task: tuple[str, int]) -> int:
    """Kill this worker process the first time ``task`` runs (as the OS does when memory runs
    out), answer the second time."""
    import os
    import signal
    from pathlib import Path

    marker, value = Path(task[0]), task[1]
    if value == 3 and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return value * 10


def _always_killed(value: int) -> int:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)
    return value


def test_a_killed_worker_is_replaced_and_its_task_run_again(tmp_path, capsys):
    tasks = [(str(tmp_path / "killed"), v) for v in range(6)]
    assert sorted(imap_unordered(_killed_once, tasks, n_jobs=2)) == [0, 10, 20, 30, 40, 50]
    err = capsys.readouterr().err
    assert "a worker process died" in err and "run alone, then 2 workers again (restart 1 of 2)" in err


def test_a_worker_that_keeps_dying_ends_the_run_with_what_happened():
    with pytest.raises(WorkerDied, match=r"died 2 times \(2 of 2 tasks unfinished\).*memory.*n_jobs=1"):
        list(imap_unordered(_always_killed, [1, 2], n_jobs=2, retries=1))
