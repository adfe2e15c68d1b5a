"""Measurement pieces of `make bench` (see :mod:`experiments.bench`): population scaling, memory readings,
per-phase timing from outside the model, and one profiled run in a fresh process.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

STEP_PHASES = ("environment", "government", "data_holders", "talent", "firms", "asean", "ledger",
               "data_collection")
CONSTRUCTION_PHASES = ("network", "space", "data_holders", "talent", "firms", "asean")


def population(firms: int) -> dict:
    """Scenario fields for a run with ``firms`` firms and the other populations in proportion to the default."""
    return {"population__firms": firms, "population__talent": int(round(1.5 * firms)),
            "population__data_holders": int(round(0.15 * firms))}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB).

    On Linux this is ``VmHWM`` of /proc/self/status: ``ru_maxrss`` of a freshly started child also counts the
    parent's resident memory at the fork (the kernel carries it over the exec), so it would overstate a small run.
    """
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    try:
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb / 1024.0 if sys.platform != "darwin" else kb / 2**20
    except ImportError:  # Windows
        import psutil
        return psutil.Process().memory_info().peak_wset / 2**20


def rss_mb() -> float:
    import psutil
    return psutil.Process().memory_info().rss / 2**20


# -- timing phases from outside --------------------------------------------------------------------------

class PhaseTimer:
    """Accumulates wall time per label of the callables it wraps."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    def timed(self, fn, label: str):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t0
        return wrapper

    def wrap_method(self, owner, attr: str, label: str) -> None:
        """Shadow ``owner.attr`` (a bound method) by a timed instance attribute; the call is unchanged."""
        setattr(owner, attr, self.timed(getattr(owner, attr), label))


def wrap_step_phases(model, timer: PhaseTimer) -> None:
    """Time each phase :meth:`SovereignAIModel.step` calls, by wrapping the bound methods it calls."""
    for label, owner, attr in (("environment", model.env, "advance"), ("government", model.government, "act"),
                               ("data_holders", model.data_holders, "step"), ("talent", model.talent, "step"),
                               ("firms", model.firms, "step"), ("asean", model.asean, "step"),
                               ("ledger", model, "_close_books"), ("data_collection", model.datacollector, "collect")):
        timer.wrap_method(owner, attr, label)


@contextlib.contextmanager
def construction_phases(timer: PhaseTimer):
    """While active, the constructors :class:`SovereignAIModel` calls are timed (module names patched back after).
    The remembered graph is dropped first, so that the network is built (and timed), not reused."""
    import abm.model
    from abm import network_memo

    network_memo.forget()
    wanted = {"remembered": "network", "EcosystemSpace": "space", "Network": "space",
              "DataHolderPopulation": "data_holders", "TalentPopulation": "talent", "FirmPopulation": "firms",
              "AseanPopulation": "asean"}
    saved = []
    for module in (abm.model, network_memo):
        for name, label in wanted.items():
            if module is network_memo and name != "remembered":
                continue
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, timer.timed(getattr(module, name), label))
    try:
        yield
    finally:
        for module, name, original in reversed(saved):
            setattr(module, name, original)


def run_profiled(firms: int, seed: int | None = None) -> dict:
    """One full run with construction and step phases timed; returns the figures (no model kept)."""
    from abm.model import SovereignAIModel

    build, steps = PhaseTimer(), PhaseTimer()
    gc.collect()
    collector = CollectorTimer()
    gc.callbacks.append(collector)
    try:
        t0 = time.perf_counter()
        with construction_phases(build):
            model = SovereignAIModel(rng=seed, **population(firms))
        t1 = time.perf_counter()
        gc_construct = collector.seconds
        wrap_step_phases(model, steps)
        agent_steps = n_steps = 0
        while model.running:
            model.step()
            n_steps += 1
            agent_steps += len(model.agents)
        t2 = time.perf_counter()
    finally:
        gc.callbacks.remove(collector)
    construct, stepping = t1 - t0, t2 - t1
    build_phases = {k: build.seconds.get(k, 0.0) for k in CONSTRUCTION_PHASES}
    build_phases["other"] = construct - sum(build_phases.values())
    step_phases = {k: steps.seconds.get(k, 0.0) for k in STEP_PHASES}
    step_phases["other"] = stepping - sum(step_phases.values())
    return {"firms": firms, "construct_s": construct, "steps_s": stepping, "total_s": construct + stepping,
            "steps": n_steps, "agents_end": len(model.agents), "agent_steps": agent_steps,
            "nodes": model.graph.number_of_nodes(), "edges": model.graph.number_of_edges(),
            "construction_phases_s": build_phases, "step_phases_s": step_phases,
            "gc_s": {"construct": gc_construct, "steps": collector.seconds - gc_construct,
                     "full_collections": collector.full}}


class CollectorTimer:
    """A ``gc.callbacks`` entry: wall time spent in the cyclic garbage collector, and its full collections."""

    def __init__(self):
        self.seconds, self.full, self._start = 0.0, 0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.full += info["generation"] == 2


def child_main(firms: int, seed: int | None) -> None:
    """``--child``: one run in this fresh process; prints one JSON line with its figures and peak memory."""
    t0 = time.perf_counter()
    import abm.model  # noqa: F401  (imports timed apart from the run)
    import mesa  # noqa: F401
    imports_s = time.perf_counter() - t0
    rss_imports = rss_mb()
    out = run_profiled(firms, seed)
    out.update(imports_s=imports_s, rss_after_imports_mb=rss_imports, peak_rss_mb=peak_rss_mb(),
               rss_end_mb=rss_mb())
    print(json.dumps(out))


def run_child(firms: int, seed: int | None) -> dict:
    cmd = [sys.executable, "-m", "experiments.bench", "--child", str(firms)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[1])
    if proc.returncode != 0:
        raise RuntimeError(f"bench child ({firms} firms) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
