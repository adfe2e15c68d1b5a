"""Outcome formulas: what agent behaviour is worth, as annual rates (JPY tn per year).

Direct (fiscal) outcomes can redeem AI-transition bonds; indirect ones (autonomous-driving ripple, ASEAN
productivity, the non-fiscal part of the deficit avoided) are reported but never redeem bonds (mizuho).
"""

from __future__ import annotations

import numpy as np

from abm.vocab import QUARTERS_PER_YEAR, Source, load_table

REF = load_table("reference.toml")
# published deficit points the charts show beside the model (MOF 2025, METI 2035, Mizuho's 2040 risk scenario)
DEFICIT_REFERENCE_JPY_TN = {2025: REF["deficit"]["observed_2025_jpy_tn"],
                            2035: REF["deficit"]["meti_projection_2035_jpy_tn"],
                            2040: REF["deficit"]["risk_scenario_2040_jpy_tn"]}
VISITS_JAPAN = REF["healthcare"]["outpatient_visits_per_capita_japan"]
VISITS_G7 = REF["healthcare"]["outpatient_visits_per_capita_g7"]


def effective_domestic_use(firms, sector: str, need_privacy: bool, privacy_on: bool, open_weight: float) -> float:
    """Value-weighted share of a sector's firms using domestic AI capability, scaled by model quality (0..1).

    Sovereign models count fully; open models by ``open_weight`` (e.g. the share hosted at home); foreign APIs
    not at all."""
    m = firms.rows_of[sector]
    if not len(m):
        return 0.0
    source = firms.source[m]
    domestic = np.where(source == Source.SOVEREIGN, 1.0, np.where(source == Source.OPEN, float(open_weight), 0.0))
    domestic = domestic * (privacy_on or not need_privacy)
    quality = np.clip(firms.quality[m], 0.0, 1.0)
    return float((firms.va_jpy_tn[m] * domestic * quality).sum() / firms.va_jpy_tn[m].sum())


class Outcomes:
    """Outcome state carried between quarters (outpatient visits adjust gradually)."""

    def __init__(self):
        self.visits_per_capita = VISITS_JAPAN
        self.rates: dict[str, float] = {}

    def update(self, model) -> dict[str, float]:
        """Annual outcome rates for this quarter; call after all agents have acted."""
        env, firms, r = model.env, model.firms, model.inputs.rules
        privacy = model.in_force.privacy_framework
        hosting = firms.hosting(model)
        eff = effective_domestic_use(firms, "healthcare", True, privacy, hosting)
        target = VISITS_JAPAN - (VISITS_JAPAN - VISITS_G7) * eff
        self.visits_per_capita += (target - self.visits_per_capita) * (1 - np.exp(-r.outcome_visits_adjust_per_year / QUARTERS_PER_YEAR))
        healthcare = env.outpatient_spending_jpy_tn * (VISITS_JAPAN - self.visits_per_capita) / VISITS_JAPAN
        # autonomous driving: OEMs' own fine-tuned models count; open ones partly unless trained on home compute
        credit = r.outcome_auto_open_credit
        auto = effective_domestic_use(firms, "auto", False, privacy, credit + (1 - credit) * hosting)
        deficit = digital_deficit(model)
        self.rates = {
            "healthcare": healthcare,
            "deficit_avoided": counterfactual_deficit(model) - deficit,
            "autonomous_driving": env.autonomous_driving_value_jpy_tn * auto,
            "asean": model.asean.productivity_jpy_tn,
        }
        self.deficit = deficit
        return self.rates


def digital_deficit(model) -> float:
    """Digital deficit (JPY tn/yr) = baseline trend + payments abroad for AI/cloud - digital exports."""
    return (model.env.baseline_deficit_jpy_tn + model.firms.flows["spend_abroad_jpy_tn"]
            + QUARTERS_PER_YEAR * model.ledger.abroad_this_quarter - model.asean.exports_jpy_tn)


def counterfactual_deficit(model) -> float:
    """The foreign-dependent counterfactual: the same AI use without national compute or a sovereign model
    (sovereign users buy like everyone else, open models stay on foreign clouds). Exports are kept, so the
    avoided deficit is what the sovereign model and national compute displace, and ~0 on that path itself."""
    return (model.env.baseline_deficit_jpy_tn + model.firms.flows["spend_abroad_counterfactual_jpy_tn"]
            - model.asean.exports_jpy_tn)
