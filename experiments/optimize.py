"""``sovai optimize``: NSGA-II over the levers, robust objectives across futures, the Pareto set and its check.

The optimiser is platypus's NSGA-II (``platypus-opt``, the engine of EMA Workbench's many-objective robust
decision making, already a dependency through it; it takes real, integer and categorical variables in one problem,
and all its randomness comes from one ``random.Random(seed)`` given to platypus's modules (:func:`own_random`),
so the same seed gives the same front on every engine).
Numbers are ``Real``, integers (years) ``Integer`` and choices (the role division, financing, on/off) an
``Integer`` index into their values; mixed problems vary with SBX + PM on the reals and HUX + bit flip on the
rest, as EMA Workbench does. Each generation is evaluated as one batch (:class:`_Batch`), so the whole
population's runs go to the engine together.

:func:`optimise` runs the loop on any batch function ``policies -> (objectives, constraints)``;
:func:`run_optimisation` plugs in :class:`experiments.optimize_eval.Evaluator`: it records per generation the
population's non-dominated feasible set and, at the end, its hypervolume (normalised over every recorded front,
so the numbers are comparable across generations), returns the final Pareto set, and re-evaluates
``optimizer.representatives`` of its policies (:func:`representatives`: the best for each objective, then the
most balanced) on a fresh ensemble of futures, with the drop of each objective.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from experiments.optimize_spec import Lever, OptimizeSpec

BatchFn = Callable[[list[dict]], tuple[np.ndarray, np.ndarray]]


@dataclass
class Front:
    """Policies with their objective and constraint values (rows in the same order)."""
    policies: list[dict]
    objectives: np.ndarray
    constraints: np.ndarray


@dataclass
class OptResult:
    front: Front                                               # the final non-dominated feasible set
    history: list[Front] = field(default_factory=list)         # per generation
    hypervolume: list[float] = field(default_factory=list)     # per generation
    evaluations: int = 0                                       # candidate policies evaluated


def _types(levers: list[Lever]) -> list:
    from platypus import Integer, Real

    out = []
    for lv in levers:
        if lv.kind == "real":
            out.append(Real(lv.low, lv.high))
        elif lv.kind == "int":
            out.append(Integer(int(lv.low), int(lv.high)))
        else:
            out.append(Integer(0, len(lv.choices) - 1))
    return out


def decode(levers: list[Lever], values: list) -> dict:
    """Decoded platypus variables -> ``{lever path: value}``."""
    return {lv.path: (lv.choices[int(v)] if lv.kind == "choice" else int(v) if lv.kind == "int" else float(v))
            for lv, v in zip(levers, values)}


class _Batch:
    """A platypus evaluator that evaluates a generation's solutions with one call of the batch function."""

    def __init__(self, levers: list[Lever], batch: BatchFn):
        self.levers, self.batch, self.answers, self.count = levers, batch, {}, 0

    def evaluate_all(self, jobs, **kwargs):
        sols = [j.solution for j in jobs]
        keys = [tuple(t.decode(v) for t, v in zip(s.problem.types, s.variables)) for s in sols]
        new = list(dict.fromkeys(k for k in keys if k not in self.answers))
        if new:
            objs, cons = self.batch([decode(self.levers, list(k)) for k in new])
            self.answers.update({k: (list(map(float, o)), list(map(float, c))) for k, o, c in zip(new, objs, cons)})
            self.count += len(new)
        for j in jobs:
            j.solution.evaluate()   # the problem's function reads self.answers
        return jobs

    def close(self):
        pass


def optimise(levers: list[Lever], directions: list[str], constraint_ops: list[str], batch: BatchFn, *,
             population: int, generations: int, seed: int,
             on_generation: Callable[[int, Front], None] | None = None) -> OptResult:
    """NSGA-II for ``generations`` steps (the first evaluates the initial population) of ``population``
    policies; objectives in ``directions`` ("min"/"max"), constraints ``value op 0`` (ops "<=", ">="). Each
    generation's front is the archive's feasible non-dominated set: every policy ever kept, so no generation
    loses a policy that NSGA-II's crowding truncated from the population."""
    from platypus import HUX, NSGAII, PM, SBX, Archive, BitFlip, CompoundOperator, Problem, Real

    problem = Problem(len(levers), len(directions), len(constraint_ops))
    problem.types[:] = _types(levers)
    problem.directions[:] = [Problem.MINIMIZE if d == "min" else Problem.MAXIMIZE for d in directions]
    if constraint_ops:
        problem.constraints[:] = [f"{op}0" for op in constraint_ops]
    ev = _Batch(levers, batch)
    problem.function = lambda x: ev.answers[tuple(x)] if constraint_ops else ev.answers[tuple(x)][0]
    reals = [isinstance(t, Real) for t in problem.types]
    variator = (CompoundOperator(SBX(), PM()) if all(reals) else CompoundOperator(HUX(), BitFlip())
                if not any(reals) else CompoundOperator(SBX(), HUX(), PM(), BitFlip()))
    with own_random(seed):
        algo = NSGAII(problem, population_size=population, variator=variator, evaluator=ev, archive=Archive())
        result = OptResult(Front([], np.empty((0, len(directions))), np.empty((0, len(constraint_ops)))))
        for g in range(generations):
            algo.step()
            front = _front(levers, algo.archive, len(constraint_ops))
            result.history.append(front)
            if on_generation:
                on_generation(g, front)
    result.front, result.evaluations = result.history[-1], ev.count
    result.hypervolume = hypervolumes(result.history, directions)
    return result


PLATYPUS_MODULES = ("algorithms", "operators", "types", "weights", "_math", "extensions", "problems")


@contextlib.contextmanager
def own_random(seed: int):
    """Platypus draws from the ``random`` module its modules imported; for the optimisation they draw from one
    ``random.Random(seed)`` instead (the same sequence ``random.seed(seed)`` gives), so no other thread of this
    process — a Dask scheduler or client runs here — can take numbers from it: the same seed gives the same
    front on every engine."""
    import importlib

    mods = [importlib.import_module(f"platypus.{m}") for m in PLATYPUS_MODULES]
    before = [m.random for m in mods]
    rng = random.Random(seed)
    for m in mods:
        m.random = rng
    try:
        yield rng
    finally:
        for m, r in zip(mods, before):
            m.random = r


def _front(levers: list[Lever], solutions, ncons: int) -> Front:
    """The non-dominated feasible solutions, as a Front (sorted by the first objective, then the policy)."""
    from platypus import nondominated

    best = [s for s in nondominated(solutions) if s.feasible]
    rows = sorted(((decode(levers, [t.decode(v) for t, v in zip(s.problem.types, s.variables)]),
                    list(s.objectives), list(s.constraints)) for s in best),
                  key=lambda r: (r[1], str(sorted(r[0].items()))))
    unique = list({str(sorted(p.items())): (p, o, c) for p, o, c in rows}.values())
    return Front([p for p, _o, _c in unique], np.array([o for _p, o, _c in unique]).reshape(len(unique), -1),
                 np.array([c for _p, _o, c in unique]).reshape(len(unique), ncons))


def non_dominated(objs: np.ndarray, directions: list[str]) -> np.ndarray:
    """Mask of the rows of ``objs`` that no other row dominates."""
    sign = np.array([1.0 if d == "min" else -1.0 for d in directions])
    x = objs * sign
    keep = np.ones(len(x), dtype=bool)
    for i in range(len(x)):
        keep[i] = not np.any(np.all(x <= x[i], axis=1) & np.any(x < x[i], axis=1))
    return keep


def hypervolumes(history: list[Front], directions: list[str]) -> list[float]:
    """Hypervolume of each generation's front, normalised to the bounds of all fronts together (0..1)."""
    from platypus import Hypervolume, Problem, Solution

    every = np.vstack([f.objectives for f in history if len(f.objectives)] or [np.empty((0, len(directions)))])
    if not len(every):
        return [0.0] * len(history)
    lo, hi = every.min(axis=0), every.max(axis=0)
    hi = np.where(hi > lo, hi, lo + 1.0)
    problem = Problem(0, len(directions))
    problem.directions[:] = [Problem.MINIMIZE if d == "min" else Problem.MAXIMIZE for d in directions]
    out = []
    for f in history:
        sols = []
        for o in f.objectives:
            s = Solution(problem)
            s.objectives[:] = list(map(float, o))
            s.constraint_violation, s.feasible, s.evaluated = 0.0, True, True
            sols.append(s)
        out.append(float(Hypervolume(minimum=list(lo), maximum=list(hi)).calculate(sols)) if sols else 0.0)
    return out


def representatives(front: Front, directions: list[str], k: int) -> list[int]:
    """Up to ``k`` rows of ``front``: the best for each objective in turn, then the most balanced (the smallest
    largest normalised regret), then the most distant from those already chosen."""
    n = len(front.policies)
    if not n:
        return []
    x = front.objectives * np.array([1.0 if d == "min" else -1.0 for d in directions])
    span = np.where(np.ptp(x, axis=0) > 0, np.ptp(x, axis=0), 1.0)
    z = (x - x.min(axis=0)) / span
    chosen: list[int] = []
    for j in range(x.shape[1]):
        i = int(np.lexsort((z.sum(axis=1), z[:, j]))[0])
        if i not in chosen:
            chosen.append(i)
    balanced = int(np.argmin(z.max(axis=1)))
    if balanced not in chosen:
        chosen.append(balanced)
    while len(chosen) < min(k, n):
        dist = np.min(np.linalg.norm(z[:, None, :] - z[None, chosen, :], axis=2), axis=1)
        chosen.append(int(np.argmax(dist)))
    return chosen[:k]


def run_optimisation(spec: OptimizeSpec, evaluator, on_generation=None) -> tuple[OptResult, list[int], pd.DataFrame]:
    """The optimisation of ``spec`` on ``evaluator`` (:class:`experiments.optimize_eval.Evaluator`), the front
    rows of its representative policies, and their out-of-sample table (empty without ``futures.out_of_sample``)."""
    objs, cons = [o.measure for o in spec.objectives], [c.measure for c in spec.constraints]
    directions = [o.direction for o in spec.objectives]

    def batch(policies: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        values = evaluator.measure(policies, objs + cons)
        constraint = np.column_stack([values[:, len(objs) + i] - c.value for i, c in enumerate(spec.constraints)]) \
            if cons else np.empty((len(policies), 0))
        bad = np.array([1e9 if c.op == "<=" else -1e9 for c in spec.constraints])  # no value: a violation
        return values[:, :len(objs)], np.where(np.isnan(constraint), bad, constraint)

    o = spec.optimizer
    result = optimise(spec.levers, directions, [c.op for c in spec.constraints], batch, population=o.population,
                      generations=o.generations, seed=o.seed, on_generation=on_generation)
    chosen = representatives(result.front, directions, o.representatives)
    rows = []
    if chosen and spec.futures.out_of_sample:
        fresh = evaluator.measure([result.front.policies[i] for i in chosen], objs, "out")
        for rank, (i, vals) in enumerate(zip(chosen, fresh)):
            for j, (ob, v) in enumerate(zip(spec.objectives, vals)):
                was = float(result.front.objectives[i, j])
                worse = (v - was) if ob.direction == "min" else (was - v)
                rows.append({"representative": rank + 1, "front_row": i, "objective": ob.measure.name,
                             "direction": ob.direction, "in_sample": was, "out_of_sample": float(v),
                             "drop": float(worse), "drop_share": float(worse / abs(was)) if was else np.nan})
    return result, chosen, pd.DataFrame(rows, columns=["representative", "front_row", "objective", "direction", "in_sample",
                                               "out_of_sample", "drop", "drop_share"])
