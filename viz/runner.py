"""Replications for the compare view: seeds from one SeedSequence, progress callback, cancellable.

This is the dashboard's small stand-in for ``experiments.compare`` (``run_replications`` / ``fan_chart_data``);
the compare view calls only the three functions below, so swapping in the experiments layer is a one-line change.
Every scenario runs with the same seeds (common random numbers), so paired differences are meaningful.
"""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np
import pandas as pd

from abm.report import simulate
from experiments.plan import DEFAULT_MASTER_SEED, replication_seeds


class Cancelled(Exception):
    """Raised inside a run when the user cancels."""


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
    """Run every scenario ``n`` times (same seeds for all); returns ``{scenario name: [time series]}``.

    ``on_progress(done, total)`` is called after each run; setting ``cancel`` stops within one quarter
    (raises :class:`Cancelled`)."""
    seeds = replication_seeds(base_seed, n)
    total, done = len(scenarios) * n, 0
    out: dict[str, list[pd.DataFrame]] = {}

    def check(_done, _total):
        if cancel is not None and cancel.is_set():
            raise Cancelled()

    for sc in scenarios:
        label = sc if isinstance(sc, str) else sc.name
        out[label] = []
        for seed in seeds:
            check(0, 0)
            out[label].append(add_derived(simulate(sc, seed=seed, on_step=check).timeseries))
            done += 1
            if on_progress:
                on_progress(done, total)
    return out


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
