"""The one run engine: runs of the model on an executor (inline, local process pool or Dask), in chunks.

Every "run many" in sovai goes through here: sweeps and compare (:func:`experiments.sweep.run_sweep`, which
streams each finished chunk into a results folder), validate/calibrate (:func:`experiments.targets.run_reference`)
and the dashboard's compare (:func:`viz.runner.run_replications`), both through :func:`run_in_memory`.

A run is ``{"run_id", "seed", "scenario"}`` (scenario as validated data); its seed comes from the one seed rule,
:func:`experiments.plan.replication_seeds`. Workers execute :func:`experiments.runner.run_chunk`. The engine
keeps a bounded number of chunks in flight and takes chunks from an iterator (so a plan is never copied
whole), replaces a local pool that lost a process, splits a lost chunk of several runs into one-run chunks (so
the run that crashed its worker does not condemn the others), retries a lost one-run chunk (``MAX_ATTEMPTS`` in
all, then it is reported failed) and stops on ``cancel`` between chunks. Local workers exit when the process
that started them dies (:func:`_watch_parent`); closing the engine cancels its Dask tasks.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import math
import multiprocessing
import os
import threading
import time
from collections import Counter, deque
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

import pandas as pd

from abm.errors import UserError
from experiments.runner import DEFAULT_RUN_FN, model_version, resolve_run_fn, run_chunk

MAX_ATTEMPTS = 3


class EngineError(UserError):
    """The executor cannot be started (cluster unreachable, Dask missing, bad run function)."""


class Cancelled(Exception):
    """Raised by :func:`run_in_memory` when its ``cancel`` event is set."""


class InlineExecutor(cf.Executor):
    """Runs each submitted call at once in this process (``workers=1``)."""

    def submit(self, fn, /, *args, **kwargs):
        f = cf.Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except Exception as e:
            f.set_exception(e)
        return f


def chunk_size_for(n: int, slots: int, requested: int | None) -> int:
    """Requested size, else ~8 chunks per slot, capped at 20 runs so a lost chunk costs little."""
    return requested or max(1, min(20, math.ceil(n / (slots * 8))))


def chunk_id(run_ids: Iterable[str], attempt: int = 1) -> str:
    """A chunk's name: a hash of its run ids (stable across resumes) and, for a retry, the attempt."""
    return hashlib.sha256(("".join(run_ids) + (f"#{attempt}" if attempt > 1 else "")).encode()).hexdigest()[:16]


def _watch_parent(parent: int) -> None:
    """Pool worker initializer: exit as soon as the process that started this worker is gone (its parent id
    changes when it dies, even by SIGKILL), so no worker outlives its sweep."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)
    threading.Thread(target=watch, name="sovai-parent-watch", daemon=True).start()


def failed_result(cid: str, payload: list[dict], error: str) -> dict:
    """A chunk result whose runs all failed with ``error`` (the shape :func:`run_chunk` returns)."""
    rows = [{"run_id": p["run_id"], "status": "failed", "error": error[:500], "traceback": None, "elapsed_s": 0.0}
            for p in payload]
    return {"chunk_id": cid, "model_version": model_version(), "rows": rows, "timeseries": None}


class Engine:
    """Owns the executor. Create it before touching any output (an unreachable cluster then leaves nothing
    behind); call :meth:`close` when done (``interrupted=True`` stops local workers at once)."""

    def __init__(self, workers: int = 1, scheduler: str | None = None, run_fn: str = DEFAULT_RUN_FN):
        try:
            resolve_run_fn(run_fn)
        except ValueError as e:
            raise EngineError(str(e)) from None
        self.workers, self.scheduler, self.run_fn, self.client = workers, scheduler, run_fn, None
        self.ex, self.slots = self._make()
        # chunks kept in flight: two per slot keeps workers busy; inline runs at submit, so one at a time
        self.depth = 1 if isinstance(self.ex, InlineExecutor) else 2 * self.slots
        self.inflight: dict = {}

    def _make(self):
        if self.scheduler:
            try:
                from distributed import Client
            except ImportError:
                raise EngineError("--scheduler needs Dask distributed: pip install 'sovai[dist]'") from None
            try:
                self.client = Client(self.scheduler, timeout="15s")
            except (OSError, TimeoutError) as e:
                raise EngineError(f"--scheduler: cannot reach {self.scheduler}: {e}") from None
            return self.client.get_executor(pure=False), max(1, sum(self.client.nthreads().values()))
        if self.workers <= 1:
            return InlineExecutor(), 1
        ctx = multiprocessing.get_context("spawn")
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_watch_parent,
                                      initargs=(os.getpid(),)), self.workers

    def _restart(self) -> None:
        """Replace a broken local pool."""
        self.ex.shutdown(wait=False, cancel_futures=True)
        self.ex, self.slots = self._make()

    def chunks(self, runs: Iterable[dict], n: int | None = None, chunk_size: int | None = None
               ) -> Iterator[tuple[str, list[dict]]]:
        """``runs`` (``n`` of them; needed when ``runs`` is an iterator) cut into ``(chunk id, runs)`` pairs of the
        engine's chunk size, lazily. A run may carry ``attempt`` (its try, for the chunk id) and any other keys."""
        runs = runs if n is not None else list(runs)
        size = chunk_size_for(len(runs) if n is None else n, self.slots, chunk_size)
        it = iter(runs)
        while batch := list(itertools.islice(it, size)):
            yield chunk_id((r["run_id"] for r in batch), max(r.get("attempt", 1) for r in batch)), batch

    def results(self, chunks: Iterable[tuple[str, list[dict]]], keep_ts: list[str] | None = None,
                keep_summary: list[str] | None = None, cancel: threading.Event | None = None
                ) -> Iterator[tuple[str, list[dict], dict]]:
        """Yield ``(chunk id, runs, result)`` as chunks finish, in completion order, taking chunks from
        ``chunks`` only as slots free up. A lost chunk of several runs comes back as one-run chunks (ids from
        :func:`chunk_id`); a lost one-run chunk is retried, and after ``MAX_ATTEMPTS`` (or from a worker of
        another model version) comes back failed. Stops submitting once ``cancel`` is set."""
        attempts: Counter = Counter()
        broken = False  # a local pool lost a process: drain its futures, then start a new pool
        inflight, source, again = self.inflight, iter(chunks), deque()  # again: lost chunks (suspects)
        suspect = False  # a suspect is in flight
        cancelled = lambda: cancel is not None and cancel.is_set()  # noqa: E731

        def take():
            return again.popleft() if again else next(source, None)

        while True:
            if broken and not inflight:
                self._restart()
                broken = False
            while not broken and len(inflight) < self.depth and not cancelled():
                if (again and inflight) or suspect:  # a suspect runs alone, so that a loss is its own
                    break
                suspect = bool(again)
                item = take()
                if item is None:
                    break
                cid, payload = item
                try:
                    fut = self.ex.submit(run_chunk, cid, payload, keep_ts, keep_summary, self.run_fn)
                except BrokenProcessPool:  # broke before we saw a failed future
                    again.appendleft(item)
                    broken, suspect = True, False
                    break
                inflight[fut] = item
            if not inflight:
                if broken:
                    continue
                break
            done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                alone = len(inflight) == 1
                cid, payload = inflight.pop(fut)
                suspect = False
                try:
                    res = fut.result()
                except Exception as e:  # the worker died or the task was lost, not a run error
                    broken |= isinstance(e, BrokenProcessPool)
                    if len(payload) > 1:  # one run may have crashed it: retry each run on its own
                        again.extend((chunk_id([r["run_id"]], r.get("attempt", 1)), [r]) for r in payload)
                        continue
                    if not alone:  # lost next to others: not charged, run it alone
                        again.append((cid, payload))
                        continue
                    attempts[cid] += 1
                    if attempts[cid] < MAX_ATTEMPTS:
                        again.appendleft((cid, payload))
                        continue
                    res = failed_result(cid, payload, f"worker lost ({attempts[cid]} attempts): "
                                                      f"{type(e).__name__}: {e}")
                if res["model_version"] != model_version():
                    res = failed_result(cid, payload, f"worker runs model version {res['model_version']}, "
                                                      f"expected {model_version()}")
                yield cid, payload, res

    def close(self, interrupted: bool = False) -> None:
        """Shut down; on interrupt cancel what is in flight and stop our own local workers at once."""
        for fut in self.inflight:
            fut.cancel()  # for Dask this cancels the task on the cluster
        if isinstance(self.ex, cf.ProcessPoolExecutor):
            manager = getattr(self.ex, "_executor_manager_thread", None)
            if interrupted:
                for proc in list((getattr(self.ex, "_processes", None) or {}).values()):
                    proc.terminate()
            self.ex.shutdown(wait=not interrupted, cancel_futures=True)
            if interrupted and manager is not None:
                # let the pool's manager thread finish closing its wake-up pipe now: at interpreter exit,
                # CPython 3.12.1's atexit hook may otherwise write to that pipe while the thread closes it
                # ("Exception ignored ... Bad file descriptor" after the one-line interrupted message)
                manager.join(timeout=5)
        else:
            self.ex.shutdown(wait=not interrupted)
        if self.client is not None:
            self.client.close()


def run_in_memory(runs: list[dict], *, workers: int = 1, scheduler: str | None = None,
                  keep_ts: list[str] | None = None, keep_summary: list[str] | None = None,
                  chunk_size: int | None = None, on_progress: Callable[[int, int], None] | None = None,
                  cancel: threading.Event | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run ``runs`` and return ``(rows, timeseries)`` in the order of ``runs``: one row per run (``run_id``,
    ``status``, ``error``, flat summary metrics) and the long time series of the ok runs (``run_id`` first;
    ``keep_ts=[]`` keeps only year and quarter). ``on_progress(done, total)`` after each chunk; a set
    ``cancel`` raises :class:`Cancelled` once the chunks in flight are back."""
    engine = Engine(workers, scheduler)
    rows, frames, done = {}, [], 0
    interrupted = False
    try:
        for _cid, payload, res in engine.results(engine.chunks(runs, None, chunk_size or (1 if workers <= 1 else None)),
                                                 keep_ts, keep_summary, cancel):
            rows.update((r["run_id"], r) for r in res["rows"])
            if res["timeseries"] is not None:
                frames.append(res["timeseries"])
            done += len(payload)
            if on_progress:
                on_progress(done, len(runs))
    except BaseException:
        interrupted = True
        raise
    finally:
        engine.close(interrupted)
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    order = [r["run_id"] for r in runs]
    table = pd.DataFrame([rows[i] for i in order])
    if not frames:
        return table, None
    ts = pd.concat(frames, ignore_index=True)
    pos = {rid: k for k, rid in enumerate(order)}
    ts = ts.iloc[ts["run_id"].map(pos).argsort(kind="stable")].reset_index(drop=True)
    return table, ts
