"""The remembered graph (abm/network_memo.py) and the sweep computing only what it keeps (experiments/runner.py):
both leave every result bit for bit as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd

from abm import network_memo
from abm.appraisal import counterfactual_scenario
from abm.graph_arrays import edge_table
from abm.model import SovereignAIModel
from abm.network import build_network
from abm.scenario import load_scenario
from experiments.runner import appraisal_metric_names, needs_appraisal, run_chunk

SMALL = {"population.firms": 80, "population.talent": 120, "population.data_holders": 12, "run.end_year": 2029}


def _run(scenario, seed):
    model = SovereignAIModel(scenario, rng=seed)
    model.run()
    return model, model.datacollector.get_model_vars_dataframe()


def test_counterfactual_reuses_the_graph_and_runs_exactly_as_with_a_fresh_build():
    scenario = load_scenario("gov-led", SMALL)
    cf = counterfactual_scenario(scenario)
    network_memo.forget()
    _, fresh = _run(cf, 11)                       # nothing remembered: its own build
    network_memo.forget()
    first, _ = _run(scenario, 11)
    shared, reused = _run(cf, 11)                 # same seed and population: the run's graph again
    assert shared.graph is first.graph
    pd.testing.assert_frame_equal(fresh, reused, check_exact=True)


def test_a_different_seed_or_population_builds_a_new_graph():
    scenario = load_scenario("gov-led", SMALL)
    network_memo.forget()
    a, _ = _run(scenario, 1)
    b, _ = _run(scenario, 2)
    c, _ = _run(load_scenario("gov-led", {**SMALL, "population.firms": 81}), 2)
    assert a.graph is not b.graph and b.graph is not c.graph
    assert c.graph.number_of_nodes() == b.graph.number_of_nodes() + 1


def test_a_changed_graph_is_not_handed_out_again():
    scenario = load_scenario("gov-led", SMALL)
    network_memo.forget()
    G, _ = network_memo.remembered(scenario, np.random.default_rng(3))
    G.add_node(10**6, kind="firm")
    again, _ = network_memo.remembered(scenario, np.random.default_rng(3))
    assert again is not G and again.number_of_nodes() == G.number_of_nodes() - 1


def test_the_graph_reads_no_section_outside_the_memo_key():
    """Everything but population and run changed (policy, rules, environment, behaviour, costs...): the same
    edges and the same generator state after the build. Fails if build_network starts reading another section."""
    base = load_scenario("gov-led", SMALL)
    other = load_scenario("private-led", {**SMALL, "environment.jpy_per_usd": 180.0,
                                          "behaviour.bass_imitation_per_year": 0.7})
    other = counterfactual_scenario(other)
    assert other.model_dump(exclude={"population", "run", "name"}) != base.model_dump(exclude={"population", "run", "name"})
    assert network_memo.key(base, np.random.default_rng(5)) == network_memo.key(other, np.random.default_rng(5))
    ra, rb = np.random.default_rng(5), np.random.default_rng(5)
    ta, tb = edge_table(build_network(base, ra)), edge_table(build_network(other, rb))
    assert ra.bit_generator.state == rb.bit_generator.state
    assert set(ta.layers) == set(tb.layers)
    for layer in ta.layers:
        for x, y in zip(ta.layers[layer], tb.layers[layer]):
            np.testing.assert_array_equal(x, y)


def test_a_sweep_without_appraisal_outputs_skips_the_counterfactual_and_keeps_the_same_numbers():
    from abm.report import _counterfactual_ts

    scenario = load_scenario("gov-led", SMALL).model_dump(mode="json")
    specs = [{"run_id": f"r{s}", "seed": s, "scenario": {**scenario, "run": {**scenario["run"], "seed": s}}}
             for s in (21, 22)]
    kept = ["deficit_2025_jpy_tn", "investment_total_jpy_tn", "outcomes_cum_jpy_tn", "report_method_npv_jpy_tn"]
    assert not needs_appraisal(kept) and needs_appraisal(None) and needs_appraisal(kept + ["npv_jpy_tn"])
    assert {"payback_year", "npv_jpy_tn", "attributable_outcomes_cum_healthcare_jpy_tn"} <= appraisal_metric_names()
    _counterfactual_ts.cache_clear()
    every = run_chunk("all", specs, ["adoption_rate"], None)
    assert _counterfactual_ts.cache_info().misses == 2
    _counterfactual_ts.cache_clear()
    some = run_chunk("some", specs, ["adoption_rate"], kept)
    assert _counterfactual_ts.cache_info().misses == 0          # no counterfactual was run
    for full, part in zip(every["rows"], some["rows"]):
        assert full["status"] == part["status"] == "ok"
        assert None not in [part[k] for k in kept]
        assert {k: part[k] for k in kept} == {k: full[k] for k in kept}
        print(part["run_id"], {k: part[k] for k in kept})
    pd.testing.assert_frame_equal(every["timeseries"], some["timeseries"], check_exact=True)


def _same_graph(G, H):
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert [(u, list(n.items())) for u, n in G.adjacency()] == [(u, list(n.items())) for u, n in H.adjacency()]


def test_a_table_remembered_without_its_graph_is_completed_to_the_same_graph():
    """A lean model (no agent views) builds only the edge table; a later full model of the same key gets the
    graph a fresh build gives, node for node and edge for edge, and the generator in the same state."""
    scenario = load_scenario("gov-led", SMALL)
    network_memo.forget()
    fresh_rng = np.random.default_rng(8)
    fresh = build_network(scenario, fresh_rng)
    network_memo.forget()
    G, table = network_memo.remembered(scenario, np.random.default_rng(8), graph=False)
    assert G is None
    rng = np.random.default_rng(8)
    H, again = network_memo.remembered(scenario, rng, graph=True)
    assert again is table and edge_table(H) is table
    assert rng.bit_generator.state == fresh_rng.bit_generator.state
    _same_graph(fresh, H)


def test_a_model_without_views_has_no_graph_and_runs_as_one_with_it():
    scenario = load_scenario("gov-led", SMALL)
    network_memo.forget()
    lean = SovereignAIModel(scenario, rng=9, agent_views=False)
    lean.run()
    network_memo.forget()
    full, full_ts = _run(scenario, 9)
    assert lean.graph is None and full.graph.number_of_nodes() > 0
    pd.testing.assert_frame_equal(full_ts, lean.datacollector.get_model_vars_dataframe(), check_exact=True)
