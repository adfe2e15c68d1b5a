"""Analyses on small designs: policy comparison (library + CLI), Sobol/Morris indices, PRIM discovery.

Sensitivity and discovery run on ``synthetic_run`` (npv = 10 x foreign_wage_premium; payback iff the premium
is below 1.0), so the right answer is known: the tests check the pipeline finds it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from abm import outputs
from experiments.compare import comparison_table, fan_chart_data, run_replications
from experiments.design import ExperimentError
from experiments.discover import DiscoveryError, prepare_x, prim_boxes
from test_experiments_support import sovai, write_experiment

SMALL = {"population.firms": 200, "population.talent": 300, "population.data_holders": 50, "run.end_year": 2031}
SET = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]
HOOK = ("--run-function", "test_experiments_support:synthetic_run")


@pytest.fixture(scope="module")
def replications():
    return run_replications(["gov-led", "foreign-dependent"], replications=4, master_seed=9, workers=1,
                            overrides=SMALL)


def test_run_replications_gives_a_long_frame(replications):
    df = replications
    assert list(df["policy"].cat.categories) == ["gov-led", "foreign-dependent"]
    assert len(df) == 2 * 4 * 24 and df.groupby("policy", observed=True)["replication"].nunique().tolist() == [4, 4]
    assert {"t_year", "digital_deficit_jpy_tn", "outcomes_total_jpy_tn_per_year", "payback_year", "npv_jpy_tn"} \
        <= set(df.columns)
    seeds = df.groupby(["policy", "replication"], observed=True)["seed"].first().unstack(0)
    assert (seeds["gov-led"] == seeds["foreign-dependent"]).all() and seeds["gov-led"].nunique() == 4  # CRN
    gov = df[df["policy"] == "gov-led"]
    assert gov.groupby("replication")["digital_deficit_jpy_tn"].last().nunique() == 4  # seeds matter


def test_comparison_table_and_fan_chart_data(replications):
    table = comparison_table(replications)
    assert set(table["policy"]) == {"gov-led", "foreign-dependent"}
    assert set(table[table["year"] != "all"]["year"]) == {"2030"}  # horizon ends 2031
    assert {"digital_deficit_jpy_tn", "adoption_rate", "talent_retention_rate", "sovereignty_index",
            "investment_cum_jpy_tn", "payback_year", "npv_jpy_tn"} <= set(table["metric"])
    valued = table[table["n"] > 0]
    assert (valued["p5"] <= valued["mean"] + 1e-12).all() and (valued["mean"] <= valued["p95"] + 1e-12).all()
    npv = table[table["metric"] == "npv_jpy_tn"].set_index("policy")
    per_run = replications.groupby(["policy", "replication"], observed=True)["npv_jpy_tn"].first()
    assert npv.loc["gov-led", "mean"] == pytest.approx(per_run["gov-led"].mean())
    assert (table["runs"] == 4).all()
    fan = fan_chart_data(replications, "adoption_rate")
    assert len(fan) == 2 * 24 and (fan["p5"] <= fan["median"]).all() and (fan["median"] <= fan["p95"]).all()
    assert (fan["n"] == 4).all() and fan["t_year"].is_monotonic_increasing is False  # two policies stacked
    with pytest.raises(KeyError):
        fan_chart_data(replications, "no_such_metric")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_comparison_report_shows_declared_labels_and_the_statistic(replications, lang):
    from abm import outputs
    from experiments.compare import render_html

    table = comparison_table(replications, lang=lang)
    row = table[(table["metric"] == "digital_deficit_jpy_tn") & (table["policy"] == "gov-led")].iloc[0]
    assert row["label"] == outputs.title_with_unit("digital_deficit_jpy_tn", lang)
    assert row["statistic"] == {"en": "annual mean of 2030 quarters", "ja": "2030年の四半期平均"}[lang]
    derived = table[table["metric"] == "outcomes_total_jpy_tn_per_year"]["label"].iloc[0]
    assert derived == outputs.title_with_unit("outcomes_total_jpy_tn_per_year", lang)
    page = re.sub(r'src="data:image/png;base64,[^"]*"', "", render_html(replications, table, "", lang))
    assert f'<html lang="{lang}">' in page
    assert f'alt="{outputs.title_with_unit("adoption_rate", lang)}"' in page
    assert outputs.title_with_unit("npv_jpy_tn", lang) in page and row["statistic"] in page
    for machine in ("digital_deficit_jpy_tn", "adoption_rate", "outcomes_total_jpy_tn_per_year", "npv_jpy_tn",
                    "payback_year", "year_mean"):
        assert machine not in page


def test_compare_cli_takes_presets_and_files_and_writes_a_self_contained_report(tmp_path):
    mine = tmp_path / "my-policy.toml"
    mine.write_text('extends = "gov-led"\n[policy]\nadoption_subsidy_rate = 0.5\n')
    out = tmp_path / "cmp"
    r = sovai("compare", "private-led", mine, "--replications", 2, "--out", out, "--workers", 1, "--quiet", *SET)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["policy"]) == {"private-led", "my-policy"} and (table["runs"] == 2).all()
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 6 and "src=\"http" not in html and "my-policy" in html
    ja = sovai("compare", "gov-led", "--replications", 1, "--out", tmp_path / "ja", "--workers", 1, "--lang", "ja",
               *SET)
    assert ja.returncode == 0, ja.stderr
    assert "年の四半期平均" in ja.stdout and '<html lang="ja">' in (tmp_path / "ja" / "report.html").read_text()
    bad = sovai("compare", "gov-led", "no-such-preset", "--out", tmp_path / "bad")
    assert bad.returncode == 2 and "no-such-preset" in bad.stderr and not (tmp_path / "bad").exists()
    with pytest.raises(ExperimentError, match="same name"):
        run_replications(["gov-led", "gov-led"], replications=1)


SENS = """
[uncertainties."environment.foreign_wage_premium"]
range = [0.3, 2.0]
[uncertainties."behaviour.bass_imitation_per_year"]
range = [0.1, 1.0]
[design]
kind = "sobol"
size = 16
[analysis]
outputs = ["npv_jpy_tn", "payback_year"]
"""


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_finds_the_parameter_that_matters(tmp_path, method):
    path = write_experiment(tmp_path, SENS)
    out = tmp_path / "sens"
    r = sovai("sensitivity", path, "--method", method, "--out", out, "--workers", 1, *HOOK)
    assert r.returncode == 0, r.stderr
    t = pd.read_csv(out / "sensitivity.csv")
    wage, bass = "environment__foreign_wage_premium", "behaviour__bass_imitation_per_year"
    npv = t[t["output"] == "npv_jpy_tn"].set_index(["parameter", "index"])["value"]
    if method == "sobol":
        assert len(t) == 2 * 2 * 2 and {"S1", "ST"} == set(t["index"]) and t["ci95"].notna().all()
        assert npv[(wage, "ST")] > 0.9 and npv[(wage, "S1")] > 0.7 and abs(npv[(bass, "ST")]) < 1e-9
    else:
        assert {"mu_star", "sigma"} == set(t["index"])
        # SALib's elementary effects are per unit of the scaled range: 10 x (2.0 - 0.3)
        assert npv[(bass, "mu_star")] == 0 and npv[(wage, "mu_star")] == pytest.approx(17.0)
    assert (out / "sensitivity.png").stat().st_size > 1000
    page = (out / "sensitivity.html").read_text()
    assert "data:image/png" in page
    assert "payback_year" in set(t["output"])
    shown = re.sub(r'src="data:image/png;base64,[^"]*"', "", page)
    assert f'<td class="l">{outputs.title_with_unit("npv_jpy_tn", "en")}</td>' in shown and "Foreign wage premium (" in shown
    assert "npv_jpy_tn" not in shown and wage not in shown


def test_discover_finds_the_payback_region(tmp_path):
    path = write_experiment(tmp_path, SENS.replace('kind = "sobol"\nsize = 16', 'kind = "lhs"\nsize = 120'))
    out = tmp_path / "runs"
    assert sovai("sweep", path, "--out", out, "--workers", 1, "--quiet", *HOOK).returncode == 0
    r = sovai("discover", out, "--target", "payback_year <= 2040", "--density", 0.95)
    assert r.returncode == 0, r.stderr
    dest = out / "discovery" / "payback_year_2040"
    boxes = pd.read_csv(dest / "boxes.csv")
    assert list(boxes["parameter"]) == ["environment__foreign_wage_premium"]
    assert 0.95 <= boxes.loc[0, "hi"] <= 1.1 and boxes.loc[0, "density"] >= 0.95
    assert boxes.loc[0, "coverage"] >= 0.8
    text = (dest / "discovery.txt").read_text()
    assert "coverage" in text and (dest / "discovery.png").stat().st_size > 1000
    assert "<= Foreign wage premium (share over domestic wage) <=" in text
    assert "environment__foreign_wage_premium" not in text.split("runs:")[1]  # the target line names the SQL
    for target, needle in (("payback_year <= 2000", "holds for 0 of 120"), ("paybak < 1", "SQL: Binder Error")):
        bad = sovai("discover", out, "--target", target)
        assert bad.returncode == 2 and needle in bad.stderr


def test_sensitivity_chart_titles_use_labels():
    from experiments.sensitivity import bar_chart

    table = pd.DataFrame({"policy": "all", "output": "deficit_2040_jpy_tn",
                          "parameter": ["policy__compute_budget_jpy_tn_per_year"] * 2, "index": ["S1", "ST"],
                          "value": [0.5, 0.6], "ci95": [0.1, 0.1]})
    fig = bar_chart(table, "sobol", "ja")
    assert fig.axes[0].get_title() == "デジタル赤字(2040年) (兆円/年) (全実行)"
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["計算基盤予算 (兆円/年)"]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["一次感度指数 S1", "総合感度指数 ST"]
    fig = bar_chart(table.assign(policy="policy__financing=ai_transition_bond"), "sobol", "en")
    assert fig.axes[0].get_title() == "Digital deficit 2040 (JPY tn/yr) (Financing = AI transition bond)"


def test_prim_on_plain_dataframes():
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"a": rng.uniform(0, 1, 300), "b": rng.uniform(0, 1, 300),
                         "c": rng.choice(["x", "y"], 300), "const": 1.0})
    y = (runs["a"] > 0.6) & (runs["c"] == "x")
    x = prepare_x(runs, ["a", "b", "c", "const"])
    assert list(x.columns) == ["a", "b", "c"]
    box = prim_boxes(x, y.to_numpy(), density_min=0.9)[0]
    limits = box["limits"].set_index("parameter")
    assert set(limits.index) == {"a", "c"} and limits.loc["a", "lo"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["c", "values"] == "x" and box["density"] >= 0.9
    with pytest.raises(DiscoveryError):
        prim_boxes(x, np.zeros(300, dtype=bool))
