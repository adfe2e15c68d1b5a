"""Exogenous paths and shocks, advanced once per quarter before any agent acts."""

from __future__ import annotations

from dataclasses import dataclass

from abm import capability
from abm.schema import Scenario
from abm.vocab import MID_2025, mid_quarter_years_since, quarter_index


def year_fraction(year: int, quarter: int) -> float:
    """Mid-quarter time in years after mid-2025 (2025Q3 start = 0)."""
    return mid_quarter_years_since(year, quarter, MID_2025)


@dataclass
class ShockState:
    export_control_cut: float = 0.0      # share of GPU supply cut (after diversification)
    foreign_cutoff: float = 0.0          # share of foreign-model users losing access
    poaching_premium: float = 0.0        # extra foreign wage premium


class Environment:
    """Frontier capability, prices and baseline trends; call :meth:`advance` at the start of each quarter."""

    def __init__(self, scenario: Scenario):
        self.s = scenario
        self.advance(scenario.run.start_year - 1, 3)  # 2025 mid-year state for the initial conditions

    def advance(self, year: int, quarter: int) -> None:
        env, costs = self.s.environment, self.s.costs
        self.year, self.quarter = year, quarter
        tau = self.tau = year_fraction(year, quarter)
        self.frontier_cap = float(capability.frontier_capability(
            tau, env.frontier_compute_2025_flop, env.frontier_compute_growth_per_year,
            env.algorithmic_efficiency_per_year))
        lag = env.open_model_lag_years
        self.open_cap = float(capability.frontier_capability(
            tau - lag, env.frontier_compute_2025_flop, env.frontier_compute_growth_per_year,
            env.algorithmic_efficiency_per_year))
        self.ai_value_share = float(capability.ai_value_share(
            self.frontier_cap, env.ai_value_share_max, env.ai_value_midpoint_capability, env.ai_value_width_capability))
        years = max(tau, 0.0)
        self.electricity_jpy_per_kwh = env.electricity_price_jpy_per_kwh * (1 + env.electricity_inflation_per_year) ** years
        # cloud compute price falls with GPU price-performance
        self.cloud_jpy_per_gpu_hour = (costs.cloud_price_usd_per_gpu_hour * env.jpy_per_usd
                                       * 0.5 ** (years / env.gpu_price_performance_doubling_years))
        self.baseline_deficit_jpy_tn = env.baseline_deficit_2025_jpy_tn * (1 + env.baseline_deficit_growth_per_year) ** tau
        self.outpatient_spending_jpy_tn = (env.outpatient_spending_2025_jpy_tn
                                           * (1 + env.outpatient_spending_growth_per_year) ** tau)
        self.autonomous_driving_value_jpy_tn = env.autonomous_driving_value_2040_jpy_tn * min(
            1.0, years / self.s.rules.outcome_auto_ramp_years) ** self.s.rules.outcome_auto_ramp_exponent
        self.asean_gdp_factor = (1 + env.asean_gdp_growth_per_year) ** tau
        self.shocks = self._shocks(year, quarter)

    def _shocks(self, year: int, quarter: int) -> ShockState:
        state = ShockState()
        q_now = quarter_index(year, quarter, 0)
        for sh in self.s.shocks:
            q0 = quarter_index(sh.start_year, 1, 0)
            if not (q0 <= q_now < q0 + sh.duration_quarters):
                continue
            if sh.kind == "export_control":
                cut = sh.severity * (1 - self.s.policy.procurement_diversification_share)
                state.export_control_cut = max(state.export_control_cut, cut)
            elif sh.kind == "foreign_service_cutoff":
                state.foreign_cutoff = max(state.foreign_cutoff, sh.severity)
            else:
                state.poaching_premium = max(state.poaching_premium, sh.severity)
        return state
