"""The published figures, reproduced by the reference scenarios (default seed and the mean over 10 seeds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.targets import evaluate, load_targets, table
from experiments.validation import seeds_for

SOVAI = str(Path(sys.executable).with_name("sovai"))


@pytest.fixture(scope="module")
def targets():
    return load_targets()


@pytest.fixture(scope="module")
def ten_seeds(targets):
    return table(targets, evaluate(targets, seeds_for(10), workers=2))


def test_default_seed_hits_every_target(targets):
    df = table(targets, evaluate(targets, [42]))
    failed = df.loc[~df.passed, ["target", "published", "tolerance", "model_mean"]]
    assert failed.empty, failed.to_string()


def test_ten_seed_mean_hits_every_target(ten_seeds):
    failed = ten_seeds.loc[~ten_seeds.passed, ["target", "published", "tolerance", "model_mean"]]
    assert failed.empty, failed.to_string()


def test_hardware_paths_give_the_published_range(ten_seeds):
    v = ten_seeds.set_index("target")["model_mean"]
    assert 2.8 <= v["investment_total_improving"] < v["investment_total_flat"] <= 4.8
    assert 1.0 <= v["capex_improving"] < v["capex_flat"] <= 1.9
    assert 0.8 <= v["running_improving"] < v["running_flat"] <= 2.0


def run(*args, cwd):
    return subprocess.run([SOVAI, *args], capture_output=True, text=True, cwd=cwd, timeout=600,
                          env={**os.environ, "COLUMNS": "160"})


def test_validate_cli_writes_table_and_exit_codes(tmp_path):
    r = run("validate", "--seeds", "2", "--out", "v", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    df = pd.read_csv(tmp_path / "v" / "validation.csv")
    assert {"published", "source", "model_mean", "p05", "p95", "deviation", "passed"} <= set(df.columns)
    assert len(df) == 16 and df.passed.all()
    assert set(df["basis"].str.split(":").str[0]) == {"derived", "fitted"}
    assert "pass" in (tmp_path / "v" / "validation.html").read_text()
    from abm.schema import field_specs
    from experiments.report import field_title  # a fitted field shows its label and the path to set

    shown = f"{field_title(field_specs()['environment.ai_value_share_max'], 'en')}: environment.ai_value_share_max"
    assert shown in (tmp_path / "v" / "validation.html").read_text()
    assert "basis" in r.stdout and "derived" in r.stdout
    impossible = tmp_path / "t.toml"
    impossible.write_text('[scenarios.g]\npreset = "gov-led"\n[[target]]\nname = "x"\nlabel = "x"\nscenario = "g"\n'
                          'metric = "adoption_rate_2040"\nvalue = 5.0\ntolerance = 0.1\nsource = "test"\n')
    r = run("validate", "--seeds", "1", "--targets", str(impossible), "--out", "w", cwd=tmp_path)
    assert r.returncode == 1 and "FAIL" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (["--seeds", "0"], "seeds"),
    (["--targets", "missing.toml"], "not found"),
    (["--workers", "0"], "workers"),
])
def test_validate_bad_arguments(tmp_path, args, needle):
    r = run("validate", *args, "--out", "v", cwd=tmp_path)
    assert r.returncode == 2 and needle in r.stderr
    assert not (tmp_path / "v").exists()


def test_bad_targets_file(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text('[scenarios.g]\npreset = "gov-led"\n[[target]]\nname = "x"\nlabel = "x"\nscenario = "nope"\n'
                   'metric = "m"\nvalue = 1.0\ntolerance = 0.1\nsource = "s"\n')
    r = run("validate", "--targets", str(bad), "--out", "v", cwd=tmp_path)
    assert r.returncode == 2 and "target[0].scenario" in r.stderr


def test_every_published_figure_says_derived_or_fitted(targets):
    from abm.schema import field_specs

    for t in targets.targets:
        assert t.basis in ("derived", "fitted") and t.basis_note, t.name
        assert (t.basis == "fitted") == bool(t.fitted) and set(t.fitted) <= set(field_specs()), t.name
    basis = {t.name: t.basis for t in targets.targets}
    assert basis["outcome_autonomous_driving"] == "fitted" and basis["rnd"] == "derived"


@pytest.mark.parametrize("extra, needle", [
    ('basis = "guessed"\n', "target[0].basis"),
    ('basis = "fitted"\n', "target[0].fitted"),
    ('basis = "derived"\nfitted = ["environment.ai_value_share_max"]\n', "target[0].fitted"),
    ('basis = "fitted"\nfitted = ["environment.nonsense"]\n', "environment.nonsense"),
    ('basis = "fitted"\nfitted = "environment.ai_value_share_max"\n', "target[0].fitted"),
])
def test_bad_basis_names_the_field(tmp_path, extra, needle):
    from abm.scenario import ScenarioError

    bad = tmp_path / "t.toml"
    bad.write_text('[scenarios.g]\npreset = "gov-led"\n[[target]]\nname = "x"\nlabel = "x"\nscenario = "g"\n'
                   'metric = "adoption_rate_2040"\nvalue = 1.0\ntolerance = 0.1\nsource = "s"\n' + extra)
    with pytest.raises(ScenarioError) as err:
        load_targets(bad)
    assert needle in str(err.value) and "\n" not in str(err.value)
