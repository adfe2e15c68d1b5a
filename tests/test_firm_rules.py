"""Unit tests of the firms' pure decision rules (agents/firm_rules.py) on a few rows."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from abm.schema import RulesSection
from agents import firm_rules as fr

R = RulesSection()


def test_adoption_cost_is_lognormal_around_the_median_and_lower_for_large_firms():
    va = np.array([1.0, 1.0, 4.0, 1.0, 1.0, 1.0])
    sector = np.array([0, 0, 0, 1, 1, 1])
    z = np.zeros(6)
    cost = fr.adoption_cost_years(va, sector, z, 3.0, 0.8, 0.2)
    assert cost[0] == pytest.approx(3.0) and cost[3] == pytest.approx(3.0)
    assert cost[2] == pytest.approx(3.0 * 4.0 ** -0.2)                 # 4x its sector's median size
    assert fr.adoption_cost_years(va, sector, np.full(6, 1.0), 3.0, 0.8, 0.0)[0] == pytest.approx(3.0 * np.exp(0.8))


def test_adoption_probability_is_a_smooth_margin_around_zero_surplus():
    cost = np.array([0.5, 0.5, 0.5])
    p = fr.adoption_probability(np.array([-0.5, 0.0, 0.5]), cost, 0.3)
    assert p[1] == pytest.approx(0.5)
    assert 0 < p[0] < 0.5 < p[2] < 1
    assert p[0] == pytest.approx(1 - p[2])
    # the same surplus matters less to a firm whose adoption cost is larger (noise relative to cost)
    assert fr.adoption_probability(np.array([0.1]), np.array([2.0]), 0.3) < fr.adoption_probability(
        np.array([0.1]), np.array([0.5]), 0.3)


def test_subsidy_lowers_only_domestic_sources_cost_and_raises_the_decision():
    net = np.array([[0.6, 0.5, 0.55]])
    cost = np.array([0.7])
    no = fr.entry_surplus(net, cost, 0.0)
    yes = fr.entry_surplus(net, cost, 0.5)
    assert yes[0, 0] == no[0, 0]                                  # foreign: no subsidy
    assert yes[0, 1] == pytest.approx(no[0, 1] + 0.35)           # half the annualised cost
    assert fr.adoption_probability(yes.max(1), cost, 0.3) > fr.adoption_probability(no.max(1), cost, 0.3)
    # the cap per firm: a large one-off cost gets a smaller share paid
    share = fr.subsidy_share(0.5, np.array([1.0, 10.0]), np.array([1.0, 1.0]))
    assert share.tolist() == [0.5, 0.1]
    per_firm = fr.entry_surplus(np.array([[0.6, 0.5, 0.55]] * 2), np.array([0.7, 0.7]), share)
    assert per_firm[1, 1] == pytest.approx(0.5 - 0.7 * 0.9)


def test_hazard_is_awareness_times_decision_and_hubs_pull():
    h = lambda best, peer, hub: fr.adoption_hazard(np.array([best]), np.array([0.5]), np.array([peer]),  # noqa: E731
                                                   np.array([hub]), np.array([0.5]), 0.03, 0.38, 0.3, 0.3)[0]
    assert h(0.2, 0.8, 0.0) > h(0.2, 0.0, 0.0)       # peers bring awareness
    assert h(0.2, 0.0, 0.8) > h(0.2, 0.0, 0.0)       # larger customers require
    assert h(0.5, 0.5, 0.0) > h(0.0, 0.5, 0.0) > h(-0.5, 0.5, 0.0) > 0   # the decision's sign from the surplus
    assert fr.hub_cost_factor(np.array([0.0, 1.0]), 0.5).tolist() == [1.0, 0.5]


def test_partner_weights_follow_size_and_hubs():
    # firm 0 (small) linked to 1 (large) and 2 (medium); 1 and 2 linked
    A = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float))
    va = np.array([1.0, 6.0, 3.0])
    adopted = np.array([0.0, 1.0, 0.0])
    assert (fr.size_weighted(A, va) @ adopted)[0] == pytest.approx(6 / 9)
    hub = fr.larger_partners(A, va) @ adopted
    assert hub[0] == pytest.approx(6 / 9)                # the large partner adopted
    assert hub[2] == pytest.approx(6 / 7)
    assert hub[1] == 0.0                                  # nobody is larger than firm 1


def test_language_fit_grows_with_corpus_share_up_to_the_ceiling():
    assert fr.language_fit(0.1, 0.0, 0.25) == pytest.approx(0.025)
    assert fr.language_fit(0.1, 1.0, 0.25) == pytest.approx(0.1)
    assert fr.language_fit(0.1, 0.5, 0.25) > fr.language_fit(0.1, 0.2, 0.25)


def test_staff_index_has_room_below_need():
    idx = fr.staff_index(np.array([0.0, 50.0, 100.0, 300.0]), np.array([100.0] * 4))
    assert idx[0] == 0 and idx[1] < idx[2] < idx[3] < 1


def test_sovereign_price_flows_book_the_gap_and_the_access_fee():
    support, income = fr.sovereign_price_flows(10.0, 0.36, 0.18, 0.05, 1.0)
    assert support == pytest.approx(1.8)                  # (0.36 - 0.18) x 10
    assert income == pytest.approx(0.05 * 0.18 * 10)
    support, income = fr.sovereign_price_flows(10.0, 0.36, 0.468, 0.05, 0.3)   # a consortium margin
    assert support == 0.0 and income == pytest.approx(0.05 * 0.468 * 10 * 0.3)
