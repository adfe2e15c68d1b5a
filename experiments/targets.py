"""Published targets and how the model is measured against them (shared by validate and calibrate).

Targets live in ``abm/data/targets.toml`` (or a user file of the same shape). :func:`evaluate` runs the
reference scenarios over seeds, with optional parameter overrides, and returns one row per target and seed.
"""

from __future__ import annotations

import multiprocessing
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from abm.scenario import ScenarioError, load_scenario


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    scenario: str
    metric: str
    value: float
    tolerance: float
    source: str
    minus: str | None = None
    weight: float = 1.0


@dataclass
class TargetSet:
    """Reference scenarios (preset + overrides) and the targets measured on them."""

    scenarios: dict[str, dict] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def load_targets(path: str | Path | None = None) -> TargetSet:
    """Read a targets file (default: the project's ``abm/data/targets.toml``); bad files raise ScenarioError."""
    try:
        text = (Path(path).read_text(encoding="utf-8") if path is not None
                else resources.files("abm.data").joinpath("targets.toml").read_text(encoding="utf-8"))
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ScenarioError(f"--targets: file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"--targets: malformed TOML: {e}") from None
    scenarios = raw.get("scenarios", {})
    targets = []
    for i, t in enumerate(raw.get("target", [])):
        try:
            tgt = Target(**t)
        except TypeError as e:
            raise ScenarioError(f"target[{i}]: {e}") from None
        for sc in (tgt.scenario, tgt.minus):
            if sc is not None and sc not in scenarios:
                raise ScenarioError(f"target[{i}].scenario: '{sc}' is not in [scenarios] ({', '.join(scenarios)})")
        if tgt.tolerance <= 0:
            raise ScenarioError(f"target[{i}].tolerance: must be > 0")
        targets.append(tgt)
    if not targets:
        raise ScenarioError("targets: no [[target]] entries")
    return TargetSet(scenarios, targets)


def metric_value(summary: dict, metric: str) -> float:
    """Follow a dotted path into a run summary."""
    value = summary
    for part in metric.split("."):
        value = value[part]
    return float("nan") if value is None else float(value)


def _one_run(args) -> dict:
    from abm.report import simulate

    preset, overrides, seed = args
    return simulate(load_scenario(preset, {**overrides, "run.seed": seed})).summary


def run_reference(tset: TargetSet, seeds: list[int], params: dict | None = None, workers: int = 1) -> dict:
    """``{(scenario, seed): summary}`` for every reference scenario the targets need, with ``params`` applied."""
    needed = sorted({t.scenario for t in tset.targets} | {t.minus for t in tset.targets if t.minus})
    jobs, keys = [], []
    for name in needed:
        spec = tset.scenarios[name]
        overrides = {**spec.get("overrides", {}), **(params or {})}
        load_scenario(spec["preset"], overrides)  # fail fast on bad names/values, before any run
        for seed in seeds:
            jobs.append((spec["preset"], overrides, seed))
            keys.append((name, seed))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_one_run, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
    else:
        results = [_one_run(j) for j in jobs]
    return dict(zip(keys, results))


def evaluate(tset: TargetSet, seeds: list[int], params: dict | None = None, workers: int = 1) -> pd.DataFrame:
    """One row per (target, seed) with the model value."""
    runs = run_reference(tset, seeds, params, workers)
    rows = []
    for t in tset.targets:
        for seed in seeds:
            v = metric_value(runs[(t.scenario, seed)], t.metric)
            if t.minus:
                v -= metric_value(runs[(t.minus, seed)], t.metric)
            rows.append({"target": t.name, "seed": seed, "model": v})
    return pd.DataFrame(rows)


def table(tset: TargetSet, values: pd.DataFrame) -> pd.DataFrame:
    """Published figure, source, model mean, 90% interval, deviation and pass/fail per target."""
    rows = []
    for t in tset.targets:
        v = values.loc[values["target"] == t.name, "model"].to_numpy()
        mean = float(np.mean(v))
        rows.append({"target": t.name, "label": t.label, "published": t.value, "tolerance": t.tolerance,
                     "source": t.source, "model_mean": mean, "p05": float(np.percentile(v, 5)),
                     "p95": float(np.percentile(v, 95)), "deviation": mean - t.value,
                     "passed": bool(abs(mean - t.value) <= t.tolerance)})
    return pd.DataFrame(rows)


def loss(tset: TargetSet, values: pd.DataFrame) -> float:
    """Weighted distance: sum of w * (deviation of the seed mean / tolerance)^2."""
    means = values.groupby("target")["model"].mean()
    return float(sum(t.weight * ((means[t.name] - t.value) / t.tolerance) ** 2 for t in tset.targets))
