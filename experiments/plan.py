"""From a validated Experiment to the exact list of runs: design samples, seeds and run ids.

:func:`make_plan` is deterministic: the same experiment, run function and model version always give the
same runs with the same seeds and ids, whatever the worker count or order. Seeds come from one
``numpy.random.SeedSequence(master_seed)``: spawn key (0,) seeds the design sampler, (1, r) replication r
(common random numbers) or (2, point, r) when ``design.common_random_numbers = false``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field

import numpy as np

from abm.scenario import ScenarioError, set_path, validate
from experiments.design import Experiment, ExperimentError, ExperimentFile, Factor, check_design
from experiments.runner import DEFAULT_RUN_FN, model_version, summary_metric_names, timeseries_columns

MAX_RUNS = 100_000  # a design with more runs is refused unless the user confirms (--yes)
RUN_COLUMNS = ["run_id", "status", "error", "design_point", "lever_index", "sample_index", "replication", "seed"]


@dataclass
class RunSpec:
    run_id: str
    design_point: int
    lever_index: int
    sample_index: int
    replication: int
    seed: int
    params: dict                 # runs-table column -> value
    scenario: dict               # fully resolved scenario data (validated)

    def row(self) -> dict:
        """The run's identifying columns for the runs table."""
        return {"run_id": self.run_id, "design_point": self.design_point, "lever_index": self.lever_index,
                "sample_index": self.sample_index, "replication": self.replication, "seed": self.seed, **self.params}


@dataclass
class Plan:
    experiment: Experiment
    kind: str
    runs: list[RunSpec]
    keep_ts: list[str] | None
    keep_summary: list[str] | None
    run_fn: str
    model_version: str
    fingerprint: str
    lever_points: list[dict]
    samples: np.ndarray | None = None          # the sampler's matrix (sobol/morris/lhs), rows = sample_index
    problem: dict = field(default_factory=dict)  # SALib problem over the uncertainties

    @property
    def columns(self) -> list[str]:
        """Parameter columns of the runs table, in factor order."""
        cols = ["base_scenario", "shock_set"]
        return cols + [f.column for f in self.experiment.factors if f.column not in cols]


def run_count(spec: ExperimentFile, factors: list[Factor], kind: str | None = None) -> int:
    """How many runs the design makes, computed from the factors alone (nothing is sampled or built)."""
    d, kind = spec.design, kind or spec.design.kind
    levers = math.prod(len(f.grid(d.levels)) for f in factors if f.role == "lever")
    uncs = [f for f in factors if f.role == "uncertainty"]
    if kind == "grid":
        points = math.prod(len(f.grid(d.levels)) for f in uncs)
    elif kind == "lhs":
        points = d.size
    elif kind == "sobol":
        points = d.size * ((2 * len(uncs) + 2) if d.second_order else (len(uncs) + 2))
    else:
        points = d.size * (len(uncs) + 1)
    return levers * points * spec.replications


def check_size(spec: ExperimentFile, factors: list[Factor], kind: str | None = None,
               limit: int | None = MAX_RUNS) -> int:
    """The run count; ExperimentError naming it if it exceeds ``limit`` (None: no ceiling)."""
    n = run_count(spec, factors, kind)
    if limit is not None and n > limit:
        raise ExperimentError(f"design: {n:,} runs exceeds the ceiling of {limit:,} runs; reduce levels, size, "
                              "values or replications, or pass --yes to run them all")
    return n


DEFAULT_MASTER_SEED = 20260401   # of compare, validate, calibrate and the dashboard's compare


def _seed(master: int, key: tuple) -> int:
    return int(np.random.SeedSequence(master, spawn_key=key).generate_state(1, np.uint32)[0])


def replication_seeds(master: int, n: int) -> list[int]:
    """The project's one seed rule for replications: replication r runs with ``SeedSequence(master,
    spawn_key=(1, r))``, the same at every design point and in every scenario (common random numbers).
    Sweeps, compare, validate/calibrate and the dashboard's compare all use it."""
    return [_seed(master, (1, r)) for r in range(n)]


def sample_uncertainties(exp: Experiment, kind: str) -> tuple[list[dict], np.ndarray | None, dict]:
    """Points over the uncertainties as ``[{column: value}]``, plus the raw matrix and SALib problem."""
    uncs = exp.uncertainties()
    d = exp.spec.design
    problem = {"num_vars": len(uncs), "names": [f.column for f in uncs], "bounds": [list(f.bounds()) for f in uncs]}
    seed = _seed(exp.spec.master_seed, (0,))
    if kind == "grid":
        grids = [f.grid(d.levels) for f in uncs]
        return [dict(zip(problem["names"], combo)) for combo in itertools.product(*grids)], None, problem
    if kind == "lhs":
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(uncs), rng=np.random.default_rng(seed)).random(d.size)
        lo, hi = np.array(problem["bounds"]).T
        x = lo + u * (hi - lo)
    elif kind == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, d.size, calc_second_order=d.second_order, seed=seed)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, d.size, num_levels=d.morris_levels, seed=seed)
    points = [{f.column: f.from_number(v) for f, v in zip(uncs, row)} for row in x]
    return points, x, problem


def _lever_points(exp: Experiment) -> list[dict]:
    levers = exp.levers()
    grids = [f.grid(exp.spec.design.levels) for f in levers]
    return [dict(zip([f.column for f in levers], combo)) for combo in itertools.product(*grids)]


def _check_outputs(exp: Experiment, kind: str) -> tuple[list[str] | None, list[str] | None]:
    out, known_ts, known_sum = exp.spec.outputs, timeseries_columns(), summary_metric_names()
    for name in [] if out.timeseries == "all" else out.timeseries:
        if name not in known_ts:
            raise ExperimentError(f"outputs.timeseries: unknown column '{name}'{_close(name, known_ts)}")
    for name in [] if out.summary == "all" else out.summary:
        if name not in known_sum:
            raise ExperimentError(f"outputs.summary: unknown metric '{name}'{_close(name, known_sum)}")
    kept = known_sum if out.summary == "all" else out.summary
    checked = "outputs" in exp.spec.analysis.model_fields_set or kind in ("sobol", "morris")
    for name in exp.spec.analysis.outputs if checked else []:
        if name not in kept:
            raise ExperimentError(f"analysis.outputs: '{name}' is not a kept summary metric{_close(name, kept)}")
    return (None if out.timeseries == "all" else list(out.timeseries),
            None if out.summary == "all" else list(out.summary))


def _close(name: str, options) -> str:
    from experiments.design import _suggest

    return _suggest(name, options)


def _scenario_for(exp: Experiment, values: dict, point: int) -> dict:
    by_column = {f.column: f for f in exp.factors}
    label = values.get("base_scenario", next(iter(exp.bases)))
    data = exp.bases[label].model_dump()
    for column, value in values.items():
        f: Factor = by_column[column]
        if f.name == "shocks":
            data["shocks"] = exp.shock_sets[value]
        elif f.name != "scenario":
            data = set_path(data, f.name, value)
    try:
        return validate(data).model_dump(mode="json")
    except ScenarioError as e:
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        raise ExperimentError(f"design point {point} ({shown}): {e}") from None


def fingerprint(exp: Experiment, run_fn: str, kind: str) -> str:
    """What identifies an experiment's runs (not its description, analysis or chunk size)."""
    spec = exp.spec.model_dump(mode="json", exclude={"description": True, "analysis": True,
                                                     "design": {"chunk_size"}})
    spec["design"]["kind"] = kind
    blob = {"spec": spec, "bases": {k: v.model_dump(mode="json") for k, v in exp.bases.items()}, "run_fn": run_fn}
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:16]


def make_plan(exp: Experiment, run_fn: str = DEFAULT_RUN_FN, kind: str | None = None,
              max_runs: int | None = MAX_RUNS) -> Plan:
    """Every run of the experiment; raises ExperimentError if any design point is not a valid scenario, or
    if the design has more than ``max_runs`` runs (counted before anything is sampled; None: no ceiling).

    ``kind`` overrides ``design.kind`` (``sovai sensitivity --method``)."""
    kind = kind or exp.spec.design.kind
    check_design(exp.spec, exp.factors, kind)
    check_size(exp.spec, exp.factors, kind, max_runs)
    keep_ts, keep_summary = _check_outputs(exp, kind)
    version = model_version()
    unc_points, samples, problem = sample_uncertainties(exp, kind)
    lever_points = _lever_points(exp)
    d, master = exp.spec.design, exp.spec.master_seed
    runs, point = [], 0
    crn = replication_seeds(master, exp.spec.replications)
    for li, lever in enumerate(lever_points):
        for si, unc in enumerate(unc_points):
            values = {**lever, **unc}
            data = _scenario_for(exp, values, point)
            params = {"base_scenario": values.get("base_scenario", next(iter(exp.bases))),
                      "shock_set": values.get("shock_set"), **values}
            for rep in range(exp.spec.replications):
                seed = crn[rep] if d.common_random_numbers else _seed(master, (2, point, rep))
                scenario = {**data, "run": {**data["run"], "seed": seed}}
                key = {"scenario": scenario, "params": params, "point": point, "replication": rep,
                       "model_version": version, "run_fn": run_fn}
                run_id = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:20]
                runs.append(RunSpec(run_id, point, li, si, rep, seed, params, scenario))
            point += 1
    return Plan(exp, kind, runs, keep_ts, keep_summary, run_fn, version, fingerprint(exp, run_fn, kind),
                lever_points, samples, problem)
