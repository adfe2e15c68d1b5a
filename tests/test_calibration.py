"""Calibration recovers known parameters from targets the model itself generated; bad arguments exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from abm.scenario import load_scenario
from experiments.calibration import calibrate, check_params, scenario_file
from experiments.targets import Target, TargetSet, evaluate, load_targets

# 1,000 firms and 3 seeds: with 300 firms and 2 seeds the objective's noise (a parameter change reorders random
# draws) was as large as the tolerance, and Nelder-Mead stopped at a false minimum once serving capacity changed.
SMALL = {"population.firms": 1000, "population.talent": 1000, "population.data_holders": 50}
TRUE = {"environment.foreign_wage_premium": 1.6, "rules.firm_adoption_cost_median_years": 6.0}
SEEDS = [1, 2, 3]


def synthetic_targets() -> TargetSet:
    metrics = ["talent_retention_rate_by_year.2035", "adoption_rate_2040", "deficit_jpy_tn.2030"]
    base = TargetSet({"small": {"preset": "gov-led", "overrides": SMALL}},
                     [Target(m, m, "small", m, 0.0, 1.0, "synthetic") for m in metrics])
    truth = evaluate(base, SEEDS, TRUE).groupby("target")["model"].mean()
    tol = {"talent_retention_rate_by_year.2035": 0.01, "adoption_rate_2040": 0.01, "deficit_jpy_tn.2030": 0.1}
    return TargetSet(base.scenarios, [Target(m, m, "small", m, float(truth[m]), tol[m], "synthetic") for m in metrics])


def test_recovers_synthetic_parameters():
    tset = synthetic_targets()
    fit = calibrate(tset, list(TRUE), SEEDS, max_evals=70)
    assert fit.loss_after < fit.loss_before
    assert fit.after.passed.all(), fit.after.to_string()
    assert fit.params["environment.foreign_wage_premium"] == pytest.approx(1.6, abs=0.25)
    assert fit.params["rules.firm_adoption_cost_median_years"] == pytest.approx(6.0, abs=1.5)
    text = scenario_file("gov-led", fit, SEEDS)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "sovai-calibrated-test.toml"
    path.write_text(text)
    s = load_scenario(path)
    assert s.environment.foreign_wage_premium == pytest.approx(fit.params["environment.foreign_wage_premium"])
    assert s.policy.role_division == "gov_led"


def test_only_declared_calibratable_fields():
    with pytest.raises(ValueError, match="not calibratable"):
        check_params(["policy.role_division"])
    with pytest.raises(ValueError, match="unknown field"):
        check_params(["policy.nope"])
    assert load_targets().targets


@pytest.mark.parametrize("args, needle", [
    (["--params", "policy.nope"], "unknown field"),
    (["--params", "run.seed"], "not calibratable"),
    (["--seeds", "0"], "seeds"),
    (["--scenario", "no-such"], "unknown preset"),
])
def test_calibrate_bad_arguments(tmp_path, args, needle):
    r = subprocess.run([str(Path(sys.executable).with_name("sovai")), "calibrate", *args, "--out", "c"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and needle in r.stderr
    assert not (tmp_path / "c").exists()
