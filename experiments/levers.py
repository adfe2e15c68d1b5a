"""The lever atlas: each declared lever and shock (``abm/data/levers.toml``) low vs high on common seeds, and a
Latin hypercube over the levers and the exogenous inputs for the variance decomposition, also over the
*consistent futures* only (samples whose exogenous inputs let the model reproduce the published figures named
in the file's ``[consistency]``).

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
               "compute_in_service_h100e@2040", "payments_abroad_jpy_tn@2040"]


# the two LHS designs of the variance decomposition: within the preset's role division, and across all four;
# each also over the consistent futures only (design name + CONSISTENT)
DESIGNS = ("within", "across")
CONSISTENT = "_consistent"


@dataclass
class LhsDesign:
    inputs: pd.DataFrame                                      # sample x input, numeric (high = 1; a dummy per choice)
    values: pd.DataFrame                                      # sample x input, the values as set
    runs: list[str]                                           # run id of each sample
    groups: dict[str, str]                                    # numeric input -> "lever" | "exogenous"


@dataclass
class Candidates:
    """A consistent-futures design before its check: every sample drawn, its run (made only if it passes) and,
    per reference scenario the targets need, the id of its check run (that scenario with the sample's
    exogenous inputs and seed)."""
    drawn: LhsDesign                                          # runs: empty; see ``main``
    main: list[tuple[dict, int]]                              # (scenario data, seed) per sample
    checks: list[dict[str, str]]                              # per sample: reference scenario -> check run id


@dataclass
class LeverPlan:
    runs: list[dict] = field(default_factory=list)            # unique (scenario, seed) runs for the engine
    pairs: list[dict] = field(default_factory=list)           # lever, setting, seed, run_id
    designs: dict[str, LhsDesign] = field(default_factory=dict)   # "within" / "across" -> its LHS
    checks: list[dict] = field(default_factory=list)          # the consistency checks' runs (run first)
    candidates: dict[str, Candidates] = field(default_factory=dict)   # "within_consistent" ... -> before its check
    targets: list = field(default_factory=list)               # the published targets of the check
    _ids: dict = field(default_factory=dict)

    @property
    def lhs_runs(self) -> list[str]:
        return [r for d in self.designs.values() for r in d.runs]

    def add(self, data: dict, seed: int, check: bool = False) -> str:
        """The run id of ``data`` on ``seed``, added once to :attr:`runs` (or :attr:`checks`)."""
        scenario = {**data, "run": {**data["run"], "seed": seed}}
        rid = hashlib.sha256(json.dumps(scenario, sort_keys=True).encode()).hexdigest()[:20]
        if (check, rid) not in self._ids:
            self._ids[(check, rid)] = True
            (self.checks if check else self.runs).append({"run_id": rid, "seed": seed, "scenario": scenario})
        return rid


def scenario_data(preset: str, overrides: dict, setting: tuple[dict, list[dict]]) -> dict:
    """The preset with the user's ``overrides`` and one lever setting ``(field overrides, extra shocks)``."""
    fields, shocks = setting
    base = load_scenario(preset, {**overrides, **fields}).model_dump(mode="json")
    if shocks:
        base = load_scenario({**base, "shocks": base["shocks"] + shocks}).model_dump(mode="json")
    return base


def _lhs_inputs(decl: Atlas, across: bool = False) -> list[tuple[str, str, Callable[[float], object]]]:
    """``(name, group, value of u in [0, 1))`` per LHS input: the levers (lhs != none), shocks, exogenous inputs;
    with ``across``, also the ``lhs = "across"`` levers, uniform over all their choices."""
    specs, out = field_specs(), []
    for e in decl.entries:
        if e.lhs == "none" or (e.lhs == "across" and not across):
            continue
        spec = specs.get(e.name)
        if e.lhs == "across":
            out.append((e.name, "lever", lambda u, c=tuple(spec.choices): c[min(int(u * len(c)), len(c) - 1)]))
        elif e.kind == "shock" or spec.choices or spec.type is bool:
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


def _numeric(values: pd.DataFrame, decl: Atlas, groups: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The regression's inputs: one numeric column per input; an ``lhs = "across"`` lever becomes one dummy per
    choice but its first (``name=choice``)."""
    by_name, cols, out_groups = decl.by_name(), {}, {}
    for c in values.columns:
        e = by_name.get(c)
        if e is not None and e.lhs == "across":
            for choice in field_specs()[c].choices[1:]:
                cols[f"{c}={choice}"] = (values[c] == choice).astype(float).to_numpy()
                out_groups[f"{c}={choice}"] = groups[c]
        else:
            cols[c] = [_encode(e, v) for v in values[c]]
            out_groups[c] = groups[c]
    return pd.DataFrame(cols), out_groups


def plan(seeds: int, lhs_samples: int, preset: str | None = None, overrides: dict | None = None,
         master: int = DEFAULT_MASTER_SEED, decl: Atlas | None = None, consistent_samples: int = 0) -> LeverPlan:
    """Every run of the atlas and the LHS designs (:data:`DESIGNS`: within the preset's role division, and across
    all role divisions unless an override pins it), and with ``consistent_samples`` the consistent-futures
    designs' candidates and check runs (their own runs follow the check, in :func:`measure`); raises
    ScenarioError (naming it) for a bad preset or override."""
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
    across_possible = any(e.lhs == "across" for e in decl.entries) and not any(
        k == e.name for e in decl.entries if e.lhs == "across" for k in overrides)
    designs = [(key, d) for key, d in enumerate(DESIGNS) if d == "within" or across_possible]
    for key, design in designs:
        if lhs_samples:
            p.designs[design] = _lhs_design(p, decl, lhs_samples, preset, overrides, master, key)
    if consistent_samples and decl.consistency:
        from experiments.targets import load_targets

        tset = load_targets()
        p.targets = [t for t in tset.targets if t.name in decl.consistency]
        for key, design in designs:
            p.candidates[design + CONSISTENT] = _candidates(p, decl, consistent_samples, preset, overrides, master,
                                                            key, tset.scenarios)
    return p


def _draw(decl: Atlas, samples: int, preset: str | None, overrides: dict, master: int, key: int):
    """An LHS over the design's inputs (matrix from ``SeedSequence(master, spawn_key=(key,))``): the values as set,
    the regression's inputs, the groups, and each sample's (scenario data, seed); sample ``i`` on replication
    seed ``i``."""
    from scipy.stats import qmc

    inputs = _lhs_inputs(decl, across=DESIGNS[key % len(DESIGNS)] == "across")
    rng = np.random.default_rng(np.random.SeedSequence(master, spawn_key=(key,)))
    u = qmc.LatinHypercube(d=len(inputs), rng=rng).random(samples)
    by_name = decl.by_name()
    values = pd.DataFrame([{name: f(x) for (name, _g, f), x in zip(inputs, row)} for row in u])
    groups = {name: g for name, g, _f in inputs}
    numeric, numeric_groups = _numeric(values, decl, groups)
    base = load_scenario(preset or "gov-led", overrides).model_dump(mode="json")
    runs = []
    for row, seed in zip(values.to_dict("records"), replication_seeds(master, samples)):
        fields = {k: v for k, v in row.items() if not k.startswith("shock.")}
        shocks = [by_name[k].shock for k, v in row.items() if k.startswith("shock.") and v == by_name[k].high]
        runs.append((scenario_data(base, fields, ({}, shocks)), seed))
    return values, numeric, numeric_groups, groups, runs


def _lhs_design(p: LeverPlan, decl: Atlas, samples: int, preset: str | None, overrides: dict, master: int,
                key: int) -> LhsDesign:
    """One LHS, its runs added to ``p``."""
    values, numeric, groups, _g, runs = _draw(decl, samples, preset, overrides, master, key)
    return LhsDesign(numeric, values, [p.add(data, seed) for data, seed in runs], groups)


def _candidates(p: LeverPlan, decl: Atlas, samples: int, preset: str | None, overrides: dict, master: int,
                key: int, references: dict[str, dict]) -> Candidates:
    """A consistent-futures design (its own LHS, ``spawn_key=(key + len(DESIGNS),)``) and its check runs: each
    reference scenario of ``p.targets`` as ``sovai validate`` runs it, with the user's overrides of fields other
    than policy (the reference scenario keeps its own policy), then the sample's exogenous fields (the exogenous
    inputs and exogenous-group levers, not its shocks: the published scenarios have none), on the sample's seed."""
    values, numeric, groups, by_input, runs = _draw(decl, samples, preset, overrides, master, key + len(DESIGNS))
    needed = sorted({t.scenario for t in p.targets} | {t.minus for t in p.targets if t.minus})
    exo = [k for k, g in by_input.items() if g == "exogenous" and not k.startswith("shock.")]
    user = {k: v for k, v in overrides.items() if not k.startswith("policy.")}
    checks = []
    for row, (_data, seed) in zip(values.to_dict("records"), runs):
        checks.append({name: p.add(load_scenario(references[name]["preset"], {
            **references[name].get("overrides", {}), **user, **{k: row[k] for k in exo}}).model_dump(mode="json"),
            seed, check=True) for name in needed})
    return Candidates(LhsDesign(numeric, values, [], groups), runs, checks)


def consistent(checks: list[dict[str, str]], values: dict[str, dict], targets) -> np.ndarray:
    """Which samples reproduce every target within its tolerance: ``checks`` per sample (reference scenario ->
    run id), ``values`` per run id (flat summary row), ``targets`` (:class:`experiments.targets.Target`). A
    missing or NaN value fails."""
    return np.array([all(t.met_by(t.model_value(lambda sc, runs=runs: values.get(runs[sc], {}))) for t in targets)
                     for runs in checks], dtype=bool)


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
    first = len(p.checks)
    if p.candidates:
        _check(p, workers, scheduler, on_progress)
    progress = (lambda done, total: on_progress(first + done, first + total)) if on_progress else None
    rows, ts = run_in_memory(p.runs, workers=workers, scheduler=scheduler, keep_ts=ts_cols, on_progress=progress)
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
    if p.designs:
        parts = [variance_shares(d.inputs, per_run.loc[d.runs].reset_index(drop=True)[metrics], d.groups)
                 for d in p.designs.values()]
        drawn = {name: len(c.main) for name, c in p.candidates.items()}
        shares = pd.concat([sh.assign(design=name, drawn=drawn.get(name, len(d.runs)))
                            for (name, d), (sh, _i) in zip(p.designs.items(), parts)], ignore_index=True)
        indices = pd.concat([ix.assign(design=name) for name, (_s, ix) in zip(p.designs, parts)], ignore_index=True)
    return LeverResults(effects, shares, indices, len(p.runs) + len(p.checks), len(failed))


def _check(p: LeverPlan, workers: int, scheduler: str | None, on_progress) -> None:
    """Run the consistency checks; each consistent-futures design keeps the samples that pass, whose runs join
    ``p.runs`` (an empty design if none passes)."""
    from experiments.engine import run_in_memory
    from experiments.targets import flat_metric

    keep = sorted({flat_metric(t.metric) for t in p.targets})
    total = len(p.checks) + len(p.runs)
    rows, _ = run_in_memory(p.checks, workers=workers, scheduler=scheduler, keep_ts=[], keep_summary=keep,
                            on_progress=(lambda done, _n: on_progress(done, total)) if on_progress else None)
    failed = rows[rows["status"] != "ok"]
    if len(failed):
        raise ScenarioError(f"consistency check run {failed['run_id'].iloc[0]} failed: {failed['error'].iloc[0]}")
    values = {r["run_id"]: r for r in rows.to_dict("records")}
    for name, c in p.candidates.items():
        ok = consistent(c.checks, values, p.targets)
        runs = [p.add(data, seed) for (data, seed), passed in zip(c.main, ok) if passed]
        d = c.drawn
        p.designs[name] = LhsDesign(d.inputs[ok].reset_index(drop=True), d.values[ok].reset_index(drop=True), runs,
                                    d.groups)
