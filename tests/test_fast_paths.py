"""The model's fast paths give exactly what the library calls they stand for give.

- :func:`abm.graph_arrays.add_kind_nodes` / :func:`~abm.graph_arrays.add_layer_edges` build the same graph as
  networkx's ``add_nodes_from`` / ``add_edges_from``: same node and edge attributes, same neighbour order;
- :class:`abm.collector.Collector` records the same values as ``mesa.DataCollector`` (and still copies a
  mutable value, so a later change to it does not reach the record);
- :func:`agents.firm_rules.row_max` equals ``a.max(axis=1)``, NaN and infinities included;
- :class:`abm.accounting.YearMeans` gives the summary's annual means exactly as pandas' ``.loc`` and ``mean`` did.
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
from abm.accounting import YearMeans
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


def _pandas_year_mean(ts: pd.DataFrame, column: str, year: int):
    """What the summary computed before :class:`abm.accounting.YearMeans` (pandas' ``.loc`` per value)."""
    rows = ts.loc[ts["year"] == year, column]
    return float(rows.mean()) if len(rows) else None


def test_year_means_equal_pandas_means_bit_for_bit_nan_included():
    rng = np.random.default_rng(11)
    years = np.repeat(np.arange(2026, 2041), 4)
    ts = pd.DataFrame({"year": years, "x": rng.normal(size=len(years)) * 10.0 ** rng.integers(-8, 8, len(years)),
                       "n": rng.integers(-5, 5, len(years)), "b": rng.random(len(years)) < 0.5})
    ts.loc[[4, 9, 10, 20, 21, 22, 23], "x"] = np.nan   # 2027: one NaN, 2028: two, 2031: all four
    means = YearMeans(ts)
    checked = 0
    for column in ("x", "n", "b"):
        for year in (2025, *range(2026, 2041), 2041):
            got, want = means(column, year), _pandas_year_mean(ts, column, year)
            if want is None:
                assert got is None, (column, year, got)
            elif np.isnan(want):
                assert got is not None and np.isnan(got), (column, year, got)
            else:
                assert got == want and type(got) is float, (column, year, got, want)
            checked += 1
    assert checked == 3 * 17
    assert means("x", 2025) is None and np.isnan(means("x", 2031)) and not np.isnan(means("x", 2028))
