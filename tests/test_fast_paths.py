"""The model's fast paths give exactly what the library calls they stand for give.

- :func:`abm.graph_arrays.add_kind_nodes` / :func:`~abm.graph_arrays.add_layer_edges` build the same graph as
  networkx's ``add_nodes_from`` / ``add_edges_from``: same node and edge attributes, same neighbour order;
- :class:`abm.collector.Collector` records the same values as ``mesa.DataCollector`` (and still copies a
  mutable value, so a later change to it does not reach the record);
- :func:`agents.firm_rules.row_max` equals ``a.max(axis=1)``, NaN and infinities included.
"""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from abm.collector import Collector
from abm.graph_arrays import add_kind_nodes, add_layer_edges
from abm.metrics import model_reporters
from abm.model import SovereignAIModel
from agents.firm_rules import row_max


def _layout(G: nx.Graph):
    return list(G.nodes(data=True)), [(u, list(nbrs.items())) for u, nbrs in G.adjacency()]


def test_graph_fill_matches_networkx_including_repeated_and_relabelled_edges():
    rng = np.random.default_rng(3)
    fast, slow = nx.Graph(), nx.Graph()
    for kind, count in (("a", 1), ("b", 40), ("c", 25)):
        start = len(slow)
        slow.add_nodes_from(range(start, start + count), kind=kind)
        for i in range(count):
            slow.nodes[start + i]["idx"] = i
        add_kind_nodes(fast, count, kind)
    for layer in ("x", "y", "x"):   # the second "x" relabels nothing new; "y" re-labels edges shared with "x"
        u, v = rng.integers(0, 66, 120), rng.integers(0, 66, 120)   # repeats and self-loops included
        slow.add_edges_from(zip(u.tolist(), v.tolist()), layer=layer)
        add_layer_edges(fast, u, v, layer)
    assert _layout(fast) == _layout(slow)
    assert list(fast.edges(data=True)) == list(slow.edges(data=True))
    assert fast.number_of_edges() == slow.number_of_edges()


def test_graph_fill_refuses_a_missing_endpoint():
    G = nx.Graph()
    add_kind_nodes(G, 3, "a")
    with pytest.raises(ValueError, match="not a node"):
        add_layer_edges(G, np.array([0]), np.array([3]), "x")


def test_collector_records_what_mesa_records():
    ours, theirs = SovereignAIModel(rng=4), SovereignAIModel(rng=4)
    theirs.datacollector = mesa.DataCollector(model_reporters=model_reporters())
    for _ in range(6):
        ours.step()
        theirs.step()
    a, b = ours.datacollector.get_model_vars_dataframe(), theirs.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert isinstance(ours.datacollector, Collector)


def test_collector_still_copies_a_mutable_value():
    class Holder(mesa.Model):
        pass

    model = Holder()
    model.box = [1.0]
    dc = Collector(model_reporters={"box": lambda m: m.box, "n": lambda m: np.float64(len(m.box))})
    dc.collect(model)
    model.box.append(2.0)
    dc.collect(model)
    assert dc.model_vars["box"] == [[1.0], [1.0, 2.0]]
    assert dc.model_vars["n"] == [1.0, 2.0] and isinstance(dc.model_vars["n"][0], np.float64)


def test_row_max_equals_numpy_max():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 3))
    a[rng.random(a.shape) < 0.1] = -np.inf
    a[rng.random(a.shape) < 0.02] = np.nan
    assert np.array_equal(row_max(a), a.max(axis=1), equal_nan=True)
