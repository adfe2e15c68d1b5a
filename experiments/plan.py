"""From a validated Experiment to the exact list of runs: design samples, seeds and run ids.

:func:`make_plan` is deterministic: the same experiment, run function and model version always give the
same runs with the same seeds and ids, whatever the worker count or order. Seeds come from one
``numpy.random.SeedSequence(master_seed)``: spawn key (0,) seeds the design sampler, (1, r) replication r
(common random numbers) or (2, point, r) when ``design.common_random_numbers = false``. A run id is a hash of
the experiment's fingerprint (spec, base scenarios, run function), the model version (every result-shaping
file), the design point, its parameters, the replication and the seed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import numpy as np

from abm.scenario import ScenarioError, set_path, validate
from experiments.design import Experiment, ExperimentError, ExperimentFile, Factor, check_design
from experiments.runner import DEFAULT_RUN_FN, model_version, summary_metric_names, timeseries_columns

MAX_RUNS = 100_000  # a design with more runs is refused unless the user confirms (--yes)
VALIDATE_ALL_POINTS = 20_000  # make_plan builds every design point's scenario up to this many points
RUN_COLUMNS = ["run_id", "status", "error", "attempts", "design_point", "lever_index", "sample_index", "replication", "seed"]


@dataclass
class RunSpec:
    run_id: str
    design_point: int
    lever_index: int
    sample_index: int
    replication: int
    seed: int
    params: dict                 # runs-table column -> value
    point_scenario: Callable[[], dict] = field(repr=False)  # the design point's scenario (built on demand)

    @property
    def scenario(self) -> dict:
        """The fully resolved scenario data (validated) with this run's seed."""
        data = self.point_scenario()
        return {**data, "run": {**data["run"], "seed": self.seed}}

    def row(self) -> dict:
        """The run's identifying columns for the runs table."""
        return {"run_id": self.run_id, "design_point": self.design_point, "lever_index": self.lever_index,
                "sample_index": self.sample_index, "replication": self.replication, "seed": self.seed, **self.params}


class Product(Sequence):
    """The full-factorial points ``{name: value}`` of value lists, computed by index (never materialised);
    the last list varies fastest, as in ``itertools.product``."""

    def __init__(self, names: list[str], grids: list[list]):
        self.names, self.grids, self.n = names, grids, math.prod(len(g) for g in grids)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if not -self.n <= i < self.n:
            raise IndexError(i)
        i, values = i % self.n, []
        for g in reversed(self.grids):
            i, k = divmod(i, len(g))
            values.append(g[k])
        return dict(zip(self.names, reversed(values)))


class Rows(Sequence):
    """The points ``{column: value}`` of a sampler's matrix, one row at a time."""

    def __init__(self, factors: list[Factor], matrix: np.ndarray):
        self.factors, self.matrix = factors, matrix

    def __len__(self) -> int:
        return len(self.matrix)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return {f.column: f.from_number(v) for f, v in zip(self.factors, self.matrix[i])}


class Runs(Sequence):
    """Every run of a plan, built one at a time from (lever point, sample point, replication): memory stays
    flat in the number of runs. Iterate it (each design point's scenario is built once per pass)."""

    def __init__(self, plan: "Plan", unc_points: Sequence):
        self.plan, self.unc = plan, unc_points
        self.reps = plan.experiment.spec.replications
        self.crn = replication_seeds(plan.experiment.spec.master_seed, self.reps)
        self.n = len(plan.lever_points) * len(unc_points) * self.reps

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> RunSpec:
        if not -self.n <= i < self.n:
            raise IndexError(i)
        point, rep = divmod(i % self.n, self.reps)
        return self._spec(point, rep, self._point(point))

    def __iter__(self) -> Iterator[RunSpec]:
        for point in range(self.n // self.reps):
            p = self._point(point)
            for rep in range(self.reps):
                yield self._spec(point, rep, p)

    def _point(self, point: int):
        li, si = divmod(point, len(self.unc))
        values = {**self.plan.lever_points[li], **self.unc[si]}
        params = {"base_scenario": values.get("base_scenario", next(iter(self.plan.experiment.bases))),
                  "shock_set": values.get("shock_set"), **values}
        built: list = []

        def scenario() -> dict:
            if not built:
                built.append(_scenario_for(self.plan.experiment, values, point))
            return built[0]
        prefix = f"{self.plan.fingerprint}|{self.plan.model_version}|{point}|" + json.dumps(params, sort_keys=True,
                                                                                          default=str)
        return li, si, params, scenario, prefix

    def _spec(self, point: int, rep: int, p) -> RunSpec:
        li, si, params, scenario, prefix = p
        d = self.plan.experiment.spec.design
        seed = self.crn[rep] if d.common_random_numbers else _seed(self.plan.experiment.spec.master_seed,
                                                                   (2, point, rep))
        run_id = hashlib.sha256(f"{prefix}|{rep}|{seed}".encode()).hexdigest()[:20]
        return RunSpec(run_id, point, li, si, rep, seed, params, scenario)


@dataclass
class Plan:
    experiment: Experiment
    kind: str
    keep_ts: list[str] | None
    keep_summary: list[str] | None
    run_fn: str
    model_version: str
    fingerprint: str
    lever_points: Sequence[dict]
    samples: np.ndarray | None = None          # the sampler's matrix (sobol/morris/lhs), rows = sample_index
    problem: dict = field(default_factory=dict)  # SALib problem over the uncertainties
    runs: Runs = field(init=False, repr=False)  # every run, built on demand (see :class:`Runs`)

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


def sample_uncertainties(exp: Experiment, kind: str) -> tuple[Sequence[dict], np.ndarray | None, dict]:
    """Points over the uncertainties as ``[{column: value}]``, plus the raw matrix and SALib problem."""
    uncs = exp.uncertainties()
    d = exp.spec.design
    problem = {"num_vars": len(uncs), "names": [f.column for f in uncs], "bounds": [list(f.bounds()) for f in uncs]}
    seed = _seed(exp.spec.master_seed, (0,))
    if kind == "grid":
        return Product(problem["names"], [f.grid(d.levels) for f in uncs]), None, problem
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
    return Rows(uncs, x), x, problem


def _lever_points(exp: Experiment) -> Product:
    levers = exp.levers()
    return Product([f.column for f in levers], [f.grid(exp.spec.design.levels) for f in levers])


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
    """The experiment's plan; raises ExperimentError if the design has more than ``max_runs`` runs (counted
    before anything is sampled or built; None: no ceiling) or a design point is not a valid scenario (every
    point is checked here up to VALIDATE_ALL_POINTS points, beyond that when it is built). ``plan.runs`` is a
    lazy sequence: iterate it rather than copying it into a list.

    ``kind`` overrides ``design.kind`` (``sovai sensitivity --method``)."""
    kind = kind or exp.spec.design.kind
    check_design(exp.spec, exp.factors, kind)
    check_size(exp.spec, exp.factors, kind, max_runs)
    keep_ts, keep_summary = _check_outputs(exp, kind)
    unc_points, samples, problem = sample_uncertainties(exp, kind)
    plan = Plan(exp, kind, keep_ts, keep_summary, run_fn, model_version(), fingerprint(exp, run_fn, kind),
                _lever_points(exp), samples, problem)
    plan.runs = Runs(plan, unc_points)
    points = len(plan.runs) // exp.spec.replications
    for point in range(points if points <= VALIDATE_ALL_POINTS else 1):  # bad points fail here, not mid-sweep
        plan.runs[point * exp.spec.replications].point_scenario()
    return plan
