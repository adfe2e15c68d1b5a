"""Sweeps that heal and know what they hold (issue 18): failed runs are retried by --resume, a crashed chunk
does not condemn its other runs, no worker outlives a killed sweep, a folder built by another design or
provenance is refused, and plans stay small in memory. Measured figures are printed (run with -s)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from experiments.design import ExperimentError, validate_experiment
from experiments.provenance import combined_hash, difference, record, source_hashes
from experiments.store import connect
from test_experiments_support import SOVAI, TESTS, sovai, write_experiment

PREMIUM = """
replications = 2
[uncertainties."environment.foreign_wage_premium"]
values = [0.4, 0.8, 1.2]
"""  # 6 runs


def runs_table(out):
    return connect(out).execute("SELECT * FROM runs ORDER BY design_point, replication").df()


def test_a_flaky_run_fails_once_and_resume_completes_it(tmp_path, monkeypatch):
    path = write_experiment(tmp_path, PREMIUM)
    out = tmp_path / "out"
    monkeypatch.setenv("SOVAI_FLAKY_DIR", str(tmp_path))  # the sweep's environment (sovai() passes it on)
    args = ("sweep", path, "--out", out, "--workers", 1, "--run-function", "test_experiments_support:flaky_run")
    first = sovai(*args)
    assert first.returncode == 1, first.stderr
    assert "5 ok, 1 failed" in first.stdout and "flaky failure, first try" in first.stderr
    shown = sovai("results", out)
    assert shown.returncode == 0 and "1 failed" in shown.stdout
    assert "RuntimeError: flaky failure, first try" in shown.stderr and "try 1 of 3" in shown.stderr
    again = sovai(*args, "--resume")
    assert again.returncode == 0, again.stderr
    assert "6 ok, 0 failed (5 already on disk, 1 run now" in again.stdout
    runs = runs_table(out)
    assert len(runs) == 6 and runs["run_id"].is_unique and (runs["status"] == "ok").all()
    retried = runs[runs["environment__foreign_wage_premium"] == 0.8]
    assert sorted(retried["attempts"]) == [1, 2]  # one replication failed once; the other never did
    assert connect(out).execute("SELECT count(DISTINCT run_id) FROM timeseries").fetchone()[0] == 6


def test_a_run_that_kills_its_worker_does_not_condemn_its_chunk(tmp_path):
    path = write_experiment(tmp_path, PREMIUM.replace("replications = 2", "replications = 1"))
    out = tmp_path / "out"
    t0 = time.monotonic()
    r = sovai("sweep", path, "--out", out, "--workers", 2, "--chunk-size", 3,
              "--run-function", "test_experiments_support:crashing_run")
    print(f"\n3-run chunk with one worker-killing run: {time.monotonic() - t0:.1f} s")
    assert r.returncode == 1, r.stderr
    runs = runs_table(out)
    assert list(runs["status"]) == ["ok", "failed", "ok"]
    assert runs.loc[1, "error"].startswith("worker lost (3 attempts)")
    assert runs["run_id"].is_unique and len(runs) == 3


def _group(pgid: int) -> list[str]:
    ps = subprocess.run(["ps", "-o", "pid=,args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line.strip() for line in ps.splitlines() if line.strip()]


def _slow_sweep(tmp_path, *options) -> subprocess.Popen:
    """A 60-run sweep of 1-second runs in its own process group (the sweep, its pool workers and the resource
    tracker), once its first chunk is on disk."""
    path = write_experiment(tmp_path, PREMIUM.replace("replications = 2", "replications = 20"))
    out = tmp_path / "out"
    proc = subprocess.Popen([SOVAI, "sweep", str(path), "--out", str(out), "--chunk-size", "1", "--quiet",
                             "--run-function", "test_experiments_support:slow_run", *options],
                            env={**os.environ, "PYTHONPATH": str(TESTS)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((out / "chunks").glob("*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    return proc


def _until(done, limit: float = 30) -> float:
    """Seconds until ``done()`` holds (polled; at most ``limit``)."""
    t0 = time.monotonic()
    while not done() and time.monotonic() - t0 < limit:
        time.sleep(0.05)
    return time.monotonic() - t0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_survives_its_sweep(tmp_path, sig):
    proc = _slow_sweep(tmp_path, "--workers", "2")
    pgid = proc.pid
    try:
        others = [p for p in _group(pgid) if not p.startswith(f"{proc.pid} ")]
        assert proc.poll() is None and len(others) >= 2, others  # workers are running runs
        os.kill(proc.pid, sig)  # the parent only: nobody tells the workers
        _, err = proc.communicate(timeout=30)
        seconds = _until(lambda: not _group(pgid))
        left = _group(pgid)
    finally:
        if _group(pgid):
            os.killpg(pgid, signal.SIGKILL)
    print(f"\n{len(others)} child processes ({', '.join(p.split()[1].rsplit('/', 1)[-1] for p in others)}) "
          f"all gone {seconds:.2f} s after the parent ended by {sig.name}")
    assert not left, left
    assert seconds < 10
    if sig == signal.SIGTERM:  # a polite kill ends like Ctrl-C
        assert proc.returncode == 130 and err.startswith("interrupted:") and err.count("\n") == 1, err


def test_dask_tasks_are_cancelled_when_the_sweep_process_ends(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        def tasks():
            return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
        proc = _slow_sweep(tmp_path, "--scheduler", cluster.scheduler_address)
        try:
            busy = tasks()
            assert proc.poll() is None and busy >= 1
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            seconds = _until(lambda: tasks() == 0)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        print(f"\n{busy} Dask tasks of the sweep; none left on the scheduler {seconds:.2f} s after its SIGKILL")
        assert tasks() == 0 and seconds < 10


def test_a_changed_seed_derivation_makes_resume_refuse(tmp_path):
    path = write_experiment(tmp_path, PREMIUM)
    out = tmp_path / "out"
    hook = ("--run-function", "test_experiments_support:synthetic_run")
    assert sovai("sweep", path, "--out", out, "--workers", 1, *hook).returncode == 0
    prov = json.loads((out / "provenance.json").read_text())
    assert prov == json.loads((out / "manifest.json").read_text())["provenance"]
    assert prov["files"]["experiments/plan.py"] == record()["files"]["experiments/plan.py"]
    # the folder as a sovai with another experiments/plan.py would have built it
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["provenance"]["files"]["experiments/plan.py"] = "0" * 16
    manifest["provenance"]["source_hash"] = combined_hash(manifest["provenance"]["files"])
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = sorted(p.name for p in (out / "chunks").iterdir())
    r = sovai("sweep", path, "--out", out, "--workers", 1, "--resume", *hook)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "different provenance: result-shaping files differ: experiments/plan.py" in r.stderr
    assert sorted(p.name for p in (out / "chunks").iterdir()) == before
    v2 = sovai("sweep", path, "--out", out, "--workers", 1, "--resume", "--new-version", *hook)
    assert v2.returncode == 0, v2.stderr
    assert f"-> {out}-v2" in v2.stdout.replace("\n", "") and len(runs_table(out.parent / "out-v2")) == 6
    again = sovai("sweep", path, "--out", out, "--workers", 1, "--new-version", *hook)  # resumes -v2
    assert again.returncode == 0 and "6 already on disk, 0 run now" in again.stdout


def test_source_hashes_name_the_changed_file(tmp_path):
    from experiments.provenance import ROOT, RESULT_SOURCES

    import shutil

    copy = tmp_path / "tree"
    for entry in RESULT_SOURCES:
        src, dst = ROOT / entry, copy / entry
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dst)
    same = source_hashes(copy)
    assert same == record()["files"] and {"abm/schema.py", "experiments/plan.py", "experiments/engine.py",
                                           "experiments/runner.py", "agents/firm.py"} <= set(same)
    assert any(p.startswith("abm/data/") and p.endswith(".toml") for p in same)  # the data tables
    plan = copy / "experiments" / "plan.py"
    plan.write_text(plan.read_text().replace("(1, r)", "(1, r + 1)"))
    changed = source_hashes(copy)
    assert [p for p in same if same[p] != changed[p]] == ["experiments/plan.py"]
    new = {**record(), "files": changed, "source_hash": combined_hash(changed)}
    assert difference(record(), new) == "result-shaping files differ: experiments/plan.py"
    assert difference(record(), record()) is None
    assert difference(record(), {**record(), "numpy": "0.1"}).startswith("numpy")
    assert difference(record(), {**record(), "git_commit": "other"}) is None  # the commit alone does not count


def test_sovai_run_writes_the_provenance_record(tmp_path):
    r = sovai("run", "--set", "population.firms=50", "--set", "population.talent=50", "--set",
              "population.data_holders=10", "--set", "run.end_year=2027", "--out", tmp_path / "run", "--quiet")
    assert r.returncode == 0, r.stderr
    prov = json.loads((tmp_path / "run" / "provenance.json").read_text())
    for key in ("sovai", "git_commit", "source_hash", "python", "numpy", "pandas", "mesa", "scipy", "pyarrow"):
        assert key in prov
    assert prov["python"] == ".".join(map(str, sys.version_info[:3])) and prov["files"] == record()["files"]


@pytest.mark.parametrize("where", ["levers", "uncertainties", "fixed"])
def test_run_seed_cannot_be_a_factor(where):
    body = ({"run.seed": 7} if where == "fixed" else {"run.seed": {"values": [1, 2]}})
    with pytest.raises(ExperimentError, match=rf"^{where}\.run\.seed: .*master_seed"):
        validate_experiment({"name": "x", "master_seed": 1, where: body})


@pytest.mark.parametrize("field", ["run.start_year", "run.end_year"])
def test_the_horizon_is_fixed_not_a_factor(field):
    with pytest.raises(ExperimentError, match=rf"^levers\.{field}: .*\[fixed\]"):
        validate_experiment({"name": "x", "master_seed": 1, "levers": {field: {"values": [2030, 2035]}}})
    exp = validate_experiment({"name": "x", "master_seed": 1, "fixed": {field: 2035}})  # fixed is fine
    assert exp.bases["gov-led"].run.model_dump()[field.split(".")[1]] == 2035


def test_a_seed_factor_is_refused_in_one_line(tmp_path):
    path = write_experiment(tmp_path, '[levers."run.seed"]\nvalues = [1, 2]\n')
    r = sovai("sweep", path, "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("error: levers.run.seed:")
    assert not (tmp_path / "out").exists()


def grid(*factors: tuple[str, float, float, int]) -> str:
    """Experiment text: uncertainties ``(field, lo, hi, levels)`` on a full grid."""
    return "".join(f'[uncertainties."{name}"]\nrange = [{lo}, {hi}]\nlevels = {n}\n' for name, lo, hi, n in factors)


BILLION = grid(("environment.foreign_wage_premium", 0.3, 2.0, 1000),
               ("environment.electricity_price_jpy_per_kwh", 5.0, 80.0, 1000),
               ("policy.adoption_subsidy_rate", 0.0, 0.5, 1000))


PEAK = """
def peak_mb():
    # this process's peak resident memory: VmHWM starts afresh at exec (ru_maxrss would keep the forking
    # pytest's peak across exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
"""


def _child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it sets ``OUT``, printed as JSON with its peak RSS (MB)."""
    tail = "import json; print(json.dumps({**OUT, 'peak_mb': peak_mb()}))"
    r = subprocess.run([sys.executable, "-c", PEAK + textwrap.dedent(code) + "\n" + tail], capture_output=True,
                       text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(TESTS)})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_a_billion_run_design_is_refused_before_anything_is_allocated(tmp_path):
    path = write_experiment(tmp_path, BILLION)
    t0 = time.monotonic()
    r = sovai("sweep", path, "--out", tmp_path / "out")
    seconds = time.monotonic() - t0
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "design: 1,000,000,000 runs exceeds the ceiling of 100,000 runs" in r.stderr
    assert not (tmp_path / "out").exists()
    # with --yes the plan is lazy: a billion runs cost no memory until they are run
    got = _child(f"""
        import time
        from experiments.design import ExperimentError, load_experiment
        from experiments.plan import make_plan
        exp = load_experiment({str(path)!r})
        base = peak_mb()
        t0 = time.perf_counter()
        try:
            make_plan(exp)
        except ExperimentError:
            refused_s, refused_mb = time.perf_counter() - t0, peak_mb()
        plan = make_plan(exp, max_runs=None)
        last = plan.runs[len(plan.runs) - 1]
        OUT = {{"n": len(plan.runs), "base_mb": base, "last": last.params["policy__adoption_subsidy_rate"],
               "seed": last.scenario["run"]["seed"] == last.seed, "refused_s": refused_s, "refused_mb": refused_mb}}
        """)
    print(f"\n10^9-run design refused by make_plan in {got['refused_s'] * 1000:.1f} ms (peak RSS "
          f"{got['refused_mb']:.0f} MB, {got['base_mb']:.0f} MB before), by the CLI in {seconds:.2f} s (process "
          f"start included); planned with --yes: peak RSS {got['peak_mb']:.0f} MB")
    assert got["refused_s"] < 1 and got["refused_mb"] - got["base_mb"] < 5
    assert got["n"] == 10**9 and got["last"] == 0.5 and got["seed"]
    assert got["peak_mb"] < 300


def test_a_hundred_thousand_run_plan_keeps_memory_flat(tmp_path):
    path = write_experiment(tmp_path, "replications = 100\n" + grid(
        ("environment.foreign_wage_premium", 0.3, 2.0, 100), ("policy.adoption_subsidy_rate", 0.0, 0.5, 10)))
    # 1000 design points x 100 replications
    got = _child(f"""
        import time
        from experiments.design import load_experiment
        from experiments.engine import Engine
        from experiments.plan import make_plan
        base = peak_mb()
        t0 = time.monotonic()
        plan = make_plan(load_experiment({str(path)!r}))
        ids = {{r.run_id for r in plan.runs}}  # what a sweep keeps: the ids, to skip runs on disk
        payloads = ({{"run_id": r.run_id, "seed": r.seed, "scenario": r.scenario, "row": r.row()}} for r in plan.runs)
        chunks = sum(1 for _ in Engine().chunks(payloads, len(plan.runs), 20))  # every run's payload, streamed
        OUT = {{"n": len(plan.runs), "ids": len(ids), "chunks": chunks, "base_mb": base,
               "seconds": time.monotonic() - t0}}
        """)
    print(f"\n10^5-run plan: every run id and payload built in {got['seconds']:.1f} s, peak RSS "
          f"{got['peak_mb']:.0f} MB (imports alone {got['base_mb']:.0f} MB)")
    assert got["n"] == got["ids"] == 100_000 and got["chunks"] == 5_000
    assert got["peak_mb"] < 300
