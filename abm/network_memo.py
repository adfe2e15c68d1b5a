"""The last ecosystem network built (its edge table, and its graph if one was asked for), reused by the next model
built from the same population and generator state.

A run's paired counterfactual (:func:`abm.report.simulate`, ``abm/appraisal.py``) is the same scenario with the
public spending lines removed, on the same seed: its network is the run's network, edge for edge, because
:func:`abm.network.network_edges` reads only the scenario's ``population`` and ``run`` sections
(:data:`SECTIONS`) and the generator. So the graph of the previous build is handed out again when both match,
and the generator is set to the state the build would have left it in: every later draw is the same as with a
fresh build. The same holds for design points of a sweep that differ only in policy, on a common seed.

One graph is kept (memory stays bounded by one model's graph) and only while it is unchanged (networkx clears
its cache on every change made through its API: :func:`abm.graph_arrays.unchanged`). The models that share a
graph only read it. If :func:`~abm.network.network_edges` ever reads another scenario section, add it to
:data:`SECTIONS` (``tests/test_network_memo.py`` checks the other sections do not change the graph).
"""

from __future__ import annotations

import json
import threading

from abm.graph_arrays import unchanged
from abm.network import graph_of, network_edges

SECTIONS = ("population", "run")   # what network_edges reads of the scenario (run: the horizon)
_last: tuple | None = None         # (key, edge table, graph or None, generator state after the build)
_lock = threading.Lock()


def key(scenario, rng) -> str:
    """What the graph is a function of: the sections it reads (not the run's seed: the generator's state
    stands for it) and the generator's state before the build."""
    data = {s: getattr(scenario, s).model_dump(mode="json") for s in SECTIONS}
    data["run"].pop("seed", None)
    return json.dumps([data, rng.bit_generator.state], sort_keys=True, default=str)


def remembered(scenario, rng, graph: bool = True) -> tuple:
    """``(G, table)``: the ecosystem built from ``rng`` (:func:`abm.network.network_edges`, and its networkx
    graph :func:`abm.network.graph_of` if ``graph``, else ``G`` is None), or what the last build gave for the
    same key, the generator advanced alike. A remembered table without its graph is completed when a graph is
    asked for; a remembered graph changed since is not handed out again."""
    global _last
    k = key(scenario, rng)
    last = _last
    if last is not None and last[0] == k and (last[2] is None or unchanged(last[2])):
        rng.bit_generator.state = last[3]
        table, G = last[1], last[2]
        if graph and G is None:
            G = graph_of(scenario, table)
            with _lock:
                _last = (k, table, G, last[3])
        return (G if graph else None), table
    table = network_edges(scenario, rng)
    G = graph_of(scenario, table) if graph else None
    with _lock:
        _last = (k, table, G, rng.bit_generator.state)
    return G, table


def forget() -> None:
    """Drop the remembered graph."""
    global _last
    _last = None
