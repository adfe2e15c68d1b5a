"""Appraisal uncertainty (issue 13, item 4): payback and NPV as distributions over seeds and futures (LHS over the
declared uncertain inputs), the tornado, and where they are shown (sovai compare, sovai run, the dashboard)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.compare import run_replications
from experiments.uncertainty import appraisal_summary, input_label, tornado, uncertain_inputs, uncertainty_tables
from test_experiments_support import sovai

SMALL = {"population.firms": 400, "population.talent": 500, "population.data_holders": 50,
         "population.asean_partners": 2}
AI = "environment.ai_value_share_max"


def test_summary_statistics_exact_on_a_hand_made_table():
    runs = pd.DataFrame({"policy": ["a"] * 5 + ["b"] * 4, "sample_index": [0, 0, 1, 1, 2, 0, 0, 1, 1],
                         "replication": [0, 1, 0, 1, 0, 0, 1, 0, 1],
                         "npv_jpy_tn": [5.0, 1.0, 3.0, 2.0, 4.0, -1.0, -2.0, -3.0, -4.0],
                         "payback_year": pd.array([2036, 2030, None, 2034, 2040, None, None, None, None], "Int64")})
    s = appraisal_summary(runs).set_index("policy")
    a, b = s.loc["a"], s.loc["b"]
    assert (a["runs"], a["futures"], a["seeds"]) == (5, 3, 2)
    # numpy's linear quantiles of 1..5: 1 + 0.05 * 4, 3, 1 + 0.95 * 4
    assert (a["npv_jpy_tn_p5"], a["npv_jpy_tn_median"], a["npv_jpy_tn_p95"]) == pytest.approx((1.2, 3.0, 4.8))
    # payback sorted: 2030, 2034, 2036, 2040, never -> observed-year quantiles; 2 of 5 by 2035, 4 of 5 by 2040
    assert (a["payback_year_p5"], a["payback_year_median"]) == (2030, 2036) and np.isinf(a["payback_year_p95"])
    assert a["p_payback_by_2035"] == pytest.approx(0.4) and a["p_payback_by_2040"] == pytest.approx(0.8)
    assert b["p_payback_by_2035"] == 0.0 and b["p_payback_by_2040"] == 0.0 and np.isinf(b["payback_year_median"])
    assert b["npv_jpy_tn_median"] == pytest.approx(-2.5) and "npv_economic_jpy_tn_median" not in s.columns


def test_tornado_swing_is_mean_of_top_fifth_minus_bottom_fifth_of_futures():
    futures = np.arange(10)
    x = futures * 1.0                                        # NPV = 2x (+ seed offset): x drives it
    z = np.array([3, 7, 1, 9, 0, 5, 2, 8, 6, 4], float)      # unrelated input
    runs = pd.DataFrame([{"policy": "p", "sample_index": i, "replication": r, "x": x[i], "z": z[i],
                          "npv_jpy_tn": 2 * x[i] + r} for i in futures for r in (0, 1)])
    t = tornado(runs, ["z", "x"]).set_index("input")
    assert list(t.index) == ["x", "z"]                       # largest |swing| first
    # k = 2 futures per tail; x: low futures {0, 1}, high {8, 9}
    assert t.loc["x", "k"] == 2 and t.loc["x", "low_mean"] == pytest.approx(1.5)
    assert t.loc["x", "high_mean"] == pytest.approx(17.5) and t.loc["x", "swing"] == pytest.approx(16.0)
    # z: lowest values 0, 1 are futures 4, 2 (x 4, 2); highest 8, 9 are futures 7, 3 (x 7, 3)
    assert t.loc["z", "low_mean"] == pytest.approx(2 * 3 + 0.5) and t.loc["z", "high_mean"] == pytest.approx(10.5)
    assert t.loc["x", "low_value"] == 0.5 and t.loc["x", "high_value"] == 8.5
    assert tornado(runs[runs["sample_index"] == 0], ["x"]).empty   # one future: no tornado


def test_uncertain_inputs_are_the_declared_exogenous_ranges():
    from abm.levers import atlas

    declared = uncertain_inputs()
    assert declared == {p: (d.low, d.high) for p, d in atlas().exogenous.items()} and AI in declared
    assert uncertain_inputs({AI: (0.1, 0.2)})[AI] == (0.1, 0.2)
    assert AI not in uncertain_inputs(pinned={AI})
    assert input_label("environment__jpy_per_usd", "ja") == "為替レート (円/ドル)"   # declared names, not paths
    assert input_label(AI, "en") == "AI-addressable value share (share of value added)"
    with pytest.raises(KeyError, match="not a declared uncertain input"):
        uncertain_inputs({"environment.nope": (0, 1)})


def _pinned(**wide) -> dict:
    """Every declared input pinned to (nearly) its value in the gov-led preset, except those given."""
    from abm.scenario import load_scenario

    preset = load_scenario("gov-led").model_dump()
    out = {}
    for k, (lo, hi) in uncertain_inputs().items():
        section, field = k.split(".")
        v = float(preset[section][field])
        out[k] = (v, v + 1e-6 * (hi - lo))
    return {**out, **wide}


YEN = "environment.jpy_per_usd"
TASKS = "rules.capability_frontier_task_share"


@pytest.fixture(scope="module")
def pinned_vs_wide():
    """gov-led, small population, 2 seeds (the same LHS draws and seeds everywhere; other inputs pinned at the
    preset's values): everything pinned (2 futures); only the AI value share widened (8 futures); the yen pinned at the
    strong and at the weak end of its declared range (2 futures each); the share of frontier-tracking tasks at the
    high end of its range (2 futures)."""
    lo, hi = uncertain_inputs()[YEN]
    t_hi = uncertain_inputs()[TASKS][1]

    def one(futures, **wide):
        return run_replications(["gov-led"], replications=2, master_seed=7, workers=1, overrides=SMALL,
                                futures=futures, ranges=_pinned(**wide))
    return {"pinned": one(2), "ai_wide": one(8, **{AI: (0.06, 0.42)}),
            "yen_strong": one(2, **{YEN: (lo, lo + 1e-3)}), "yen_weak": one(2, **{YEN: (hi - 1e-3, hi)}),
            "tasks_high": one(2, **{TASKS: (t_hi - 1e-3, t_hi)})}


def _per_run(df):
    return df.drop_duplicates(["sample_index", "replication"]).set_index(["sample_index", "replication"])


def test_widening_an_input_range_widens_the_npv_interval_and_the_tornado_finds_it(pinned_vs_wide):
    s = {k: uncertainty_tables(df)[0].iloc[0] for k, df in pinned_vs_wide.items()}
    width = {k: v["npv_jpy_tn_p95"] - v["npv_jpy_tn_p5"] for k, v in s.items()}
    pinned, ai = _per_run(pinned_vs_wide["pinned"]), _per_run(pinned_vs_wide["ai_wide"])
    # paired by seed: how far widening the AI share moves each run's NPV from the pinned world's
    diff = ai["npv_jpy_tn"] - pinned.groupby("replication")["npv_jpy_tn"].first().reindex(
        ai.index.get_level_values("replication")).to_numpy()
    print(f"NPV 5-95% width: pinned {width['pinned']:.3f}, AI share widened {width['ai_wide']:.3f}; "
          f"|paired change| from widening the AI share: mean {diff.abs().mean():.3f}, max {diff.abs().max():.3f} "
          f"(n={len(diff)})")
    seed_spread = pinned.groupby("replication")["npv_jpy_tn"].agg(np.ptp).max()
    assert seed_spread < 1e-3 * width["pinned"] + 1e-9       # pinned: the futures are the same world
    assert width["ai_wide"] > 1.3 * width["pinned"]
    rho = pd.Series(diff.to_numpy()).corr(pd.Series(ai["environment__ai_value_share_max"].to_numpy()),
                                          method="spearman")
    tor = uncertainty_tables(pinned_vs_wide["ai_wide"])[1]
    top = tor.iloc[0]
    print(f"Spearman(AI share, paired NPV change) = {rho:.3f}; tornado top: {top['input']} swing "
          f"{top['swing']:.3f} (SE {top['se']:.3f})")
    assert rho > 0.7                                         # more AI-addressable value, more attributable NPV
    assert top["input"] == "environment__ai_value_share_max" and top["swing"] > 2 * top["se"]


def test_probabilities_change_with_the_ranges(pinned_vs_wide):
    s = {k: uncertainty_tables(df)[0].iloc[0] for k, df in pinned_vs_wide.items()}
    p2035 = {k: v["p_payback_by_2035"] for k, v in s.items()}
    p2040 = {k: v["p_payback_by_2040"] for k, v in s.items()}
    years = {k: pd.to_numeric(pinned_vs_wide[k].groupby("replication")["payback_year"].first(), errors="coerce")
             .astype(float).tolist() for k in ("yen_strong", "pinned", "yen_weak", "tasks_high")}
    print("P(payback by 2035):", p2035, "P(payback by 2040):", p2040, "payback year per seed:", years)
    later = lambda a, b: all((y != y) or (x == x and x <= y) for x, y in zip(a, b))   # noqa: E731 (NaN: never)
    # a weaker yen makes the dollar-priced build dearer: no seed pays back earlier
    assert later(years["yen_strong"], years["yen_weak"])
    # if half of the tasks track the frontier, the trailing sovereign model earns less: no seed pays back earlier
    # and the probability of payback by 2035 falls (the pinned preset world pays back by 2035)
    assert later(years["pinned"], years["tasks_high"])
    assert p2035["pinned"] > p2035["tasks_high"] and p2040["pinned"] >= p2040["tasks_high"]
    for k in p2035:                                      # 2 seeds x identical futures: multiples of 1/2
        if k != "ai_wide":
            assert round(2 * p2035[k]) == 2 * p2035[k]


def test_compare_cli_writes_the_uncertainty_section(tmp_path):
    out = tmp_path / "cmp"
    small = [a for k, v in {**SMALL, "run.end_year": 2030, "environment.jpy_per_usd": 150}.items()
             for a in ("--set", f"{k}={v}")]
    r = sovai("compare", "gov-led", "private-led", "--replications", 1, "--futures", 3, "--out", out,
              "--workers", 1, *small)
    assert r.returncode == 0, r.stderr
    unc = pd.read_csv(out / "uncertainty.csv")
    assert list(unc["policy"]) == ["gov-led", "private-led"] and (unc["futures"] == 3).all()
    assert {"npv_jpy_tn_p5", "npv_jpy_tn_median", "npv_jpy_tn_p95", "p_payback_by_2035", "p_payback_by_2040"} \
        <= set(unc.columns)
    tor = pd.read_csv(out / "tornado.csv")
    inputs = {p.replace(".", "__") for p in uncertain_inputs()} - {"environment__jpy_per_usd"}  # pinned by --set
    assert set(tor["input"]) == inputs and len(tor) == 2 * len(inputs)
    html = (out / "report.html").read_text()
    assert "Appraisal uncertainty" in html and html.count('alt="Tornado') == 2
    assert "P(payback by 2035)" in r.stdout and "environment__" not in html
    bad = sovai("compare", "gov-led", "--futures", "-1", "--out", tmp_path / "bad")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--futures" in bad.stderr
    assert not (tmp_path / "bad").exists()


def test_run_report_and_dashboard_show_the_appraisal_honestly():
    from abm.report import simulate
    from abm.scenario import load_scenario
    from experiments import run_report
    from viz import compare_view, runner

    tiny = {**SMALL, "run.end_year": 2028}
    res = simulate(load_scenario("gov-led", tiny))
    assert "sovai compare --futures N" in run_report.render(res.timeseries, res.summary, "en")
    assert "1シード" in run_report.render(res.timeseries, res.summary, "ja")
    results = runner.run_replications([load_scenario("gov-led", tiny), load_scenario("private-led", tiny)], 3, 1)
    runs = runner.appraisal_runs(results)
    assert len(runs) == 6 and runs["npv_jpy_tn"].notna().all()
    table = compare_view.appraisal_table_html(results, "ja")
    assert "政府主導 (gov-led)" in table and "2035年までに回収する確率" in table and "3 (1 x 3)" in table
