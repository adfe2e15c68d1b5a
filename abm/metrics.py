"""Model reporters: small named functions of the model, one output column each.

The columns, their order, units and labels are declared in :mod:`abm.outputs`; :func:`model_reporters` pairs
each declared column with its function here (``@reporter``), its family's function, or the ledger's row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from abm import outputs
from abm.network import SECTOR_NAMES
from abm.vocab import DOMESTIC_SOURCES, QUARTERS_PER_YEAR, Source, Status

_REPORTERS: dict = {}


def reporter(f):
    """Register ``f`` as the reporter of the declared column of the same name."""
    _REPORTERS[f.__name__] = f
    return f


@reporter
def year(m):
    return m.year


@reporter
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
    used = np.bincount(f.sector, weights=(f.source != Source.NONE), minlength=len(SECTOR_NAMES))
    return Tally(firms_by_source=np.bincount(f.source, weights=f.count_weight, minlength=4),
                 va_by_source=np.bincount(f.source, weights=f.va_jpy_tn, minlength=4),
                 sensitive_va_by_source=np.bincount(f.source, weights=f.va_jpy_tn * f.sensitive, minlength=4),
                 sector_adoption=np.divide(used, n, out=np.zeros(len(n)), where=n > 0),
                 cohorts_by_status=np.bincount(t.status, minlength=4))


def _adopted_share(by_source: np.ndarray) -> float:
    return float(by_source[1:].sum() / by_source.sum())


@reporter
def adoption_rate(m):
    """Share of Japan's firms using AI (agents weighted by the real firms they stand for)."""
    return _adopted_share(m.tally.firms_by_source)


@reporter
def adoption_rate_value_weighted(m):
    return _adopted_share(m.tally.va_by_source)


def _source_share(m, code):
    by = m.tally.firms_by_source
    adopted = by[1:].sum()
    return float(by[code] / adopted) if adopted else 0.0


@reporter
def adoption_share_domestic(m):
    return _source_share(m, Source.OPEN) + _source_share(m, Source.SOVEREIGN)


@reporter
def firm_model_quality(m):
    """Value-weighted mean quality of adopters' fine-tuned models (0 before anyone adopts)."""
    f = m.firms
    w = f.va_jpy_tn * (f.source != Source.NONE)
    return float((w * f.quality).sum() / w.sum()) if w.sum() > 0 else 0.0


@reporter
def japanese_fit(m):
    return m.firms.japanese_fit(m)


def _sector_adoption(m, code):
    """Share of firm agents in sector number ``code`` using AI."""
    return float(m.tally.sector_adoption[code])


def _persons(m, code):
    """Specialists (persons) whose status is ``code``."""
    return float(m.tally.cohorts_by_status[code] * m.talent.cohort)


@reporter
def talent_entered(m):
    """Everyone who has ever been active: the initial stock plus graduates (persons)."""
    return float(m.talent.entered * m.talent.cohort)


@reporter
def talent_demand_persons(m):
    """AI specialists wanted this quarter: firms' demand + the government lab's target (persons)."""
    return m.talent.demand_persons


@reporter
def talent_fill_ratio(m):
    """Specialists in Japan / specialists wanted (below 1: a shortage)."""
    d = m.talent.demand_persons
    return _persons(m, Status.HOME) / d if d > 0 else 0.0


@reporter
def talent_retention_rate(m):
    """Share of active (not retired) specialists who work in Japan."""
    c = m.tally.cohorts_by_status
    return float(c[Status.HOME] / (c[Status.HOME] + c[Status.ABROAD])) if c[Status.HOME] + c[Status.ABROAD] else 0.0


@reporter
def digital_deficit_jpy_tn(m):
    return m.outcomes.deficit


@reporter
def compute_in_service_h100e(m):
    return m.government.compute_in_service_h100e


@reporter
def training_cluster_h100e(m):
    return m.government.training_cluster_h100e


@reporter
def serving_compute_h100e(m):
    return m.government.serving_h100e


@reporter
def programme_funds_jpy_tn(m):
    return m.government.funds_jpy_tn


@reporter
def programme_commitments_jpy_tn(m):
    return m.government.commitments_jpy_tn()


@reporter
def budget_lapsed_cum_jpy_tn(m):
    return m.government.lapsed_jpy_tn


@reporter
def programmes_paid_jpy_tn(m):
    return m.government.programmes.paid_jpy_tn * QUARTERS_PER_YEAR


@reporter
def programmes_unused_cum_jpy_tn(m):
    return m.government.programmes.unused_jpy_tn


@reporter
def programmes_overdraft_jpy_tn(m):
    return m.government.programmes.overdraft_jpy_tn


@reporter
def programmes_funded_share(m):
    return m.in_force.programmes_funded_share


@reporter
def programmes_grant_share(m):
    return m.in_force.programmes_grant_share


@reporter
def ai_value_jpy_tn(m):
    return m.firms.flows["ai_value_jpy_tn"]


@reporter
def ai_value_lost_jpy_tn(m):
    return m.firms.flows["ai_value_lost_jpy_tn"]


@reporter
def compute_demand_h100e(m):
    return m.compute.demand_h100e


@reporter
def compute_hosting_share(m):
    return m.compute.hosting_share


@reporter
def compute_national_serving_h100e(m):
    return m.compute.national_served_h100e


@reporter
def compute_provider_capacity_h100e(m):
    return m.compute.provider_capacity_h100e


@reporter
def compute_provider_utilisation(m):
    return m.compute.provider_utilisation


@reporter
def compute_price_jpy_per_h100e_hour(m):
    return m.compute.provider_price_jpy_per_h100e_hour


@reporter
def compute_price_vs_foreign(m):
    c = m.compute
    return c.provider_price_jpy_per_h100e_hour / c.foreign_price_jpy_per_h100e_hour


@reporter
def compute_spilled_abroad_h100e(m):
    return m.compute.spilled_h100e


@reporter
def compute_unserved_h100e(m):
    return m.compute.unserved_h100e


@reporter
def datacenter_in_service_mw(m):
    return m.government.dc_mw_in_service


@reporter
def base_model_quality(m):
    """Best sovereign base-model capability (log10 effective FLOP; 0 before the first release)."""
    return m.government.sovereign_cap


@reporter
def frontier_capability(m):
    return m.env.frontier_cap


@reporter
def data_shared_index(m):
    return m.data_holders.shared_index


@reporter
def sovereignty_index(m):
    """Mean of (share of AI spend staying domestic) and (share of sensitive AI work on domestic models)."""
    flows, sens = m.firms.flows, m.tally.sensitive_va_by_source
    domestic_spend = flows["spend_domestic_jpy_tn"] / flows["spend_jpy_tn"] if flows["spend_jpy_tn"] > 0 else 0.0
    used = sens[1:].sum()
    domestic_sens = float(sens[list(DOMESTIC_SOURCES)].sum() / used) if used > 0 else 0.0
    return 0.5 * domestic_spend + 0.5 * domestic_sens


@reporter
def payments_abroad_jpy_tn(m):
    return m.firms.flows["spend_abroad_jpy_tn"] + 4.0 * m.last_abroad


@reporter
def asean_japanese_share(m):
    a = m.asean
    return float((a.jp_share * a.adoption).sum() / a.adoption.sum())


@reporter
def outpatient_visits_per_capita(m):
    return m.outcomes.visits_per_capita


def _ledger(m, key):
    return m.last_row[key]


_FAMILY_REPORTERS = {  # family -> (reporter, its ``code`` for each member)
    "adoption_share_{source}": (_source_share,
                                {"sovereign": Source.SOVEREIGN, "foreign": Source.FOREIGN, "open": Source.OPEN}),
    "talent_{location}": (_persons,
                          {"domestic": Status.HOME, "abroad": Status.ABROAD, "retired": Status.RETIRED}),
    "adoption_rate_{sector}": (_sector_adoption, {s: k for k, s in enumerate(SECTOR_NAMES)}),
}


def _reporter_of(o: outputs.Output):
    if o.ledger:
        return functools.partial(_ledger, key=o.name)
    if o.family:
        f, args = _FAMILY_REPORTERS[o.family]
        return functools.partial(f, code=args[o.member])
    return _REPORTERS[o.name]


def model_reporters() -> dict:
    """All per-quarter columns, in the declared output order (:data:`abm.outputs.TIMESERIES`)."""
    return {o.name: _reporter_of(o) for o in outputs.TIMESERIES}


AGENT_REPORTERS = {
    "Firm": {"sector": "sector", "source": "source", "ai_staff": "ai_staff", "model_quality": "model_quality"},
    "Talent": {"status": "status", "employer": "employer"},
}

