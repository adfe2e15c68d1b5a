"""Stylised facts of compute as a service (issue 12, item 2, and the cut-off of item 5): one lever changed,
common seeds, a paired difference beyond 3 standard errors (printed; run with -s to see the figures).
Each scenario runs once (5 seeds, the small population) and serves every fact that reads it."""

from __future__ import annotations

import pytest

from tests.stylised import Paired, cached_paired

CAPACITY = "rules.provider_initial_capacity_h100e"
HURDLE = "rules.provider_hurdle_rate"
DC_YEAR = "policy.domestic_dc_ready_year"
CUTOFF = [{"kind": "foreign_service_cutoff", "start_year": 2037, "duration_quarters": 6, "severity": 1.0}]
METRICS = ["compute_hosting_share@2027", "payments_abroad_jpy_tn@2027", "compute_price_vs_foreign@2027",
           "compute_spilled_abroad_h100e@2027", "compute_provider_capacity_h100e@2040", "compute_hosting_share@2040",
           "deficit_2040_jpy_tn", "compute_national_serving_h100e@2029", "compute_hosting_share@2029",
           "payments_abroad_jpy_tn@2029", "ai_value_jpy_tn@2037", "compute_price_vs_foreign@2040",
           "payments_abroad_jpy_tn@2040", "public_cost_cum_jpy_tn@last", "outcomes_2040_deficit_avoided_jpy_tn_per_year"]
paired = cached_paired(METRICS)


@pytest.mark.parametrize("metric, sign", [
    ("compute_hosting_share@2027", +1),          # more domestic capacity hosts more open-model compute at home
    ("payments_abroad_jpy_tn@2027", -1),         # ... so less is paid abroad
    ("compute_price_vs_foreign@2027", -1),       # tight capacity raises the domestic price ...
    ("compute_spilled_abroad_h100e@2027", -1),   # ... and spills workloads abroad
])
def test_more_provider_capacity_hosts_more_at_home(metric, sign):
    paired("foreign-dependent", {CAPACITY: 8000.0}, {CAPACITY: 80000.0}, metric).assert_direction(sign)


@pytest.mark.parametrize("metric, sign", [
    ("compute_provider_capacity_h100e@2040", +1),
    ("compute_hosting_share@2040", +1),
    ("deficit_2040_jpy_tn", -1),
])
def test_cheaper_capital_builds_domestic_capacity_and_cuts_the_2040_deficit(metric, sign):
    """Providers invest when their price covers the unit cost at their hurdle rate: a lower hurdle rate lowers
    the cost, the price and so the foreign platform's edge; more capacity, more hosted at home, less deficit."""
    paired("foreign-dependent", {HURDLE: 0.15}, {HURDLE: 0.03}, metric).assert_direction(sign)


@pytest.mark.parametrize("metric, sign", [
    ("compute_price_vs_foreign@2040", -1),         # the state pays part of new capacity: providers price lower
    ("compute_hosting_share@2040", +1),            # ... so more flexible open-model work stays at home
    ("compute_provider_capacity_h100e@2040", +1),  # ... on capacity the providers build for it
    ("payments_abroad_jpy_tn@2040", -1),           # ... and less is paid abroad,
    ("outcomes_2040_deficit_avoided_jpy_tn_per_year", +1),   # a deficit the programme avoids (its counterfactual
    #                                                  prices without the subsidy)
    ("public_cost_cum_jpy_tn@last", +1),           # the subsidy is public cost (no free lunch)
])
def test_a_domestic_cloud_capex_subsidy_hosts_more_at_home_at_a_public_cost(metric, sign):
    """Where the programmes line funds it (a ceiling that does not bind): at the default ceiling the subsidy
    crowds out the other programmes (tests/test_facts_programmes.py)."""
    lever, ample = "policy.cloud_capex_subsidy_share", {"policy.programmes_budget_jpy_tn_per_year": 30.0}
    paired("gov-led", {lever: 0.0, **ample}, {lever: 0.3, **ample}, metric).assert_direction(sign)


@pytest.mark.parametrize("metric, sign", [
    ("compute_national_serving_h100e@2029", +1),
    ("compute_hosting_share@2029", +1),
    ("payments_abroad_jpy_tn@2029", -1),
])
def test_an_earlier_national_dc_serves_firms_earlier(metric, sign):
    paired("gov-led", {DC_YEAR: 2031}, {DC_YEAR: 2028}, metric).assert_direction(sign)


def test_a_cut_off_destroys_ai_value():
    paired("foreign-dependent", {}, {"shocks": CUTOFF}, "ai_value_jpy_tn@2037").assert_direction(-1)


def test_a_cut_off_hurts_the_foreign_dependent_path_more_than_gov_led():
    """Loss of AI value during the cut-off (no shock - shock), paired on seeds: foreign-dependent minus gov-led."""
    metric = "ai_value_jpy_tn@2037"
    loss = {p: paired(p, {}, {"shocks": CUTOFF}, metric).diffs * -1 for p in ("foreign-dependent", "gov-led")}
    Paired("cut-off loss of AI value, gov-led -> foreign-dependent", metric, loss["gov-led"],
           loss["foreign-dependent"]).assert_direction(+1)
