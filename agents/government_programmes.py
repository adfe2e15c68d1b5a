"""The government's public programmes (talent top-ups, adoption subsidies, data platform, ASEAN co-creation).

They are entitlements set by the levers: what they cost follows from the levers and from what the other
populations did (specialists at home, firms' new domestic adoptions), and is booked as public cost.
"""

from __future__ import annotations

from abm.exchange import InForce
from abm.vocab import JPY_PER_MILLION, JPY_PER_TN, QUARTERS_PER_YEAR


def book_programmes(model, role, in_force: InForce, persons_home: float, subsidy_due_jpy_tn: float) -> None:
    """Book this quarter's programme costs (JPY tn) as government spending in ``model.ledger``."""
    p, c, r = model.inputs.policy, model.inputs.costs, model.inputs.rules
    topup = (in_force.wage_topup_share * c.domestic_ai_wage_jpy_m * JPY_PER_MILLION * persons_home
             / QUARTERS_PER_YEAR / JPY_PER_TN)
    platform = (r.gov_data_platform_cost_jpy_tn_per_year / QUARTERS_PER_YEAR * role.data_platform_scale
                * in_force.data_contracts)
    asean = r.gov_asean_cocreation_cost_jpy_tn_per_year / QUARTERS_PER_YEAR * role.programme_scale * p.asean_cocreation
    subsidy = subsidy_due_jpy_tn / QUARTERS_PER_YEAR
    model.ledger.book("programmes", topup + platform + asean + subsidy, "government")
