"""The lever atlas: each declared lever and shock (``abm/data/levers.toml``) low vs high on common seeds, and a
Latin hypercube over the levers and the exogenous inputs for the variance decomposition.

:func:`plan` builds the runs (the atlas's pairs, then the LHS samples) from the declarations; identical scenario
and seed pairs are run once. Seeds follow the project's one rule, :func:`experiments.plan.replication_seeds`:
the atlas's settings all run on the first ``seeds`` replication seeds (common random numbers), LHS sample ``i``
on replication seed ``i``; the LHS matrix is drawn from ``SeedSequence(master, spawn_key=(0,))``. Runs go through
the run engine (:func:`experiments.engine.run_in_memory`), so the figures do not depend on the worker count.
:func:`measure` returns plain DataFrames that :mod:`experiments.lever_stats` turns into effects and shares.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from abm.levers import Atlas, Entry, atlas
from abm.scenario import ScenarioError, load_scenario
from abm.schema import field_specs
from experiments.lever_stats import metric_values, paired_effects, variance_shares
from experiments.plan import DEFAULT_MASTER_SEED, replication_seeds

# the key outputs: flat summary columns, or a time-series column at a year (see lever_stats.metric_values)
KEY_OUTPUTS = ["adoption_rate_2040", "adoption_share_sovereign_2040", "deficit_2040_jpy_tn",
               "outcomes_2040_deficit_avoided_jpy_tn_per_year", "npv_jpy_tn", "public_cost_cum_jpy_tn@last",
               "compute_in_service_h100e@2040"]


@dataclass
class LeverPlan:
    runs: list[dict] = field(default_factory=list)            # unique (scenario, seed) runs for the engine
    pairs: list[dict] = field(default_factory=list)           # lever, setting, seed, run_id
    lhs_inputs: pd.DataFrame | None = None                    # sample x input, numeric (high = 1 for choices)
    lhs_values: pd.DataFrame | None = None                    # sample x input, the values as set
    lhs_runs: list[str] = field(default_factory=list)         # run id of each sample
    groups: dict[str, str] = field(default_factory=dict)      # input -> "lever" | "exogenous"
    _ids: dict = field(default_factory=dict)

    def add(self, data: dict, seed: int) -> str:
        scenario = {**data, "run": {**data["run"], "seed": seed}}
        rid = hashlib.sha256(json.dumps(scenario, sort_keys=True).encode()).hexdigest()[:20]
        if rid not in self._ids:
            self._ids[rid] = True
            self.runs.append({"run_id": rid, "seed": seed, "scenario": scenario})
        return rid


def scenario_data(preset: str, overrides: dict, setting: tuple[dict, list[dict]]) -> dict:
    """The preset with the user's ``overrides`` and one lever setting ``(field overrides, extra shocks)``."""
    fields, shocks = setting
    base = load_scenario(preset, {**overrides, **fields}).model_dump(mode="json")
    if shocks:
        base = load_scenario({**base, "shocks": base["shocks"] + shocks}).model_dump(mode="json")
    return base


def _lhs_inputs(decl: Atlas) -> list[tuple[str, str, Callable[[float], object]]]:
    """``(name, group, value of u in [0, 1))`` per LHS input: the levers (lhs != none), shocks, exogenous inputs."""
    specs, out = field_specs(), []
    for e in decl.entries:
        if e.lhs == "none":
            continue
        spec = specs.get(e.name)
        if e.kind == "shock" or spec.choices or spec.type is bool:
            out.append((e.name, e.lhs, lambda u, e=e: e.high if u >= 0.5 else e.low))
        elif spec.type is int:
            out.append((e.name, e.lhs, lambda u, e=e: int(round(e.low + u * (e.high - e.low)))))
        else:
            out.append((e.name, e.lhs, lambda u, e=e: float(e.low + u * (e.high - e.low))))
    for path, d in decl.exogenous.items():
        out.append((path, "exogenous", lambda u, d=d: float(d.low + u * (d.high - d.low))))
    return out


def _encode(entry: Entry | None, value) -> float:
    if entry is not None and (entry.kind == "shock" or isinstance(entry.high, (bool, str))):
        return float(value == entry.high)
    return float(value)


def plan(seeds: int, lhs_samples: int, preset: str | None = None, overrides: dict | None = None,
         master: int = DEFAULT_MASTER_SEED, decl: Atlas | None = None) -> LeverPlan:
    """Every run of the atlas and the LHS; raises ScenarioError (naming it) for a bad preset or override."""
    from scipy.stats import qmc

    decl, overrides = decl or atlas(), dict(overrides or {})
    p = LeverPlan()
    common = replication_seeds(master, seeds)
    for e in decl.entries:
        for which in ("low", "high"):
            try:
                data = scenario_data(preset or e.preset, overrides, e.setting(which))
            except ScenarioError as err:
                raise ScenarioError(f"{e.name} ({which}) on {preset or e.preset}: {err}") from None
            p.pairs += [{"lever": e.name, "setting": which, "seed": s, "run_id": p.add(data, s)} for s in common]
    if lhs_samples:
        inputs = _lhs_inputs(decl)
        rng = np.random.default_rng(np.random.SeedSequence(master, spawn_key=(0,)))
        u = qmc.LatinHypercube(d=len(inputs), rng=rng).random(lhs_samples)
        by_name = decl.by_name()
        values = pd.DataFrame([{name: f(x) for (name, _g, f), x in zip(inputs, row)} for row in u])
        p.lhs_values = values
        p.lhs_inputs = pd.DataFrame({c: [_encode(by_name.get(c), v) for v in values[c]] for c in values.columns})
        p.groups = {name: g for name, g, _f in inputs}
        base = load_scenario(preset or "gov-led", overrides).model_dump(mode="json")
        for i, (row, seed) in enumerate(zip(values.to_dict("records"), replication_seeds(master, lhs_samples))):
            fields = {k: v for k, v in row.items() if not k.startswith("shock.")}
            shocks = [by_name[k].shock for k, v in row.items() if k.startswith("shock.") and v == by_name[k].high]
            p.lhs_runs.append(p.add(scenario_data(base, fields, ({}, shocks)), seed))
    return p


@dataclass
class LeverResults:
    effects: pd.DataFrame          # paired_effects: lever x metric
    shares: pd.DataFrame | None    # variance_shares: per output
    indices: pd.DataFrame | None   # per output and input: SRRC²
    runs: int
    failed: int


def measure(p: LeverPlan, *, workers: int = 1, scheduler: str | None = None,
            on_progress: Callable[[int, int], None] | None = None, metrics: list[str] | None = None) -> LeverResults:
    """Run the plan on the engine and compute the atlas's effects and the variance shares."""
    from experiments.engine import run_in_memory

    metrics = metrics or KEY_OUTPUTS
    ts_cols = sorted({m.split("@")[0] for m in metrics if "@" in m})
    rows, ts = run_in_memory(p.runs, workers=workers, scheduler=scheduler, keep_ts=ts_cols, on_progress=on_progress)
    failed = rows[rows["status"] != "ok"]
    if len(failed):
        raise ScenarioError(f"run {failed['run_id'].iloc[0]} failed: {failed['error'].iloc[0]}")
    per_run = metric_values(rows, ts, metrics)
    pairs = pd.DataFrame(p.pairs)
    long = pairs.join(per_run, on="run_id").melt(id_vars=["lever", "setting", "seed", "run_id"],
                                                  value_vars=metrics, var_name="metric", value_name="value")
    long["order"] = long["metric"].map({m: i for i, m in enumerate(metrics)})
    long = long.sort_values(["order"], kind="stable")
    long["lever"] = pd.Categorical(long["lever"], categories=list(dict.fromkeys(pairs["lever"])))
    effects = paired_effects(long.sort_values(["lever", "order"], kind="stable").astype({"lever": str}))
    shares = indices = None
    if p.lhs_runs:
        shares, indices = variance_shares(p.lhs_inputs, per_run.loc[p.lhs_runs].reset_index(drop=True)[metrics],
                                          p.groups)
    return LeverResults(effects, shares, indices, len(p.runs), len(failed))
