"""Model reporters: small named functions of the model, one output column each (units in the names)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from abm.accounting import CATEGORIES, OUTCOMES
from abm.network import SECTOR_NAMES
from agents.firm import FOREIGN, NONE, OPEN, SOVEREIGN
from agents.talent import ABROAD, HOME, RETIRED


def year(m):
    return m.year


def quarter(m):
    return m.quarter


@dataclass(frozen=True)
class Tally:
    """What the reporters below read, counted in one pass over each population (see :func:`tally`)."""
    firms_by_source: np.ndarray          # real firms (agents' count weights) by source code
    va_by_source: np.ndarray             # value added (JPY tn) by source code
    sensitive_va_by_source: np.ndarray   # value added x sensitive-data share, by source code
    sector_adoption: np.ndarray          # share of firm agents using AI, by sector
    cohorts_by_status: np.ndarray        # talent cohorts by status code


def tally(m) -> Tally:
    """Count the populations once; the model calls this before each collection (and at construction)."""
    f, t = m.firms, m.talent
    n = np.bincount(f.sector, minlength=len(SECTOR_NAMES))
    used = np.bincount(f.sector, weights=(f.source != NONE), minlength=len(SECTOR_NAMES))
    return Tally(firms_by_source=np.bincount(f.source, weights=f.count_weight, minlength=4),
                 va_by_source=np.bincount(f.source, weights=f.va_jpy_tn, minlength=4),
                 sensitive_va_by_source=np.bincount(f.source, weights=f.va_jpy_tn * f.sensitive, minlength=4),
                 sector_adoption=np.divide(used, n, out=np.zeros(len(n)), where=n > 0),
                 cohorts_by_status=np.bincount(t.status, minlength=4))


def _adopted_share(by_source: np.ndarray) -> float:
    return float(by_source[1:].sum() / by_source.sum())


def adoption_rate(m):
    """Share of Japan's firms using AI (agents weighted by the real firms they stand for)."""
    return _adopted_share(m.tally.firms_by_source)


def adoption_rate_value_weighted(m):
    return _adopted_share(m.tally.va_by_source)


def _source_share(m, code):
    by = m.tally.firms_by_source
    adopted = by[1:].sum()
    return float(by[code] / adopted) if adopted else 0.0


def adoption_share_foreign(m):
    return _source_share(m, FOREIGN)


def adoption_share_open(m):
    return _source_share(m, OPEN)


def adoption_share_sovereign(m):
    return _source_share(m, SOVEREIGN)


def _sector_adoption(m, k):
    """Share of firm agents in sector ``k`` using AI."""
    return float(m.tally.sector_adoption[k])


def _persons(m, status):
    return float(m.tally.cohorts_by_status[status] * m.talent.cohort)


def talent_domestic(m):
    """AI specialists working in Japan (persons)."""
    return _persons(m, HOME)


def talent_abroad(m):
    return _persons(m, ABROAD)


def talent_retired(m):
    return _persons(m, RETIRED)


def talent_entered(m):
    """Everyone who has ever been active: the initial stock plus graduates (persons)."""
    return float(m.talent.entered * m.talent.cohort)


def talent_retention_rate(m):
    """Share of active (not retired) specialists who work in Japan."""
    c = m.tally.cohorts_by_status
    return float(c[HOME] / (c[HOME] + c[ABROAD])) if c[HOME] + c[ABROAD] else 0.0


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
    flows, sens = m.firms.flows, m.tally.sensitive_va_by_source
    domestic_spend = flows["spend_domestic_jpy_tn"] / flows["spend_jpy_tn"] if flows["spend_jpy_tn"] > 0 else 0.0
    used = sens[1:].sum()
    domestic_sens = float(sens[OPEN:].sum() / used) if used > 0 else 0.0
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

