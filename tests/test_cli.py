"""The `sovai` CLI end to end, as a user runs it (subprocess): exit codes, files, nothing written on error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

SOVAI = [str(Path(sys.executable).with_name("sovai"))]


def sovai(*args, cwd=None):
    return subprocess.run(SOVAI + list(args), capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})


def test_run_writes_outputs(tmp_path):
    out = tmp_path / "o"
    r = sovai("run", "--scenario", "foreign-dependent", "--seed", "3", "--out", str(out),
              "--set", "run.end_year=2032")
    assert r.returncode == 0, r.stderr
    assert {"timeseries.parquet", "summary.json", "report.html", "scenario.toml"} <= {p.name for p in out.iterdir()}
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 7 * 4 and ts["year"].max() == 2032
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "foreign-dependent" and summary["seed"] == 3
    for key in ("investment_total_jpy_tn", "investment_by_category_jpy_tn", "investment_by_period_jpy_tn",
                "deficit_jpy_tn", "outcomes_2040_jpy_tn_per_year", "adoption_rate_2040", "talent_retention_rate_2040"):
        assert key in summary
    assert set(summary["investment_by_category_jpy_tn"]) >= {"datacenter", "hardware", "staff", "power"}
    html = (out / "report.html").read_text()
    assert html.count('<svg width="540"') == 4 and "http" not in html.replace("http-equiv", "")
    assert "Digital deficit" in r.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_default_output_folder_name(tmp_path):
    r = sovai("run", "--quiet", "--set", "run.end_year=2027", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    [folder] = (tmp_path / "outputs").iterdir()
    assert folder.name.startswith("gov-led-seed42-") and len(folder.name) == len("gov-led-seed42-") + 8
    assert (folder / "summary.json").exists()
    assert r.stdout.strip() == ""


@pytest.mark.parametrize("args, needle", [
    (["--set", "policy.compute_budget=1"], "compute_budget_jpy_tn_per_year"),
    (["--set", "policy.adoption_subsidy_rate=3"], "policy.adoption_subsidy_rate"),
    (["--set", "run.end_year=2020"], "end_year"),
    (["--scenario", "no-such-preset"], "unknown preset"),
    (["--set", "policy.role_division=anarchy"], "gov_led"),
    (["--set", "nonsense"], "section.field=value"),
])
def test_bad_input_exit_2_nothing_written(tmp_path, args, needle):
    out = tmp_path / "o"
    r = sovai("run", "--out", str(out), *args)
    assert r.returncode == 2
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_flag_exit_2(tmp_path):
    r = sovai("run", "--seed", "-4", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and not (tmp_path / "o").exists()


def test_scenarios_show_and_check(tmp_path):
    r = sovai("scenarios")
    assert r.returncode == 0
    for name in ("gov-led", "private-led", "foreign-dependent", "full-state", "gov-led-export-control"):
        assert name in r.stdout
    r = sovai("show-scenario", "gov-led-export-control")
    assert r.returncode == 0 and "JPY tn/yr" in r.stdout and 'kind = "export_control"' in r.stdout
    good = tmp_path / "good.toml"
    good.write_text('extends = "gov-led"\n[policy]\nfinancing = "ai_transition_bond"\n')
    r = sovai("check-scenario", str(good))
    assert r.returncode == 0 and "ok" in r.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text("[policy]\nprivacy_framework_yr = 2030\n")
    r = sovai("check-scenario", str(bad))
    assert r.returncode == 2 and "privacy_framework_year" in r.stderr
    assert sovai("show-scenario", "nope").returncode == 2


def test_run_in_japanese_labels_tables_and_report(tmp_path):
    from abm import outputs

    out = tmp_path / "ja"
    r = sovai("run", "--lang", "ja", "--seed", "3", "--out", str(out), "--set", "run.end_year=2032")
    assert r.returncode == 0, r.stderr
    assert outputs.label(("deficit_jpy_tn", "2025"), "ja") in r.stdout
    assert "digital_deficit_jpy_tn" not in r.stdout
    assert '<html lang="ja"' in (out / "report.html").read_text(encoding="utf-8")
    bad = sovai("run", "--lang", "fr", "--out", str(tmp_path / "fr"))
    assert bad.returncode == 2 and bad.stderr.startswith("error: --lang") and not (tmp_path / "fr").exists()


def test_the_report_language_defaults_to_the_locale(tmp_path, monkeypatch):
    from experiments.options import default_lang

    for env, lang in (({"LANG": "ja_JP.UTF-8"}, "ja"), ({"LANG": "en_US.UTF-8"}, "en"), ({}, "en"),
                      ({"LC_ALL": "C.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"), ({"LC_MESSAGES": "ja_JP"}, "ja")):
        for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(var, raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        assert default_lang() == lang, env
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    r = subprocess.run(SOVAI + ["run", "-q", "--set", "run.end_year=2026", "--out", str(tmp_path / "ja")],
                       capture_output=True, text=True, timeout=300, env={**env, "LANG": "ja_JP.UTF-8"})
    assert r.returncode == 0, r.stderr
    assert '<html lang="ja"' in (tmp_path / "ja" / "report.html").read_text(encoding="utf-8")
