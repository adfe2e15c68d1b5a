"""Experiment files (TOML): schema and validation.

Callers use :func:`load_experiment` (a path) or :func:`validate_experiment` (a mapping); both return an
:class:`Experiment` whose factors are fully resolved, or raise :class:`ExperimentError` with one line naming
the field. Ranges not given in the file come from :func:`abm.schema.field_specs` (the single declaration);
ranges outside it are rejected. :mod:`experiments.plan` turns an Experiment into runs.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from abm.errors import UserError, pydantic_problem
from abm.scenario import ScenarioError, load_scenario, presets, read_toml_file, set_path, validate
from abm.schema import Scenario, Shock, field_specs

SPECIAL = {"scenario": "base_scenario", "shocks": "shock_set"}  # factor name -> runs-table column
# fields that cannot vary across a sweep's runs: why, and what to do instead
NOT_A_FACTOR = {
    "run.seed": "every run's seed derives from master_seed and the replication; set master_seed (and replications)",
    "run.start_year": "the horizon is the same for every run (summary years and time series must line up); set "
                      "it in [fixed]",
    "run.end_year": "the horizon is the same for every run (summary years and time series must line up); set it "
                    "in [fixed]",
}


class ExperimentError(UserError):
    """A user-facing experiment problem; ``str(err)`` is one line fit to print."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no "7" -> 7, true -> 1, 2.0 -> 2


class FactorSpec(_Strict):
    """A lever or uncertainty: a ``range`` [lo, hi] (with ``levels`` for grids) or a list of ``values``."""

    range: list[float] | None = Field(None, min_length=2, max_length=2)
    values: list[str | bool | int | float] | None = Field(None, min_length=1)
    levels: int | None = Field(None, ge=2, le=1000)


class DesignSpec(_Strict):
    kind: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    size: int | None = Field(None, ge=1, le=1_000_000,
                             description="lhs: points; sobol: base sample N (power of 2); morris: trajectories")
    levels: int = Field(3, ge=2, le=1000, description="grid: points per range without its own levels")
    second_order: bool = False
    morris_levels: int = Field(4, ge=2, le=64)
    common_random_numbers: bool = Field(True, description="replication r uses the same seed at every point")
    chunk_size: int | None = Field(None, ge=1, le=100_000)


class OutputsSpec(_Strict):
    timeseries: Literal["all"] | list[str] = "all"
    summary: Literal["all"] | list[str] = "all"


class AnalysisSpec(_Strict):
    outputs: list[str] = Field(default_factory=lambda: ["deficit_2040_jpy_tn", "payback_year"], min_length=1)
    target: str | None = None


class ExperimentFile(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,80}$")
    description: str = ""
    base: str = "gov-led"
    master_seed: int = Field(ge=0, le=2**63 - 1)
    replications: int = Field(1, ge=1, le=100_000)
    fixed: dict[str, Any] = Field(default_factory=dict)
    levers: dict[str, FactorSpec] = Field(default_factory=dict)
    uncertainties: dict[str, FactorSpec] = Field(default_factory=dict)
    shock_sets: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    design: DesignSpec = Field(default_factory=DesignSpec)
    outputs: OutputsSpec = Field(default_factory=OutputsSpec)
    analysis: AnalysisSpec = Field(default_factory=AnalysisSpec)


class Factor(BaseModel):
    """A resolved factor: ``values`` (discrete) or ``lo``/``hi`` (continuous, ``integer`` rounds)."""

    name: str                      # "policy.x", "scenario" or "shocks"
    column: str                    # runs-table column: "policy__x", "base_scenario", "shock_set"
    role: Literal["lever", "uncertainty"]
    values: list[Any] | None = None
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    unit: str = ""

    def grid(self, levels: int) -> list:
        """The factor's values for a full-factorial design."""
        if self.values is not None:
            return list(self.values)
        step = (self.hi - self.lo) / (levels - 1)
        out = [self.lo + i * step for i in range(levels)]
        return list(dict.fromkeys(round(v) for v in out)) if self.integer else out

    def bounds(self) -> tuple[float, float]:
        """Numeric domain used by samplers: [lo, hi], or [0, k) indexing ``values``."""
        return (0.0, float(len(self.values))) if self.values is not None else (self.lo, self.hi)

    def from_number(self, x: float):
        """Map a sampled number in :meth:`bounds` to the factor's value."""
        if self.values is not None:
            return self.values[min(int(x), len(self.values) - 1)]
        return int(round(x)) if self.integer else float(x)


class Experiment(BaseModel):
    """A validated experiment; build it with :func:`load_experiment` or :func:`validate_experiment`."""

    spec: ExperimentFile
    factors: list[Factor]
    bases: dict[str, Scenario]                # scenario label -> resolved base scenario (with `fixed`)
    shock_sets: dict[str, list[dict]]
    source_text: str = ""

    @property
    def name(self) -> str:
        return self.spec.name

    def levers(self) -> list[Factor]:
        return [f for f in self.factors if f.role == "lever"]

    def uncertainties(self) -> list[Factor]:
        return [f for f in self.factors if f.role == "uncertainty"]


def _suggest(key: str, options) -> str:
    close = difflib.get_close_matches(key, list(options), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def explain(err: ValidationError, whole: str = "experiment") -> str:
    """A file's first validation error as one line naming the field (``whole`` when it is the file itself)."""
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"]) or whole
    if e["type"] == "extra_forbidden":
        return f"{loc}: unknown key"
    if e["type"] == "missing":
        return f"{loc}: required field missing"
    return f"{loc}: {pydantic_problem(e)}"


def load_experiment(path: str | Path, extra_bases: dict[str, Scenario] | None = None) -> Experiment:
    """Read and validate an experiment TOML file; scenario paths inside are relative to the file."""
    path = Path(path)
    data, text = read_toml_file(path, "experiment", ExperimentError)
    return validate_experiment(data, base_dir=path.parent, extra_bases=extra_bases, source_text=text)


def validate_experiment(data: dict, base_dir: Path | None = None, extra_bases: dict[str, Scenario] | None = None,
                        source_text: str = "") -> Experiment:
    """Validate a raw experiment mapping. ``extra_bases`` names in-memory scenarios usable as ``scenario`` values."""
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as err:
        raise ExperimentError(explain(err)) from None
    extra = dict(extra_bases or {})
    shock_sets = _shock_sets(spec)
    labels, where = [spec.base], "base"
    for role in ("levers", "uncertainties"):
        if "scenario" in getattr(spec, role):
            labels, where = [str(v) for v in getattr(spec, role)["scenario"].values or []], f"{role}.scenario"
    bases = {lab: _base(lab, spec, base_dir, extra, where) for lab in dict.fromkeys(labels)}
    if not bases:
        raise ExperimentError(f"{where}: needs values = [preset or file, ...]")
    reference = next(iter(bases.values()))
    factors = []
    if "run.seed" in spec.fixed:
        raise ExperimentError(f"fixed.run.seed: cannot be set in a sweep; {NOT_A_FACTOR['run.seed']}")
    for role, table in (("lever", spec.levers), ("uncertainty", spec.uncertainties)):
        for name, fs in table.items():
            where = f"{'levers' if role == 'lever' else 'uncertainties'}.{name}"
            if name in NOT_A_FACTOR:
                raise ExperimentError(f"{where}: cannot be a factor; {NOT_A_FACTOR[name]}")
            if name in spec.fixed or any(f.name == name for f in factors):
                raise ExperimentError(f"{where}: declared more than once (fixed, levers, uncertainties)")
            factors.append(_factor(name, role, fs, where, reference, shock_sets))
    check_design(spec, factors)
    return Experiment(spec=spec, factors=factors, bases=bases, shock_sets=shock_sets, source_text=source_text)


def _shock_sets(spec: ExperimentFile) -> dict[str, list[dict]]:
    out = {}
    for name, shocks in spec.shock_sets.items():
        for i, s in enumerate(shocks):
            try:
                Shock.model_validate(s)
            except ValidationError as err:
                e = err.errors()[0]
                key = ".".join(str(p) for p in e["loc"])
                raise ExperimentError(f"shock_sets.{name}[{i}].{key}: {e['msg'].lower()}") from None
        out[name] = [Shock.model_validate(s).model_dump() for s in shocks]
    return out


def _base(label: str, spec: ExperimentFile, base_dir: Path | None, extra: dict, where: str) -> Scenario:
    """Resolve one base scenario (preset, file relative to the experiment, or in-memory) plus ``fixed``."""
    if label in extra:
        source: Any = extra[label]
    elif label in presets() or base_dir is None or Path(label).is_absolute():
        source = label
    else:
        source = str(base_dir / label)
    try:
        sc = load_scenario(source)
    except ScenarioError as e:
        raise ExperimentError(f"{where}: {e}") from None
    data = sc.model_dump()
    for path, value in spec.fixed.items():
        try:
            data = set_path(data, path, value)
            sc = validate(data)
        except ScenarioError as e:
            raise ExperimentError(f"fixed.{path}: {str(e).removeprefix(path + ': ')}") from None
    return validate({**data, "name": Path(label).stem if label.endswith(".toml") else label})


def _check_value(reference: Scenario, path: str, value, where: str):
    """Validate one value through the scenario schema; return it in the field's canonical type."""
    try:
        sc = validate(set_path(reference.model_dump(), path, value))
    except ScenarioError as e:
        raise ExperimentError(f"{where}: {e}") from None
    sec, key = path.split(".")
    return getattr(getattr(sc, sec), key)


def _factor(name: str, role: str, fs: FactorSpec, where: str, reference: Scenario, shock_sets: dict) -> Factor:
    if fs.range is not None and fs.values is not None:
        raise ExperimentError(f"{where}: give either range or values, not both")
    if fs.levels is not None and fs.range is None:
        raise ExperimentError(f"{where}.levels: only applies to a range")
    if name in SPECIAL:
        if fs.values is None:
            raise ExperimentError(f"{where}: needs values = [...]")
        if name == "shocks":
            for v in fs.values:
                if str(v) not in shock_sets:
                    defined = ", ".join(shock_sets) or "none"
                    raise ExperimentError(f"{where}.values: '{v}' is not a [shock_sets] entry"
                                          f"{_suggest(str(v), shock_sets) or '; defined: ' + defined}")
        return Factor(name=name, column=SPECIAL[name], role=role, values=[str(v) for v in fs.values])
    specs = field_specs()
    if name not in specs:
        raise ExperimentError(f"{where}: unknown scenario field{_suggest(name, [*specs, *SPECIAL])}")
    spec = specs[name]
    column = name.replace(".", "__")
    if fs.values is not None:
        values = [_check_value(reference, name, v, f"{where}.values") for v in fs.values]
        return Factor(name=name, column=column, role=role, values=list(dict.fromkeys(values)), unit=spec.unit)
    if spec.type is bool or spec.choices:
        if fs.range is not None:
            raise ExperimentError(f"{where}.range: {name} is not numeric; use values")
        return Factor(name=name, column=column, role=role, unit=spec.unit,
                      values=list(spec.choices) if spec.choices else [False, True])
    if fs.range is None:
        if spec.ge is None or spec.le is None:
            raise ExperimentError(f"{where}: the schema gives {name} no bounds; give range = [lo, hi]")
        lo, hi = float(spec.ge), float(spec.le)
    else:
        lo, hi = fs.range
        if not lo < hi:
            raise ExperimentError(f"{where}.range: lower bound {lo} must be below upper bound {hi}")
        if (spec.ge is not None and lo < spec.ge) or (spec.le is not None and hi > spec.le):
            raise ExperimentError(f"{where}.range: [{lo}, {hi}] is outside the schema bounds "
                                  f"[{spec.ge}, {spec.le}] {spec.unit}".rstrip())
    f = Factor(name=name, column=column, role=role, lo=lo, hi=hi, integer=spec.type is int, unit=spec.unit)
    if fs.levels is not None:  # a range with its own levels is a discrete factor
        f = f.model_copy(update={"values": f.grid(fs.levels), "lo": None, "hi": None})
    return f


def check_design(spec: ExperimentFile, factors: list[Factor], kind: str | None = None) -> None:
    """Raise ExperimentError if the design (``kind`` overrides ``design.kind``) cannot sample these factors."""
    d = spec.design.model_copy(update={"kind": kind or spec.design.kind})
    uncs = [f for f in factors if f.role == "uncertainty"]
    if d.kind != "grid":
        if d.size is None:
            raise ExperimentError(f"design.size: required for kind = '{d.kind}'")
        if not uncs:
            raise ExperimentError(f"uncertainties: design '{d.kind}' samples uncertainties; declare at least one")
    if d.kind == "sobol" and d.size & (d.size - 1):
        raise ExperimentError(f"design.size: Sobol needs a power of 2 (got {d.size})")
    if d.kind in ("sobol", "morris") and len(uncs) < 2:
        raise ExperimentError(f"uncertainties: {d.kind} needs at least two")

