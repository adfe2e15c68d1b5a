"""`sovai calibrate`: fit calibratable scenario fields to the published targets.

Method (recorded choice): bounded Nelder-Mead (scipy.optimize.minimize) in the unit cube spanned by each
field's declared bounds, minimising sum_t w_t ((mean over seeds - target_t) / tolerance_t)^2 with common random
numbers (the same seeds at every evaluation), so the objective is deterministic. Derivative-free because the
model is stochastic and piecewise; Nelder-Mead because the fitted sets are small (2-8 fields).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import pandas as pd
import tomli_w
import typer
from scipy.optimize import minimize

from abm.errors import UserError
from abm.scenario import ScenarioError, load_scenario, presets
from experiments.options import MAX_WORKERS, SCHEDULER_HELP, check_scheduler
from abm.schema import field_specs
from experiments.outdir import FORCE_HELP, claim, default_folder, out_path, text_writer, write_files
from experiments.targets import TargetSet, evaluate, load_targets, loss, table

# The default set: the least certain inputs with the most leverage on the targets (see docs/model.md).
DEFAULT_PARAMS = ("costs.abroad_share_model_services", "environment.autonomous_driving_value_2040_jpy_tn",
                  "costs.training_tokens_per_parameter", "environment.ai_value_share_max")
CALIBRATION_NAMES = ("calibration.csv", "calibrated.toml")


@dataclass
class Fit:
    params: dict[str, float]
    start: dict[str, float]
    loss_before: float
    loss_after: float
    evaluations: int
    before: pd.DataFrame
    after: pd.DataFrame


def check_params(names: list[str]) -> dict:
    """Validate parameter paths: they must exist and be declared calibratable, with numeric bounds."""
    specs = field_specs()
    out = {}
    for name in names:
        spec = specs.get(name)
        if spec is None:
            raise ScenarioError(f"--params: unknown field '{name}'")
        if not spec.calibratable or spec.ge is None or spec.le is None:
            allowed = ", ".join(p for p, s in specs.items() if s.calibratable)
            raise ScenarioError(f"--params: '{name}' is not calibratable; allowed: {allowed}")
        out[name] = spec
    return out


def calibrate(tset: TargetSet, names: list[str], seeds: list[int], start: dict | None = None,
              max_evals: int = 60, workers: int = 1, on_eval=None, scheduler: str | None = None) -> Fit:
    """Fit ``names`` (starting at their defaults or ``start``) to ``tset`` over ``seeds``."""
    specs = check_params(names)
    lo = np.array([specs[n].ge for n in names], float)
    hi = np.array([specs[n].le for n in names], float)
    x_start = np.array([(start or {}).get(n, specs[n].default) for n in names], float)

    def to_params(u):
        vals = lo + np.clip(u, 0, 1) * (hi - lo)
        return {n: (int(round(v)) if specs[n].type is int else float(v)) for n, v in zip(names, vals)}

    history = {}

    def objective(u):
        key = tuple(np.round(u, 10))
        if key not in history:
            history[key] = loss(tset, evaluate(tset, seeds, to_params(u), workers, scheduler))
            if on_eval:
                on_eval(len(history), history[key])
        return history[key]

    u0 = (x_start - lo) / (hi - lo)
    simplex = [u0] + [np.clip(u0 + 0.1 * np.eye(len(names))[i] * (1 if u0[i] < 0.9 else -1), 0, 1)
                      for i in range(len(names))]
    res = minimize(objective, u0, method="Nelder-Mead", bounds=[(0, 1)] * len(names),
                   options={"maxfev": max_evals, "initial_simplex": np.array(simplex), "xatol": 1e-3, "fatol": 1e-3})
    best = to_params(res.x)
    before_vals = evaluate(tset, seeds, to_params(u0), workers, scheduler)
    after_vals = evaluate(tset, seeds, best, workers, scheduler)
    return Fit(best, to_params(u0), loss(tset, before_vals), loss(tset, after_vals), len(history),
               table(tset, before_vals), table(tset, after_vals))


def scenario_file(base: str, fit: Fit, seeds: list[int]) -> str:
    """A scenario TOML that ``extends`` the base and sets the fitted fields."""
    sections: dict[str, dict] = {}
    for path, value in fit.params.items():
        sec, key = path.split(".")
        sections.setdefault(sec, {})[key] = value
    extends = base if base in presets() else str(Path(base).resolve())
    head = {"extends": extends, "description": f"{Path(base).stem} calibrated by sovai calibrate on seeds "
            f"{seeds[0]}-{seeds[-1]} (loss {fit.loss_before:.3g} -> {fit.loss_after:.3g})"}
    return tomli_w.dumps(head) + "\n" + tomli_w.dumps(sections)


def register(app: typer.Typer) -> None:
    @app.command("calibrate")
    def calibrate_cmd(
        scenario: Annotated[str, typer.Option("--scenario", "-s", help="scenario the result extends")] = "gov-led",
        params: Annotated[Optional[str], typer.Option(help="comma-separated calibratable fields")] = None,
        targets: Annotated[Optional[Path], typer.Option(help="targets TOML (default: published figures)")] = None,
        seeds: Annotated[int, typer.Option(min=1, max=100, help="seeds per evaluation")] = 3,
        max_evals: Annotated[int, typer.Option(min=2, max=10000, help="objective evaluations")] = 60,
        workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="parallel processes")] = 1,
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        out: Annotated[Optional[str], typer.Option(help="folder for calibrated.toml and calibration.csv "
                                                       "(default outputs/calibration)")] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    ):
        """Fit calibratable fields to the targets; writes a scenario that extends the original."""
        from experiments.run_cli import console, fail
        from experiments.provenance import stamp
        from experiments.validation import seeds_for

        names = list(DEFAULT_PARAMS) if params is None else [p.strip() for p in params.split(",")]
        try:
            if not any(names) or not all(names):
                raise ScenarioError(f"--params: give comma-separated calibratable fields, e.g. {DEFAULT_PARAMS[0]} "
                                    f"(got {params!r})")
            load_scenario(scenario)
            check_params(names)
            tset = load_targets(targets)
            folder = claim(out_path(out, default_folder("calibration")), CALIBRATION_NAMES, force=force)
            t0 = time.monotonic()
            fit = calibrate(tset, names, seeds_for(seeds), max_evals=max_evals, workers=workers, scheduler=scheduler,
                            on_eval=lambda i, v: console.print(f"  evaluation {i}: loss {v:.4g}", highlight=False))
        except UserError as e:
            fail(str(e))
        both = fit.before[["target", "published", "tolerance"]].assign(
            before=fit.before.model_mean, after=fit.after.model_mean,
            passed_before=fit.before.passed, passed_after=fit.after.passed)
        console.print(both.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        console.print("fitted: " + ", ".join(f"{k} {fit.start[k]:.4g} -> {v:.4g}" for k, v in fit.params.items()))
        write_files(folder, {"calibration.csv": text_writer(both.to_csv(index=False)),
                             "calibrated.toml": text_writer(scenario_file(scenario, fit, seeds_for(seeds)))},
                    "calibrate", stamp=stamp(scenario, "calibration to the targets", f"{seeds} seeds"))
        console.print(f"loss {fit.loss_before:.4g} -> {fit.loss_after:.4g} in {fit.evaluations} evaluations, "
                      f"{time.monotonic() - t0:.0f} s -> {folder / 'calibrated.toml'}")
