"""Replications for the compare view, on the project's run engine and seed rule; progress callback, cancellable.

Every scenario runs with the same seeds (common random numbers), so paired differences are meaningful.
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np
import pandas as pd

from abm.scenario import load_scenario
from experiments.engine import Cancelled, run_in_memory
from experiments.plan import DEFAULT_MASTER_SEED, replication_seeds

APPRAISAL = ("payback_year", "npv_jpy_tn", "npv_economic_jpy_tn")  # per-run summary scalars kept (frame.attrs)
FAN_METRICS = {  # key -> (column, scale): scale 100 turns shares into %
    "fan_deficit": ("digital_deficit_jpy_tn", 1.0),
    "fan_adoption": ("adoption_rate", 100.0),
    "fan_retention": ("talent_retention_rate", 100.0),
    "fan_net_fiscal": ("net_fiscal_cum_jpy_tn", 1.0),
}


def add_derived(ts: pd.DataFrame) -> pd.DataFrame:
    """Adds ``t`` (decimal year) and ``net_fiscal_cum_jpy_tn`` = direct outcomes - public cost - bond interest."""
    out = ts.reset_index(drop=True).copy()
    out["t"] = out["year"] + (out["quarter"] - 1) / 4.0
    out["net_fiscal_cum_jpy_tn"] = (out["outcomes_direct_cum_jpy_tn"] - out["public_cost_cum_jpy_tn"]
                                    - out["bond_interest_cum_jpy_tn"])
    return out


def run_replications(scenarios: list, n: int, base_seed: int = DEFAULT_MASTER_SEED,
                     on_progress: Callable[[int, int], None] | None = None,
                     cancel: threading.Event | None = None) -> dict[str, list[pd.DataFrame]]:
    """Run every scenario ``n`` times (same seeds for all) on the run engine, in this process; returns
    ``{scenario name: [time series]}``; each time series carries its run's :data:`APPRAISAL` values in
    ``attrs["appraisal"]``. ``on_progress(done, total)`` is called after each run; setting
    ``cancel`` stops after the run in progress (raises :class:`Cancelled`)."""
    seeds = replication_seeds(base_seed, n)
    runs, names = [], []
    for sc in scenarios:
        scenario = load_scenario(sc)
        names.append(sc if isinstance(sc, str) else sc.name)
        data = scenario.model_dump(mode="json")
        runs += [{"run_id": f"{names[-1]}/{r}", "seed": seed, "scenario": data} for r, seed in enumerate(seeds)]
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    rows, ts = run_in_memory(runs, on_progress=on_progress, cancel=cancel)
    bad = rows[rows["status"] != "ok"]
    if len(bad):
        raise RuntimeError(f"run {bad['run_id'].iloc[0]} failed: {bad['error'].iloc[0]}")
    groups = dict(tuple(ts.groupby("run_id", sort=False)))
    scalars = rows.set_index("run_id").reindex(columns=list(APPRAISAL)).to_dict("index")
    out = {name: [add_derived(groups[f"{name}/{r}"].drop(columns="run_id")) for r in range(n)] for name in names}
    for name, frames in out.items():
        for r, frame in enumerate(frames):
            frame.attrs["appraisal"] = scalars[f"{name}/{r}"]
    return out


def appraisal_runs(results: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """One row per run (``policy``, ``replication``, the :data:`APPRAISAL` scalars) from
    :func:`run_replications`' results, for :func:`experiments.uncertainty.appraisal_summary`."""
    return pd.DataFrame([{"policy": name, "sample_index": 0, "replication": r, **frame.attrs.get("appraisal", {})}
                         for name, frames in results.items() for r, frame in enumerate(frames)])


def fan_chart_data(runs: list[pd.DataFrame], column: str, scale: float = 1.0) -> pd.DataFrame:
    """Per quarter: ``t``, ``p5``, ``median``, ``p95`` of ``column`` across runs (times ``scale``)."""
    wide = np.vstack([r[column].to_numpy() * scale for r in runs])
    q = np.percentile(wide, [5, 50, 95], axis=0)
    return pd.DataFrame({"t": runs[0]["t"].to_numpy(), "p5": q[0], "median": q[1], "p95": q[2]})


def difference_table(results: dict[str, list[pd.DataFrame]], year: int) -> list[dict]:
    """Rows per metric: each scenario's median in ``year`` (mean of its quarters) and the paired difference
    to the first scenario (median and 5-95% of per-seed differences)."""
    names = list(results)
    rows = []
    for key, (col, scale) in FAN_METRICS.items():
        vals = {s: np.array([r.loc[r["year"] == year, col].mean() * scale for r in results[s]]) for s in names}
        row = {"metric": key, "median": {s: float(np.median(v)) for s, v in vals.items()}, "diff": {}}
        for s in names[1:]:
            d = vals[s] - vals[names[0]]
            row["diff"][s] = (float(np.median(d)), float(np.percentile(d, 5)), float(np.percentile(d, 95)))
        rows.append(row)
    return rows
