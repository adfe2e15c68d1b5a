"""The lever atlas: declarations cover the schema, the arithmetic, one known effect, the command end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.levers import atlas, lever_fields, missing_levers, parse, shock_kinds
from abm.scenario import ScenarioError
from abm.schema import field_specs
from abm.vocab import load_table
from experiments.lever_stats import metric_values, paired_effects, variance_shares
from stylised import paired

SOVAI = str(Path(sys.executable).with_name("sovai"))
DOC = Path(__file__).resolve().parents[1] / "docs" / "levers.md"
TINY = ["--set", "population.firms=100", "--set", "population.talent=100", "--set", "population.data_holders=10",
        "--set", "population.asean_partners=1"]


def sovai(*args, cwd):
    return subprocess.run([SOVAI, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})


def test_every_lever_and_shock_is_declared_with_a_chain_in_both_languages():
    names = atlas().by_name()
    assert lever_fields() and missing_levers() == [], missing_levers()
    assert set(lever_fields()) <= set(names) and {f"shock.{k}" for k in shock_kinds()} <= set(names)
    for e in atlas().entries:
        assert "→" in e.en and "→" in e.ja and e.low != e.high, e.name
    raw = load_table("levers.toml")
    del raw["lever"]["policy.adoption_subsidy_rate"]
    assert missing_levers(parse(raw)) == ["policy.adoption_subsidy_rate"]


@pytest.mark.parametrize("edit, needle", [
    (lambda r: r["lever"]["policy.adoption_subsidy_rate"].update(high=3.0), "policy.adoption_subsidy_rate"),
    (lambda r: r["lever"].update({"policy.nonsense": {"low": 0, "high": 1, "en": "a", "ja": "b"}}), "policy.nonsense"),
    (lambda r: r["shock"]["export_control"].update(severity="high"), "shock.export_control.severity"),
    (lambda r: r["lever"]["policy.financing"].pop("ja"), "policy.financing.ja"),
    (lambda r: r["lever"]["policy.financing"].update(holding={"policy.nonsense": 1}), "policy.financing.holding"),
    (lambda r: r["lever"]["policy.dc_grid_strategy"].update(holding={"policy.domestic_dc_ready_year": 1990}),
     "policy.dc_grid_strategy"),
    (lambda r: r["consistency"].update(targets=["deficit_2035_foreign_dependent", "no_such_target"]),
     "consistency.targets: 'no_such_target'"),
    (lambda r: r["consistency"].pop("why"), "consistency.why"),
])
def test_bad_declaration_names_the_entry(edit, needle):
    raw = load_table("levers.toml")
    edit(raw)
    with pytest.raises(ScenarioError) as err:
        parse(raw)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_a_held_field_is_set_in_both_settings_and_lets_the_grid_strategy_act():
    """The grid strategy matters only for a DC the grid cannot connect in time: the atlas holds a 2027 DC."""
    e = atlas().by_name()["policy.dc_grid_strategy"]
    low, high = e.setting("low")[0], e.setting("high")[0]
    assert low["policy.domestic_dc_ready_year"] == high["policy.domestic_dc_ready_year"] == 2027
    assert (low["policy.dc_grid_strategy"], high["policy.dc_grid_strategy"]) == ("wait", "premium")
    d = paired(e.preset, low, high, "datacenter_in_service_mw@2027", n_seeds=2)
    d.assert_direction(+1, floor=1.0)


def test_paired_differences_on_a_synthetic_frame():
    rows = []
    for seed, (lo, hi) in enumerate([(1.0, 2.0), (1.0, 3.0), (2.0, 5.0)]):   # differences 1, 2, 3
        rows += [{"lever": "a", "setting": "low", "seed": seed, "metric": "m", "value": lo},
                 {"lever": "a", "setting": "high", "seed": seed, "metric": "m", "value": hi}]
    for seed, d in enumerate([1.0, -1.0, 0.5]):                               # noise around zero
        rows += [{"lever": "b", "setting": "low", "seed": seed, "metric": "m", "value": 10.0},
                 {"lever": "b", "setting": "high", "seed": seed, "metric": "m", "value": 10.0 + d}]
    for seed in range(3):                                                       # identical, non-zero
        rows += [{"lever": "c", "setting": "low", "seed": seed, "metric": "m", "value": 0.0},
                 {"lever": "c", "setting": "high", "seed": seed, "metric": "m", "value": 0.5}]
    eff = paired_effects(pd.DataFrame(rows)).set_index("lever")
    assert list(eff.index) == ["a", "b", "c"]
    a = eff.loc["a"]
    assert a["n"] == 3 and a["mean"] == pytest.approx(2.0) and a["se"] == pytest.approx(1 / np.sqrt(3))
    assert a["p05"] == pytest.approx(1.1) and a["p95"] == pytest.approx(2.9)
    assert a["low_mean"] == pytest.approx(4 / 3) and a["high_mean"] == pytest.approx(10 / 3)
    assert bool(a["distinguishable"]) and not bool(eff.loc["b", "distinguishable"])
    assert eff.loc["c", "se"] == 0 and bool(eff.loc["c", "distinguishable"])


def test_variance_shares_split_levers_from_exogenous():
    rng = np.random.default_rng(1)
    n = 200
    x = pd.DataFrame({"lev": rng.random(n), "lev2": rng.random(n), "exo": rng.random(n)})
    y = pd.DataFrame({"by_lever": 3 * x["lev"] + 0.3 * x["exo"], "by_exo": x["exo"] + 0.01 * rng.random(n),
                      "noise": rng.random(n)})
    shares, per_input = variance_shares(x, y, {"lev": "lever", "lev2": "lever", "exo": "exogenous"})
    s = shares.set_index("output")
    assert s.loc["by_lever", "lever_share"] > 0.8 and s.loc["by_exo", "exogenous_share"] > 0.9
    assert s.loc["by_exo", "lever_share"] < 0.05 and s.loc["noise", "unexplained"] > 0.9
    total = s[["lever_share", "exogenous_share", "unexplained"]].sum(axis=1)
    assert np.allclose(total, 1.0)
    top = per_input[per_input.output == "by_lever"].sort_values("srrc2").iloc[-1]
    assert top["input"] == "lev"


def test_metric_values_reads_summary_and_timeseries_at_a_year():
    rows = pd.DataFrame({"run_id": ["r1", "r2"], "npv_jpy_tn": [1.0, 2.0]})
    ts = pd.DataFrame({"run_id": ["r1"] * 3 + ["r2"] * 3, "year": [2039, 2040, 2040] * 2,
                       "x": [9.0, 1.0, 3.0, 9.0, 5.0, 7.0]})
    v = metric_values(rows, ts, ["npv_jpy_tn", "x@2040", "x@last"])
    assert v.loc["r1"].tolist() == [1.0, 2.0, 3.0] and v.loc["r2"].tolist() == [2.0, 6.0, 7.0]


def test_talent_topup_raises_public_cost():
    d = paired("gov-led", {"policy.talent_wage_topup_share": 0.0}, {"policy.talent_wage_topup_share": 1.0},
               "public_cost_cum_jpy_tn@last", n_seeds=3)
    d.assert_direction(+1)


def test_levers_cli_writes_every_declared_lever(tmp_path):
    r = sovai("levers", "--seeds", "2", "--lhs-samples", "16", "--consistent-samples", "12", "--workers", "1",
              "--out", "lv", *TINY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "lv"
    df = pd.read_csv(out / "levers.csv")
    names = [e.name for e in atlas().entries]
    assert list(dict.fromkeys(df["lever"])) == names
    assert (df["n"] == 2).all() and {"mean", "p05", "p95", "se", "distinguishable", "mechanism"} <= set(df.columns)
    public = df[(df.lever == "policy.talent_wage_topup_share") & (df.metric == "public_cost_cum_jpy_tn@last")]
    assert public["mean"].iloc[0] > 0
    page = (out / "levers.html").read_text()
    assert "Talent wage top-up" in page and "GPU export control" in page and "Variance decomposition" in page
    shares = pd.read_csv(out / "variance.csv")
    assert "adoption_share_sovereign_2040" in set(shares["output"])
    is_consistent = shares["design"].str.endswith("_consistent")
    plain, consistent = shares[~is_consistent], shares[is_consistent]
    assert (plain["samples"] == 16).all() and (plain["drawn"] == 16).all()
    assert set(consistent["design"]) == {"within_consistent", "across_consistent"}
    assert (consistent["drawn"] == 12).all() and consistent["samples"].between(0, 12).all()
    assert all(e.en in (out / "levers.md").read_text() for e in atlas().entries)
    assert (out / ".sovai-output.json").exists() and "levers.html" in r.stdout


@pytest.mark.parametrize("args, needle", [
    (["--seeds", "0"], "--seeds"),
    (["--preset", "no-such-preset"], "--preset"),
    (["--set", "policy.adoption_subsidy_rate=3"], "policy.adoption_subsidy_rate"),
    (["--lang", "fr"], "--lang"),
    (["--consistent-samples", "-1"], "--consistent-samples"),
])
def test_levers_bad_input_exit_2_one_line(tmp_path, args, needle):
    r = sovai("levers", *args, "--out", "lv", cwd=tmp_path)
    assert r.returncode == 2 and needle in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "lv").exists()


def test_docs_page_is_generated_from_the_declarations():
    text = DOC.read_text(encoding="utf-8")
    assert "python -m experiments.levers_doc" in text
    for e in atlas().entries:
        assert f"`{e.name}`" in text and e.en in text, e.name


def test_same_figures_inline_and_on_a_pool():
    from abm.levers import Atlas
    from experiments.levers import measure, plan

    tiny = {"population.firms": 60, "population.talent": 60, "population.data_holders": 6,
            "population.asean_partners": 1}
    full = atlas()
    some = Atlas((full.entries[1], full.entries[-1]), dict(list(full.exogenous.items())[:2]))
    p = plan(2, 6, overrides=tiny, decl=some)
    one, two = measure(p, workers=1), measure(p, workers=2)
    pd.testing.assert_frame_equal(one.effects, two.effects)
    pd.testing.assert_frame_equal(one.shares, two.shares)
    assert one.effects["n"].eq(2).all() and len(p.lhs_runs) == 6


def test_across_design_samples_every_role_division_as_dummies_unless_pinned():
    from abm.levers import Atlas
    from experiments.levers import plan

    full = atlas()
    role = full.by_name()["policy.role_division"]
    some = Atlas((role, full.entries[1]), dict(list(full.exogenous.items())[:2]))
    p = plan(1, 8, decl=some)
    assert set(p.designs) == {"within", "across"}
    assert "policy.role_division" not in p.designs["within"].values.columns
    across = p.designs["across"]
    assert set(across.values["policy.role_division"]) == set(field_specs()["policy.role_division"].choices)
    dummies = [c for c in across.inputs.columns if c.startswith("policy.role_division=")]
    assert len(dummies) == len(field_specs()["policy.role_division"].choices) - 1
    assert all(across.groups[c] == "lever" for c in dummies)
    assert across.inputs[dummies].sum(axis=1).le(1).all()
    pinned = plan(1, 8, overrides={"policy.role_division": "private_led"}, decl=some)
    assert set(pinned.designs) == {"within"}


def _consistency_atlas():
    from abm.levers import Atlas

    full = atlas()
    by_name = full.by_name()
    entries = tuple(by_name[k] for k in ("policy.role_division", "policy.adoption_subsidy_rate", "policy.hardware_path",
                                         "shock.export_control"))
    return Atlas(entries, dict(list(full.exogenous.items())[:3]), full.consistency)


def test_consistent_futures_keep_the_samples_that_reproduce_every_target():
    from experiments.levers import consistent
    from experiments.targets import Target

    targets = [Target(name="a", label="a", scenario="fd", metric="deficit_jpy_tn.2035", value=18.0, tolerance=2.0,
                      source="s"),
               Target(name="b", label="b", scenario="fd", metric="deficit_jpy_tn.2040", value=36.0, tolerance=3.0,
                      source="s", minus="gl")]
    checks = [{"fd": f"f{i}", "gl": f"g{i}"} for i in range(6)]
    values = {"f0": {"deficit_2035_jpy_tn": 19.9, "deficit_2040_jpy_tn": 42.9}, "g0": {"deficit_2040_jpy_tn": 4.0},
              "f1": {"deficit_2035_jpy_tn": 20.1, "deficit_2040_jpy_tn": 40.0}, "g1": {"deficit_2040_jpy_tn": 4.0},
              "f2": {"deficit_2035_jpy_tn": 18.0, "deficit_2040_jpy_tn": 43.1}, "g2": {"deficit_2040_jpy_tn": 4.0},
              "f3": {"deficit_2035_jpy_tn": float("nan"), "deficit_2040_jpy_tn": 40.0}, "g3": {"deficit_2040_jpy_tn": 4.0},
              "f4": {"deficit_2035_jpy_tn": 18.0, "deficit_2040_jpy_tn": 40.0},   # g4 failed: no row
              "f5": {"deficit_2035_jpy_tn": 16.0, "deficit_2040_jpy_tn": 33.0}, "g5": {"deficit_2040_jpy_tn": 0.0}}
    assert consistent(checks, values, targets).tolist() == [True, False, False, False, False, True]


def test_consistency_checks_run_the_published_scenario_with_the_samples_exogenous_inputs():
    """Each candidate's check: the target's reference scenario (foreign-dependent) as validate runs it, with the
    sample's exogenous inputs (and exogenous-group levers: the hardware path) and seed; not its levers or shocks."""
    from abm.scenario import load_scenario
    from experiments.levers import plan

    some = _consistency_atlas()
    p = plan(1, 0, decl=some, consistent_samples=6)
    assert set(p.candidates) == {"within_consistent", "across_consistent"} and not p.designs
    assert {r["run_id"] for r in p.runs} == {x["run_id"] for x in p.pairs}   # the samples' own runs wait for the check
    fd = load_scenario("foreign-dependent").model_dump(mode="json")
    by_id = {r["run_id"]: r for r in p.checks}
    assert len(by_id) == len(p.checks) == 12
    for c in p.candidates.values():
        assert len(c.main) == len(c.checks) == 6
        for row, (data, seed), runs in zip(c.drawn.values.to_dict("records"), c.main, c.checks):
            assert list(runs) == ["foreign-dependent"]
            check = by_id[runs["foreign-dependent"]]
            sc = check["scenario"]
            assert check["seed"] == seed == sc["run"]["seed"]
            for path in some.exogenous:
                section, name = path.split(".")
                assert sc[section][name] == row[path] == data[section][name], path
            assert sc["policy"]["hardware_path"] == row["policy.hardware_path"]
            assert sc["policy"]["adoption_subsidy_rate"] == fd["policy"]["adoption_subsidy_rate"]
            assert data["policy"]["adoption_subsidy_rate"] == row["policy.adoption_subsidy_rate"]
            assert sc["policy"]["role_division"] == "foreign_dependent" and sc["shocks"] == fd["shocks"]


@pytest.mark.parametrize("tolerance, kept", [(1e9, 5), (1e-9, 0)])
def test_a_consistent_design_runs_and_decomposes_only_the_samples_that_pass(tolerance, kept):
    import dataclasses

    from experiments.levers import measure, plan

    tiny = {"population.firms": 60, "population.talent": 60, "population.data_holders": 6,
            "population.asean_partners": 1}
    p = plan(1, 0, overrides=tiny, decl=_consistency_atlas(), consistent_samples=5)
    p.targets = [dataclasses.replace(t, tolerance=tolerance) for t in p.targets]
    res = measure(p, workers=1)
    for name in ("within_consistent", "across_consistent"):
        design = p.designs[name]
        assert len(design.runs) == len(design.values) == len(design.inputs) == kept
        rows = res.shares[res.shares["design"] == name]
        assert rows["drawn"].eq(5).all() and rows["samples"].le(kept).all() and len(rows) > 0
    pairs = {x["run_id"] for x in p.pairs}
    assert len([r for r in p.runs if r["run_id"] not in pairs]) == 2 * kept
    assert res.runs == len(pairs) + 2 * kept + len(p.checks)
