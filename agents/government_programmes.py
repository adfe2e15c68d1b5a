"""The government's public programmes and the budget line that pays them.

The programmes: talent wage top-ups, adoption subsidies, the public data platform, ASEAN co-creation, the
capex subsidy to domestic cloud providers, and price support (a sovereign model or national compute sold below
cost). What they cost follows from their rates and from what the other populations did (specialists at home,
firms' new domestic adoptions, providers' new capacity, sovereign-model use); every yen is drawn from the
**programmes line** (``policy.programmes_budget_jpy_tn_per_year``, public money only) and booked as public cost.

The line is a yearly ceiling (``policy.programmes_budget_jpy_tn_per_year``): the government draws only what
the programmes claim, and what a year leaves of it is reported (``programmes_unused_cum_jpy_tn``), never piled
up. Each quarter's **allotment** is what the year has left spread over its remaining quarters, so a quiet quarter
leaves more for the next. The rates are promises, so what falls due in a quarter is paid, even beyond the
allotment (the line is then overdrawn; a year's overdraft comes first out of the next year's ceiling); the cloud
capex subsidy is a grant, paid only from what the allotment still holds. Before the next quarter the government
sets the **funded share** ρ of every programme rate (``InForce``: top-up, subsidy rates, platform and
co-creation effort, the sovereign model's discount): ρ = next quarter's allotment / what the programmes would
cost at full rates (this quarter's claims, paid or not / this quarter's ρ), at most 1. A short line thus shrinks
every programme pro rata.
"""

from __future__ import annotations

from abm.exchange import InForce
from abm.vocab import JPY_PER_MILLION, JPY_PER_TN, QUARTERS_PER_YEAR


class ProgrammeFund:
    """The programmes line: what the year has spent, this quarter's allotment left and the funded share."""

    def __init__(self, ceiling_jpy_tn_per_year: float):
        self.spent_year_jpy_tn = 0.0     # paid this year, plus last year's overdraft (JPY tn)
        self.balance_jpy_tn = 0.0        # this quarter's allotment left (JPY tn; negative when overdrawn)
        self.funded_share = 1.0 if ceiling_jpy_tn_per_year > 0 else 0.0   # ρ of the first quarter
        self.paid_jpy_tn = 0.0           # paid this quarter (JPY tn; until the next quarter opens)
        self.claimed_jpy_tn = 0.0        # claimed this quarter at the rates in force, paid or not (JPY tn)
        self.full_rate_cost_jpy_tn = 0.0 # what the last quarter's claims would have been at full rates
        self.unused_jpy_tn = 0.0         # ceilings of past years left unspent (JPY tn)

    def allotment_jpy_tn(self, ceiling_jpy_tn_per_year: float, quarter: int) -> float:
        """What the year has left, spread over its quarters from ``quarter`` on (negative when overdrawn)."""
        return (ceiling_jpy_tn_per_year - self.spent_year_jpy_tn) / (QUARTERS_PER_YEAR + 1 - quarter)

    @property
    def overdraft_jpy_tn(self) -> float:
        """What has been paid beyond the allotments (JPY tn): this quarter's, or carried from last year."""
        return max(-self.balance_jpy_tn, 0.0)

    def open(self, ceiling_jpy_tn_per_year: float, quarter: int) -> None:
        """A new quarter (``quarter`` 1-4 of the fiscal year): its allotment."""
        self.balance_jpy_tn = self.allotment_jpy_tn(ceiling_jpy_tn_per_year, quarter)
        self.paid_jpy_tn = self.claimed_jpy_tn = 0.0

    @property
    def headroom_jpy_tn(self) -> float:
        """What this quarter's allotment still holds (JPY tn): the most a grant (the cloud capex subsidy) pays."""
        return max(self.balance_jpy_tn, 0.0)

    def pay(self, jpy_tn: float) -> float:
        """Pay a claim of this quarter (JPY tn) from the line; returns it."""
        self.balance_jpy_tn -= jpy_tn
        self.spent_year_jpy_tn += jpy_tn
        self.paid_jpy_tn += jpy_tn
        self.claimed_jpy_tn += jpy_tn
        return jpy_tn

    def refuse(self, jpy_tn: float) -> None:
        """A claim at the rates in force the line could not pay (a grant beyond the allotment): it still
        counts in the cost at full rates that sets the next funded share."""
        self.claimed_jpy_tn += jpy_tn

    def settle(self, ledger, cloud_granted_jpy_tn: float, cloud_claim_jpy_tn: float, compute_support_jpy_tn: float,
               model_support_jpy_tn: float) -> None:
        """Pay and book the quarter's last claims (``Government.settle_programmes``)."""
        if cloud_granted_jpy_tn > 0:
            ledger.book("provider_capex", self.pay(cloud_granted_jpy_tn), "government")
        self.refuse(cloud_claim_jpy_tn - cloud_granted_jpy_tn)
        if compute_support_jpy_tn > 0:
            ledger.book("price_support", self.pay(compute_support_jpy_tn), "government")
        ledger.book("price_support", self.pay(model_support_jpy_tn), "government")

    def close(self, ceiling_jpy_tn_per_year: float, quarter: int) -> None:
        """End of quarter ``quarter``: at a year's end what it left is unused (an overdraft carries over);
        next quarter's funded share."""
        if quarter == QUARTERS_PER_YEAR:
            self.unused_jpy_tn += max(ceiling_jpy_tn_per_year - self.spent_year_jpy_tn, 0.0)
            self.spent_year_jpy_tn = max(self.spent_year_jpy_tn - ceiling_jpy_tn_per_year, 0.0)
        if self.funded_share > 0:
            self.full_rate_cost_jpy_tn = self.claimed_jpy_tn / self.funded_share
        available = max(self.allotment_jpy_tn(ceiling_jpy_tn_per_year, quarter % QUARTERS_PER_YEAR + 1), 0.0)
        if self.full_rate_cost_jpy_tn > 0:
            self.funded_share = min(available / self.full_rate_cost_jpy_tn, 1.0)
        else:
            self.funded_share = 1.0 if available > 0 else 0.0


def programme_dues_jpy_tn(model, role, in_force: InForce, persons_home: float, subsidy_due_jpy_tn: float) -> float:
    """This quarter's claims on the programmes known when the government acts (JPY tn): top-ups of the
    specialists at home, the platform, co-creation, and the adoption subsidy firms earned last quarter."""
    p, c, r = model.inputs.policy, model.inputs.costs, model.inputs.rules
    topup = (in_force.wage_topup_share * c.domestic_ai_wage_jpy_m * JPY_PER_MILLION * persons_home
             / QUARTERS_PER_YEAR / JPY_PER_TN)
    platform = (r.gov_data_platform_cost_jpy_tn_per_year / QUARTERS_PER_YEAR * in_force.data_platform_scale
                * in_force.data_contracts)
    asean = r.gov_asean_cocreation_cost_jpy_tn_per_year / QUARTERS_PER_YEAR * role.programme_scale \
        * in_force.asean_cocreation_funded * p.asean_cocreation
    subsidy = subsidy_due_jpy_tn / QUARTERS_PER_YEAR
    return topup + platform + asean + subsidy
