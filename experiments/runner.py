"""Worker side of a sweep: run a chunk of runs and return their rows (never raises for a failing run).

:func:`run_chunk` is what executors (local process pool, Dask ``client.get_executor()``, inline) call; it
must stay a top-level, picklable function. A *run function* ``fn(scenario, seed) -> (timeseries, summary)``
is named ``"module:attr"`` so workers import it themselves; the default runs the model through
:func:`abm.report.simulate`. Tests inject other run functions the same way.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import inspect
import re
import time
import traceback
from importlib import metadata

import pandas as pd

DEFAULT_RUN_FN = "experiments.runner:simulate_run"
_UNIT = re.compile(r"(_jpy_tn.*)$")
INT_METRICS = {"payback_year", "report_method_payback_year", "final_year"}


def simulate_run(scenario, seed: int, appraise: bool = True) -> tuple[pd.DataFrame, dict]:
    """The default run function: the sovai model, one run to the end of the horizon (with its paired
    counterfactual unless ``appraise`` is False: then the appraisal metrics are None). A sweep keeps the time
    series and the summary only, so no Mesa agent views are built (same outputs, less work)."""
    from abm.report import simulate

    result = simulate(scenario, seed=seed, appraise=appraise, agent_views=False)
    return result.timeseries, result.summary


@functools.lru_cache(maxsize=None)
def model_version() -> str:
    """Package version + a hash of every result-shaping file (:data:`experiments.provenance.RESULT_SOURCES`:
    the model and its data, the seed derivation and the run engine)."""
    from experiments.provenance import combined_hash, source_hashes

    try:
        version = metadata.version("sovai")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "0"
    return f"{version}+{combined_hash(source_hashes())[:10]}"


@functools.lru_cache(maxsize=None)
def resolve_run_fn(name: str):
    """Import ``"module:attr"``; raises ValueError with a one-line message if it cannot."""
    module, _, attr = name.partition(":")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError) as e:
        raise ValueError(f"run function {name!r} cannot be imported: {e}") from None
    if not callable(fn):
        raise ValueError(f"run function {name!r} is not callable")
    return fn


def flatten_summary(summary: dict, prefix: str = "") -> dict:
    """Nested summary -> flat columns, sub-keys inserted before the unit (``deficit_jpy_tn.2040`` ->
    ``deficit_2040_jpy_tn``). The run's seed is dropped (the runs table has it)."""
    out = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            m = _UNIT.search(name)
            stem, unit = (name[:m.start()], m.group(1)) if m else (name, "")
            for sub, v in flatten_summary(value).items():
                sm = _UNIT.search(sub)
                sub_stem, sub_unit = (sub[:sm.start()], sm.group(1)) if sm else (sub, "")
                out[f"{stem}_{sub_stem}{unit or sub_unit}"] = v
        elif key != "seed" or prefix:
            out[name] = value
    return out


def timeseries_columns() -> list[str]:
    """Every per-quarter column the model reports (``year`` and ``quarter`` first)."""
    from abm.metrics import model_reporters

    return list(model_reporters())


@functools.lru_cache(maxsize=None)
def reference_summary() -> dict:
    """The summary of a tiny reference run of the model: its structure (keys), not its numbers."""
    from abm.scenario import load_scenario

    tiny = load_scenario("gov-led", {"population.firms": 20, "population.talent": 20, "population.data_holders": 5,
                                     "population.asean_partners": 1, "run.end_year": 2026, "run.start_year": 2026})
    return simulate_run(tiny, 0)[1]


@functools.lru_cache(maxsize=None)
def summary_metric_names() -> tuple[str, ...]:
    """The flat summary columns (see :func:`reference_summary`)."""
    return tuple(flatten_summary(reference_summary()))


@functools.lru_cache(maxsize=None)
def appraisal_metric_names() -> frozenset[str]:
    """The flat summary columns that need the run's paired counterfactual: those of :func:`abm.appraisal.appraise`
    (read from its answer for a run without a programme, so no model runs to learn them)."""
    from abm.appraisal import appraise

    return frozenset(flatten_summary(appraise(None, None, None)))


def needs_appraisal(keep_summary: list[str] | None) -> bool:
    """Whether a sweep keeping ``keep_summary`` (None: all) needs the paired counterfactual of each run."""
    return keep_summary is None or not appraisal_metric_names().isdisjoint(keep_summary)


@functools.lru_cache(maxsize=None)
def _takes_appraise(fn) -> bool:
    try:
        return "appraise" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def coerce_metric(name: str, value):
    """Give every summary metric a fixed column type across chunks: int years, str labels, else float."""
    if value is None:
        return None
    if name in INT_METRICS or isinstance(value, bool):
        return int(value) if not isinstance(value, bool) else value
    if isinstance(value, str):
        return value
    return float(value)


def _one(spec: dict, fn, keep_ts, keep_summary, options: dict) -> tuple[dict, pd.DataFrame | None]:
    from abm.scenario import validate

    row = {"run_id": spec["run_id"], "status": "ok", "error": None, "traceback": None}
    t0 = time.perf_counter()
    try:
        ts, summary = fn(validate(spec["scenario"]), spec["seed"], **options)
        flat = flatten_summary(summary)
        names = flat.keys() if keep_summary is None else keep_summary
        row.update({k: coerce_metric(k, flat.get(k)) for k in names})
        cols = ["year", "quarter", *(c for c in (ts.columns if keep_ts is None else keep_ts)
                                     if c not in ("year", "quarter"))]
        frame = ts.loc[:, cols].copy()
        frame.insert(0, "run_id", spec["run_id"])
    except Exception as e:  # a failing run is data, not a crash
        row.update(status="failed", error=f"{type(e).__name__}: {e}".splitlines()[0][:500],
                   traceback=traceback.format_exc()[-4000:])
        frame = None
    row["elapsed_s"] = time.perf_counter() - t0
    return row, frame


# The cyclic garbage collector's first-generation threshold while a chunk runs (Python's default is 700): a model
# run allocates hundreds of thousands of short-lived objects, and collecting every 700 allocations cost ~7 % of
# the CPU of 8 default runs with their counterfactuals, peak memory lower too (docs/performance.md). Outputs are
# unaffected: collection frees memory, it never changes a value.
GC_THRESHOLDS = (50_000, 20, 20)


@contextlib.contextmanager
def fewer_collections():
    """Run the block with :data:`GC_THRESHOLDS`, then restore the caller's thresholds."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_chunk(chunk_id: str, specs: list[dict], keep_ts: list[str] | None, keep_summary: list[str] | None,
              run_fn: str = DEFAULT_RUN_FN) -> dict:
    """Run every spec (``run_id``, ``seed``, ``scenario`` data) of one chunk.

    Returns ``{"chunk_id", "model_version", "rows": [per-run summary rows], "timeseries": DataFrame|None}``.
    A run that raises becomes a row with status "failed" and its error; the chunk itself does not raise.
    Only what is kept is computed: when no kept summary metric needs the appraisal, a run function that takes
    ``appraise`` is called with ``appraise=False`` (no paired counterfactual; the kept metrics are the same).
    """
    fn = resolve_run_fn(run_fn)
    options = {} if needs_appraisal(keep_summary) or not _takes_appraise(fn) else {"appraise": False}
    rows, frames = [], []
    with fewer_collections():
        for spec in specs:
            row, frame = _one(spec, fn, keep_ts, keep_summary, options)
            rows.append(row)
            if frame is not None:
                frames.append(frame)
    ts = pd.concat(frames, ignore_index=True) if frames else None
    return {"chunk_id": chunk_id, "model_version": model_version(), "rows": rows, "timeseries": ts}
