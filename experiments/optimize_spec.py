"""Optimisation specs (TOML) for ``sovai optimize``: parsing and validation.

A spec declares the decision levers (``[levers."policy.<field>"]``: a ``range`` for a number, ``values`` for a
choice; both default to the schema's bounds and choices in :mod:`abm.schema`; the role division and every other
choice field is categorical), the objectives (``[objectives."<summary metric>"]``: ``direction`` min or max and a
robustness ``statistic`` over the ensemble of futures: ``mean``, ``median``, ``pNN`` (the NNth percentile) or
``share`` (the share of futures where the metric ``meets`` a ``threshold``, always maximised)), constraints
(``[[constraints]]``: metric, statistic, ``op`` <= or >=, ``value``), the futures (``[futures]``: ``count`` LHS
draws over the declared uncertain inputs of ``abm/data/levers.toml`` (:func:`experiments.uncertainty.
uncertain_inputs`; ``inputs`` picks some, ``ranges`` narrows them), ``seeds`` replication seeds per future, the same
for every policy (common random numbers), and ``out_of_sample`` fresh futures for the re-evaluation) and the
optimiser (``[optimizer]``: population, generations, seed, representatives). ``preset`` and ``[set]`` fix
the rest of the scenario (e.g. a smaller population for a quick search).

:func:`load_spec` returns an :class:`OptimizeSpec` or raises :class:`SpecError`: one line naming the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from abm.errors import UserError
from abm.scenario import ScenarioError, load_scenario, presets, read_toml_file
from experiments.design import explain

STAT = re.compile(r"^(mean|median|share|p(\d{1,2}))$")


class SpecError(UserError):
    """A problem with an optimisation spec; ``str(err)`` is one line naming the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LeverIn(_Strict):
    range: list[float | int] | None = Field(None, min_length=2, max_length=2)
    values: list[str | bool | int] | None = Field(None, min_length=1)


class ObjectiveIn(_Strict):
    direction: Literal["min", "max"] | None = None
    statistic: str = "mean"
    threshold: float | int | None = None
    meets: Literal["<=", ">="] = "<="


class ConstraintIn(_Strict):
    metric: str
    statistic: str = "mean"
    threshold: float | int | None = None
    meets: Literal["<=", ">="] = "<="
    op: Literal["<=", ">="]
    value: float | int


class FuturesIn(_Strict):
    count: int = Field(8, ge=1, le=10_000)
    seeds: int = Field(1, ge=1, le=1000)
    inputs: list[str] | None = None
    ranges: dict[str, list[float | int]] = Field(default_factory=dict)
    out_of_sample: int = Field(16, ge=0, le=10_000)
    master_seed: int = Field(20260401, ge=0, le=2**63 - 1)


class OptimizerIn(_Strict):
    population: int = Field(12, ge=2, le=10_000)
    generations: int = Field(5, ge=1, le=10_000)
    seed: int = Field(1, ge=0, le=2**63 - 1)
    representatives: int = Field(4, ge=1, le=10)


class SpecIn(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,80}$")
    description: str = ""
    preset: str = "gov-led"
    set: dict[str, Any] = Field(default_factory=dict)
    levers: dict[str, LeverIn] = Field(min_length=1)
    objectives: dict[str, ObjectiveIn] = Field(min_length=1)
    constraints: list[ConstraintIn] = Field(default_factory=list)
    futures: FuturesIn = Field(default_factory=FuturesIn)
    optimizer: OptimizerIn = Field(default_factory=OptimizerIn)


@dataclass(frozen=True)
class Lever:
    path: str
    kind: str                 # "real" | "int" | "choice"
    low: float = 0.0
    high: float = 0.0
    choices: tuple = ()


@dataclass(frozen=True)
class Measure:
    """A robustness statistic of one summary metric over the futures x seeds of a policy."""
    metric: str
    statistic: str            # mean | median | pNN | share
    threshold: float | None = None
    meets: str = "<="

    @property
    def name(self) -> str:
        if self.statistic == "share":
            return f"share({self.metric}{self.meets}{self.threshold:g})"
        return f"{self.statistic}({self.metric})"


@dataclass(frozen=True)
class Objective:
    measure: Measure
    direction: str            # "min" | "max"


@dataclass(frozen=True)
class Constraint:
    measure: Measure
    op: str
    value: float


@dataclass
class OptimizeSpec:
    name: str
    description: str
    preset: str
    fixed: dict[str, Any]
    levers: list[Lever]
    objectives: list[Objective]
    constraints: list[Constraint]
    futures: FuturesIn
    optimizer: OptimizerIn
    inputs: dict[str, tuple[float, float]] = field(default_factory=dict)  # the sampled uncertain inputs
    text: str = ""

    @property
    def metrics(self) -> list[str]:
        """The summary metrics every run must keep."""
        return list(dict.fromkeys([o.measure.metric for o in self.objectives] +
                                  [c.measure.metric for c in self.constraints]))

    def fingerprint(self) -> str:
        """What the stored runs depend on (scenario, futures, metrics), not the optimiser's settings: a resumed
        or longer search reuses the same runs."""
        key = {"preset": self.preset, "fixed": self.fixed, "inputs": self.inputs, "metrics": self.metrics,
               "futures": self.futures.model_dump()}
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _lever(path: str, given: LeverIn) -> Lever:
    from abm.schema import field_specs

    spec, where = field_specs().get(path), f"levers.{path}"
    if spec is None or not path.startswith("policy."):
        raise SpecError(f"{where}: not a policy field; policy fields: see `sovai show-scenario`")
    choices = spec.choices or ((False, True) if spec.type is bool else None)
    if choices:
        if given.range is not None:
            raise SpecError(f"{where}.range: a choice field takes values = [...] from {list(choices)}")
        values = tuple(given.values or choices)
        bad = [v for v in values if v not in choices or type(v) is not type(choices[0])]
        if bad:
            raise SpecError(f"{where}.values: {bad[0]!r} is not one of {list(choices)}")
        return Lever(path, "choice", choices=tuple(dict.fromkeys(values)))
    if given.values is not None:
        raise SpecError(f"{where}.values: a numeric field takes range = [low, high]")
    lo, hi = given.range or (spec.ge, spec.le)
    if lo is None or hi is None:
        raise SpecError(f"{where}.range: the schema declares no bounds for it; give range = [low, high]")
    if not lo < hi:
        raise SpecError(f"{where}.range: low must be below high; got [{lo}, {hi}]")
    if (spec.ge is not None and lo < spec.ge) or (spec.le is not None and hi > spec.le):
        raise SpecError(f"{where}.range: must lie within the schema's bounds [{spec.ge}, {spec.le}]; got [{lo}, {hi}]")
    return Lever(path, "int" if spec.type is int else "real", float(lo), float(hi))


def _measure(where: str, metric: str, statistic: str, threshold, meets: str) -> Measure:
    from experiments.runner import summary_metric_names

    names = summary_metric_names()
    if metric not in names:
        numeric = [n for n in names if n.endswith(("_tn", "_2040", "_year", "_ratio_fiscal")) or "2040" in n]
        raise SpecError(f"{where}: {metric!r} is not a summary metric; e.g. {', '.join(numeric[:8])}")
    m = STAT.match(statistic)
    if not m:
        raise SpecError(f"{where}.statistic: must be mean, median, share or pNN (e.g. p90); got {statistic!r}")
    if statistic == "share" and threshold is None:
        raise SpecError(f"{where}.threshold: statistic = \"share\" needs a threshold (and meets = \"<=\" or \">=\")")
    return Measure(metric, statistic, None if threshold is None else float(threshold), meets)


def validate_spec(data: dict, text: str = "") -> OptimizeSpec:
    """Validate a raw spec mapping (see the module docstring)."""
    from experiments.uncertainty import uncertain_inputs

    try:
        s = SpecIn.model_validate(data)
    except ValidationError as err:
        raise SpecError(explain(err, "spec")) from None
    if s.preset not in presets() and not s.preset.endswith(".toml"):
        raise SpecError(f"preset: {s.preset!r} is not a preset; presets: {', '.join(presets())}")
    try:
        load_scenario(s.preset, s.set)
    except ScenarioError as e:
        raise SpecError(f"set: {e}") from None
    if "run.seed" in s.set:
        raise SpecError("set.run.seed: seeds come from futures.master_seed and futures.seeds")
    levers = [_lever(p, g) for p, g in s.levers.items()]
    objectives = []
    for metric, o in s.objectives.items():
        where = f"objectives.{metric}"
        measure = _measure(where, metric, o.statistic, o.threshold, o.meets)
        direction = "max" if o.statistic == "share" else o.direction
        if direction is None:
            raise SpecError(f"{where}.direction: required, \"min\" or \"max\"")
        objectives.append(Objective(measure, direction))
    constraints = [Constraint(_measure(f"constraints[{i}].metric", c.metric, c.statistic, c.threshold, c.meets),
                              c.op, float(c.value)) for i, c in enumerate(s.constraints)]
    ranges = {}
    for path, r in s.futures.ranges.items():
        if len(r) != 2 or not r[0] < r[1]:
            raise SpecError(f"futures.ranges.{path}: must be [low, high] with low < high; got {r}")
        ranges[path] = (float(r[0]), float(r[1]))
    try:
        inputs = uncertain_inputs(ranges)
    except KeyError as e:
        raise SpecError(f"futures.ranges: {e.args[0]}") from None
    if s.futures.inputs is not None:
        unknown = [p for p in s.futures.inputs if p not in inputs]
        if unknown:
            raise SpecError(f"futures.inputs: {unknown[0]} is not a declared uncertain input; declared: "
                            f"{', '.join(inputs)}")
        inputs = {p: inputs[p] for p in s.futures.inputs}
    clash = [p for p in inputs if p in s.set or p in s.levers]
    if clash:
        raise SpecError(f"futures.inputs: {clash[0]} is also fixed in [set] or a lever; leave it out of one")
    return OptimizeSpec(s.name, s.description, s.preset, dict(s.set), levers, objectives, constraints,
                        s.futures, s.optimizer, inputs, text)


def load_spec(path: str | Path) -> OptimizeSpec:
    """Read and validate a spec file; raises SpecError (one line) for any problem."""
    data, text = read_toml_file(path, "SPEC", SpecError)
    return validate_spec(data, text)
