"""The honest appraisal (issue 13): against a paired counterfactual on the same seed, fiscal vs economic,
financing with consequences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm import appraisal
from abm.report import simulate
from abm.scenario import load_scenario

SMALL = {"population.firms": 600, "population.talent": 800, "population.data_holders": 80,
         "population.asean_partners": 3, "run.seed": 5}


@pytest.fixture(scope="module")
def gov_led():
    return simulate(load_scenario("gov-led", SMALL))


def test_no_programme_means_npv_zero_and_no_payback():
    sc = appraisal.counterfactual_scenario(load_scenario("gov-led", SMALL))
    assert appraisal.counterfactual_scenario(sc) is None          # nothing left to remove
    s = simulate(sc).summary
    assert s["npv_jpy_tn"] == 0.0 and s["npv_economic_jpy_tn"] == 0.0 and s["payback_year"] is None
    assert s["attributable_public_cost_jpy_tn"] == 0.0
    assert set(s["attributable_outcomes_cum_jpy_tn"].values()) == {0.0}


def test_attributable_is_scenario_minus_paired_counterfactual_every_quarter(gov_led):
    ts, cf = gov_led.timeseries, gov_led.counterfactual
    assert cf is not None and len(cf) == len(ts)
    direct = simulate(appraisal.counterfactual_scenario(gov_led.model.inputs), seed=5, appraise=False).timeseries
    pd.testing.assert_frame_equal(cf, direct)                      # same seed, run alongside
    a = appraisal.attributable(ts, cf)
    assert np.allclose(a["healthcare"], ts["outcome_healthcare_jpy_tn_per_year"] - cf["outcome_healthcare_jpy_tn_per_year"])
    assert np.allclose(a["deficit_avoided"], cf["digital_deficit_jpy_tn"] - ts["digital_deficit_jpy_tn"])
    assert np.allclose(a["public_cost"], ts["public_cost_jpy_tn"] - ts["public_income_jpy_tn"] - cf["public_cost_jpy_tn"]
                       + cf["public_income_jpy_tn"])
    cum = gov_led.summary["attributable_outcomes_cum_jpy_tn"]
    assert cum["healthcare"] == pytest.approx(a["healthcare"].sum() / 4)
    # the programme buys something: attributable cost and healthcare are positive, and the gross report
    # method counts more than what is attributable
    assert gov_led.summary["attributable_public_cost_jpy_tn"] > 0 and cum["healthcare"] > 0
    assert gov_led.summary["report_method_npv_jpy_tn"] > gov_led.summary["npv_jpy_tn"]


def test_fiscal_npv_counts_only_fiscal_shares(gov_led):
    s = gov_led.summary
    assert s["npv_economic_jpy_tn"] > s["npv_jpy_tn"]
    zero = {"rules.appraisal_fiscal_share_healthcare": 0.0, "policy.deficit_fiscal_share": 0.0}
    r = simulate(load_scenario("gov-led", {**SMALL, **zero}))
    assert r.summary["npv_jpy_tn"] < 0 and r.summary["payback_year"] is None
    assert r.summary["npv_economic_jpy_tn"] == pytest.approx(s["npv_economic_jpy_tn"])


def test_no_fiscal_benefit_redeems_no_bond():
    zero = {"rules.appraisal_fiscal_share_healthcare": 0.0, "policy.deficit_fiscal_share": 0.0,
            "policy.financing": "ai_transition_bond"}
    r = simulate(load_scenario("gov-led", {**SMALL, **zero}))
    s = r.summary
    borrowed = s["attributable_public_cost_jpy_tn"]
    assert s["bond_outstanding_jpy_tn"] > borrowed > 0           # all of it, plus coupons, still owed
    assert s["payback_year"] is None


def test_bonds_are_redeemed_from_attributable_fiscal_benefit_only():
    cost = np.array([1.0, 1.0, 0.0, 0.0])
    fiscal = np.array([0.0, 0.5, 0.5, 3.0])
    interest, redeemed, outstanding = appraisal._bonds(cost, fiscal, 0.04)
    assert redeemed[0] == 0 and (redeemed <= fiscal).all() and outstanding == pytest.approx(0.0)
    assert interest[1] == pytest.approx(1.0 * 0.01)


def test_a_higher_marginal_cost_of_public_funds_lowers_tax_financed_npv(gov_led):
    lo = gov_led.summary["npv_jpy_tn"]
    hi = simulate(load_scenario("gov-led", {**SMALL, "rules.appraisal_marginal_cost_of_public_funds": 0.6})).summary
    assert hi["npv_jpy_tn"] < lo
    # the outcomes are the same runs: only the cost's weight changed
    assert hi["attributable_public_cost_jpy_tn"] == pytest.approx(gov_led.summary["attributable_public_cost_jpy_tn"])
