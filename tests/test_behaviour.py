"""Stylised facts, with fixed seeds and a margin. They come from the mechanisms, not from pinned curves."""

from __future__ import annotations

import numpy as np
import pytest

SEEDS = (1, 2)


def annual(ts, column):
    return ts.groupby("year")[column].mean()


def mean_over_seeds(run_cached, scenario, column, year, **overrides):
    return float(np.mean([annual(run_cached(scenario, s, **overrides).timeseries, column)[year] for s in SEEDS]))


def test_foreign_dependent_deficit_rises_and_ends_above_gov_led(run_cached):
    for s in SEEDS:
        fd = annual(run_cached("foreign-dependent", s).timeseries, "digital_deficit_jpy_tn")
        assert (np.diff(fd.to_numpy()) > 0).all()
        gov = annual(run_cached("gov-led", s).timeseries, "digital_deficit_jpy_tn")
        assert fd[2040] > gov[2040] + 3.0
        assert fd[2040] > 2.5 * fd[2026]


def test_standard_data_contracts_raise_data_shared(run_cached):
    early = mean_over_seeds(run_cached, "gov-led", "data_shared_index", 2030, **{"policy.standard_data_contracts_year": 2027})
    late = mean_over_seeds(run_cached, "gov-led", "data_shared_index", 2030, **{"policy.standard_data_contracts_year": 2036})
    assert early > late + 0.1


def test_foreign_wage_premium_lowers_retention(run_cached):
    low = mean_over_seeds(run_cached, "gov-led", "talent_retention_rate", 2040, **{"environment.foreign_wage_premium": 0.5})
    high = mean_over_seeds(run_cached, "gov-led", "talent_retention_rate", 2040, **{"environment.foreign_wage_premium": 2.0})
    assert low > high + 0.05


def test_sovereign_model_adopted_only_when_built(run_cached):
    assert mean_over_seeds(run_cached, "gov-led", "adoption_share_sovereign", 2040) > 0.2
    assert mean_over_seeds(run_cached, "foreign-dependent", "adoption_share_sovereign", 2040) == 0
    gov = run_cached("gov-led", 1).timeseries
    assert (gov.loc[gov["year"] < 2031, "adoption_share_sovereign"] == 0).all()  # not before release


def test_gov_led_keeps_more_talent_and_sovereignty(run_cached):
    for col in ("talent_retention_rate", "sovereignty_index"):
        assert mean_over_seeds(run_cached, "gov-led", col, 2040) > mean_over_seeds(
            run_cached, "foreign-dependent", col, 2040) + 0.05


def test_adoption_emerges_as_a_rising_s_curve(run_cached):
    ad = annual(run_cached("gov-led", 1).timeseries, "adoption_rate")
    assert ad[2026] < ad[2033] < ad[2040] <= 1.0
    assert (np.diff(ad.to_numpy()) > -0.02).all()


def test_export_control_delays_and_shrinks_compute(run_cached):
    base = run_cached("gov-led", 1).timeseries
    shock = run_cached("gov-led-export-control", 1).timeseries
    q = (base["year"] == 2031) & (base["quarter"] == 1)
    assert shock.loc[q, "compute_in_service_h100e"].item() < 0.6 * base.loc[q, "compute_in_service_h100e"].item()
    first = lambda ts: ts.loc[ts["base_model_quality"] > 0, "year"].min()  # noqa: E731
    assert first(shock) >= first(base)


def test_earlier_privacy_framework_raises_healthcare_outcome(run_cached):
    early = mean_over_seeds(run_cached, "gov-led", "outcome_healthcare_jpy_tn_per_year", 2035, **{"policy.privacy_framework_year": 2028})
    late = mean_over_seeds(run_cached, "gov-led", "outcome_healthcare_jpy_tn_per_year", 2035, **{"policy.privacy_framework_year": 2036})
    assert early > late + 1.0


def test_foreign_service_cutoff_moves_users_off_foreign_models(run_cached):
    from abm.report import simulate
    from abm.scenario import load_scenario

    base = load_scenario("gov-led", {"run.seed": 1})
    cut = load_scenario(base.model_dump() | {"shocks": [
        {"kind": "foreign_service_cutoff", "start_year": 2028, "duration_quarters": 8, "severity": 0.8}]})
    base_ts, cut_ts = run_cached("gov-led", 1).timeseries, simulate(cut).timeseries
    in_shock = base_ts["year"] == 2029
    assert cut_ts.loc[in_shock, "adoption_share_foreign"].mean() < base_ts.loc[in_shock, "adoption_share_foreign"].mean() - 0.1


def test_foreign_dependent_path_avoids_no_deficit(run_cached):
    ts = run_cached("foreign-dependent", 1).timeseries
    assert ts["outcome_deficit_avoided_jpy_tn_per_year"].abs().max() < 0.3
    gov = annual(run_cached("gov-led", 1).timeseries, "outcome_deficit_avoided_jpy_tn_per_year")
    assert gov[2040] > 4.0


def test_talent_agent_count_sets_resolution_not_the_labour_market(run_cached):
    coarse = mean_over_seeds(run_cached, "gov-led", "talent_retention_rate", 2040, **{"population.talent": 600})
    fine = mean_over_seeds(run_cached, "gov-led", "talent_retention_rate", 2040)
    assert abs(coarse - fine) < 0.04
    persons = mean_over_seeds(run_cached, "gov-led", "talent_entered", 2026, **{"population.talent": 600})
    assert persons == pytest.approx(mean_over_seeds(run_cached, "gov-led", "talent_entered", 2026), rel=0.02)
