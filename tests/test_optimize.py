"""`sovai optimize`: the NSGA-II loop finds a known dominant policy, its stored front is non-dominated, a killed
optimisation resumes without re-running stored runs, the same seed gives the same front, a bad spec is refused
(exit 2, field named, nothing written) and the output files appear whole.

The synthetic run function below stands in for the model (run through the real engine, store and optimiser):
its public cost and deficit are smallest, together, at role division private_led, compute budget 1 and adoption
subsidy 0.5 - a policy that dominates every other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abm.errors import UserError

from experiments.optimize_cli import OPTIMIZE_NAMES, optimize_folder
from experiments.optimize_spec import validate_spec

HERE = Path(__file__).parent
RUN_FN = "test_optimize:synthetic_run"
SOVAI = [str(Path(sys.executable).parent / "sovai")]

SPEC = """
name = "synthetic"
[levers."policy.role_division"]
[levers."policy.compute_budget_jpy_tn_per_year"]
range = [0.0, 4.0]
[levers."policy.adoption_subsidy_rate"]
[objectives.attributable_public_cost_jpy_tn]
direction = "min"
statistic = "p90"
[objectives.deficit_2040_jpy_tn]
direction = "min"
statistic = "mean"
[objectives.{third}]
direction = "max"
statistic = "p10"
[futures]
count = 3
inputs = ["environment.jpy_per_usd"]
out_of_sample = 3
[optimizer]
population = {population}
generations = {generations}
seed = {seed}
representatives = 3
"""


def synthetic_run(scenario, seed):
    """A known response: every objective is best at (private_led, budget 1, subsidy 0.5); the future (the exchange
    rate) shifts every policy alike."""
    p = scenario.policy
    off = (p.role_division != "private_led") + (p.compute_budget_jpy_tn_per_year - 1.0) ** 2
    sub = (p.adoption_subsidy_rate - 0.5) ** 2
    fx = (scenario.environment.jpy_per_usd - 150.0) / 100.0
    summary = {"attributable_public_cost_jpy_tn": off + sub + fx, "deficit_jpy_tn": {"2040": 20 + off + 2 * sub + fx},
               "sovereignty_index_2040": 1.0 - off - sub, "final_year": 2040,
               "npv_jpy_tn": p.compute_budget_jpy_tn_per_year + p.adoption_subsidy_rate - fx}  # conflicts with cost
    return pd.DataFrame({"year": [2026], "quarter": [1]}), summary


def killing_run(scenario, seed):
    """:func:`synthetic_run` that SIGKILLs its own process at the call numbered $SOVAI_KILL_AT (a hard kill)."""
    killing_run.calls = getattr(killing_run, "calls", 0) + 1
    if killing_run.calls == int(os.environ["SOVAI_KILL_AT"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return synthetic_run(scenario, seed)


def failing_run(scenario, seed):
    raise RuntimeError("this run fails")


def spec_file(tmp_path: Path, population=12, generations=6, seed=1, name="spec.toml",
              third="sovereignty_index_2040") -> Path:
    path = tmp_path / name
    path.write_text(SPEC.format(population=population, generations=generations, seed=seed, third=third),
                    encoding="utf-8")
    return path


def optimise(spec: Path, out: Path, **kw):
    return optimize_folder(str(spec), str(out), workers=1, run_fn=RUN_FN, **kw)


def test_finds_the_known_dominant_policy_on_a_small_budget(tmp_path):
    folder, info = optimise(spec_file(tmp_path, population=12, generations=8), tmp_path / "o")
    front = pd.read_csv(folder / "pareto.csv")
    assert info["evaluations"] <= 12 * 8
    assert (front["policy.role_division"] == "private_led").all()
    best = front.sort_values("p90(attributable_public_cost_jpy_tn)").iloc[0]
    assert abs(best["policy.compute_budget_jpy_tn_per_year"] - 1.0) < 0.15
    assert abs(best["policy.adoption_subsidy_rate"] - 0.5) < 0.15
    conv = pd.read_csv(folder / "convergence.csv")
    assert len(conv) == 8 and conv["hypervolume"].iloc[-1] >= conv["hypervolume"].iloc[0]
    reps = pd.read_csv(folder / "representatives.csv")
    assert 1 <= len(reps) <= 3 and reps["description_ja"].str.contains("民間主導").all()
    oos = pd.read_csv(folder / "out_of_sample.csv")
    assert set(oos["representative"]) == set(reps["representative"]) and oos["out_of_sample"].notna().all()


def test_the_stored_pareto_set_is_non_dominated(tmp_path):
    # maximising the NPV conflicts with minimising cost: a front of many policies
    folder, _ = optimise(spec_file(tmp_path, population=10, generations=3, seed=5, third="npv_jpy_tn"), tmp_path / "o")
    front = pd.read_csv(folder / "pareto.csv")
    # minimise cost and deficit, maximise NPV: as "smaller is better" rows
    x = np.column_stack([front["p90(attributable_public_cost_jpy_tn)"], front["mean(deficit_2040_jpy_tn)"],
                         -front["p10(npv_jpy_tn)"]])
    assert len(x) >= 5
    for i in range(len(x)):
        for j in range(len(x)):
            assert i == j or not (np.all(x[j] <= x[i]) and np.any(x[j] < x[i])), (i, j)


def test_the_same_seed_gives_the_same_front(tmp_path):
    spec = spec_file(tmp_path, population=8, generations=3, seed=7)
    a, _ = optimise(spec, tmp_path / "a")
    b, _ = optimise(spec, tmp_path / "b")
    assert (a / "pareto.csv").read_text() == (b / "pareto.csv").read_text()
    assert (a / "convergence.csv").read_text() == (b / "convergence.csv").read_text()


def test_a_killed_optimisation_resumes_without_rerunning_stored_runs(tmp_path):
    spec = spec_file(tmp_path, population=8, generations=4, seed=3)
    _, whole = optimise(spec, tmp_path / "whole")
    out = tmp_path / "killed"
    code = ("from experiments.optimize_cli import optimize_folder\n"
            f"optimize_folder({str(spec)!r}, {str(out)!r}, workers=1, run_fn='test_optimize:killing_run')\n")
    env = {**os.environ, "SOVAI_KILL_AT": "40", "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == -signal.SIGKILL, r.stderr
    assert not (out / "pareto.csv").exists()
    stored = sum(len(pd.read_parquet(p)) for p in (out / "runs" / "chunks").glob("*/runs.parquet"))
    assert 0 < stored < 40
    folder, resumed = optimise(spec, out, resume=True)
    assert resumed["ran"] == whole["ran"] - stored        # nothing stored ran again
    assert resumed["runs"] == whole["runs"]
    assert (folder / "pareto.csv").read_text() == (tmp_path / "whole" / "pareto.csv").read_text()


@pytest.mark.parametrize("change, field", [
    (('[objectives.deficit_2040_jpy_tn]', '[objectives.deficit_2041_jpy_tn]'), "objectives.deficit_2041_jpy_tn"),
    (('range = [0.0, 4.0]', 'range = [0.0, 9.0]'), "levers.policy.compute_budget_jpy_tn_per_year.range"),
    (('statistic = "p90"', 'statistic = "p900"'), "objectives.attributable_public_cost_jpy_tn.statistic"),
    (('count = 3', 'count = 0'), "futures.count"),
    (('[levers."policy.adoption_subsidy_rate"]', '[levers."policy.nonsense"]'), "levers.policy.nonsense"),
    (('inputs = ["environment.jpy_per_usd"]', 'inputs = ["environment.gdp"]'), "futures.inputs"),
])
def test_a_bad_spec_exits_2_naming_the_field_and_writes_nothing(tmp_path, change, field):
    spec = spec_file(tmp_path)
    spec.write_text(spec.read_text().replace(*change), encoding="utf-8")
    out = tmp_path / "o"
    r = subprocess.run([*SOVAI, "optimize", str(spec), "--out", str(out), "--workers", "1"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], r.stderr
    assert not out.exists()


def test_outputs_appear_whole_and_a_failed_rerun_leaves_them_as_they_were(tmp_path):
    spec = spec_file(tmp_path, population=6, generations=2)
    folder, _ = optimise(spec, tmp_path / "o")
    names = {p.name for p in folder.iterdir()}
    policies = {f"policy-{k + 1:02d}.toml" for k in range(len(pd.read_csv(folder / "pareto.csv")))}
    assert names == set(OPTIMIZE_NAMES) | {".sovai-output.json"} | policies   # no temporary files left behind
    before = {n: (folder / n).read_bytes() for n in OPTIMIZE_NAMES if n != "runs"}
    # a new optimiser seed proposes new policies, whose runs fail: the command stops, the old files stay whole
    spec2 = spec_file(tmp_path, population=6, generations=2, seed=99, name="spec2.toml")
    with pytest.raises(UserError, match="this run fails"):
        optimize_folder(str(spec2), str(folder), workers=1, run_fn="test_optimize:failing_run")
    assert {n: (folder / n).read_bytes() for n in before} == before
    assert {p.name for p in folder.iterdir()} == names
    # a folder that is not a sovai output is refused before anything is written
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    r = subprocess.run([*SOVAI, "optimize", str(spec), "--out", str(other), "--workers", "1"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "--out" in r.stderr
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_a_folder_of_another_ensemble_is_refused(tmp_path):
    spec = spec_file(tmp_path, population=4, generations=1)
    folder, _ = optimise(spec, tmp_path / "o")
    spec.write_text(spec.read_text().replace("count = 3", "count = 4"), encoding="utf-8")
    r = subprocess.run([*SOVAI, "optimize", str(spec), "--out", str(folder), "--workers", "1"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "--out" in r.stderr and "different experiment design" in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_each_pareto_policy_is_a_scenario_file_the_dashboard_loads(tmp_path):
    from abm.scenario import load_scenario
    from viz.scenario_io import load_uploaded
    from viz.session import build_scenario

    folder, _ = optimise(spec_file(tmp_path, population=6, generations=2, third="npv_jpy_tn"), tmp_path / "o")
    front = pd.read_csv(folder / "pareto.csv")
    for k, row in front.iterrows():
        path = folder / f"policy-{k + 1:02d}.toml"
        sc = load_scenario(str(path))
        assert sc.policy.role_division == row["policy.role_division"]
        assert sc.policy.compute_budget_jpy_tn_per_year == row["policy.compute_budget_jpy_tn_per_year"]
        text = path.read_text(encoding="utf-8")
        shown = build_scenario(load_uploaded(path.name, text, len(text.encode())))
        assert shown.policy == sc.policy and shown.population == sc.population


def test_validate_spec_defaults_come_from_the_schema():
    from abm.schema import field_specs

    s = validate_spec({"name": "x", "levers": {"policy.role_division": {}, "policy.talent_wage_topup_share": {}},
                       "objectives": {"npv_jpy_tn": {"direction": "max"}}})
    role, topup = s.levers
    assert role.kind == "choice" and set(role.choices) == set(field_specs()["policy.role_division"].choices)
    assert (topup.low, topup.high) == (field_specs()[topup.path].ge, field_specs()[topup.path].le)


def test_a_dask_cluster_gives_the_same_front_as_the_local_pool(tmp_path):
    """The evaluations go through the project's engine: a real Dask LocalCluster finds the same front."""
    import distributed

    spec = spec_file(tmp_path, population=8, generations=3, seed=3)
    local, _ = optimise(spec, tmp_path / "local")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster:
        dask, info = optimize_folder(str(spec), str(tmp_path / "dask"), scheduler=cluster.scheduler_address,
                                     run_fn=RUN_FN)
    assert info["ran"] > 0
    assert (local / "pareto.csv").read_text() == (dask / "pareto.csv").read_text()
    assert (local / "convergence.csv").read_text() == (dask / "convergence.csv").read_text()
