"""Backend seam: how the per-batch stage is mapped over tasks.

``LocalBackend`` runs the stage in a process pool on this machine (or inline with one worker). The Spark scan
(``engines/spark/scan.py``) does not implement ``map_tasks``: it maps the same pure batch functions with
``mapInArrow`` in its own pipeline.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait


class Cancelled(Exception):
    """The scan was cancelled by ``cancel_check`` (finished batches are kept for a resume)."""


def _pool_worker_init(parent: int, init: Callable, *init_args) -> None:
    """A pool worker dies with the scan that started it: a killed scan (even ``kill -9``) must not leave
    workers running and writing into its workspace."""
    from threadline.process import die_with_parent, watch_parent

    die_with_parent(expected_parent=parent)
    watch_parent(parent)
    init(*init_args)


class LocalBackend:
    def __init__(self, workers: int = 0, start_method: str = "spawn") -> None:
        self.workers = workers if workers > 0 else max(1, os.cpu_count() or 1)
        self.start_method = start_method

    def map_tasks(self, fn: Callable, tasks: Iterable, init: Callable, init_args: tuple,
                  cancel_check: Callable[[], bool] | None = None) -> Iterator:  # fmt: skip
        """Apply ``fn`` to every task; yields results as they finish (order not guaranteed)."""
        if self.workers == 1:
            init(*init_args)
            for t in tasks:
                if cancel_check and cancel_check():
                    raise Cancelled()
                yield fn(t)
            return
        ctx = mp.get_context(self.start_method)
        ex = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=ctx,
            initializer=_pool_worker_init,
            initargs=(os.getpid(), init, *init_args),
        )
        pending: set[Future] = set()
        limit = self.workers * 2
        try:
            for t in tasks:
                if cancel_check and cancel_check():
                    raise Cancelled()
                pending.add(ex.submit(fn, t))
                while len(pending) >= limit:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for d in done:
                        yield d.result()
            while pending:
                if cancel_check and cancel_check():
                    raise Cancelled()
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for d in done:
                    yield d.result()
        except BaseException:
            for p in pending:
                p.cancel()
            ex.shutdown(wait=False, cancel_futures=True)
            raise
        ex.shutdown(wait=True)
