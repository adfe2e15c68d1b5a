"""Compute as a service: firms' compute demand, where it is served, and what it costs. Pure functions.

A workload is AI-addressable value used (JPY tn/yr). Its compute bill at the foreign cloud price is
``rules.compute_cost_share_of_value`` x workload; in H100e that is the bill / (price per H100e-hour x hours
per year), so demand in H100e grows with AI use and as compute gets cheaper. Demand is split by where it may
run:

- foreign API, non-sensitive: served abroad by the provider (outside the domestic market);
- foreign API, sensitive: may not leave Japan and the API runs abroad, so it is not processed (value lost);
- captive (domestic only): sensitive workloads of open and sovereign users, and all sovereign-model workloads;
- flexible: non-sensitive open-model workloads, hosted at home or on foreign hyperscalers by a logit choice
  on the domestic price relative to the foreign one; what wants home but does not fit spills abroad; during a
  foreign-service cut-off the cut share of what would run abroad is stranded (domestic only, or lost).

:func:`allocate` fills the national cluster's serving capacity first, then the domestic cloud providers:
captive, then stranded, then flexible demand; nothing is served twice and no capacity is exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from abm.vocab import HOURS_PER_QUARTER, JPY_PER_TN, QUARTERS_PER_YEAR, WH_PER_KWH, Source

HOURS_PER_YEAR = HOURS_PER_QUARTER * QUARTERS_PER_YEAR


@dataclass(frozen=True)
class Workloads:
    """AI-addressable value used this quarter (JPY tn/yr), summed by where it may run."""

    foreign: float            # foreign-API users, non-sensitive part (served abroad by the API provider)
    foreign_sensitive: float  # foreign-API users, sensitive part (never sent abroad: not processed)
    open_sensitive: float     # open-model users, sensitive part (domestic only)
    open_flexible: float      # open-model users, non-sensitive part (home or foreign hyperscaler)
    sovereign: float          # sovereign-model users (served on domestic capacity only)

    @property
    def captive(self) -> float:
        return self.open_sensitive + self.sovereign

    @property
    def total(self) -> float:
        return self.foreign + self.foreign_sensitive + self.captive + self.open_flexible


def workloads(source: np.ndarray, workload_jpy_tn: np.ndarray, sensitive: np.ndarray, weight=None) -> Workloads:
    """Sum firms' workloads by category; ``weight`` (0..1 per firm, default 1) is the part of a firm's workload
    that is running at all (0 while it re-integrates after a forced switch)."""
    a = workload_jpy_tn if weight is None else workload_jpy_tn * weight
    sens = a * sensitive
    by = lambda x, s: float(x[source == s].sum())  # noqa: E731
    return Workloads(foreign=by(a - sens, Source.FOREIGN), foreign_sensitive=by(sens, Source.FOREIGN),
                     open_sensitive=by(sens, Source.OPEN), open_flexible=by(a - sens, Source.OPEN),
                     sovereign=by(a, Source.SOVEREIGN))


def h100e_per_workload(rules, foreign_jpy_per_h100e_hour: float) -> float:
    """H100e needed per JPY tn/yr of workload at this quarter's foreign cloud price."""
    return rules.compute_cost_share_of_value * JPY_PER_TN / (foreign_jpy_per_h100e_hour * HOURS_PER_YEAR)


def home_share(price_ratio: float, foreign_advantage: float, temperature: float) -> float:
    """Share of flexible workloads whose owners want them hosted at home: logit on the domestic price relative to
    the foreign one, plus what the foreign platform is worth to them (both in shares of the foreign price)."""
    return float(1.0 / (1.0 + np.exp((price_ratio - 1.0 + foreign_advantage) / temperature)))


@dataclass(frozen=True)
class Allocation:
    """Where domestic-eligible demand went (H100e). Conservation: for each kind, served + spilled/unserved =
    demand; national + provider served never exceed their capacities."""

    national: float            # served on the national cluster
    provider: float            # served by domestic cloud providers
    captive_served: float
    stranded_served: float
    wanted_served: float       # flexible demand that wanted home and got it
    spilled: float             # flexible demand that wanted home but went to foreign hyperscalers
    unserved: float            # captive + stranded demand with no domestic capacity (lost this quarter)


def allocate(captive: float, stranded: float, wanted: float, national_h100e: float, provider_h100e: float) -> Allocation:
    """Fill national serving capacity, then providers' capacity, with captive, then stranded, then flexible
    demand that wants home (all H100e)."""
    capacity = max(national_h100e, 0.0) + max(provider_h100e, 0.0)
    captive_served = min(captive, capacity)
    stranded_served = min(stranded, capacity - captive_served)
    wanted_served = min(wanted, capacity - captive_served - stranded_served)
    used = captive_served + stranded_served + wanted_served
    national = min(used, max(national_h100e, 0.0))
    return Allocation(national, used - national, captive_served, stranded_served, wanted_served,
                      wanted - wanted_served, captive - captive_served + stranded - stranded_served)


def capital_recovery(rate: float, years: float) -> float:
    """Annuity factor: yearly payment per unit of capital over ``years`` at ``rate``."""
    return 1.0 / years if rate <= 0 else rate / (1.0 - (1.0 + rate) ** -years)


def power_jpy_per_h100e_hour(costs, electricity_jpy_per_kwh: float, price_performance: float) -> float:
    """Energy cost of one H100e-hour in use: IT load x average draw x PUE, falling with price-performance."""
    kwh = costs.gpu_tdp_w * costs.server_overhead_factor * costs.average_power_draw_share * costs.pue / WH_PER_KWH
    return kwh * electricity_jpy_per_kwh * price_performance


def unit_cost_jpy_per_h100e_hour(costs, rules, jpy_per_usd: float, electricity_jpy_per_kwh: float,
                                 price_performance: float, subsidy: float = 0.0) -> tuple[float, float]:
    """(full cost to the provider, capex per H100e in JPY) of new domestic capacity bought now, per H100e-hour
    sold at the target utilisation: server + network over the hardware life and the DC shell over its life, both
    at the hurdle rate, less the ``subsidy`` share of that capital the state pays, plus power (never subsidised).
    ``price_performance`` is the cost of an H100e now relative to 2025 (the cloud price path); the capex returned
    is the whole of it, public and private parts together."""
    server = costs.gpu_server_price_usd * (1.0 + costs.network_share_of_hardware) * jpy_per_usd * price_performance
    shell = costs.gpu_tdp_w * costs.server_overhead_factor * costs.dc_cost_usd_per_w * jpy_per_usd * price_performance
    yearly = (server * capital_recovery(rules.provider_hurdle_rate, rules.provider_hardware_life_years)
              + shell * capital_recovery(rules.provider_hurdle_rate, rules.provider_dc_life_years))
    sold_hours = HOURS_PER_YEAR * rules.provider_target_utilisation
    return ((1.0 - subsidy) * yearly / sold_hours + power_jpy_per_h100e_hour(costs, electricity_jpy_per_kwh,
                                                                             price_performance), server + shell)


def price_from_utilisation(unit_cost, power_cost: float, utilisation, rules):
    """A provider's price: its unit cost, raised or lowered with last quarter's utilisation against the target,
    never below the power cost nor above the ceiling."""
    markup = 1.0 + rules.provider_price_slope * (np.asarray(utilisation) - rules.provider_target_utilisation)
    return np.clip(unit_cost * markup, power_cost, unit_cost * (1.0 + rules.provider_max_markup))


def jpy_tn_per_year(h100e: float, jpy_per_h100e_hour: float) -> float:
    """Yearly bill (JPY tn/yr) of ``h100e`` in use all year at a price per H100e-hour."""
    return h100e * jpy_per_h100e_hour * HOURS_PER_YEAR / JPY_PER_TN
