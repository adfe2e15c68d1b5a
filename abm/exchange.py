"""What the quarter's phases hand each other (see ``SovereignAIModel.step``).

No population reads or writes another population's state behind the model's back: each phase gets these
values as arguments and returns what later phases need. The model passes them on, top to bottom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InForce:
    """Policy instruments in force this quarter, from the scenario, the role division, the date and the shares
    of the programme rates the programmes line funds (``funded`` for the entitlements, ``grant_funded`` for the
    cloud capex grant, :mod:`agents.government_programmes`)."""

    data_contracts: bool          # standard data contracts (and the government data platform) exist
    privacy_framework: bool       # sensitive data may flow to domestically hosted models
    wage_topup_share: float       # effective public top-up of domestic AI wages (lever x programme scale x funded)
    adoption_subsidy_rate: float  # effective share of domestic adopters' one-off adoption cost paid (lever x programme scale x funded)
    cloud_capex_subsidy: float    # share of domestic cloud providers' new capacity paid by the state (lever x grant_funded)
    data_platform_scale: float            # public data platform effort (role division's scale x funded)
    asean_cocreation_funded: float        # share of the ASEAN co-creation programme funded
    sovereign_price_factor: float         # sovereign model's price / cost-based price (the discount x funded)
    programmes_funded_share: float        # share of the entitlement rates the programmes line funds
    programmes_grant_share: float         # share of the cloud capex grant's rate it funds from what is left


def policy_in_force(scenario, role, year: int, funded: float = 1.0, grant_funded: float = 1.0) -> InForce:
    """The instruments in force in ``year``; ``funded`` and ``grant_funded``: the programmes line's funded
    shares of the entitlements and of the cloud grant (1 = full rates). A programme that costs nothing (its cost
    input set to 0) is not limited by the line."""
    p, r, scale = scenario.policy, scenario.rules, role.programme_scale
    f = role.sovereign_price_factor
    return InForce(data_contracts=year >= p.standard_data_contracts_year,
                   privacy_framework=year >= p.privacy_framework_year,
                   wage_topup_share=p.talent_wage_topup_share * scale * funded,
                   adoption_subsidy_rate=p.adoption_subsidy_rate * scale * funded,
                   cloud_capex_subsidy=p.cloud_capex_subsidy_share * grant_funded,
                   data_platform_scale=role.data_platform_scale * (funded if r.gov_data_platform_cost_jpy_tn_per_year > 0 else 1.0),
                   asean_cocreation_funded=funded if r.gov_asean_cocreation_cost_jpy_tn_per_year > 0 else 1.0,
                   sovereign_price_factor=f if f >= 1.0 else f + (1.0 - funded) * (1.0 - f),
                   programmes_funded_share=funded, programmes_grant_share=grant_funded)


@dataclass(frozen=True)
class NationalOffer:
    """What the national programme offers after the government has acted this quarter."""

    sovereign_available: bool     # a released (non-beta) sovereign base model serves
    sovereign_cap: float          # its capability (log10 effective FLOP; 0 when none)
    public_health_models: int     # public specialised healthcare models rolled out
    compute_h100e: float          # national compute in service (H100 equivalents)
    lab_headcount_target: float   # persons the government lab wants to employ
    serving_h100e: float = 0.0    # national compute not training this quarter, free to serve firms (H100e)


@dataclass(frozen=True)
class SharedData:
    """What data holders let flow this quarter."""

    per_firm: np.ndarray          # data index each firm agent receives (contracts + public platform)
    language_corpus_share: float  # share of Japanese-language corpus holdings flowing to domestic model builders


@dataclass(frozen=True)
class Staffing:
    """Where employed AI specialists work after this quarter's moves (persons)."""

    firm_persons: np.ndarray      # per firm agent
    lab_persons: float            # the government lab


@dataclass(frozen=True)
class ComputeService:
    """Where firms' compute ran this quarter (``CloudProviderPopulation.step``; H100e unless stated).

    Shares of open-model *flexible* (non-sensitive) compute: home + abroad + lost = 1. Captive (sensitive and
    sovereign) compute is served at home or not at all."""

    demand_h100e: float              # all firms' compute, foreign APIs included
    captive_h100e: float             # domestic-only demand (sensitive open + all sovereign)
    sensitive_home_h100e: float      # sensitive open-model compute served at home
    abroad_h100e: float              # foreign APIs + open-model compute on foreign hyperscalers
    abroad_eligible_h100e: float     # non-sensitive foreign-API + open flexible demand (what may run abroad)
    national_served_h100e: float
    provider_served_h100e: float
    provider_capacity_h100e: float
    provider_utilisation: float
    spilled_h100e: float             # flexible demand that wanted home but ran abroad
    unserved_h100e: float            # domestic-only demand with no domestic capacity (lost this quarter)
    captive_served_share: float
    flexible_home_share: float
    flexible_abroad_share: float
    flexible_lost_share: float
    hosting_share: float             # share of open-model compute demand served in Japan
    home_price_ratio: float          # mean price paid at home / foreign cloud price
    provider_price_jpy_per_h100e_hour: float
    foreign_price_jpy_per_h100e_hour: float
    national_price_jpy_per_h100e_hour: float
    counterfactual_flexible_abroad_share: float   # without national compute or a cloud subsidy (the deficit's counterfactual)
    provider_capex_jpy_tn: float     # domestic providers' capex on the capacity ordered this quarter (JPY tn)
    capex_subsidy_asked_jpy_tn: float   # the capex subsidy on it at the rate in force (JPY tn; paid if the line can)
