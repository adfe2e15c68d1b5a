"""Model contract: Mesa idioms, reproducibility, batch_run, the output columns."""

from __future__ import annotations

import mesa
import pandas as pd
import pytest

from abm.model import SovereignAIModel
from abm.scenario import ScenarioError
from agents.firm import Firm
from agents.talent import Talent

CONTRACT = ["year", "quarter", "adoption_rate", "adoption_share_sovereign", "adoption_share_foreign",
            "adoption_share_open", "talent_domestic", "talent_abroad", "talent_retention_rate",
            "digital_deficit_jpy_tn", "compute_in_service_h100e", "base_model_quality", "data_shared_index",
            "sovereignty_index", "public_investment_cum_jpy_tn", "private_investment_cum_jpy_tn",
            "outcomes_cum_jpy_tn"]


def test_runs_sixty_quarters_and_stops(run_cached):
    ts = run_cached("gov-led").timeseries
    assert len(ts) == 60
    assert (ts["year"].iloc[0], ts["quarter"].iloc[0]) == (2026, 1)
    assert (ts["year"].iloc[-1], ts["quarter"].iloc[-1]) == (2040, 4)
    assert set(CONTRACT) <= set(ts.columns)
    assert not ts[CONTRACT].isna().any().any()


def test_model_uses_mesa_network_and_agents():
    m = SovereignAIModel(population__firms=100, population__talent=150, population__data_holders=20)
    assert isinstance(m.space, mesa.discrete_space.Network)
    assert len(m.agents_by_type[Firm]) == 100
    f = m.agents_by_type[Firm][0]
    assert f.cell is m.space[m.blocks.firms + f.idx]
    assert f.source in ("none", "foreign", "open", "sovereign")
    n_talent = len(m.agents_by_type[Talent])
    for _ in range(5):
        m.step()
    assert len(m.agents_by_type[Talent]) > n_talent  # graduates entered as new agents in Q1


def test_same_seed_identical_different_seed_differs(tmp_path):
    def run(seed):
        m = SovereignAIModel(rng=seed, run__end_year=2030)
        m.run()
        path = tmp_path / f"{seed}-{len(list(tmp_path.iterdir()))}.parquet"
        m.datacollector.get_model_vars_dataframe().to_parquet(path)
        return path.read_bytes(), pd.read_parquet(path)
    a_bytes, a = run(7)
    b_bytes, _ = run(7)
    _, c = run(8)
    assert a_bytes == b_bytes
    assert not a.equals(c)


def test_each_drawing_population_has_its_own_stream_of_the_models_rng():
    """The streams are spawned from the model's rng (so the seed fixes them, whatever was drawn before) and are
    independent: a lever that changes how many draws one population makes leaves the others' draws alone."""
    small = dict(population__firms=100, population__talent=150, population__data_holders=20)
    a, b = SovereignAIModel(rng=7, **small), SovereignAIModel(rng=7, **small)
    names = ("rng_data_holders", "rng_talent", "rng_firms")
    b.rng_talent.random(10_000)                       # b's talent population has drawn far more
    firsts = {n: (getattr(a, n).random(4), getattr(b, n).random(4)) for n in names}
    assert (firsts["rng_firms"][0] == firsts["rng_firms"][1]).all()
    assert (firsts["rng_data_holders"][0] == firsts["rng_data_holders"][1]).all()
    assert not (firsts["rng_talent"][0] == firsts["rng_talent"][1]).any()
    assert len({tuple(firsts[n][0]) for n in names}) == 3                 # three different streams
    c = SovereignAIModel(rng=8, **small)
    assert not (c.rng_firms.random(4) == SovereignAIModel(rng=7, **small).rng_firms.random(4)).any()


def test_keyword_fields_and_errors():
    m = SovereignAIModel("private-led", policy__compute_budget_jpy_tn_per_year=0.6)
    assert m.inputs.policy.compute_budget_jpy_tn_per_year == 0.6
    assert m.inputs.policy.role_division == "private_led"
    with pytest.raises(ScenarioError):
        SovereignAIModel(policy__compute_budget_jpy_tn_per_year=99)
    with pytest.raises(TypeError):
        SovereignAIModel(compute=1)


def test_batch_run():
    rows = mesa.batch_run(SovereignAIModel,
                          parameters={"policy__role_division": ["gov_led", "foreign_dependent"],
                                      "population__firms": [150], "population__talent": [200],
                                      "population__data_holders": [30]},
                          rng=[1, 2], max_steps=8, number_processes=1, data_collection_period=-1,
                          display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 4
    assert set(df["policy__role_division"]) == {"gov_led", "foreign_dependent"}
    assert (df["Step"] == 8).all() and df["adoption_rate"].between(0, 1).all()


def test_agent_snapshots_opt_in():
    m = SovereignAIModel(collect_agents=True, run__end_year=2026, population__firms=80,
                         population__talent=100, population__data_holders=20)
    m.run()
    firms = m.datacollector.get_agenttype_vars_dataframe(Firm)
    assert len(firms) == 80 * 4 and {"source", "sector"} <= set(firms.columns)
