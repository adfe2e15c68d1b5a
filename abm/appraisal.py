"""The honest appraisal: what the programme adds, against a paired counterfactual on the same seed.

:func:`counterfactual_scenario` removes the national programme (``abm/data/counterfactual.toml``: every public
spending line to zero, regulation unchanged). :func:`appraise` compares a run's time series with its
counterfactual's, quarter by quarter:

- attributable outcome per line = scenario − counterfactual (the deficit avoided is the counterfactual's
  digital deficit minus the scenario's); attributable public cost = the difference in public cost net of
  public income;
- **fiscal** benefit = Σ line × its declared fiscal share (``rules.appraisal_fiscal_share_*``; the deficit's is
  ``policy.deficit_fiscal_share``); **economic** benefit = Σ lines;
- financing: tax finance adds the marginal cost of public funds to the cost; AI-transition bonds carry the
  coupon and are redeemed only from attributable fiscal benefit; what is not redeemed by the horizon is
  reported as outstanding.

A scenario without a programme (identical to its counterfactual) gets NPV 0 and no payback year. The report's
own gross view stays in the ledger (:func:`abm.accounting.financial_summary`), reported as ``report_method_*``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm.accounting import OUTCOMES, YearMeans
from abm.scenario import load_scenario
from abm.vocab import QUARTERS_PER_YEAR, load_table

REMOVED = load_table("counterfactual.toml")["overrides"]
LINES = OUTCOMES   # healthcare, deficit_avoided, autonomous_driving, asean
KEYS = ("payback_year", "npv_jpy_tn", "npv_economic_jpy_tn", "benefit_cost_ratio_fiscal",
        "benefit_cost_ratio_economic", "bond_outstanding_jpy_tn", "attributable_public_cost_jpy_tn",
        "attributable_outcomes_cum_jpy_tn", "attributable_outcomes_2040_jpy_tn_per_year")
REPORT_YEAR = 2040


def counterfactual_scenario(scenario):
    """The scenario with the national programme removed, or None if it has none to remove."""
    cf = load_scenario(scenario, REMOVED).model_copy(update={"name": f"{scenario.name} (no programme)"})
    same = cf.model_dump(exclude={"name"}) == scenario.model_dump(exclude={"name"})
    return None if same else cf


def fiscal_shares(scenario) -> dict[str, float]:
    r = scenario.rules
    return {"healthcare": r.appraisal_fiscal_share_healthcare,
            "deficit_avoided": scenario.policy.deficit_fiscal_share,
            "autonomous_driving": r.appraisal_fiscal_share_autonomous_driving,
            "asean": r.appraisal_fiscal_share_asean}


def attributable(ts: pd.DataFrame, cf: pd.DataFrame) -> pd.DataFrame:
    """Per quarter: each outcome line (JPY tn/yr) and the public cost net of income (JPY tn/quarter), scenario
    minus counterfactual. The two runs must cover the same quarters (same scenario horizon)."""
    if len(ts) != len(cf) or not (ts["year"].to_numpy() == cf["year"].to_numpy()).all():
        raise ValueError("scenario and counterfactual cover different quarters")
    out = pd.DataFrame({"year": ts["year"].to_numpy(), "quarter": ts["quarter"].to_numpy()})
    for k in LINES:
        col = f"outcome_{k}_jpy_tn_per_year"
        out[k] = ts[col].to_numpy() - cf[col].to_numpy()
    out["deficit_avoided"] = cf["digital_deficit_jpy_tn"].to_numpy() - ts["digital_deficit_jpy_tn"].to_numpy()
    net = ts["public_cost_jpy_tn"] - ts["public_income_jpy_tn"]
    out["public_cost"] = net.to_numpy() - (cf["public_cost_jpy_tn"] - cf["public_income_jpy_tn"]).to_numpy()
    return out


def _bonds(cost: np.ndarray, fiscal: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Borrow each quarter's cost, accrue the coupon, redeem from positive fiscal benefit only; returns
    (interest, redeemed, outstanding at the horizon)."""
    balance, interest, redeemed = 0.0, np.zeros(len(cost)), np.zeros(len(cost))
    for q in range(len(cost)):
        interest[q] = balance * rate / QUARTERS_PER_YEAR
        balance = max(balance + cost[q] + interest[q], 0.0)
        redeemed[q] = min(balance, max(fiscal[q], 0.0))
        balance -= redeemed[q]
    return interest, redeemed, balance


def appraise(scenario, ts: pd.DataFrame, cf: pd.DataFrame | None) -> dict:
    """The attributable appraisal of ``ts`` against its counterfactual run ``cf`` (None: no programme)."""
    empty = {"payback_year": None, "npv_jpy_tn": 0.0, "npv_economic_jpy_tn": 0.0,
             "benefit_cost_ratio_fiscal": None, "benefit_cost_ratio_economic": None,
             "bond_outstanding_jpy_tn": 0.0, "attributable_public_cost_jpy_tn": 0.0,
             "attributable_outcomes_cum_jpy_tn": dict.fromkeys(LINES, 0.0),
             "attributable_outcomes_2040_jpy_tn_per_year": dict.fromkeys(LINES, 0.0)}
    if cf is None:
        return empty
    a = attributable(ts, cf)
    p, r = scenario.policy, scenario.rules
    shares = fiscal_shares(scenario)
    fiscal = sum(a[k] * shares[k] for k in LINES).to_numpy() / QUARTERS_PER_YEAR
    economic = a[list(LINES)].sum(axis=1).to_numpy() / QUARTERS_PER_YEAR
    cost = a["public_cost"].to_numpy()
    outstanding = 0.0
    if p.financing == "ai_transition_bond":
        interest, _, outstanding = _bonds(cost, fiscal, p.bond_interest_rate)
        burden = cost + interest
    else:
        burden = cost * (1.0 + r.appraisal_marginal_cost_of_public_funds)
    t = a["year"] + (a["quarter"] - 1) / QUARTERS_PER_YEAR - scenario.run.start_year
    disc = ((1.0 + p.discount_rate) ** (-t)).to_numpy()
    covered = (np.cumsum(fiscal) >= np.cumsum(burden)) & (np.cumsum(cost) > 0) & (a["quarter"].to_numpy() == 4)
    pv_burden = float((burden * disc).sum())
    year_mean = YearMeans(a)
    return {
        "payback_year": int(a["year"].iloc[int(np.argmax(covered))]) if covered.any() else None,
        "npv_jpy_tn": float(((fiscal - burden) * disc).sum()),
        "npv_economic_jpy_tn": float(((economic - burden) * disc).sum()),
        "benefit_cost_ratio_fiscal": float((fiscal * disc).sum() / pv_burden) if pv_burden > 0 else None,
        "benefit_cost_ratio_economic": float((economic * disc).sum() / pv_burden) if pv_burden > 0 else None,
        "bond_outstanding_jpy_tn": float(outstanding),
        "attributable_public_cost_jpy_tn": float(cost.sum()),
        "attributable_outcomes_cum_jpy_tn": {k: float(a[k].sum() / QUARTERS_PER_YEAR) for k in LINES},
        "attributable_outcomes_2040_jpy_tn_per_year": {k: year_mean(k, REPORT_YEAR) for k in LINES},
    }
