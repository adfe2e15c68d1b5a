"""The one run engine: runs of the model on an executor (inline, local process pool or Dask), in chunks.

Every "run many" in sovai goes through here: sweeps and compare (:func:`experiments.sweep.run_sweep`, which
streams each finished chunk into a results folder), validate/calibrate (:func:`experiments.targets.run_reference`)
and the dashboard's compare (:func:`viz.runner.run_replications`), both through :func:`run_in_memory`.

A run is ``{"run_id", "seed", "scenario"}`` (scenario as validated data); its seed comes from the one seed rule,
:func:`experiments.plan.replication_seeds`. Workers execute :func:`experiments.runner.run_chunk`. The engine
keeps a bounded number of chunks in flight, replaces a local pool that lost a process, retries a lost chunk
(``MAX_ATTEMPTS`` in all, then its runs are reported as failed) and stops on ``cancel`` between chunks.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import math
import multiprocessing
import threading
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


def chunk_id(run_ids: Iterable[str]) -> str:
    """A chunk's name: a hash of its run ids (stable across resumes)."""
    return hashlib.sha256("".join(run_ids).encode()).hexdigest()[:16]


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
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx), self.workers

    def _restart(self) -> None:
        """Replace a broken local pool."""
        self.ex.shutdown(wait=False, cancel_futures=True)
        self.ex, self.slots = self._make()

    def chunks(self, runs: list[dict], chunk_size: int | None = None) -> deque:
        """``runs`` cut into ``(chunk id, runs)`` pairs of the engine's chunk size."""
        size = chunk_size_for(len(runs), self.slots, chunk_size)
        return deque((chunk_id(r["run_id"] for r in runs[i:i + size]), runs[i:i + size])
                     for i in range(0, len(runs), size))

    def results(self, chunks: deque, keep_ts: list[str] | None = None, keep_summary: list[str] | None = None,
                cancel: threading.Event | None = None) -> Iterator[tuple[str, list[dict], dict]]:
        """Yield ``(chunk id, runs, result)`` as chunks finish, in completion order. A chunk whose worker was
        lost is retried; after ``MAX_ATTEMPTS`` (or from a worker of another model version) its runs come back
        failed. Stops submitting once ``cancel`` is set (what is in flight still arrives)."""
        attempts: Counter = Counter()
        broken = False  # a local pool lost a process: drain its futures, then start a new pool
        inflight = self.inflight
        while (chunks and not (cancel is not None and cancel.is_set())) or inflight:
            if broken and not inflight:
                self._restart()
                broken = False
            while not broken and chunks and len(inflight) < self.depth and not (cancel and cancel.is_set()):
                cid, payload = chunks.popleft()
                try:
                    fut = self.ex.submit(run_chunk, cid, payload, keep_ts, keep_summary, self.run_fn)
                except BrokenProcessPool:  # broke before we saw a failed future
                    chunks.appendleft((cid, payload))
                    broken = True
                    break
                inflight[fut] = (cid, payload)
            if not inflight:
                continue
            done, _ = cf.wait(list(inflight), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                cid, payload = inflight.pop(fut)
                try:
                    res = fut.result()
                except Exception as e:  # the worker died or the task was lost, not a run error
                    broken |= isinstance(e, BrokenProcessPool)
                    attempts[cid] += 1
                    if attempts[cid] < MAX_ATTEMPTS:
                        chunks.appendleft((cid, payload))
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
            if interrupted:
                for proc in list((getattr(self.ex, "_processes", None) or {}).values()):
                    proc.terminate()
            self.ex.shutdown(wait=not interrupted, cancel_futures=True)
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
        for _cid, payload, res in engine.results(engine.chunks(runs, chunk_size or (1 if workers <= 1 else None)),
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
