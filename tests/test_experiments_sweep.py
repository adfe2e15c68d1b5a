"""Sweeps on real executors: identical results inline, on a 2-process pool and on a Dask LocalCluster;
failing runs recorded; re-runs skip; results folders are protected."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments.design import load_experiment
from experiments.plan import make_plan
from experiments.store import StoreError, connect
from experiments.sweep import run_sweep
from test_experiments_support import sovai, write_experiment

LHS = """
replications = 2
[levers."policy.role_division"]
values = ["gov_led", "private_led"]
[uncertainties."environment.foreign_wage_premium"]
range = [0.5, 1.5]
[uncertainties."behaviour.bass_imitation_per_year"]
[design]
kind = "lhs"
size = 3
[outputs]
timeseries = ["adoption_rate", "digital_deficit_jpy_tn"]
"""
VOLATILE = ["elapsed_s", "traceback"]


def tables(folder):
    con = connect(folder)
    runs = con.execute("SELECT * FROM runs ORDER BY run_id").df().drop(columns=VOLATILE)
    ts = con.execute("SELECT * FROM timeseries ORDER BY run_id, year, quarter").df()
    return runs, ts


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as c:
        yield c


def test_same_results_inline_pool_and_dask_cluster(tmp_path, cluster):
    path = write_experiment(tmp_path, LHS)
    plan = make_plan(load_experiment(path))
    one = run_sweep(plan, tmp_path / "w1", workers=1, chunk_size=2)
    two = run_sweep(plan, tmp_path / "w2", workers=2, chunk_size=3)
    assert one.ran == two.ran == len(plan.runs) == 12 and one.failed_total == two.failed_total == 0
    r = sovai("sweep", path, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "dask", "--chunk-size", 1)
    assert r.returncode == 0, r.stderr
    runs1, ts1 = tables(tmp_path / "w1")
    assert len(runs1) == 12 and set(runs1["run_id"]) == {x.run_id for x in plan.runs}
    assert len(ts1) == 12 * 20 and list(ts1.columns) == ["run_id", "year", "quarter", "adoption_rate",
                                                          "digital_deficit_jpy_tn"]
    assert runs1["deficit_2030_jpy_tn"].nunique() > 1  # the design points really differ
    for other in ("w2", "dask"):
        runs, ts = tables(tmp_path / other)
        pd.testing.assert_frame_equal(runs1, runs)
        pd.testing.assert_frame_equal(ts1, ts)
    assert len(list((tmp_path / "w1" / "chunks").iterdir())) == 6  # chunks of 2 runs
    assert len(list((tmp_path / "dask" / "chunks").iterdir())) == 12


def test_failing_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    path = write_experiment(tmp_path, """
        replications = 2
        [uncertainties."policy.adoption_subsidy_rate"]
        values = [0.1, 0.7, 0.3]
        """)
    out = tmp_path / "out"
    args = ("sweep", path, "--out", out, "--workers", 2, "--chunk-size", 4,
            "--run-function", "test_experiments_support:raising_run")
    r = sovai(*args)
    assert r.returncode == 1, r.stderr
    assert "2 failed" in r.stdout and "injected failure" in r.stderr and "policy__adoption_subsidy_rate=0.7" in r.stderr
    runs = connect(out).execute("SELECT * FROM runs").df()
    assert len(runs) == 6 and runs["run_id"].is_unique
    failed = runs[runs["status"] == "failed"]
    assert set(failed["policy__adoption_subsidy_rate"]) == {0.7} and len(failed) == 2
    assert failed["error"].str.startswith("RuntimeError: injected failure").all()
    assert failed["traceback"].str.contains("raising_run").all()
    ok = runs[runs["status"] == "ok"]
    assert ok["deficit_2030_jpy_tn"].notna().all() and failed["deficit_2030_jpy_tn"].isna().all()
    ts = connect(out).execute("SELECT DISTINCT run_id FROM timeseries").df()
    assert set(ts["run_id"]) == set(ok["run_id"])
    assert (failed["attempts"] == 1).all() and "try 1 of 3, retried by --resume" in r.stderr
    for tries in (2, 3):  # each re-run retries the failed runs (and only them), replacing their rows
        again = sovai(*args)
        assert again.returncode == 1 and "4 already on disk, 2 run now" in again.stdout, again.stdout
        runs = connect(out).execute("SELECT run_id, status, attempts FROM runs").df()
        assert len(runs) == 6 and runs["run_id"].is_unique
        assert sorted(runs["attempts"]) == [1, 1, 1, 1, tries, tries]
    files = sorted(out.glob("chunks/*/runs.parquet"))
    assert sum(pq.read_metadata(f).num_rows for f in files) == 6  # the old rows are gone from disk
    last = sovai(*args)  # the bound is reached: nothing to do, still reports the failures, nothing duplicated
    assert last.returncode == 1 and "6 already on disk, 0 run now" in last.stdout
    assert "try 3 of 3, no more retries" in last.stderr
    assert connect(out).execute("SELECT count(*) FROM runs").fetchone()[0] == 6


def test_rerun_skips_and_folders_are_protected(tmp_path):
    path = write_experiment(tmp_path, LHS.replace("replications = 2", "replications = 1"))
    plan = make_plan(load_experiment(path))
    out = tmp_path / "out"
    with pytest.raises(StoreError, match="--resume"):
        run_sweep(plan, out, resume=True)
    assert not out.exists()
    first = run_sweep(plan, out, chunk_size=4)
    again = run_sweep(plan, out, resume=True)
    assert (first.ran, again.ran, again.skipped) == (6, 0, 6)
    files = sorted(out.glob("chunks/*/runs.parquet"))
    assert sum(pq.read_metadata(f).num_rows for f in files) == 6 and not any((out / "tmp").glob("*"))
    other = make_plan(load_experiment(write_experiment(tmp_path, LHS, name="other")))
    with pytest.raises(StoreError, match="different experiment"):
        run_sweep(other, out)
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    r = sovai("sweep", path, "--out", stranger, "--workers", 1)
    assert r.returncode == 2 and "is not a sovai output folder" in r.stderr and r.stderr.count("\n") == 1
    assert sorted(p.name for p in stranger.iterdir()) == ["notes.txt"]
