"""Evaluating candidate policies of ``sovai optimize`` across an ensemble of futures, through the run engine.

A *policy* is ``{lever path: value}``; a *future* one Latin-hypercube draw over the spec's uncertain inputs
(matrix from ``SeedSequence(futures.master_seed, spawn_key=(0,))``; the fresh out-of-sample ensemble from
``spawn_key=(1,)``). Every policy runs in every future on the same ``futures.seeds`` replication seeds
(:func:`experiments.plan.replication_seeds`: common random numbers). A run's id is a hash of its scenario
(preset + ``[set]`` + policy + future) and seed, so a policy proposed twice, or again after a restart, is never
run twice: the runs are stored like a sweep's (:class:`experiments.store.Store`, ``DIR/runs/``) and a killed
optimisation, started again, reads them back instead of running them (:attr:`Evaluator.ran` counts what did
run). The robustness statistics of :mod:`experiments.optimize_spec` turn a policy's runs into its objectives.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from abm.scenario import ScenarioError, load_scenario
from experiments.optimize_spec import Measure, OptimizeSpec
from experiments.plan import replication_seeds
from experiments.runner import DEFAULT_RUN_FN
from experiments.store import StoreError

ENSEMBLES = ("in", "out")   # the optimisation's futures and the fresh out-of-sample ones


def draw_futures(spec: OptimizeSpec, ensemble: str = "in") -> list[dict]:
    """The LHS futures ``{input path: value}`` of an ensemble (:data:`ENSEMBLES`)."""
    from scipy.stats import qmc

    n = spec.futures.count if ensemble == "in" else spec.futures.out_of_sample
    if not spec.inputs or not n:
        return [{}] * max(n, 1 if ensemble == "in" else 0)
    rng = np.random.default_rng(np.random.SeedSequence(spec.futures.master_seed, spawn_key=(ENSEMBLES.index(ensemble),)))
    u = qmc.LatinHypercube(d=len(spec.inputs), rng=rng).random(n)
    return [{p: float(lo + x * (hi - lo)) for (p, (lo, hi)), x in zip(spec.inputs.items(), row)} for row in u]


def statistic(values: np.ndarray, m: Measure) -> float:
    """The robustness statistic of ``m`` over one policy's run values (NaN: the metric has no value, e.g. no
    payback: counted as not meeting a share's threshold, left out of the others)."""
    v = np.asarray(values, dtype=float)
    if m.statistic == "share":
        ok = v <= m.threshold if m.meets == "<=" else v >= m.threshold
        return float(np.mean(ok & ~np.isnan(v))) if len(v) else float("nan")
    v = v[~np.isnan(v)]
    if not len(v):
        return float("nan")
    if m.statistic == "mean":
        return float(v.mean())
    if m.statistic == "median":
        return float(np.median(v))
    return float(np.percentile(v, int(m.statistic[1:])))


def policy_key(policy: dict) -> str:
    return json.dumps(policy, sort_keys=True, default=str)


class Evaluator:
    """Runs policies x futures x seeds on the engine into ``out/runs`` (or in memory when ``out`` is None)."""

    def __init__(self, spec: OptimizeSpec, out: Path | None, *, workers: int = 1, scheduler: str | None = None,
                 run_fn: str = DEFAULT_RUN_FN, resume: bool = False, force: bool = False):
        from experiments.engine import Engine

        self.spec, self.run_fn = spec, run_fn
        self.seeds = replication_seeds(spec.futures.master_seed, spec.futures.seeds)
        self.futures = {e: draw_futures(spec, e) for e in ENSEMBLES}
        self.values: dict[str, dict] = {}   # run id -> {metric: value}
        self.ran = 0                        # runs executed by this evaluator (not read back from the store)
        self.store = None
        self.engine = Engine(workers, scheduler, run_fn)   # before any output: an unreachable cluster writes nothing
        if out is not None:
            try:
                self._open(Path(out) / "runs", resume, force)
            except BaseException:
                self.engine.close(True)
                raise

    def _open(self, root: Path, resume: bool, force: bool) -> None:
        from experiments.provenance import record
        from experiments.runner import model_version
        from experiments.outdir import mark
        from experiments.store import Store, connect, mismatch, read_manifest

        s = self.spec
        planned = s.optimizer.population * s.optimizer.generations * len(self.futures["in"]) * len(self.seeds)
        manifest = {"format": 1, "name": s.name, "description": s.description, "fingerprint": s.fingerprint(),
                    "model_version": model_version(), "run_function": self.run_fn, "design": "optimize",
                    "replications": len(self.seeds), "master_seed": s.futures.master_seed,
                    "planned_runs": planned, "parameter_columns": ["policy", "ensemble", "sample_index", "replication"],
                    "provenance": record()}
        if resume and not (root / "manifest.json").is_file():
            raise StoreError(f"--resume: {root.parent} holds no optimisation to resume")
        if (root / "manifest.json").is_file() and (why := mismatch(read_manifest(root), manifest)):
            raise StoreError(f"--out: {root} {why} (preset, [set], futures or metrics changed); give another --out")
        mark(root.parent, ("runs",), "optimize")
        self.store = Store(root)
        self.store.open(manifest, resume=False, experiment_text=s.text, force=force)
        if any(self.store.chunks.iterdir()):
            con = connect(root)
            cols = [c for c in s.metrics if c in {r[0] for r in con.execute("DESCRIBE runs").fetchall()}]
            table = con.execute(f"SELECT run_id, {', '.join(['status', *cols])} FROM runs").df()
            for row in table.to_dict("records"):
                if row.pop("status") == "ok":
                    self.values[row.pop("run_id")] = row

    def _scenario(self, policy: dict, future: dict) -> dict:
        try:
            return load_scenario(self.spec.preset, {**self.spec.fixed, **future, **policy}).model_dump(mode="json")
        except ScenarioError as e:
            raise ScenarioError(f"policy {policy_key(policy)}: {e}") from None

    def runs_of(self, policies: list[dict], ensemble: str = "in") -> tuple[list[dict], list[dict]]:
        """Every run of ``policies`` in ``ensemble``: (``{"run_id", "seed", "scenario", "policy", ...}`` in policy,
        future, seed order; and their index rows ``policy``, ``sample_index``, ``replication``, ``run_id``)."""
        runs, index = {}, []
        for k, policy in enumerate(policies):
            for i, future in enumerate(self.futures[ensemble]):
                scenario = self._scenario(policy, future)
                for r, seed in enumerate(self.seeds):
                    scenario = {**scenario, "run": {**scenario["run"], "seed": seed}}
                    rid = hashlib.sha256(json.dumps(scenario, sort_keys=True).encode()).hexdigest()[:20]
                    runs.setdefault(rid, {"run_id": rid, "seed": seed, "scenario": scenario,
                                          "policy": policy_key(policy), "ensemble": ensemble, "sample_index": i,
                                          "replication": r})
                    index.append({"policy": k, "sample_index": i, "replication": r, "run_id": rid})
        return list(runs.values()), index

    def run(self, runs: list[dict]) -> None:
        """Run those of ``runs`` not yet known, storing each finished chunk; raises for a failed run."""
        from experiments.store import typed_runs_frame

        todo = [r for r in runs if r["run_id"] not in self.values]
        if not todo:
            return
        extra = ("policy", "ensemble", "sample_index", "replication", "seed")
        for cid, payload, res in self.engine.results(self.engine.chunks(todo), keep_ts=[],
                                                     keep_summary=self.spec.metrics):
            by_id = {p["run_id"]: p for p in payload}
            rows = [{**{k: by_id[r["run_id"]][k] for k in extra}, **r} for r in res["rows"]]
            if self.store is not None:
                self.store.write_chunk(cid, typed_runs_frame(rows, ["run_id", *extra]), None)
            self.ran += len(payload)
            bad = [r for r in rows if r["status"] != "ok"]
            if bad:
                raise ScenarioError(f"run of policy {bad[0]['policy']} failed: {bad[0]['error']}")
            for r in rows:
                self.values[r["run_id"]] = {m: r.get(m) for m in self.spec.metrics}

    def measure(self, policies: list[dict], measures: list[Measure], ensemble: str = "in") -> np.ndarray:
        """``policies`` x ``measures``: each policy's robustness statistics over the ensemble's runs."""
        runs, index = self.runs_of(policies, ensemble)
        self.run(runs)
        idx = pd.DataFrame(index)
        out = np.full((len(policies), len(measures)), np.nan)
        for k, g in idx.groupby("policy"):
            for j, m in enumerate(measures):
                vals = [self.values[rid].get(m.metric) for rid in g["run_id"]]
                out[k, j] = statistic(np.array([np.nan if v is None else v for v in vals], dtype=float), m)
        return out

    def finish(self) -> None:
        """Record in the store's manifest that the optimisation is complete: the runs it needed are the runs it
        holds (the planned count is only an upper bound: a policy proposed twice runs once)."""
        from experiments.store import write_json_atomic

        if self.store is not None:
            m = self.store.manifest
            m.update(planned_runs=m["done_runs"], complete=True)
            write_json_atomic(self.store.root / "manifest.json", m)

    def close(self, interrupted: bool = False) -> None:
        self.engine.close(interrupted)
        if self.store is not None:
            self.store.close()
