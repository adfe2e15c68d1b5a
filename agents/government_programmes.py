"""The government's public programmes and the budget line that pays them.

The programmes: talent wage top-ups, adoption subsidies, the public data platform, ASEAN co-creation, the
capex subsidy to domestic cloud providers, and price support (a sovereign model or national compute sold below
cost). What they cost follows from their rates and from what the other populations did (specialists at home,
firms' new domestic adoptions, providers' new capacity, sovereign-model use); every yen is drawn from the
**programmes line** (``policy.programmes_budget_jpy_tn_per_year``, public money only) and booked as public cost.

The line is a yearly ceiling (``policy.programmes_budget_jpy_tn_per_year``): the government draws only what
the programmes claim, and what a year leaves of it is reported (``programmes_unused_cum_jpy_tn``), never piled
up. Each quarter's **allotment** is what the year has left spread over its remaining quarters, so a quiet quarter
leaves more for the next.

**Entitlements first, grants from what is left.** The top-ups, the adoption subsidy, the platform, co-creation
and price support are entitlements: rates promised to everyone who qualifies, so what falls due in a quarter is
paid, even beyond the allotment (the line is then overdrawn; a year's overdraft comes first out of the next
year's ceiling). The cloud capex subsidy is a grant for selected projects (an envelope, like METI's cloud
programme): it is paid last, only from what the allotment still holds once the quarter's entitlements are paid;
the providers bear the rest. Before the next quarter the government sets two funded shares:

- ρ_e, of every entitlement rate (``InForce``: top-up and subsidy rates, platform and co-creation effort, the
  sovereign model's discount): ρ_e = min(1, A / E), A the next quarter's allotment, E what the entitlements
  would cost at full rates (this quarter's claims / this quarter's ρ_e);
- ρ_g, of the cloud grant's rate: ρ_g = min(1, (A - ρ_e E) / G), G the grant at the full policy rate on the
  providers' capex, a mean over the last four quarters (their orders come in cycles: a large delivery lowers
  utilisation and the markup below cost, and no one orders for a few quarters; on last quarter's alone, a full
  rate after a quiet quarter drew a large order, which cut the next rate).

A short line thus shrinks every entitlement pro rata, and a grant never crowds an entitlement out.
"""

from __future__ import annotations

from abm.exchange import InForce
from abm.vocab import JPY_PER_MILLION, JPY_PER_TN, QUARTERS_PER_YEAR


class ProgrammeFund:
    """The programmes line: what the year has spent, this quarter's allotment left and the two funded shares."""

    def __init__(self, ceiling_jpy_tn_per_year: float):
        self.spent_year_jpy_tn = 0.0     # paid this year, plus last year's overdraft (JPY tn)
        self.balance_jpy_tn = 0.0        # this quarter's allotment left (JPY tn; negative when overdrawn)
        self.funded_share = 1.0 if ceiling_jpy_tn_per_year > 0 else 0.0   # ρ_e of the first quarter
        self.grant_share = self.funded_share                               # ρ_g of the first quarter
        self.paid_jpy_tn = 0.0           # paid this quarter (JPY tn; until the next quarter opens)
        self.claimed_jpy_tn = 0.0        # entitlements claimed this quarter at the rates in force (JPY tn)
        self.full_rate_cost_jpy_tn = 0.0 # what the last quarter's entitlements would have cost at full rates
        self.grant_full_rate_jpy_tn = [0.0] * int(QUARTERS_PER_YEAR)  # the last four quarters' grants at the full rate
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
        """What this quarter's allotment still holds (JPY tn): the most a grant pays."""
        return max(self.balance_jpy_tn, 0.0)

    def _draw(self, jpy_tn: float) -> float:
        self.balance_jpy_tn -= jpy_tn
        self.spent_year_jpy_tn += jpy_tn
        self.paid_jpy_tn += jpy_tn
        return jpy_tn

    def pay(self, jpy_tn: float) -> float:
        """Pay an entitlement that fell due this quarter (JPY tn), beyond the allotment if need be; returns it."""
        self.claimed_jpy_tn += jpy_tn
        return self._draw(jpy_tn)

    def grant(self, asked_jpy_tn: float, full_rate_jpy_tn: float) -> float:
        """Pay a grant of ``asked_jpy_tn`` (at the rate in force) from what the allotment still holds; returns
        what is paid. ``full_rate_jpy_tn``: the grant at the full policy rate, which sets the next grant share."""
        self.grant_full_rate_jpy_tn = self.grant_full_rate_jpy_tn[1:] + [full_rate_jpy_tn]
        return self._draw(min(max(asked_jpy_tn, 0.0), self.headroom_jpy_tn))

    def close(self, ceiling_jpy_tn_per_year: float, quarter: int) -> None:
        """End of quarter ``quarter``: at a year's end what it left is unused (an overdraft carries over);
        next quarter's funded shares, entitlements first."""
        if quarter == QUARTERS_PER_YEAR:
            self.unused_jpy_tn += max(ceiling_jpy_tn_per_year - self.spent_year_jpy_tn, 0.0)
            self.spent_year_jpy_tn = max(self.spent_year_jpy_tn - ceiling_jpy_tn_per_year, 0.0)
        if self.funded_share > 0:
            self.full_rate_cost_jpy_tn = self.claimed_jpy_tn / self.funded_share
        available = max(self.allotment_jpy_tn(ceiling_jpy_tn_per_year, quarter % QUARTERS_PER_YEAR + 1), 0.0)
        self.funded_share = _share(available, self.full_rate_cost_jpy_tn)
        self.grant_share = _share(available - self.funded_share * self.full_rate_cost_jpy_tn,
                                  sum(self.grant_full_rate_jpy_tn) / QUARTERS_PER_YEAR)


def _share(available_jpy_tn: float, need_jpy_tn: float) -> float:
    """Share of a need the money available funds, at most 1 (no need: 1 if there is any money, else 0)."""
    if need_jpy_tn > 0:
        return min(max(available_jpy_tn, 0.0) / need_jpy_tn, 1.0)
    return 1.0 if available_jpy_tn > 0 else 0.0


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
