"""The cost model follows the report's method: identities, and inputs move the total for a reason."""

from __future__ import annotations

import pytest

from abm.report import simulate
from abm.scenario import load_scenario


def summary(**overrides):
    return simulate(load_scenario("gov-led", {"run.seed": 1, **overrides})).summary


@pytest.fixture(scope="module")
def base():
    return summary()


def test_cost_table_identities(base):
    table = base["cost_table_jpy_tn"]
    for period, total in base["investment_by_period_jpy_tn"].items():
        assert sum(table[period].values()) == pytest.approx(total)
    assert sum(base["investment_by_period_jpy_tn"].values()) == pytest.approx(base["investment_total_jpy_tn"])
    assert sum(base["investment_by_category_jpy_tn"].values()) == pytest.approx(base["investment_total_jpy_tn"])
    init = table["initial_2026_2031"]
    assert base["investment_capex_2026_2031_jpy_tn"] == pytest.approx(init["datacenter"] + init["hardware"])
    assert table["running_2031_2040"]["datacenter"] == 0       # data centres are built before release
    assert table["running_2031_2040"]["hardware"] > 0          # renewal in 2036
    assert sum(base["investment_by_payer_jpy_tn"].values()) == pytest.approx(base["investment_total_jpy_tn"])


def test_bigger_model_needs_more_gpus_and_costs_more(base):
    big = summary(**{"policy.base_model_parameters": 8e12})
    assert big["gpus_planned"] > base["gpus_planned"] * 2      # C ~ N^2 at fixed tokens per parameter
    assert big["investment_capex_2026_2031_jpy_tn"] > base["investment_capex_2026_2031_jpy_tn"]


def test_cheaper_power_lowers_power_cost_only(base):
    cheap = summary(**{"environment.electricity_price_jpy_per_kwh": 10.0})
    assert cheap["investment_by_category_jpy_tn"]["power"] == pytest.approx(
        base["investment_by_category_jpy_tn"]["power"] / 2, rel=0.02)
    assert cheap["investment_by_category_jpy_tn"]["hardware"] == pytest.approx(
        base["investment_by_category_jpy_tn"]["hardware"])


def test_flat_hardware_costs_more_than_improving(base):
    flat = summary(**{"policy.hardware_path": "flat"})
    assert flat["gpus_planned"] > base["gpus_planned"]
    assert flat["investment_total_jpy_tn"] > base["investment_total_jpy_tn"] + 0.8


def test_longer_training_window_needs_fewer_gpus(base):
    slow = summary(**{"policy.training_window_months": 6.0})
    assert slow["gpus_planned"] == pytest.approx(base["gpus_planned"] / 2, rel=1e-6)
    assert slow["investment_capex_2026_2031_jpy_tn"] < base["investment_capex_2026_2031_jpy_tn"]


def test_dearer_data_centres_and_staff(base):
    dc = summary(**{"costs.dc_cost_usd_per_w": 30.4})
    assert dc["investment_by_category_jpy_tn"]["datacenter"] == pytest.approx(
        2 * base["investment_by_category_jpy_tn"]["datacenter"], rel=1e-6)
    staff = summary(**{"costs.staff_cost_jpy_m_per_head": 40.0})
    assert staff["investment_by_category_jpy_tn"]["staff"] < base["investment_by_category_jpy_tn"]["staff"]


def test_foreign_dependent_builds_nothing():
    fd = simulate(load_scenario("foreign-dependent", {"run.seed": 1})).summary
    assert fd["investment_total_jpy_tn"] == 0 and fd["gpus_planned"] == 0


def test_private_led_splits_payers():
    pl = simulate(load_scenario("private-led", {"run.seed": 1})).summary
    payer = pl["investment_by_payer_jpy_tn"]
    assert payer["private"] > payer["government"] > 0
    assert payer["government"] == pytest.approx(0.3 * pl["investment_total_jpy_tn"])


def test_indirect_outcomes_never_redeem_bonds():
    # no healthcare outcome (privacy framework never comes) and no fiscal share of the deficit avoided:
    # only indirect outcomes remain, and they must not redeem anything (public income from national compute
    # sold to firms may)
    s = load_scenario("gov-led", {"policy.financing": "ai_transition_bond", "policy.privacy_framework_year": 2070,
                                  "policy.deficit_fiscal_share": 0.0, "run.seed": 1})
    r = simulate(s)
    ts = r.timeseries
    assert ts["outcomes_indirect_jpy_tn_per_year"].iloc[-1] > 1.0
    # only public income (sovereign-model access fees) redeems: redeemed <= income, quarter by quarter
    assert (ts["bond_redeemed_jpy_tn"] <= ts["public_income_jpy_tn"] + 1e-12).all()
    assert ts["bond_balance_jpy_tn"].iloc[-1] > (ts["public_cost_cum_jpy_tn"].iloc[-1]
                                                 - ts["public_income_cum_jpy_tn"].iloc[-1])  # interest accrued
    assert r.summary["payback_year"] is None


def test_bond_payback_and_npv_reported():
    r = simulate(load_scenario("gov-led", {"policy.financing": "ai_transition_bond", "run.seed": 1}))
    s = r.summary
    assert s["payback_year"] is not None and 2027 <= s["payback_year"] <= 2040
    assert s["benefit_cost_ratio_fiscal"] > 1 and s["npv_jpy_tn"] > 0
    assert s["report_method_benefit_cost_ratio_direct"] > 1 and s["report_method_npv_jpy_tn"] > 0
    assert (r.timeseries["bond_balance_jpy_tn"] >= 0).all()


def test_no_payback_year_without_public_investment():
    fd = simulate(load_scenario("foreign-dependent", {"run.seed": 1})).summary
    assert fd["payback_year"] is None and fd["report_method_payback_year"] is None


def test_export_control_caps_deliveries_until_it_ends():
    shock = {"kind": "export_control", "start_year": 2030, "duration_quarters": 8, "severity": 0.6}
    base = load_scenario("gov-led", {"run.seed": 1, "policy.procurement_diversification_share": 0.25})
    r = simulate(load_scenario(base.model_dump() | {"shocks": [shock]}))
    ts, gov = r.timeseries, r.model.government
    full = gov.planned_gpus * gov.fleet.perf_in(2031, r.model.inputs)
    during = ts.loc[(ts.year == 2031), "training_cluster_h100e"]
    assert during.max() == pytest.approx(full * (1 - 0.6 * 0.75), rel=1e-6)   # 55% of the order
    after = ts.loc[(ts.year == 2032) & (ts.quarter == 2), "training_cluster_h100e"].item()
    assert after > full * 0.99                                                  # the rest arrives after
