"""Published targets and how the model is measured against them (shared by validate and calibrate).

Targets live in ``abm/data/targets.toml`` (or a user file of the same shape). :func:`evaluate` runs the
reference scenarios over seeds, with optional parameter overrides, and returns one row per target and seed.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass as std_dataclass
from dataclasses import field
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, ValidationError
from pydantic.dataclasses import dataclass

from abm.errors import describe_value, pydantic_problem
from abm.scenario import ScenarioError, load_scenario, read_toml_file


@dataclass(frozen=True, config=ConfigDict(strict=True, extra="forbid"))
class Target:
    """One published figure; validated strictly (a number must be a number, text text)."""

    name: str
    label: str
    scenario: str
    metric: str
    value: float
    tolerance: Annotated[float, Field(gt=0)]
    source: str
    minus: str | None = None
    weight: Annotated[float, Field(ge=0)] = 1.0
    # how the model reaches the figure: "derived" from documented inputs, or "fitted" through the scenario
    # fields listed in `fitted` (chosen or calibrated so the model hits it); basis_note says how
    basis: Literal["derived", "fitted"] | None = None
    fitted: list[str] = Field(default_factory=list)
    basis_note: str = ""
    label_ja: str = ""   # the label in Japanese (the validation report's --lang ja); "" shows the English one
    source_ja: str = ""      # the source and basis note in Japanese (publication titles may stay as published)
    basis_note_ja: str = ""

    def met_by(self, model_value: float) -> bool:
        """Within the tolerance of the published value (NaN never is)."""
        return bool(abs(model_value - self.value) <= self.tolerance)

    def model_value(self, row_of) -> float:
        """This target's model value from ``row_of(scenario name)`` (a flat summary row): the metric, less the
        ``minus`` scenario's. A missing or None value is NaN."""
        v = _value(row_of(self.scenario), self.metric)
        return v - _value(row_of(self.minus), self.metric) if self.minus else v

    def basis_text(self) -> str:
        """"derived", "fitted: a.b, c.d" or "-" when the file does not say."""
        if self.basis is None:
            return "-"
        return "fitted: " + ", ".join(self.fitted) if self.basis == "fitted" else "derived"


@std_dataclass
class TargetSet:
    """Reference scenarios (preset + overrides) and the targets measured on them."""

    scenarios: dict[str, dict] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def _where(loc) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _scenarios(raw) -> dict[str, dict]:
    """The ``[scenarios]`` table: each a preset plus overrides that load as a valid scenario."""
    if not isinstance(raw, dict):
        raise ScenarioError(f"scenarios: must be a table of reference scenarios; got {describe_value(raw)}")
    for name, spec in raw.items():
        if not isinstance(spec, dict) or set(spec) - {"preset", "overrides"} or not isinstance(spec.get("preset"), str):
            raise ScenarioError(f"scenarios.{name}: must be a table with preset = \"NAME\" and optional overrides")
        overrides = spec.get("overrides", {})
        if not isinstance(overrides, dict):
            raise ScenarioError(f"scenarios.{name}.overrides: must be a table; got {describe_value(overrides)}")
        try:
            load_scenario(spec["preset"], overrides)
        except ScenarioError as e:
            raise ScenarioError(f"scenarios.{name}: {e}") from None
    return raw


def _check_metric(i: int, metric: str) -> None:
    from experiments.runner import reference_summary

    value = reference_summary()
    for part in metric.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ScenarioError(f"target[{i}].metric: '{metric}' is not a value of summary.json "
                                "(a dotted path such as deficit_jpy_tn.2040)")
        value = value[part]


def _check_basis(i: int, t: Target) -> None:
    """A fitted figure names its fitted scenario fields; a derived one names none."""
    from abm.schema import field_specs

    if t.basis == "fitted" and not t.fitted:
        raise ScenarioError(f"target[{i}].fitted: basis = \"fitted\" needs the fitted fields, e.g. "
                            "[\"environment.ai_value_share_max\"]")
    if t.basis != "fitted" and t.fitted:
        raise ScenarioError(f"target[{i}].fitted: only with basis = \"fitted\"")
    specs = field_specs()
    for path in t.fitted:
        if path not in specs:
            raise ScenarioError(f"target[{i}].fitted: '{path}' is not a scenario field (section.field)")


def load_targets(path: str | Path | None = None) -> TargetSet:
    """Read a targets file (default: the project's ``abm/data/targets.toml``); bad files raise ScenarioError."""
    if path is None:
        raw = tomllib.loads(resources.files("abm.data").joinpath("targets.toml").read_text(encoding="utf-8"))
    else:
        raw = read_toml_file(path, "--targets")[0]
    unknown = set(raw) - {"scenarios", "target"}
    if unknown:
        raise ScenarioError(f"{sorted(unknown)[0]}: unknown key; allowed: scenarios, target")
    scenarios = _scenarios(raw.get("scenarios", {}))
    entries = raw.get("target", [])
    if not isinstance(entries, list) or not entries:
        raise ScenarioError("target: give at least one [[target]] table")
    targets = []
    for i, t in enumerate(entries):
        if not isinstance(t, dict):
            raise ScenarioError(f"target[{i}]: must be a [[target]] table; got {describe_value(t)}")
        try:
            tgt = Target(**t)
        except ValidationError as err:
            e = err.errors()[0]
            raise ScenarioError(f"target[{i}].{_where(e['loc'])}: {pydantic_problem(e)}") from None
        _check_basis(i, tgt)
        for sc in (tgt.scenario, tgt.minus):
            if sc is not None and sc not in scenarios:
                raise ScenarioError(f"target[{i}].scenario: '{sc}' is not in [scenarios] ({', '.join(scenarios)})")
        _check_metric(i, tgt.metric)
        targets.append(tgt)
    return TargetSet(scenarios, targets)


def _value(row: dict, metric: str) -> float:
    value = row.get(flat_metric(metric))
    return float("nan") if value is None or value != value else float(value)


@functools.cache
def flat_metric(metric: str) -> str:
    """The flat summary column of a dotted metric path (``deficit_jpy_tn.2040`` -> ``deficit_2040_jpy_tn``),
    by the same rule the runs table uses."""
    from experiments.runner import flatten_summary

    nested: dict = {}
    node = nested
    parts = metric.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = 0
    (name,) = flatten_summary(nested)
    return name


def run_reference(tset: TargetSet, seeds: list[int], params: dict | None = None, workers: int = 1,
                  scheduler: str | None = None) -> dict:
    """``{(scenario, seed): flat summary row}`` for every reference scenario the targets need, with ``params``
    applied, run on the run engine. A failing run raises ScenarioError naming it."""
    from experiments.engine import run_in_memory

    needed = sorted({t.scenario for t in tset.targets} | {t.minus for t in tset.targets if t.minus})
    runs, keys = [], {}
    for name in needed:
        spec = tset.scenarios[name]
        overrides = {**spec.get("overrides", {}), **(params or {})}
        data = load_scenario(spec["preset"], overrides).model_dump(mode="json")  # fails fast on bad input
        for seed in seeds:
            run_id = f"{name}/{seed}"
            runs.append({"run_id": run_id, "seed": seed, "scenario": data})
            keys[run_id] = (name, seed)
    rows, _ = run_in_memory(runs, workers=workers, scheduler=scheduler, keep_ts=[])
    bad = rows[rows["status"] != "ok"]
    if len(bad):
        raise ScenarioError(f"run {bad['run_id'].iloc[0]} failed: {bad['error'].iloc[0]}")
    return {keys[r["run_id"]]: r for r in rows.to_dict("records")}


def evaluate(tset: TargetSet, seeds: list[int], params: dict | None = None, workers: int = 1,
             scheduler: str | None = None) -> pd.DataFrame:
    """One row per (target, seed) with the model value."""
    runs = run_reference(tset, seeds, params, workers, scheduler)
    rows = []
    for t in tset.targets:
        for seed in seeds:
            rows.append({"target": t.name, "seed": seed, "model": t.model_value(lambda sc: runs[(sc, seed)])})
    return pd.DataFrame(rows)


def table(tset: TargetSet, values: pd.DataFrame) -> pd.DataFrame:
    """Published figure, source, basis (derived or fitted, and how), model mean, 90% interval, deviation and
    pass/fail per target."""
    rows = []
    for t in tset.targets:
        v = values.loc[values["target"] == t.name, "model"].to_numpy()
        mean = float(np.mean(v))
        rows.append({"target": t.name, "label": t.label, "label_ja": t.label_ja or t.label, "published": t.value,
                     "tolerance": t.tolerance,
                     "source": t.source, "basis": t.basis_text(), "basis_note": t.basis_note,
                     "source_ja": t.source_ja or t.source, "basis_note_ja": t.basis_note_ja or t.basis_note,
                     "model_mean": mean, "p05": float(np.percentile(v, 5)),
                     "p95": float(np.percentile(v, 95)), "deviation": mean - t.value,
                     "passed": t.met_by(mean)})
    return pd.DataFrame(rows)


def loss(tset: TargetSet, values: pd.DataFrame) -> float:
    """Weighted distance: sum of w * (deviation of the seed mean / tolerance)^2."""
    means = values.groupby("target")["model"].mean()
    return float(sum(t.weight * ((means[t.name] - t.value) / t.tolerance) ** 2 for t in tset.targets))
