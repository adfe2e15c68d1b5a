"""A model built without Mesa agent views (``agent_views=False``: sweeps and paired counterfactuals) gives the same
outputs as one with them, bit for bit: the rules read and write the populations' arrays only."""

from __future__ import annotations

import pandas as pd
import pytest

from abm.model import SovereignAIModel
from abm.report import simulate
from experiments.runner import simulate_run

SMALL = {"population.firms": 300, "population.talent": 400, "population.data_holders": 60}


@pytest.mark.parametrize("preset, seed", [("gov-led", 4), ("foreign-dependent", 5)])
def test_without_views_every_output_is_the_same(preset, seed):
    from abm.scenario import load_scenario
    scenario = load_scenario(preset, SMALL)
    full = simulate(scenario, seed=seed)
    lean = simulate(scenario, seed=seed, agent_views=False)
    pd.testing.assert_frame_equal(full.timeseries, lean.timeseries, check_exact=True)
    assert full.summary == lean.summary
    assert len(full.model.agents) > 1000 and full.model.space is not None
    assert len(lean.model.agents) == 1 and lean.model.space is None   # the government only


def test_a_sweep_run_matches_the_full_model():
    """The sweep's run function builds no views; its rows are those of a full run of the same seed."""
    from abm.scenario import load_scenario
    scenario = load_scenario("gov-led", SMALL)
    ts, summary = simulate_run(scenario, 6)
    full = simulate(scenario, seed=6)
    pd.testing.assert_frame_equal(full.timeseries, ts, check_exact=True)
    assert full.summary == summary


def test_agent_data_needs_the_views():
    with pytest.raises(ValueError, match="collect_agents=True needs agent_views=True"):
        SovereignAIModel("gov-led", collect_agents=True, agent_views=False)
