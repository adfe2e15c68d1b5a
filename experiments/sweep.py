"""Run a plan into a results folder on the run engine (inline, local process pool or Dask).

:func:`run_sweep` skips runs already on disk, hands the rest to :class:`experiments.engine.Engine` (chunks,
bounded in-flight work, retry of a chunk whose worker died), writes each finished chunk atomically and stops
cleanly on Ctrl-C (finished chunks are kept).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from abm.errors import UserError
from experiments.outdir import FORCE_HELP
from experiments.options import MAX_WORKERS, SCHEDULER_HELP, YES_HELP, check_scheduler, default_workers
from experiments.plan import MAX_RUNS, RUN_COLUMNS, Plan
from experiments.engine import Engine, EngineError
from experiments.store import FORMAT, Store, StoreError, mismatch, read_manifest, typed_runs_frame


@dataclass
class SweepResult:
    out: Path
    planned: int
    skipped: int          # already on disk when the sweep started
    ran: int              # finished in this sweep (ok or failed)
    failed_total: int     # failed runs on disk (this sweep and earlier ones)
    interrupted: bool
    elapsed_s: float


def sweep_manifest(plan: Plan) -> dict:
    """What a results folder records about the plan it holds (with this installation's provenance)."""
    from experiments.provenance import record

    exp = plan.experiment
    return {"format": FORMAT, "name": exp.name, "description": exp.spec.description,
            "fingerprint": plan.fingerprint, "model_version": plan.model_version, "run_function": plan.run_fn,
            "design": plan.kind, "replications": exp.spec.replications, "master_seed": exp.spec.master_seed,
            "planned_runs": len(plan.runs), "parameter_columns": plan.columns,
            "factors": [f.model_dump() for f in exp.factors],
            "outputs": exp.spec.outputs.model_dump(), "analysis": exp.spec.analysis.model_dump(),
            "provenance": record()}


def new_version_folder(out: Path, manifest: dict) -> Path:
    """``out`` if it can take ``manifest``'s runs (absent, or same design and provenance), else the first
    sibling ``<out>-v2``, ``<out>-v3``, ... that can (``--new-version``)."""
    out, k = Path(out), 1
    while True:
        folder = out if k == 1 else out.with_name(f"{out.name}-v{k}")
        try:
            if not (folder / "manifest.json").is_file() or not mismatch(read_manifest(folder), manifest):
                return folder
        except StoreError:
            pass
        k += 1


def run_sweep(plan: Plan, out: Path, *, workers: int = 1, scheduler: str | None = None, resume: bool = False,
              chunk_size: int | None = None, on_progress: Callable[[int, int, int], None] | None = None,
              on_start: Callable[[int, int], None] | None = None, force: bool = False) -> SweepResult:
    """Run every run of ``plan`` not yet in ``out``, and retry its failed runs (up to ``MAX_RUN_ATTEMPTS``
    tries each). ``on_start(total, skipped)`` then ``on_progress(done, failed, total)`` after each chunk.
    Raises StoreError (or another UserError) for folder/cluster problems, including a folder built by another
    design or provenance (use :func:`new_version_folder` for a sibling); ``force`` writes into a non-empty
    folder that is not a sovai output."""
    t0 = time.monotonic()
    manifest = sweep_manifest(plan)
    try:
        engine = Engine(workers, scheduler, plan.run_fn)  # connect first: an unreachable cluster leaves no folder
    except EngineError as e:
        raise StoreError(str(e)) from None
    store = Store(Path(out))
    try:
        on_disk = store.open(manifest, resume, plan.experiment.source_text, force=force)
    except BaseException:
        engine.close()
        raise
    todo_n = sum(1 for r in plan.runs if r.run_id not in on_disk)
    skipped = len(plan.runs) - todo_n
    failed = store.manifest["failed_runs"] - len(store.failed)
    ran = 0
    interrupted = False

    def payloads():
        for s in plan.runs:
            if s.run_id not in on_disk:
                yield {"run_id": s.run_id, "seed": s.seed, "scenario": s.scenario, "row": s.row(),
                       "attempt": store.failed.get(s.run_id, 0) + 1}
    try:
        chunks = engine.chunks(payloads(), todo_n, chunk_size or plan.experiment.spec.design.chunk_size)
        if on_start:
            on_start(len(plan.runs), skipped)
        for cid, payload, res in engine.results(chunks, plan.keep_ts, plan.keep_summary):
            by_id = {p["run_id"]: p for p in payload}
            rows = [{**by_id[r["run_id"]]["row"], **r, "attempts": by_id[r["run_id"]]["attempt"],
                     "model_version": plan.model_version} for r in res["rows"]]
            runs = typed_runs_frame(rows, RUN_COLUMNS + plan.columns)
            store.write_chunk(cid, runs, res["timeseries"])
            ran += len(rows)
            failed += int((runs["status"] == "failed").sum())
            if on_progress:
                on_progress(skipped + ran, failed, len(plan.runs))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        engine.close(interrupted)
        store.close()
    return SweepResult(Path(out), len(plan.runs), skipped, ran, failed, interrupted, time.monotonic() - t0)


# ---- command line ---------------------------------------------------------------------------------------

def execute(plan: Plan, out: Path, *, workers: int, scheduler: str | None, resume: bool = False,
            chunk_size: int | None = None, quiet: bool = False, force: bool = False,
            new_version: bool = False) -> SweepResult:
    """:func:`run_sweep` with a progress bar (runs done / failed / ETA) for the CLI; exits 2 on folder or
    cluster problems and 130 on Ctrl-C or SIGTERM (finished chunks stay on disk, workers and Dask tasks are
    stopped). ``new_version``: a folder built by another design or provenance gives way to a sibling
    (``result.out`` says which)."""
    import signal
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from experiments.run_cli import err_console, fail

    bar = Progress(TextColumn("sweep"), BarColumn(), TextColumn("{task.completed}/{task.total} runs"),
                   TextColumn("failed {task.fields[failed]}"), TimeElapsedColumn(), TextColumn("ETA"),
                   TimeRemainingColumn(), console=err_console, disable=quiet)
    task, started = None, []

    def start(total: int, skipped: int) -> None:
        nonlocal task
        if skipped and not quiet:
            err_console.print(f"{skipped} of {total} runs already in {out}; running the rest",
                              highlight=False, markup=False)
        task = bar.add_task("runs", total=total, completed=skipped, failed=0)
        bar.start()  # only once the folder is open: a refused folder prints its one error line alone
        started.append(True)

    def progress(done: int, failed: int, total: int) -> None:
        bar.update(task, completed=done, failed=failed)

    def terminate(signum, frame):  # a polite kill ends like Ctrl-C: in-flight work cancelled, workers stopped
        raise KeyboardInterrupt

    if new_version and (sibling := new_version_folder(out, sweep_manifest(plan))) != Path(out):
        out, resume = sibling, False
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        result = run_sweep(plan, out, workers=workers, scheduler=scheduler, resume=resume,
                           chunk_size=chunk_size, on_progress=progress, on_start=start, force=force)
    except UserError as e:
        fail(str(e))
    finally:
        signal.signal(signal.SIGTERM, previous)
        if started:
            bar.stop()
    if result.interrupted:
        err_console.print(f"interrupted: {result.skipped + result.ran} of {result.planned} runs are on disk in "
                          f"{out}; run the same command again to resume", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(130)
    return result


def report_failures(out: Path, limit: int = 5) -> None:
    """Print the first failed runs of a results folder to stderr: id, seed, parameters, tries, error line."""
    from experiments.run_cli import err_console
    from experiments.store import MAX_RUN_ATTEMPTS, connect

    cols = [c for c in read_manifest(out)["parameter_columns"]]
    con = connect(out)
    have = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE runs)").fetchall()}
    shown = [c for c in cols if c in have]
    tries = "attempts" if "attempts" in have else "1"
    rows = con.execute(f"SELECT run_id, seed, {tries}, {', '.join(f'"{c}"' for c in shown + ['error'])} FROM runs "
                       f"WHERE status = 'failed' ORDER BY design_point, replication LIMIT {limit}").fetchall()
    for row in rows:
        params = ", ".join(f"{c}={v}" for c, v in zip(shown, row[3:-1]) if v is not None)
        again = "retried by --resume" if (row[2] or 1) < MAX_RUN_ATTEMPTS else "no more retries"
        err_console.print(f"failed {row[0]} (seed {row[1]}; {params}; try {row[2] or 1} of {MAX_RUN_ATTEMPTS}, "
                          f"{again}): {row[-1]}", highlight=False, markup=False, soft_wrap=True)


def register(app) -> None:
    """Add ``sovai sweep`` to the Typer app."""
    from experiments.run_cli import console, fail
    from experiments.outdir import default_folder, out_path
    from experiments.design import ExperimentError, load_experiment
    from experiments.plan import make_plan
    from experiments.runner import DEFAULT_RUN_FN

    @app.command()
    def sweep(
        experiment: Annotated[Path, typer.Argument(help="experiment TOML file")],
        workers: Annotated[int, typer.Option(help="local worker processes (1 = in this process)", min=1,
                                             max=MAX_WORKERS)] = default_workers(),
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        resume: Annotated[bool, typer.Option(help="continue the sweep in --out (required to exist)")] = False,
        out: Annotated[Optional[str], typer.Option(help="results folder (default outputs/sweeps/<name>)")] = None,
        chunk_size: Annotated[Optional[int], typer.Option(help="runs per chunk (default: automatic)", min=1,
                                                          max=100_000)] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        yes: Annotated[bool, typer.Option("--yes", help=YES_HELP)] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
        new_version: Annotated[bool, typer.Option("--new-version", help="if --out was built by another design or "
                                                  "provenance, write to a sibling <out>-v2 (-v3, ...)")] = False,
        run_function: Annotated[str, typer.Option(hidden=True, help="module:function run hook")] = DEFAULT_RUN_FN,
    ):
        """Run an experiment: every design point x replication, streamed to Parquet chunks; resumable."""
        try:
            plan = make_plan(load_experiment(experiment), run_fn=run_function, max_runs=None if yes else MAX_RUNS)
        except ExperimentError as e:
            fail(str(e))
        folder = out_path(out, default_folder("sweeps", plan.experiment.name))
        result = execute(plan, folder, workers=workers, scheduler=scheduler, resume=resume,
                         chunk_size=chunk_size, quiet=quiet, force=force, new_version=new_version)
        folder = result.out
        ok = result.planned - result.failed_total
        console.print(f"{plan.experiment.name}: {result.planned} runs, {ok} ok, {result.failed_total} failed "
                      f"({result.skipped} already on disk, {result.ran} run now in {result.elapsed_s:.1f} s) "
                      f"-> {folder}", highlight=False, markup=False)
        if result.failed_total:
            report_failures(folder)
            raise typer.Exit(1)
