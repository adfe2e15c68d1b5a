"""Stylised facts of the government side (issue 12): budgets bind, compute is bought in H100e, export controls
cut and delay, diversification limits the loss at a cost, capability comes from compute, staff and data.

Each fact: common seeds, a paired difference, a margin of 3 standard errors (computed and printed).
"""

from __future__ import annotations

import numpy as np
import pytest

from abm.report import simulate
from abm.scenario import load_scenario
from stylised import SMALL, paired, run_metrics

EC = {"kind": "export_control", "start_year": 2030, "duration_quarters": 8, "severity": 0.6}


def test_zero_compute_budget_builds_and_spends_nothing_on_the_programme():
    r = simulate(load_scenario("gov-led", {**SMALL, "policy.compute_budget_jpy_tn_per_year": 0.0}), seed=3)
    ts, s = r.timeseries, r.summary
    assert ts["compute_in_service_h100e"].max() == 0 and ts["datacenter_in_service_mw"].max() == 0
    assert s["investment_by_category_jpy_tn"]["datacenter"] == 0 and s["investment_by_category_jpy_tn"]["hardware"] == 0
    assert s["investment_by_category_jpy_tn"]["staff"] == 0          # no lab without a cluster to train on
    assert s["adoption_share_sovereign_2040"] == 0
    # the base-model money that could not be used is reported as lapsed, not silently kept
    assert ts["budget_lapsed_cum_jpy_tn"].iloc[-1] > 0.2 * 14


def test_budget_buys_compute():
    paired("gov-led", {"policy.compute_budget_jpy_tn_per_year": 0.0}, {},
           "compute_in_service_h100e@2035").assert_direction(+1, floor=1e4)


def test_unspent_budget_is_reported_not_piled_up():
    d = paired("gov-led", {}, {"policy.compute_budget_jpy_tn_per_year": 3.0}, "budget_lapsed_cum_jpy_tn@last")
    d.assert_direction(+1, floor=10.0)
    funds = run_metrics("gov-led", {"policy.compute_budget_jpy_tn_per_year": 3.0}, ["programme_funds_jpy_tn@2040"])
    assert funds["programme_funds_jpy_tn@2040"].max() < 3.0 * 1.6 + 0.5   # carry-over allowance only


def test_without_a_base_model_budget_there_is_no_lab_and_no_sovereign_model():
    paired("gov-led", {"policy.base_model_budget_jpy_tn_per_year": 0.0}, {},
           "adoption_share_sovereign_2040").assert_direction(+1, floor=0.05)
    r = simulate(load_scenario("gov-led", {**SMALL, "policy.base_model_budget_jpy_tn_per_year": 0.0}), seed=3)
    assert r.summary["investment_by_category_jpy_tn"]["staff"] == 0
    assert r.timeseries["base_model_quality"].max() == 0


def test_staff_are_needed_to_train():
    """A lab paid for a third of its staff trains slower: the sovereign model serves later (less use in 2032)."""
    paired("gov-led", {"policy.base_model_budget_jpy_tn_per_year": 0.02}, {},
           "adoption_share_sovereign@2032").assert_direction(+1)


def test_shared_japanese_data_raises_base_model_capability():
    paired("gov-led", {"policy.standard_data_contracts_year": 2070}, {"policy.standard_data_contracts_year": 2026},
           "base_model_quality@2032").assert_direction(+1)


def test_adaptive_generations_keep_the_model_closer_to_the_frontier_than_one_fixed_retraining():
    paired("gov-led", {"policy.retraining_rule": "fixed_year"}, {}, "base_model_quality@2040").assert_direction(+1)


def test_an_earlier_data_centre_does_not_hurt():
    early = {"policy.domestic_dc_ready_year": 2027}
    paired("gov-led", {}, early, "base_model_quality@2030").assert_direction(+1)
    for metric in ("adoption_share_sovereign_2040", "npv_jpy_tn"):
        d = paired("gov-led", {}, early, metric)
        print(d.message(+1, 3))
        assert d.mean > -3 * d.se, d.message(+1, 3)


def test_export_controls_never_leave_more_compute():
    metric = "training_cluster_h100e"
    years = range(2030, 2041)
    base = run_metrics("gov-led", {}, [f"{metric}@{y}" for y in years])
    shock = run_metrics("gov-led", {"shocks": [EC]}, [f"{metric}@{y}" for y in years])
    for y in years:   # every year, every seed: at most the no-shock compute
        assert (shock[f"{metric}@{y}"] <= base[f"{metric}@{y}"] * (1 + 1e-9)).all(), y
    paired("gov-led", {"shocks": [EC]}, {}, f"{metric}@2031").assert_direction(+1)
    paired("gov-led", {}, {"shocks": [EC]}, "cost_hardware_cum_jpy_tn@last").assert_direction(+1)  # dearer too


def test_diversification_limits_the_loss_at_a_cost():
    no_div, div = {"policy.procurement_diversification_share": 0.0}, {"policy.procurement_diversification_share": 0.6}
    paired("gov-led", {**no_div, "shocks": [EC]}, {**div, "shocks": [EC]},
           "training_cluster_h100e@2031").assert_direction(+1)
    paired("gov-led", no_div, div, "cost_hardware_cum_jpy_tn@last").assert_direction(+1)


@pytest.mark.parametrize("preset", ["gov-led", "private-led", "full-state"])
def test_programme_never_spends_more_than_its_budget(preset):
    r = simulate(load_scenario(preset, {**SMALL, "policy.compute_budget_jpy_tn_per_year": 0.1,
                                        "policy.base_model_budget_jpy_tn_per_year": 0.05}), seed=2)
    ts, role = r.timeseries, r.model.role
    programme = [f"cost_{c}_cum_jpy_tn" for c in ("datacenter", "hardware", "staff", "power", "cloud",
                                                  "serving_compute")]
    spent = ts[programme].iloc[-1].sum()
    quarters = len(ts)
    budget = (0.1 + 0.05) / 4 * quarters / role.public_share
    assert spent <= budget + 1e-9
    assert np.isclose(spent + ts["programme_funds_jpy_tn"].iloc[-1]
                      + ts["budget_lapsed_cum_jpy_tn"].iloc[-1] / role.public_share, budget)


def test_the_grid_constrains_an_early_data_centre():
    """Ready in 2027 needs more watts than the programme's grid connections by then: waiting delays it, a
    private connection costs a premium and keeps the date, starting smaller serves part of it at once."""
    early = {"policy.domestic_dc_ready_year": 2027}
    metrics = ["datacenter_in_service_mw@2027", "cost_datacenter_cum_jpy_tn@last"]
    wait = run_metrics("gov-led", early, metrics)
    premium = run_metrics("gov-led", {**early, "policy.dc_grid_strategy": "premium"}, metrics)
    smaller = run_metrics("gov-led", {**early, "policy.dc_grid_strategy": "start_smaller"}, metrics)
    assert (wait["datacenter_in_service_mw@2027"] == 0).all()
    assert (premium["datacenter_in_service_mw@2027"] > 0).all()
    assert (0 < smaller["datacenter_in_service_mw@2027"]).all()
    assert (smaller["datacenter_in_service_mw@2027"] < premium["datacenter_in_service_mw@2027"]).all()
    paired("gov-led", early, {**early, "policy.dc_grid_strategy": "premium"},
           "cost_datacenter_cum_jpy_tn@last").assert_direction(+1)


def test_serving_capacity_beyond_the_cluster_is_bounded_by_the_programmes_grid_connections():
    """A large compute budget buys serving GPUs only as far as the programme's grid connections allow: with a
    smaller share of new connections the same budget ends with less national compute and spends less on it."""
    rich = {"policy.compute_budget_jpy_tn_per_year": 3.0}
    d = paired("gov-led", rich, {**rich, "rules.grid_programme_share": 0.08}, "serving_compute_h100e@2040")
    d.assert_direction(-1)
    paired("gov-led", rich, {**rich, "rules.grid_programme_share": 0.08},
           "cost_serving_compute_cum_jpy_tn@last").assert_direction(-1)


def test_budget_sized_generations_train_a_larger_model_on_the_whole_fleet():
    """generation_sizing = budget: new generations train on the training cluster plus the serving capacity the
    compute budget bought, so a larger budget reaches a higher capability than the planned run."""
    rich = {"policy.compute_budget_jpy_tn_per_year": 2.0}
    paired("gov-led", rich, {**rich, "policy.generation_sizing": "budget"},
           "base_model_quality@2040").assert_direction(+1, floor=0.3)


def test_with_shrink_a_budget_too_small_for_the_plan_shrinks_the_cluster_rather_than_delaying_it():
    """policy.budget_shortfall. At 0.05 JPY tn/yr the budget pays about a quarter of the planned data centre and
    cluster by 2031: `delay` (default) serves from the national cluster only years later, `shrink` plans the
    smaller cluster the budget pays and serves in 2031. A 16 T-parameter plan at the default budget builds
    nothing by 2040 under `delay`, and a fifth of it on time under `shrink`."""
    poor = {**SMALL, "policy.compute_budget_jpy_tn_per_year": 0.05}
    run = lambda over: simulate(load_scenario("gov-led", over), seed=3).timeseries
    at = lambda ts, y: ts.loc[ts["year"] == y, "compute_in_service_h100e"].iloc[-1]
    late, shrunk = run(poor), run({**poor, "policy.budget_shortfall": "shrink"})
    assert at(late, 2031) == 0 and at(shrunk, 2031) > 0
    big = {**SMALL, "policy.base_model_parameters": 16e12}
    assert run(big)["compute_in_service_h100e"].max() == 0
    assert at(run({**big, "policy.budget_shortfall": "shrink"}), 2031) > 0
