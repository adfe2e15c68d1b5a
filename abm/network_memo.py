"""The last ecosystem graph built, reused by the next model built from the same population and generator state.

A run's paired counterfactual (:func:`abm.report.simulate`, ``abm/appraisal.py``) is the same scenario with the
public spending lines removed, on the same seed: its graph is the run's graph, edge for edge, because
:func:`abm.network.build_network` reads only the scenario's ``population`` and ``run`` sections
(:data:`SECTIONS`) and the generator. So the graph of the previous build is handed out again when both match,
and the generator is set to the state the build would have left it in: every later draw is the same as with a
fresh build. The same holds for design points of a sweep that differ only in policy, on a common seed.

One graph is kept (memory stays bounded by one model's graph) and only while it is unchanged (networkx clears
its cache on every change made through its API: :func:`abm.graph_arrays.unchanged`). The models that share a
graph only read it. If :func:`~abm.network.build_network` ever reads another scenario section, add it to
:data:`SECTIONS` (``tests/test_network_memo.py`` checks the other sections do not change the graph).
"""

from __future__ import annotations

import json
import threading

from abm.graph_arrays import unchanged

SECTIONS = ("population", "run")   # what build_network reads of the scenario (run: the horizon)
_last: tuple | None = None         # (key, graph, generator state after the build)
_lock = threading.Lock()


def key(scenario, rng) -> str:
    """What the graph is a function of: the sections it reads (not the run's seed: the generator's state
    stands for it) and the generator's state before the build."""
    data = {s: getattr(scenario, s).model_dump(mode="json") for s in SECTIONS}
    data["run"].pop("seed", None)
    return json.dumps([data, rng.bit_generator.state], sort_keys=True, default=str)


def remembered(build, scenario, rng):
    """``build(scenario, rng)``, or the graph it gave last time for the same key (generator advanced alike)."""
    global _last
    k = key(scenario, rng)
    last = _last
    if last is not None and last[0] == k and unchanged(last[1]):
        rng.bit_generator.state = last[2]
        return last[1]
    G = build(scenario, rng)
    with _lock:
        _last = (k, G, rng.bit_generator.state)
    return G


def forget() -> None:
    """Drop the remembered graph."""
    global _last
    _last = None
