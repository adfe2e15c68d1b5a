"""Shared helpers for the experiments tests (run-function hooks, experiment files, the CLI), plus unit
tests of the runner's helpers. Other test modules import this one by name (tests/ is on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from experiments.runner import coerce_metric, flatten_summary, resolve_run_fn, simulate_run, summary_metric_names

TESTS = Path(__file__).resolve().parent
SOVAI = str(Path(sys.executable).with_name("sovai"))
SMALL = """
[fixed]
"population.firms" = 200
"population.talent" = 300
"population.data_holders" = 50
"run.end_year" = 2030
"""


def write_experiment(folder: Path, body: str, name: str = "t", master_seed: int = 5, small: bool = True) -> Path:
    """An experiment file with the small population and 2030 horizon unless ``small`` is False."""
    path = folder / f"{name}.toml"
    text = f'name = "{name}"\nmaster_seed = {master_seed}\n' + textwrap.dedent(body) + (SMALL if small else "")
    path.write_text(text, encoding="utf-8")
    return path


def sovai(*args, timeout: float = 300, **popen) -> subprocess.CompletedProcess:
    """Run the console script as a user does; tests/ is importable so run-function hooks resolve."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(TESTS)}
    return subprocess.run([SOVAI, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env,
                          **popen)


def raising_run(scenario, seed):
    """The real model, except that adoption_subsidy_rate > 0.5 raises (the failure-injection hook)."""
    if scenario.policy.adoption_subsidy_rate > 0.5:
        raise RuntimeError(f"injected failure at adoption_subsidy_rate={scenario.policy.adoption_subsidy_rate}")
    return simulate_run(scenario, seed)


def synthetic_run(scenario, seed):
    """A known response: npv = 10 x foreign_wage_premium; pays back (2035) iff the premium is below 1.0;
    nothing depends on any other parameter or on the seed."""
    x = scenario.environment.foreign_wage_premium
    ts = pd.DataFrame({"year": [2026, 2026], "quarter": [1, 2], "digital_deficit_jpy_tn": [x, x]})
    summary = {"npv_jpy_tn": 10.0 * x, "payback_year": 2035 if x < 1.0 else None, "final_year": 2040,
               "deficit_jpy_tn": {"2030": x, "2040": x}}
    return ts, summary


def test_flatten_summary_puts_sub_keys_before_the_unit():
    flat = flatten_summary({"seed": 3, "deficit_jpy_tn": {"2040": 1.5},
                            "outcomes_2040_jpy_tn_per_year": {"healthcare": 2.0},
                            "cost_table_jpy_tn": {"initial_2026_2031": {"hardware": 0.5}}, "payback_year": None})
    assert flat == {"deficit_2040_jpy_tn": 1.5, "outcomes_2040_healthcare_jpy_tn_per_year": 2.0,
                    "cost_table_initial_2026_2031_hardware_jpy_tn": 0.5, "payback_year": None}


def test_summary_metric_names_follow_the_model_summary():
    names = summary_metric_names()
    for required in ("deficit_2040_jpy_tn", "payback_year", "npv_jpy_tn", "adoption_rate_2040",
                     "investment_total_jpy_tn"):
        assert required in names
    assert "seed" not in names and not any(isinstance(n, dict) for n in names)


def test_metric_types_are_fixed():
    assert coerce_metric("payback_year", 2031.0) == 2031 and isinstance(coerce_metric("payback_year", 2031.0), int)
    assert isinstance(coerce_metric("npv_jpy_tn", 3), float)
    assert coerce_metric("npv_jpy_tn", None) is None


def test_run_function_hook_resolves_or_explains():
    assert resolve_run_fn("test_experiments_support:synthetic_run") is synthetic_run
    with pytest.raises(ValueError, match="cannot be imported"):
        resolve_run_fn("no_such_module_xyz:run")


def flaky_run(scenario, seed):
    """``synthetic_run``, except that the first run with foreign_wage_premium 0.8 raises, once (a marker file
    in $SOVAI_FLAKY_DIR remembers that it did)."""
    marker = Path(os.environ["SOVAI_FLAKY_DIR"]) / "failed-once"
    if scenario.environment.foreign_wage_premium == 0.8 and not marker.exists():
        marker.write_text("x")
        raise RuntimeError("flaky failure, first try")
    return synthetic_run(scenario, seed)


def crashing_run(scenario, seed):
    """``synthetic_run``, except that foreign_wage_premium 0.8 kills the worker process outright."""
    if scenario.environment.foreign_wage_premium == 0.8:
        os._exit(3)
    return synthetic_run(scenario, seed)


def slow_run(scenario, seed):
    """``synthetic_run`` after a second's sleep (to have workers busy when a test kills the sweep)."""
    import time

    time.sleep(1.0)
    return synthetic_run(scenario, seed)
