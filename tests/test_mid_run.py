"""Policy levers changed during a run (SovereignAIModel.apply_policy): validated, used from that quarter on.

A field declared ``mid_run`` (abm/schema.py) must be read every quarter: changing it mid-run must change the later
quarters' outputs versus the unchanged run with the same seed, and leave every earlier quarter identical.
"""

from __future__ import annotations

import pandas as pd
import pytest

from abm.levers import atlas
from abm.model import SovereignAIModel
from abm.scenario import ScenarioError, load_scenario
from abm.schema import field_specs, mid_run_fields

SMALL = {"population.firms": 300, "population.talent": 400, "population.data_holders": 60}
CHANGE_AT = 12        # 2029 Q1: before the data centre, the release and the privacy framework
CONSTRUCTION_ONLY = ("policy.role_division", "policy.domestic_dc_ready_year", "policy.financing")
# the grid strategy acts only when the data centre is due before the grid can connect it (levers.toml): a 2027
# data centre, changed in its ready quarter (2027 Q1)
BASE = {"policy.dc_grid_strategy": ({"policy.domestic_dc_ready_year": 2027}, 4)}


def _run(changes: dict | None = None, at: int = CHANGE_AT, base: dict | None = None) -> pd.DataFrame:
    m = SovereignAIModel(load_scenario("gov-led", {**SMALL, **(base or {})}))
    while m.running:
        if changes and m.quarter_index == at:
            m.apply_policy(changes)
        m.step()
    return m.datacollector.get_model_vars_dataframe().reset_index(drop=True)


@pytest.fixture(scope="module")
def unchanged() -> pd.DataFrame:
    return _run()


def _other_setting(path: str):
    """The atlas's low or high setting, whichever differs from gov-led's value."""
    entry = atlas().by_name()[path]
    now = getattr(load_scenario("gov-led").policy, path.split(".", 1)[1])
    return entry.low if entry.low != now else entry.high


def test_mid_run_set_is_declared_levers_only():
    specs = field_specs()
    assert len(mid_run_fields()) >= 8
    assert all(specs[p].lever and p.startswith("policy.") for p in mid_run_fields())
    assert not set(CONSTRUCTION_ONLY) & set(mid_run_fields())


@pytest.mark.parametrize("path", mid_run_fields())
def test_a_mid_run_lever_changes_later_quarters_only(unchanged, path):
    value = _other_setting(path)
    base, at = BASE.get(path, (None, CHANGE_AT))
    changed = _run({path: value}, at, base)
    unchanged = _run(base=base) if base else unchanged
    cols = [c for c in unchanged.columns if pd.api.types.is_numeric_dtype(unchanged[c])]
    before = (changed[cols].iloc[:at] - unchanged[cols].iloc[:at]).abs().to_numpy().max()
    after = (changed[cols].iloc[at:] - unchanged[cols].iloc[at:]).abs()
    moved = after.max().sort_values(ascending=False)
    print(f"{path} -> {value!r} from quarter {at}: largest later change {moved.index[0]} {moved.iloc[0]:.4g}")
    assert before == 0.0, f"{path}: quarters before the change moved by {before}"
    assert moved.iloc[0] > 1e-9, f"{path}: changing it mid-run changed nothing (is it read only at construction?)"


def test_change_is_recorded_and_deterministic():
    a, b = SovereignAIModel(load_scenario("gov-led", SMALL)), SovereignAIModel(load_scenario("gov-led", SMALL))
    for m in (a, b):
        for _ in range(4):
            m.step()
        done = m.apply_policy({"policy.compute_budget_jpy_tn_per_year": 1.5,
                               "policy.adoption_subsidy_rate": 0.2})   # unchanged value: not recorded
        assert [(c.year, c.quarter, c.path, c.old, c.new) for c in done] == [
            (2027, 1, "policy.compute_budget_jpy_tn_per_year", 0.45, 1.5)]
        assert m.inputs.policy.compute_budget_jpy_tn_per_year == 1.5 and m.policy_changes == done
        m.run()
    pd.testing.assert_frame_equal(a.datacollector.get_model_vars_dataframe(),
                                  b.datacollector.get_model_vars_dataframe())


@pytest.mark.parametrize("changes, words", [
    ({"policy.compute_budget_jpy_tn_per_year": 9.0}, ["policy.compute_budget_jpy_tn_per_year", "[0, 5]"]),
    ({"policy.compute_budgt_jpy_tn_per_year": 1.0}, ["did you mean"]),
    ({"policy.role_division": "full_state"}, ["policy.role_division", "cannot change during a run"]),
    ({"run.seed": 7}, ["run.seed", "cannot change during a run"]),
])
def test_bad_changes_are_refused_in_one_line_and_change_nothing(changes, words):
    m = SovereignAIModel(load_scenario("gov-led", SMALL))
    m.step()
    before = m.inputs.model_dump()
    with pytest.raises(ScenarioError) as err:
        m.apply_policy({"policy.adoption_subsidy_rate": 0.5, **changes})
    assert all(w in str(err.value) for w in words) and "\n" not in str(err.value), str(err.value)
    assert m.inputs.model_dump() == before and m.policy_changes == []
