"""Unit tests of each agent type's decision rule and of the capability/cost functions."""

from __future__ import annotations

import numpy as np
import pytest

from abm import capability
from abm.scenario import load_scenario
from agents import asean_partner, data_holder, firm, talent
from abm.schema import RulesSection
from agents.government_rules import energy_kwh, gpu_it_load_w, gpu_unit_cost_jpy_tn
from agents.government_fleet import NationalFleet

R = RulesSection()  # the declared default coefficients


def test_choose_source_takes_best_available():
    net = np.array([[0.5, 0.4, 0.3], [0.5, 0.4, 0.3]])
    avail = np.array([[True, True, True], [False, True, True]])
    choice = firm.choose_source(net, avail, 0.01, np.zeros((2, 3)))
    assert list(choice) == [firm.FOREIGN, firm.OPEN]


def test_choose_source_logit_shares_follow_values():
    rng = np.random.default_rng(1)
    n = 20000
    net = np.tile([0.3, 0.3 + 0.15 * np.log(3), -5.0], (n, 1))  # open 3x as likely as foreign at T=0.15
    choice = firm.choose_source(net, np.ones((n, 3), bool), 0.15, rng.gumbel(size=(n, 3)))
    ratio = (choice == firm.OPEN).mean() / (choice == firm.FOREIGN).mean()
    assert 2.7 < ratio < 3.3
    assert (choice == firm.SOVEREIGN).sum() == 0


def test_sensitive_data_only_counts_where_allowed():
    own, shared, sens = np.array([1.0]), np.array([0.0]), np.array([0.8])
    blocked = firm.data_index(own, shared, sens, 0.0)
    allowed = firm.data_index(own, shared, sens, 1.0)
    assert allowed > blocked > 0
    assert np.isclose(blocked, 1 - np.exp(-0.2))


def test_data_holder_rules():
    trust = np.array([0.6])
    assert data_holder.share_probability(trust, 1.0, 1.0, R) > data_holder.share_probability(trust, 0.0, 1.0, R)
    assert data_holder.share_probability(trust, 1.0, 1.0, R) > data_holder.share_probability(trust, 1.0, 0.5, R)
    assert data_holder.lapse_probability(1.0, 1.0, R) < data_holder.lapse_probability(0.0, 1.0, R)
    v = data_holder.shareable_volume(np.array([2.0]), np.array([0.5]), 1.0, 0.0)   # foreign requester
    assert v == pytest.approx(1.0)                                                  # sensitive half withheld
    assert data_holder.shareable_volume(np.array([2.0]), np.array([0.5]), 1.0, 1.0) == pytest.approx(2.0)
    assert data_holder.shareable_volume(np.array([2.0]), np.array([0.5]), 0.0, 1.0) == pytest.approx(1.0)


def test_talent_move_rule_monotone():
    g_low = talent.utility_gap(0.2, 0.1, 0.2, 1.0, 0.1 - 0.9, R)
    g_high = talent.utility_gap(1.5, 0.0, 0.0, 0.0, 0.9 - 0.1, R)
    assert g_high > g_low
    leave_lo, back_lo = talent.move_probabilities(g_low, 0.03, 0.04, 2.0)
    leave_hi, back_hi = talent.move_probabilities(g_high, 0.03, 0.04, 2.0)
    assert leave_hi > leave_lo and back_hi < back_lo
    assert 0 <= leave_lo <= 1 and 0 <= back_hi <= 1
    # a wage top-up and compute access each lower the gap
    assert talent.utility_gap(0.8, 0.3, 0, 0, 0, R) < talent.utility_gap(0.8, 0.0, 0, 0, 0, R)
    assert talent.utility_gap(0.8, 0, 0, 2.0, 0, R) < talent.utility_gap(0.8, 0, 0, 0.0, 0, R)


def test_asean_choice_prefers_trusted_fitting_models():
    low = asean_partner.option_utilities(np.array([0.3]), np.array([0.5]), np.array([0.1]), 1.0, 0.9, R)
    high = asean_partner.option_utilities(np.array([0.9]), np.array([0.9]), np.array([0.9]), 1.0, 0.9, R)
    s_low, s_high = asean_partner.logit_shares(low, R.asean_logit_temperature)[0, 0], asean_partner.logit_shares(high, R.asean_logit_temperature)[0, 0]
    assert s_high > s_low
    assert np.allclose(asean_partner.logit_shares(high, R.asean_logit_temperature).sum(axis=1), 1.0)


def test_capability_scaling_rules():
    c = capability.training_compute_flop(5e12, 4.0)
    assert c == pytest.approx(6 * 5e12 * 2e13)
    gpus = capability.gpus_for_run(c, 1.0, 989e12, 0.375, 3.0)
    assert capability.gpus_for_run(c, 2.0, 989e12, 0.375, 3.0) == pytest.approx(gpus / 2)
    assert capability.gpus_for_run(c, 1.0, 989e12, 0.375, 6.0) == pytest.approx(gpus / 2)
    assert 1e5 < gpus < 3e5
    # same FLOP later is worth more effective compute (algorithmic progress)
    assert capability.effective_capability(1e26, 2031, 3.0) > capability.effective_capability(1e26, 2026, 3.0)
    u = capability.usefulness(np.array([26.0, 28.0, 30.0]), 28.0, R.capability_usefulness_width)
    assert u[0] < u[1] < u[2] and u[1] == pytest.approx(0.5)


def test_frontier_tracking_tasks_make_a_trailing_model_less_useful():
    caps, width = np.array([30.0, 36.0, 40.0]), R.capability_usefulness_width
    fixed = capability.usefulness(caps, 28.0, width)
    # share 0: exactly the fixed-requirement usefulness
    assert np.array_equal(capability.usefulness_with_frontier_tasks(caps, 28.0, 40.0, width, 0.0, 2.0), fixed)
    u = capability.usefulness_with_frontier_tasks(caps, 28.0, 40.0, width, 0.5, 2.0)
    # the model at the frontier loses little; one 10 orders behind loses about half (the moving tasks)
    assert fixed[2] - u[2] < 0.1 and u[0] == pytest.approx(0.5 * fixed[0], rel=0.01)
    assert u[0] < u[1] < u[2]


def test_government_cost_units():
    s = load_scenario()
    unit = gpu_unit_cost_jpy_tn(s.costs, 150.0)
    assert unit == pytest.approx(33750 * 150 * 1.2346 / 1e12, rel=1e-3)
    assert gpu_it_load_w(s.costs) == pytest.approx(700 * 1.82)
    # one GPU for a year at full draw ~ 1.27 kW x 0.75 x 1.25 x 8766 h
    assert energy_kwh(8766, s.costs) == pytest.approx(1274 * 0.75 * 1.25 * 8766 / 1000)
    assert NationalFleet.perf_in(2031, s) > NationalFleet.perf_in(2026, s)
    flat = load_scenario("gov-led", {"policy.hardware_path": "flat"})
    assert NationalFleet.perf_in(2031, flat) == 1.0


def test_firm_agent_net_values_match_the_population_rule():
    from abm.model import SovereignAIModel
    from agents.firm import Firm

    m = SovereignAIModel(population__firms=120, population__talent=150, population__data_holders=20)
    for _ in range(22):
        m.step()
    pop = m.firms
    all_q = pop.qualities(m) - pop.prices(m)
    for agent in list(m.agents_by_type[Firm])[:10]:
        assert np.allclose(agent.net_values(), all_q[agent.idx])
