"""Ledger identities over random valid scenarios (a seeded numpy generator): every quarter of every run.

Scenarios draw every field of [policy], [environment], [behaviour] and [costs], the financing (mostly bonds)
and up to three shocks at random within the schema's bounds, on small populations and a random horizon so
that many runs are cheap. `fuzz_full` runs 200 of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from abm.accounting import CATEGORIES, INVESTMENT, OUTCOMES, PERIODS
from abm.report import simulate
from abm.scenario import load_scenario
from abm.schema import field_specs, shock_field_specs

RANDOM_SECTIONS = ("policy", "environment", "behaviour", "costs")
TOL = 1e-9


def _draw(spec, rng):
    if spec.choices:
        return str(rng.choice(spec.choices))
    if spec.type is bool:
        return bool(rng.random() < 0.5)
    if spec.type is int:
        return int(rng.integers(spec.ge, spec.le + 1))
    return float(rng.uniform(spec.ge, spec.le))


def random_scenario(seed: int):
    """A valid scenario: every policy, environment, behaviour and cost field drawn within its bounds, financing
    (mostly bonds), shocks and a horizon ending 2028-2040."""
    rng = np.random.default_rng(seed)
    specs = field_specs()
    over = {"population.firms": int(rng.integers(20, 120)), "population.talent": int(rng.integers(20, 120)),
            "population.data_holders": int(rng.integers(5, 30)), "population.asean_partners": int(rng.integers(1, 6)),
            "run.seed": int(rng.integers(0, 2**31)), "run.end_year": int(rng.integers(2028, 2041))}
    for path, spec in specs.items():
        if path.split(".")[0] in RANDOM_SECTIONS:
            over[path] = _draw(spec, rng)
    over["policy.financing"] = "ai_transition_bond" if rng.random() < 0.75 else "tax"
    shock_specs = shock_field_specs()
    shocks = [{k.split(".")[1]: _draw(s, rng) for k, s in shock_specs.items()} for _ in range(rng.integers(0, 4))]
    base = load_scenario("gov-led", over).model_dump()
    return load_scenario({**base, "shocks": shocks, "name": f"random-{seed}"})


def identities(ts, model) -> dict[str, np.ndarray]:
    """Each identity as a boolean array over quarters (True: holds)."""
    def close(a, b):
        return np.isclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9, atol=TOL)

    out = {}
    for c in CATEGORIES:
        out[f"cum {c} = sum of flows"] = close(ts[f"cost_{c}_jpy_tn"].cumsum(), ts[f"cost_{c}_cum_jpy_tn"])
    for k in OUTCOMES:
        out[f"cum outcome {k} = sum of flows"] = close((ts[f"outcome_{k}_jpy_tn_per_year"] / 4).cumsum(),
                                                       ts[f"outcome_{k}_cum_jpy_tn"])
    out["cum public cost = sum of flows"] = close(ts["public_cost_jpy_tn"].cumsum(), ts["public_cost_cum_jpy_tn"])
    out["investment = sum of categories"] = close(ts[[f"cost_{c}_cum_jpy_tn" for c in INVESTMENT]].sum(axis=1),
                                                  ts["investment_cum_jpy_tn"])
    out["outcomes = sum of kinds"] = close(ts[[f"outcome_{k}_cum_jpy_tn" for k in OUTCOMES]].sum(axis=1),
                                           ts["outcomes_cum_jpy_tn"])
    out["flows = public + private"] = close(ts[[f"cost_{c}_jpy_tn" for c in CATEGORIES]].sum(axis=1),
                                            ts["public_cost_jpy_tn"] + ts["private_cost_jpy_tn"])
    out["direct + indirect = total"] = close(
        ts["outcomes_direct_jpy_tn_per_year"] + ts["outcomes_indirect_jpy_tn_per_year"],
        ts[[f"outcome_{k}_jpy_tn_per_year" for k in OUTCOMES]].sum(axis=1))
    bal, red, interest = (ts[c].to_numpy() for c in ("bond_balance_jpy_tn", "bond_redeemed_jpy_tn",
                                                     "bond_interest_jpy_tn"))
    direct = ts["outcomes_direct_jpy_tn_per_year"].to_numpy() / 4
    out["bond balance >= 0"] = bal >= -TOL
    out["redemption >= 0"] = red >= 0
    income = ts["public_income_jpy_tn"].to_numpy()
    out["income >= 0"] = income >= 0
    out["redemption <= positive direct outcomes + public income"] = red <= np.maximum(direct, 0) + income + TOL
    out["cum redemption never falls"] = np.diff(np.r_[0.0, ts["bond_redeemed_cum_jpy_tn"]]) >= -TOL
    out["cum redemption = sum of flows"] = close(np.cumsum(red), ts["bond_redeemed_cum_jpy_tn"])
    out["cum interest = sum of flows"] = close(np.cumsum(interest), ts["bond_interest_cum_jpy_tn"])
    if model.inputs.policy.financing == "ai_transition_bond":
        out["balance moves by issue + interest - redemption"] = close(
            np.diff(np.r_[0.0, bal]), ts["public_cost_jpy_tn"] + interest - red)
    else:
        out["tax: no bonds"] = (bal == 0) & (red == 0) & (interest == 0)
    by_period = sum(model.ledger.by_period[p][c] for p in PERIODS for c in CATEGORIES)
    out["periods sum to the total (end)"] = np.array([np.isclose(by_period, sum(model.ledger.cum[c]
                                                                                for c in CATEGORIES))])
    return out


def check_runs(seeds) -> dict:
    """Run each random scenario; return counts of checks, violations (by identity) and negative-direct quarters."""
    checks, violations, negative_direct = 0, {}, 0
    for seed in seeds:
        result = simulate(random_scenario(seed))
        ts = result.timeseries
        for name, ok in identities(ts, result.model).items():
            checks += ok.size
            if not ok.all():
                violations.setdefault(name, []).append(seed)
        if result.model.inputs.policy.financing == "ai_transition_bond":
            negative_direct += int((ts["outcomes_direct_jpy_tn_per_year"] < 0).sum())
    return {"runs": len(seeds), "checks": checks, "violations": violations, "negative_direct": negative_direct}


def test_random_scenarios_are_valid_and_varied():
    a, b = random_scenario(1), random_scenario(2)
    assert a != b and a.model_dump(exclude={"name"}) != b.model_dump(exclude={"name"})
    assert {random_scenario(s).policy.financing for s in range(8)} == {"tax", "ai_transition_bond"}


def test_identities_detect_a_broken_ledger():
    result = simulate(random_scenario(3))
    ts = result.timeseries.copy()
    ts.loc[5, "cost_hardware_cum_jpy_tn"] += 0.1
    ts.loc[7, "bond_redeemed_jpy_tn"] = -0.5
    broken = {name for name, ok in identities(ts, result.model).items() if not ok.all()}
    assert {"cum hardware = sum of flows", "investment = sum of categories", "redemption >= 0"} <= broken


def test_ledger_identities_hold_for_random_valid_scenarios():
    report = check_runs(range(100, 124))
    assert report["violations"] == {}
    assert report["negative_direct"] > 0  # the generator reaches quarters whose direct outcomes are negative


@pytest.mark.fuzz_full
def test_ledger_identities_hold_for_200_random_valid_scenarios():
    report = check_runs(range(1000, 1200))
    assert report["violations"] == {}, report
    assert report["negative_direct"] > 0
