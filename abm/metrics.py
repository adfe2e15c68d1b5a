"""Model reporters: small named functions of the model, one output column each (units in the names)."""

from __future__ import annotations

import functools

import numpy as np

from abm.accounting import CATEGORIES, OUTCOMES
from abm.network import SECTOR_NAMES
from agents.firm import FOREIGN, NONE, OPEN, SOVEREIGN
from agents.talent import ABROAD, HOME, RETIRED


def year(m):
    return m.year


def quarter(m):
    return m.quarter


def adoption_rate(m):
    """Share of Japan's firms using AI (agents weighted by the real firms they stand for)."""
    f = m.firms
    return float((f.count_weight * (f.source != NONE)).sum() / f.count_weight.sum())


def adoption_rate_value_weighted(m):
    f = m.firms
    return float((f.va_jpy_tn * (f.source != NONE)).sum() / f.va_jpy_tn.sum())


def _source_share(m, code):
    f = m.firms
    adopted = (f.count_weight * (f.source != NONE)).sum()
    return float((f.count_weight * (f.source == code)).sum() / adopted) if adopted else 0.0


def adoption_share_foreign(m):
    return _source_share(m, FOREIGN)


def adoption_share_open(m):
    return _source_share(m, OPEN)


def adoption_share_sovereign(m):
    return _source_share(m, SOVEREIGN)


def _sector_adoption(m, k):
    """Share of firm agents in sector ``k`` using AI (all sectors computed once per quarter)."""
    memo = m.__dict__.setdefault("_sector_adoption_memo", {})
    if memo.get("quarter") != m.quarter_index:
        f = m.firms
        n = np.bincount(f.sector, minlength=len(SECTOR_NAMES))
        used = np.bincount(f.sector, weights=(f.source != NONE), minlength=len(SECTOR_NAMES))
        memo.update(quarter=m.quarter_index, shares=np.divide(used, n, out=np.zeros(len(n)), where=n > 0))
    return float(memo["shares"][k])


def talent_domestic(m):
    """AI specialists working in Japan (persons)."""
    return float((m.talent.status == HOME).sum() * m.talent.cohort)


def talent_abroad(m):
    return float((m.talent.status == ABROAD).sum() * m.talent.cohort)


def talent_retired(m):
    return float((m.talent.status == RETIRED).sum() * m.talent.cohort)


def talent_entered(m):
    """Everyone who has ever been active: the initial stock plus graduates (persons)."""
    return float(m.talent.entered * m.talent.cohort)


def talent_retention_rate(m):
    return m.talent.retention_rate


def digital_deficit_jpy_tn(m):
    return m.outcomes.deficit


def compute_in_service_h100e(m):
    return m.government.compute_in_service_h100e


def datacenter_in_service_mw(m):
    return m.government.dc_mw_in_service


def base_model_quality(m):
    """Best sovereign base-model capability (log10 effective FLOP; 0 before the first release)."""
    return m.government.sovereign_cap


def frontier_capability(m):
    return m.env.frontier_cap


def data_shared_index(m):
    return m.data_holders.shared_index


def sovereignty_index(m):
    """Mean of (share of AI spend staying domestic) and (share of sensitive AI work on domestic models)."""
    f = m.firms
    spend = f.flows["spend_jpy_tn"]
    domestic_spend = f.flows["spend_domestic_jpy_tn"] / spend if spend > 0 else 0.0
    sens = f.va_jpy_tn * f.sensitive * (f.source != NONE)
    domestic_sens = float((sens * (f.source >= OPEN)).sum() / sens.sum()) if sens.sum() > 0 else 0.0
    return 0.5 * domestic_spend + 0.5 * domestic_sens


def payments_abroad_jpy_tn(m):
    return m.firms.flows["spend_abroad_jpy_tn"] + 4.0 * m.last_abroad


def asean_japanese_share(m):
    a = m.asean
    return float((a.jp_share * a.adoption).sum() / a.adoption.sum())


def outpatient_visits_per_capita(m):
    return m.outcomes.visits_per_capita


def _ledger(m, key):
    return m.last_row[key]


LEDGER_KEYS = [*(f"cost_{c}_jpy_tn" for c in CATEGORIES), *(f"cost_{c}_cum_jpy_tn" for c in CATEGORIES),
               "public_cost_jpy_tn", "private_cost_jpy_tn", "public_investment_cum_jpy_tn",
               "private_investment_cum_jpy_tn", "private_ai_spend_domestic_cum_jpy_tn", "investment_cum_jpy_tn",
               "public_cost_cum_jpy_tn",
               *(f"outcome_{k}_jpy_tn_per_year" for k in OUTCOMES), *(f"outcome_{k}_cum_jpy_tn" for k in OUTCOMES),
               "outcomes_direct_jpy_tn_per_year", "outcomes_indirect_jpy_tn_per_year", "outcomes_direct_cum_jpy_tn",
               "outcomes_cum_jpy_tn", "bond_balance_jpy_tn", "bond_interest_jpy_tn", "bond_redeemed_jpy_tn",
               "bond_interest_cum_jpy_tn", "bond_redeemed_cum_jpy_tn"]


def model_reporters() -> dict:
    """All per-quarter columns, in output order."""
    named = [year, quarter, adoption_rate, adoption_rate_value_weighted, adoption_share_sovereign,
             adoption_share_foreign, adoption_share_open, talent_domestic, talent_abroad, talent_retired,
             talent_entered, talent_retention_rate, digital_deficit_jpy_tn, payments_abroad_jpy_tn,
             compute_in_service_h100e, datacenter_in_service_mw, base_model_quality, frontier_capability,
             data_shared_index, sovereignty_index, asean_japanese_share, outpatient_visits_per_capita]
    out = {f.__name__: f for f in named}
    for k, name in enumerate(SECTOR_NAMES):
        out[f"adoption_rate_{name}"] = functools.partial(_sector_adoption, k=k)
    for key in LEDGER_KEYS:
        out[key] = functools.partial(_ledger, key=key)
    return out


AGENT_REPORTERS = {
    "Firm": {"sector": "sector", "source": "source", "ai_staff": "ai_staff", "model_quality": "model_quality"},
    "Talent": {"status": "status", "employer": "employer"},
}

