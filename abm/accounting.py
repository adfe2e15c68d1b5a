"""The ledger: costs by category x period x payer, outcomes (direct vs indirect), financing.

Agents *book* into it; it closes each quarter into one row of flows and running totals. Identities hold at
every close (tests check them): cumulative = sum of flows; total = sum of categories.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

INVESTMENT = ("datacenter", "hardware", "staff", "power", "cloud")   # the national compute + base-model programme
# + talent, subsidies, data platform, ASEAN; below-cost prices; national capacity bought to serve firms;
# domestic cloud providers' capacity (private investment outside the programme)
CATEGORIES = (*INVESTMENT, "programmes", "price_support", "serving_compute", "provider_capex")
PROGRAMMES_LINE = ("programmes", "price_support", "provider_capex")   # the government's share of these is paid
#                                                  from the programmes line (agents/government_programmes.py)
INCOME = ("compute_sales", "model_access")   # public income: national compute and sovereign-model access sold
PAYERS = ("government", "private")
OUTCOMES = ("healthcare", "deficit_avoided", "autonomous_driving", "asean")
PERIODS = ("initial_2026_2031", "running_2031_2040")


class Ledger:
    """Books costs during a quarter and closes it with :meth:`close_quarter`."""

    def __init__(self, scenario):
        self.s = scenario
        self.cum = defaultdict(float)
        self.by_period = {p: defaultdict(float) for p in PERIODS}
        self.by_payer = {p: defaultdict(float) for p in PAYERS}
        self.bond_balance = 0.0
        self._reset()

    def _reset(self) -> None:
        self.flows = {(c, p): 0.0 for c in CATEGORIES for p in PAYERS}
        self.income = {k: 0.0 for k in INCOME}
        self.abroad_this_quarter = 0.0

    def book(self, category: str, jpy_tn: float, payer: str) -> None:
        """Add a cost flow of this quarter (JPY tn, >= 0)."""
        if category not in CATEGORIES or payer not in PAYERS:
            raise KeyError(f"unknown ledger entry {category}/{payer}")
        if jpy_tn < 0:
            raise ValueError(f"negative cost booked: {category} {jpy_tn}")
        self.flows[(category, payer)] += jpy_tn

    def receive(self, kind: str, jpy_tn: float) -> None:
        """Add public income of this quarter (JPY tn, >= 0): sales of national compute or model access."""
        if kind not in INCOME:
            raise KeyError(f"unknown income {kind}")
        if jpy_tn < 0:
            raise ValueError(f"negative income booked: {kind} {jpy_tn}")
        self.income[kind] += jpy_tn

    def pay_abroad(self, jpy_tn: float) -> None:
        """Record a public payment to foreign providers this quarter (enters the digital deficit)."""
        self.abroad_this_quarter += jpy_tn

    def close_quarter(self, period: str, outcome_rates: dict[str, float], private_ai_spend_jpy_tn: float,
                      direct_share_of_deficit: float, finetune_share: float) -> dict[str, float]:
        """Close the quarter: returns the row of flows and totals, then opens the next quarter.

        ``private_ai_spend_jpy_tn`` is firms' AI spending that stays in Japan (annual rate); the
        ``finetune_share`` of it builds specialised models and counts as private investment."""
        row: dict[str, float] = {}
        public = private = 0.0
        for c in CATEGORIES:
            flow = self.flows[(c, "government")] + self.flows[(c, "private")]
            self.cum[c] += flow
            self.by_period[period][c] += flow
            for p in PAYERS:
                self.by_payer[p][c] += self.flows[(c, p)]
            row[f"cost_{c}_jpy_tn"] = flow
            row[f"cost_{c}_cum_jpy_tn"] = self.cum[c]
            public += self.flows[(c, "government")]
            private += self.flows[(c, "private")]
        inv_public = sum(self.flows[(c, "government")] for c in INVESTMENT)
        inv_private = sum(self.flows[(c, "private")] for c in INVESTMENT)
        self.cum["public_investment"] += inv_public
        self.cum["private_investment"] += (inv_private + self.flows[("provider_capex", "private")]
                                           + finetune_share * private_ai_spend_jpy_tn / 4.0)
        self.cum["private_ai_spend_domestic"] += private_ai_spend_jpy_tn / 4.0
        self.cum["public_cost"] += public
        income = sum(self.income.values())
        self.cum["public_income"] += income
        row.update(public_cost_jpy_tn=public, private_cost_jpy_tn=private, public_income_jpy_tn=income,
                   public_income_cum_jpy_tn=self.cum["public_income"],
                   public_investment_cum_jpy_tn=self.cum["public_investment"],
                   private_investment_cum_jpy_tn=self.cum["private_investment"],
                   private_ai_spend_domestic_cum_jpy_tn=self.cum["private_ai_spend_domestic"],
                   investment_cum_jpy_tn=sum(self.cum[c] for c in INVESTMENT),
                   public_cost_cum_jpy_tn=self.cum["public_cost"])
        direct = outcome_rates["healthcare"] + direct_share_of_deficit * outcome_rates["deficit_avoided"]
        total = sum(outcome_rates.values())
        for k in OUTCOMES:
            self.cum[f"outcome_{k}"] += outcome_rates[k] / 4.0
            row[f"outcome_{k}_jpy_tn_per_year"] = outcome_rates[k]
            row[f"outcome_{k}_cum_jpy_tn"] = self.cum[f"outcome_{k}"]
        self.cum["direct"] += direct / 4.0
        self.cum["outcomes"] += total / 4.0
        row.update(outcomes_direct_jpy_tn_per_year=direct, outcomes_indirect_jpy_tn_per_year=total - direct,
                   outcomes_direct_cum_jpy_tn=self.cum["direct"], outcomes_cum_jpy_tn=self.cum["outcomes"])
        row.update(self._finance(public, direct / 4.0 + income))
        self._reset()
        return row

    def _finance(self, public_cost: float, fiscal_flow: float) -> dict[str, float]:
        """Bonds: public costs are borrowed, interest accrues, direct outcomes and public income redeem.
        Tax: no bonds.

        Redemption is never negative: a quarter whose direct outcomes are negative (e.g. the deficit
        avoided turns into extra deficit) redeems nothing; it does not un-redeem earlier quarters."""
        p = self.s.policy
        interest = redeemed = 0.0
        if p.financing == "ai_transition_bond":
            interest = self.bond_balance * p.bond_interest_rate / 4.0
            self.bond_balance += public_cost + interest
            redeemed = max(0.0, min(self.bond_balance, fiscal_flow))
            self.bond_balance -= redeemed
        self.cum["interest"] += interest
        self.cum["redeemed"] += redeemed
        return {"bond_balance_jpy_tn": self.bond_balance, "bond_interest_jpy_tn": interest,
                "bond_redeemed_jpy_tn": redeemed, "bond_interest_cum_jpy_tn": self.cum["interest"],
                "bond_redeemed_cum_jpy_tn": self.cum["redeemed"]}


def financial_summary(ts, discount_rate: float, start_year: int) -> dict:
    """Payback year, NPV and benefit-cost ratios from a run's quarterly time series (a plain DataFrame).

    Payback: first year whose end sees cumulative direct (fiscal) outcomes cover cumulative public cost plus
    bond interest, once a public compute/base-model programme has spent anything (None otherwise). NPV: direct outcomes minus public costs and interest, discounted to ``start_year``.
    """
    t = ts["year"] + (ts["quarter"] - 1) / 4.0 - start_year
    disc = (1.0 + discount_rate) ** (-t)
    direct = ts["outcomes_direct_jpy_tn_per_year"] / 4.0
    total = (ts["outcomes_direct_jpy_tn_per_year"] + ts["outcomes_indirect_jpy_tn_per_year"]) / 4.0
    cost = ts["public_cost_jpy_tn"] - ts["public_income_jpy_tn"] + ts["bond_interest_jpy_tn"]
    invested = ts["public_investment_cum_jpy_tn"] > 0      # nothing to pay back without a public programme
    covered = (direct.cumsum() >= cost.cumsum()) & invested & (ts["quarter"] == 4)
    payback = int(ts.loc[covered.idxmax(), "year"]) if covered.any() else None
    pv_cost = float((cost * disc).sum())
    return {
        "payback_year": payback,
        "npv_jpy_tn": float(((direct - cost) * disc).sum()),
        "benefit_cost_ratio_direct": float((direct * disc).sum() / pv_cost) if pv_cost > 0 else None,
        "benefit_cost_ratio_total": float((total * disc).sum() / pv_cost) if pv_cost > 0 else None,
    }


class YearMeans:
    """``means(column, year)``: the mean of ``column`` over ``year``'s rows of a time series, exactly as
    ``Series.mean`` gives it (NaN skipped, NaN if every value is NaN), or None if the year has no rows.
    Each year's rows are found once (a summary asks for ~20 means; pandas' ``.loc`` per mean cost ~3 % of a run)."""

    def __init__(self, ts: pd.DataFrame):
        self.ts, self.years, self.rows = ts, ts["year"].to_numpy(), {}

    def __call__(self, column: str, year: int):
        rows = self.rows.get(year)
        if rows is None:
            rows = self.rows[year] = np.flatnonzero(self.years == year)
        if not len(rows):
            return None
        v = self.ts[column].to_numpy()[rows]
        if v.dtype != np.float64:
            return float(pd.Series(v).mean())
        nan = np.isnan(v)
        if not nan.any():
            return float(v.sum() / len(v))
        valid = len(v) - int(nan.sum())   # pandas: NaN filled with 0, the sum over the valid count
        return float(np.where(nan, 0.0, v).sum() / valid) if valid else float("nan")
