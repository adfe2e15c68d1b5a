"""Paired-difference helpers for stylised-facts tests: one lever changed, common seeds, a margin of k standard
errors of the paired mean that the test computes and prints.

    d = paired("gov-led", {"policy.adoption_subsidy_rate": 0.0}, {"policy.adoption_subsidy_rate": 0.6},
               "adoption_rate_2040")
    d.assert_direction(+1)          # lever raises the output by more than 3 SE

Metrics are flat summary columns (``experiments.runner.flatten_summary``), e.g. ``deficit_2040_jpy_tn``, or a
time-series column at a year, ``"compute_in_service_h100e@2040"`` (mean of that year's quarters; ``@last`` for
the final quarter); runs go through the project's run engine with the project's seed rule (``replication_seeds``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Callable

import numpy as np

from abm.scenario import load_scenario
from experiments.engine import run_in_memory
from experiments.lever_stats import metric_values
from experiments.plan import replication_seeds

FACT_MASTER_SEED = 20261203
SMALL = {"population.firms": 1500, "population.talent": 2000, "population.data_holders": 200,
         "population.asean_partners": 5}


@dataclass
class Paired:
    label: str
    metric: str
    base: np.ndarray
    lever: np.ndarray

    @property
    def diffs(self) -> np.ndarray:
        return self.lever - self.base

    @property
    def mean(self) -> float:
        return float(self.diffs.mean())

    @property
    def se(self) -> float:
        d = self.diffs
        return float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")

    def message(self, sign: int, k: float) -> str:
        return (f"{self.label}: {self.metric} paired difference {self.mean:+.4g} (SE {self.se:.3g}, n={len(self.diffs)}, "
                f"base mean {self.base.mean():.4g}); expected {'+' if sign > 0 else '-'} beyond {k} SE")

    def assert_direction(self, sign: int, k: float = 3.0, floor: float = 0.0) -> None:
        """``sign`` * mean difference > max(k * SE, floor); prints the figures either way. A zero SE (identical
        differences) passes only if the difference itself has the right sign and exceeds ``floor``."""
        msg = self.message(sign, k)
        print(msg)
        se = self.se if np.isfinite(self.se) else 0.0
        assert sign * self.mean > max(k * se, floor), msg


def run_metrics(preset: str, overrides: dict, metrics: list[str], n_seeds: int = 5,
                small: bool = True) -> dict[str, np.ndarray]:
    """``{metric: per-seed values}`` for one scenario over the facts' common seeds. ``overrides`` may hold
    ``"shocks"``: a list of shock tables that replaces the preset's."""
    overrides = dict(overrides)
    shocks = overrides.pop("shocks", None)
    data = load_scenario(preset, {**(SMALL if small else {}), **overrides}).model_dump(mode="json")
    if shocks is not None:
        data["shocks"] = shocks
    seeds = replication_seeds(FACT_MASTER_SEED, n_seeds)
    runs = [{"run_id": f"r{i}", "seed": s, "scenario": data} for i, s in enumerate(seeds)]
    ts_cols = sorted({m.split("@")[0] for m in metrics if "@" in m})
    rows, ts = run_in_memory(runs, keep_ts=ts_cols)
    assert (rows["status"] == "ok").all(), rows.loc[rows["status"] != "ok", "error"].iloc[0]
    values = metric_values(rows, ts, metrics)
    return {m: values[m].to_numpy(float) for m in metrics}


def cached_paired(metrics: list[str]) -> Callable[[str, dict, dict, str], Paired]:
    """A ``paired(preset, base, lever, metric)`` for a test module whose facts read only ``metrics``: each scenario
    runs once (5 seeds, the small population) and serves every fact that reads it."""
    @functools.lru_cache(maxsize=None)
    def values(preset: str, overrides: str) -> dict[str, np.ndarray]:
        return run_metrics(preset, json.loads(overrides), metrics)

    def paired_(preset: str, base: dict, lever: dict, metric: str) -> Paired:
        b = values(preset, json.dumps(base, sort_keys=True))[metric]
        v = values(preset, json.dumps(lever, sort_keys=True))[metric]
        return Paired(f"{preset} {base} -> {lever}", metric, b, v)
    return paired_


def paired(preset: str, base: dict, lever: dict, metric: str, n_seeds: int = 5, small: bool = True,
           label: str | None = None) -> Paired:
    """The paired difference of ``metric`` between ``lever`` and ``base`` overrides of ``preset``."""
    b = run_metrics(preset, base, [metric], n_seeds, small)[metric]
    v = run_metrics(preset, lever, [metric], n_seeds, small)[metric]
    return Paired(label or f"{preset} {base} -> {lever}", metric, b, v)
