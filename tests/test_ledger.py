"""Ledger identities hold every quarter; financing never goes negative; bad bookings are refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abm.accounting import CATEGORIES, INVESTMENT, OUTCOMES, PERIODS, Ledger, financial_summary
from abm.model import SovereignAIModel
from abm.scenario import load_scenario


@pytest.fixture(scope="module")
def bond_run():
    m = SovereignAIModel("gov-led", policy__financing="ai_transition_bond")
    people = []
    while m.running:
        m.step()
        c = m.talent.counts()
        people.append((c["home"] + c["abroad"] + c["retired"], m.talent.entered))
    return m, m.datacollector.get_model_vars_dataframe(), people


def test_cumulative_equals_sum_of_flows_every_quarter(bond_run):
    _, ts, _ = bond_run
    for c in CATEGORIES:
        assert np.allclose(ts[f"cost_{c}_jpy_tn"].cumsum(), ts[f"cost_{c}_cum_jpy_tn"])
    for k in OUTCOMES:
        assert np.allclose((ts[f"outcome_{k}_jpy_tn_per_year"] / 4).cumsum(), ts[f"outcome_{k}_cum_jpy_tn"])
    assert np.allclose(ts["public_cost_jpy_tn"].cumsum(), ts["public_cost_cum_jpy_tn"])


def test_total_equals_sum_of_categories_every_quarter(bond_run):
    m, ts, _ = bond_run
    assert np.allclose(ts[[f"cost_{c}_cum_jpy_tn" for c in INVESTMENT]].sum(axis=1), ts["investment_cum_jpy_tn"])
    assert np.allclose(ts[[f"outcome_{k}_cum_jpy_tn" for k in OUTCOMES]].sum(axis=1), ts["outcomes_cum_jpy_tn"])
    flows = ts[[f"cost_{c}_jpy_tn" for c in CATEGORIES]].sum(axis=1)
    assert np.allclose(flows, ts["public_cost_jpy_tn"] + ts["private_cost_jpy_tn"])
    by_period = sum(m.ledger.by_period[p][c] for p in PERIODS for c in CATEGORIES)
    assert by_period == pytest.approx(sum(m.ledger.cum[c] for c in CATEGORIES))


def test_people_conserved_every_quarter(bond_run):
    m, _, people = bond_run
    cohorts_active = [a == b for a, b in people]
    assert all(cohorts_active)
    assert m.talent.entered > m.inputs.population.talent  # graduates did enter


def test_bonds_never_negative_and_redeemed_only_from_direct_outcomes(bond_run):
    _, ts, _ = bond_run
    assert (ts["bond_balance_jpy_tn"] >= -1e-12).all()
    assert ts["bond_balance_jpy_tn"].max() > 0
    assert (ts["bond_redeemed_jpy_tn"] >= 0).all()
    fiscal = ts["outcomes_direct_jpy_tn_per_year"].clip(lower=0) / 4 + ts["public_income_jpy_tn"]
    assert (ts["bond_redeemed_jpy_tn"] <= fiscal + 1e-12).all()
    # the balance moves exactly by issuance + interest - redemption
    bal = ts["bond_balance_jpy_tn"].to_numpy()
    issued = ts["public_cost_jpy_tn"].to_numpy()
    delta = np.diff(np.r_[0.0, bal])
    assert np.allclose(delta, issued + ts["bond_interest_jpy_tn"] - ts["bond_redeemed_jpy_tn"])


def test_tax_financing_has_no_bonds(run_cached):
    ts = run_cached("gov-led").timeseries
    assert (ts["bond_balance_jpy_tn"] == 0).all() and (ts["bond_interest_jpy_tn"] == 0).all()


def test_financial_summary_metrics(bond_run):
    m, ts, _ = bond_run
    fin = financial_summary(ts, m.inputs.policy.discount_rate, m.inputs.run.start_year)
    # payback: the first year-end at which cumulative direct outcomes cover cumulative cost plus interest
    year_end = ts[ts["quarter"] == 4].set_index("year")
    direct = (ts["outcomes_direct_jpy_tn_per_year"] / 4).cumsum()[ts["quarter"] == 4].to_numpy()
    cost = (ts["public_cost_jpy_tn"] + ts["bond_interest_jpy_tn"]).cumsum()[ts["quarter"] == 4].to_numpy()
    covered = list(year_end.index[direct >= cost])
    assert covered, "the bond-financed gov-led run is expected to pay back by 2040"
    assert fin["payback_year"] == covered[0]
    assert direct[list(year_end.index).index(covered[0]) - 1] < cost[list(year_end.index).index(covered[0]) - 1]
    assert fin["benefit_cost_ratio_total"] >= fin["benefit_cost_ratio_direct"] > 0
    lower = financial_summary(ts, 0.10, 2026)
    assert lower["npv_jpy_tn"] < fin["npv_jpy_tn"]  # heavier discounting of late benefits


def _series(direct_per_year: float, public_cost_per_quarter: float, invested: bool = True):
    years = np.repeat(np.arange(2026, 2031), 4)
    n = len(years)
    cost = np.full(n, public_cost_per_quarter)
    return pd.DataFrame({"year": years, "quarter": np.tile([1, 2, 3, 4], 5),
                         "outcomes_direct_jpy_tn_per_year": np.full(n, direct_per_year),
                         "outcomes_indirect_jpy_tn_per_year": np.zeros(n),
                         "public_cost_jpy_tn": cost, "bond_interest_jpy_tn": np.zeros(n),
                         "public_income_jpy_tn": np.zeros(n),
                         "public_investment_cum_jpy_tn": np.cumsum(cost) if invested else np.zeros(n)})


def test_payback_year_on_known_series():
    # outcomes 4/yr (1 a quarter) against a one-off cost of 6 in the first quarter: covered at the end of 2027
    ts = _series(4.0, 0.0)
    ts.loc[0, "public_cost_jpy_tn"] = 6.0
    ts["public_investment_cum_jpy_tn"] = 6.0
    assert financial_summary(ts, 0.0, 2026)["payback_year"] == 2027
    # outcomes below a steady cost: never pays back
    never = financial_summary(_series(2.0, 1.0), 0.0, 2026)
    assert never["payback_year"] is None and never["npv_jpy_tn"] == pytest.approx(-0.5 * 20)
    # outcomes with no public programme: nothing to pay back
    assert financial_summary(_series(4.0, 0.0, invested=False), 0.0, 2026)["payback_year"] is None
    # public income (compute or model access sold) offsets cost: a steady cost of 1 fully earned back
    earned = _series(0.0, 1.0).assign(public_income_jpy_tn=1.0)
    assert financial_summary(earned, 0.0, 2026)["npv_jpy_tn"] == pytest.approx(0.0)


def test_bad_bookings_refused():
    ledger = Ledger(load_scenario())
    with pytest.raises(KeyError):
        ledger.book("snacks", 1.0, "government")
    with pytest.raises(ValueError):
        ledger.book("staff", -1.0, "government")


def test_private_investment_is_programme_share_plus_providers_plus_fine_tuning(run_cached):
    r = run_cached("private-led", 1)
    ts, m = r.timeseries, r.model
    share = m.inputs.costs.finetune_share_of_domestic_spend
    programme_private = sum(m.ledger.by_payer["private"][c] for c in INVESTMENT)
    assert programme_private > 0
    providers = m.ledger.by_payer["private"]["provider_capex"]
    assert providers > 0 and ts["cost_provider_capex_cum_jpy_tn"].iloc[-1] == pytest.approx(providers)
    expected = programme_private + providers + share * ts["private_ai_spend_domestic_cum_jpy_tn"].iloc[-1]
    assert ts["private_investment_cum_jpy_tn"].iloc[-1] == pytest.approx(expected)
    assert (np.diff(ts["private_ai_spend_domestic_cum_jpy_tn"]) >= 0).all()
