"""Crash safety: a sweep killed with SIGKILL resumes to exactly the planned runs; a Dask worker killed
mid-sweep costs nothing; no chunk file is ever partial and no run is ever duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pyarrow.parquet as pq
import pytest

from experiments.design import load_experiment
from experiments.plan import make_plan
from experiments.store import connect
from experiments.sweep import run_sweep
from test_experiments_support import SOVAI, TESTS, sovai, write_experiment

GRID = """
replications = 6
[uncertainties."environment.foreign_wage_premium"]
values = [0.4, 0.8, 1.2, 1.6, 2.0]
[uncertainties."policy.adoption_subsidy_rate"]
values = [0.1, 0.4]
"""  # 60 runs


def chunk_dirs(out):
    return [d for d in (out / "chunks").iterdir()] if (out / "chunks").is_dir() else []


def wait_for_chunks(out, n: int, alive, timeout_s: float = 120) -> None:
    """Poll until ``n`` chunks are written, the sweep is no longer ``alive()``, or the time is up."""
    deadline = time.monotonic() + timeout_s
    while len(chunk_dirs(out)) < n and alive() and time.monotonic() < deadline:
        time.sleep(0.02)


def check_store(out, plan, complete: bool):
    """Every chunk is readable; run ids are unique, planned, and (when complete) all there."""
    ids = []
    for d in chunk_dirs(out):
        ids += pq.read_table(d / "runs.parquet", columns=["run_id"]).column("run_id").to_pylist()
        pq.read_table(d / "timeseries.parquet")  # readable, i.e. not truncated
    assert len(ids) == len(set(ids)), "a run is duplicated"
    planned = {r.run_id for r in plan.runs}
    assert set(ids) <= planned
    if complete:
        assert set(ids) == planned
    return ids



def start_sweep(path, out, capture: bool) -> subprocess.Popen:
    """`sovai sweep` with 2 workers and 2-run chunks, in its own process group (so a test can kill it all)."""
    pipe = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen([SOVAI, "sweep", str(path), "--out", str(out), "--workers", "2", "--chunk-size", "2",
                             "--quiet"], env={**os.environ, "PYTHONPATH": str(TESTS)}, stdout=pipe, stderr=pipe,
                            text=True, start_new_session=True)

def test_sigkill_mid_sweep_then_resume(tmp_path):
    path = write_experiment(tmp_path, GRID)
    plan = make_plan(load_experiment(path))
    out = tmp_path / "out"
    proc = start_sweep(path, out, capture=False)
    try:
        wait_for_chunks(out, 4, lambda: proc.poll() is None)
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, all at once
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = check_store(out, plan, complete=False)
    assert 8 <= len(before) < len(plan.runs), "the kill must land mid-sweep"
    r = sovai("sweep", path, "--out", out, "--workers", 2, "--chunk-size", 2, "--resume")
    assert r.returncode == 0, r.stderr
    assert f"{len(before)} already on disk, {len(plan.runs) - len(before)} run now" in r.stdout
    after = check_store(out, plan, complete=True)
    assert len(after) == len(plan.runs) == 60
    assert not any((out / "tmp").glob("*")) and not (out / "quarantine").exists()
    con = connect(out)
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM timeseries WHERE year = 2030 AND quarter = 4"
                       ).fetchone() == (60, 60)
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'ok'").fetchone()[0] == 60


def test_dask_worker_killed_mid_sweep_still_ends_with_all_runs(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = write_experiment(tmp_path, GRID.replace("replications = 6", "replications = 4"))  # 40 runs
    plan = make_plan(load_experiment(path))
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        result = {}
        thread = threading.Thread(target=lambda: result.update(
            r=run_sweep(plan, out, scheduler=cluster.scheduler_address, chunk_size=1)))
        thread.start()
        wait_for_chunks(out, 3, thread.is_alive)
        done_at_kill = len(chunk_dirs(out))
        victim = sorted(pids.values())[0]
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=180)
        assert not thread.is_alive()
        assert done_at_kill < len(plan.runs), "the kill must land mid-sweep"
        assert victim not in client.run(os.getpid).values()  # the worker really died (the nanny restarted it)
    r = result["r"]
    assert (r.ran, r.failed_total, r.interrupted) == (40, 0, False)
    check_store(out, plan, complete=True)


def test_local_pool_worker_killed_mid_sweep_is_replaced(tmp_path):
    path = write_experiment(tmp_path, GRID)
    plan = make_plan(load_experiment(path))
    out = tmp_path / "out"
    proc = start_sweep(path, out, capture=True)
    try:
        wait_for_chunks(out, 3, lambda: proc.poll() is None)
        workers = subprocess.run(["pgrep", "-g", str(proc.pid), "-f", "spawn_main"], capture_output=True,
                                 text=True).stdout.split()
        done_at_kill = len(chunk_dirs(out))
        os.kill(int(workers[0]), signal.SIGKILL)  # one pool worker of the sweep we started
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert done_at_kill < len(plan.runs) / 2, "the kill must land mid-sweep"
    assert proc.returncode == 0, stderr
    assert "60 ok, 0 failed" in stdout
    check_store(out, plan, complete=True)


def test_a_run_left_in_two_chunks_by_a_crash_keeps_its_latest_try(tmp_path):
    """A crash between writing a retried run's new chunk and removing its old row leaves the run twice on
    disk; opening the folder keeps the latest try and removes the old row (its chunk goes if it empties)."""
    from experiments.store import Store, typed_runs_frame

    def frame(rows):
        return typed_runs_frame([{"run_id": r, "status": s, "error": None if s == "ok" else "boom", "attempts": a}
                                 for r, s, a in rows], ["run_id", "status", "error", "attempts"])

    manifest = {"name": "t", "fingerprint": "f", "model_version": "v", "design": "grid", "planned_runs": 3,
                "replications": 1, "master_seed": 1, "parameter_columns": []}
    with Store(tmp_path) as store:
        assert store.open(manifest, resume=False) == set()
        store.write_chunk("a", frame([("r1", "failed", 1), ("r2", "ok", 1)]), None)
        store.write_chunk("b", frame([("r3", "failed", 1)]), None)
        store.write_chunk("c", frame([("r1", "ok", 2), ("r3", "failed", 2)]), None)  # then the crash
    with Store(tmp_path) as store:
        done = store.open(manifest, resume=True)
        assert done == {"r2", "r1"} and store.failed == {"r3": 2}  # r3 may be tried once more
        assert store.manifest["done_runs"] == 3 and store.manifest["failed_runs"] == 1
    assert sorted(p.name for p in (tmp_path / "chunks").iterdir()) == ["a", "c"]
    rows = {d.name: pq.read_table(d / "runs.parquet").to_pydict() for d in (tmp_path / "chunks").iterdir()}
    assert rows["a"]["run_id"] == ["r2"] and rows["c"]["run_id"] == ["r1", "r3"]
