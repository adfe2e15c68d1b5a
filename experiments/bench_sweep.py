"""`make bench`, section 6: the same N runs through `sovai sweep` (1 and 2 local workers, a Dask LocalCluster of
2 workers), `mesa.batch_run` (2 processes) and EMA Workbench (MultiprocessingEvaluator, 2 processes).

Like with like: every path runs the default scenario N times on the seeds ``replication_seeds(MASTER_SEED, N)``;
each run builds the model and steps it through its 60 quarters with the model's own data collection, then hands
its results back:

- ``sovai sweep`` (the whole command, timed from outside: start-up, plan, worker pool, Parquet chunks, manifest)
  on an experiment that keeps every time-series column and the summary metrics that do not need the paired
  counterfactual, so no counterfactual runs (the sweep computes only what it keeps);
- ``mesa.batch_run(SovereignAIModel, {}, rng=seeds, number_processes=2)``: the model reporters at the end;
- EMA Workbench: a function model returning two end values, ``MultiprocessingEvaluator(n_processes=2)``.

One more line shows ``sovai sweep`` with default outputs: every run then also runs its paired counterfactual
(two model runs per run; see ``abm/appraisal.py``). The paths run one after another in one bench run, their order
rotated between repetitions; ratios are against ``mesa.batch_run`` of the same bench run (the machine is
shared, so compare ratios rather than absolute rates). The overhead of ``sovai sweep`` is its wall time over
the time its runs took inside the workers (``elapsed_s`` of the runs table) divided by the workers.
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MASTER_SEED = 1
WORKERS = 2
PATHS = ("sovai_1", "sovai_2", "sovai_dask_2", "mesa_batch_run_2", "ema_2", "sovai_2_appraised")
LABELS = {"sovai_1": "sovai sweep, 1 worker", "sovai_2": "sovai sweep, 2 workers",
          "sovai_dask_2": "sovai sweep, Dask LocalCluster (2 workers)", "mesa_batch_run_2": "mesa.batch_run, 2 processes",
          "ema_2": "EMA Workbench MultiprocessingEvaluator, 2 processes",
          "sovai_2_appraised": "sovai sweep, 2 workers, default outputs (+ paired counterfactual)"}
EMA_OUTCOMES = ("adoption_rate", "digital_deficit_jpy_tn")


def seeds(n: int) -> list[int]:
    from experiments.plan import replication_seeds

    return replication_seeds(MASTER_SEED, n)


def experiment_text(n: int, appraised: bool) -> str:
    """The sweep's experiment file: the default scenario, n replications (their seeds are :func:`seeds`)."""
    from experiments.runner import appraisal_metric_names, summary_metric_names

    text = f'name = "bench-sweep"\nmaster_seed = {MASTER_SEED}\nreplications = {n}\n'
    if not appraised:
        kept = [m for m in summary_metric_names() if m not in appraisal_metric_names()]
        text += "\n[outputs]\nsummary = [" + ", ".join(f'"{m}"' for m in kept) + "]\n"
    return text


def time_sovai(n: int, workers: int, scheduler: str | None = None, appraised: bool = False) -> dict:
    """``sovai sweep`` as a user runs it, in a fresh process; wall time and the runs' own time in the workers."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="sovai-bench-sweep-") as tmp:
        spec = Path(tmp) / "bench.toml"
        spec.write_text(experiment_text(n, appraised))
        cmd = [str(Path(sys.executable).with_name("sovai")), "sweep", str(spec), "--out", str(Path(tmp) / "out"),
               "--workers", str(workers), "--quiet"] + (["--scheduler", scheduler] if scheduler else [])
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
        ok, busy = duckdb.connect().execute(
            f"SELECT count(*) FILTER (status = 'ok'), sum(elapsed_s) FROM read_parquet('{tmp}/out/chunks/*/runs.parquet')"
        ).fetchone()
    return {"wall_s": wall, "runs": n, "ok": ok, "run_time_in_workers_s": busy, "workers": workers,
            "overhead": wall / (busy / workers) - 1.0}


def time_dask(n: int) -> dict:
    from distributed import LocalCluster

    import dask

    t0 = time.perf_counter()
    # workers without the statistical profiler (a GIL-taking sample every 10 ms), as docs/experiments.md advises
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        started = time.perf_counter() - t0
        out = time_sovai(n, WORKERS, scheduler=cluster.scheduler_address)
    return dict(out, cluster_start_s=started)


def time_batch_run(n: int) -> dict:
    import mesa

    from abm.model import SovereignAIModel

    t0 = time.perf_counter()
    rows = mesa.batch_run(SovereignAIModel, {}, rng=seeds(n), number_processes=WORKERS, data_collection_period=-1,
                          display_progress=False)
    return {"wall_s": time.perf_counter() - t0, "runs": n, "ok": len(rows)}


def ema_run(seed: int = 0) -> dict:
    """EMA's model function: one default run, two end values."""
    from abm.model import SovereignAIModel

    model = SovereignAIModel(rng=int(seed))
    model.run()
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    return {k: float(last[k]) for k in EMA_OUTCOMES}


def time_ema(n: int) -> dict:
    import logging

    from ema_workbench import IntegerParameter, Model, MultiprocessingEvaluator, Sample, ScalarOutcome

    logging.getLogger("EMA").setLevel(logging.WARNING)
    model = Model("sovai", function=ema_run)
    model.uncertainties = [IntegerParameter("seed", 0, 2**32 - 1)]
    model.outcomes = [ScalarOutcome(k) for k in EMA_OUTCOMES]
    t0 = time.perf_counter()
    with MultiprocessingEvaluator(model, n_processes=WORKERS) as evaluator:
        experiments, outcomes = evaluator.perform_experiments([Sample(seed=s) for s in seeds(n)])
    return {"wall_s": time.perf_counter() - t0, "runs": n, "ok": int(len(outcomes[EMA_OUTCOMES[0]]))}


def _one(path: str, n: int) -> dict:
    if path == "sovai_dask_2":
        return time_dask(n)
    if path == "mesa_batch_run_2":
        return time_batch_run(n)
    if path == "ema_2":
        return time_ema(n)
    return time_sovai(n, 1 if path == "sovai_1" else WORKERS, appraised=path == "sovai_2_appraised")


def sweep_bench(n: int, reps: int, log, paths=PATHS) -> dict:
    """Every path ``reps`` times on the same n runs, in rotated order; medians, runs/s and ratios."""
    runs: dict[str, list] = {p: [] for p in paths}
    for rep in range(reps):
        order = paths[rep % len(paths):] + paths[:rep % len(paths)]
        for path in order:
            r = _one(path, n)
            runs[path].append(r)
            log(f"  rep {rep + 1}/{reps} {LABELS[path]:<62} {r['wall_s']:7.1f} s  {n / r['wall_s']:6.2f} runs/s")
    out = {"n": n, "reps": reps, "workers": WORKERS, "master_seed": MASTER_SEED, "paths": {}}
    for path, rs in runs.items():
        wall = statistics.median(r["wall_s"] for r in rs)
        out["paths"][path] = {"label": LABELS[path], "median_wall_s": wall, "runs_per_s": n / wall, "runs": rs}
        if "overhead" in rs[0]:
            out["paths"][path]["median_overhead"] = statistics.median(r["overhead"] for r in rs)
    ref = out["paths"].get("mesa_batch_run_2")
    for p in out["paths"].values():
        p["vs_mesa_batch_run"] = p["runs_per_s"] / ref["runs_per_s"] if ref else None
    return out


def table_lines(s: dict) -> list[str]:
    lines = [f"6. sweeps: the same {s['n']:,} default runs (seeds replication_seeds({s['master_seed']}, n)), "
             f"median of {s['reps']}, paths rotated; no paired counterfactual unless said",
             f"   {'path':<66} {'wall s':>7} {'runs/s':>7} {'x batch_run':>11} {'overhead':>9}"]
    for p in s["paths"].values():
        ratio = f"{p['vs_mesa_batch_run']:.2f}" if p["vs_mesa_batch_run"] is not None else "-"
        over = f"{p['median_overhead']:.0%}" if "median_overhead" in p else ""
        lines.append(f"   {p['label']:<66} {p['median_wall_s']:7.1f} {p['runs_per_s']:7.2f} {ratio:>11} {over:>9}")
    lines.append("   overhead = wall / (runs' own time in the workers / workers) - 1 (start-up, pool, imports, "
                 "writes; targets: <= 15 % at 2 workers, >= 1.5x mesa.batch_run)")
    return lines


if __name__ == "__main__":  # a quick look: python -m experiments.bench_sweep N
    with contextlib.suppress(IndexError):
        res = sweep_bench(int(sys.argv[1]), 1, lambda m: print(m, file=sys.stderr, flush=True))
        print("\n".join(table_lines(res)))
