"""The results folder of a sweep: Parquet chunks written atomically, a manifest, DuckDB views.

Layout::

    DIR/manifest.json                 what the folder holds (experiment fingerprint, model version, counts)
    DIR/experiment.toml               the experiment file as given
    DIR/chunks/<id>/runs.parquet      one row per run: parameters, seed, status, error, summary metrics
    DIR/chunks/<id>/timeseries.parquet  run_id, year, quarter, kept metric columns (ok runs only)
    DIR/tmp/                          chunks being written; renamed into chunks/ only when complete

    DIR/provenance.json               what made the results (:mod:`experiments.provenance`), also in the manifest

A chunk folder is either complete or absent, so the chunk files are the truth about what is done; the
manifest is rewritten (atomically) after each chunk. One sweep writes a folder at a time (a file lock).
A failed run is retried by a later sweep of the folder up to ``MAX_RUN_ATTEMPTS`` tries in all (column
``attempts``): the new row is written in a new chunk, then the old row is removed from its chunk (a file
replaced whole); a run found in two chunks (a crash in between) keeps its latest try when the folder is opened.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute
import pyarrow.parquet as pq

from abm.errors import UserError
from experiments.outdir import claim, mark, write_text_atomic
from experiments.runner import INT_METRICS

FORMAT = 1
MAX_RUN_ATTEMPTS = 3  # tries of a failed run in all, over the sweeps of a folder
STRING_COLUMNS = {"run_id", "status", "error", "traceback", "model_version", "base_scenario", "shock_set"}
SWEEP_NAMES = ("manifest.json", "experiment.toml", "provenance.json", "chunks", "tmp", "quarantine", ".lock",
               "discovery")
MANIFEST_KEYS = {"name": str, "fingerprint": str, "model_version": str, "design": str, "planned_runs": int,
                 "replications": int, "master_seed": int, "parameter_columns": list}


class StoreError(UserError):
    """A user-facing problem with a results folder; ``str(err)`` is one line."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: dict) -> None:
    """JSON through the one atomic writer (temporary sibling, fsync, rename)."""
    write_text_atomic(path, json.dumps(data, indent=2, default=str))


def read_manifest(root: Path) -> dict:
    """The manifest of a results folder; StoreError if it is not one."""
    path = Path(root) / "manifest.json"
    if not path.is_file():
        raise StoreError(f"{root}: not a sovai results folder (no manifest.json)")
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise StoreError(f"{path}: unreadable manifest: {e}") from None
    if not isinstance(m, dict):
        raise StoreError(f"{path}: not a sovai results manifest (a JSON object is needed, got {type(m).__name__})")
    for key, typ in MANIFEST_KEYS.items():
        if not isinstance(m.get(key), typ) or isinstance(m.get(key), bool):
            raise StoreError(f"{path}: not a sovai results manifest ('{key}' is missing or not a {typ.__name__})")
    return m


def mismatch(old: dict, new: dict) -> str | None:
    """Why a folder whose manifest is ``old`` cannot take the runs of ``new`` (one phrase), or None."""
    from experiments.provenance import difference

    if old.get("fingerprint") != new["fingerprint"]:
        return (f"holds results of a different experiment design ('{old.get('name')}', fingerprint "
                f"{old.get('fingerprint')}, this is {new['fingerprint']})")
    if "provenance" in new and (why := difference(old.get("provenance"), new["provenance"])):
        return f"was built with a different provenance: {why}"
    if old.get("model_version") != new["model_version"]:
        return f"was made with model version {old.get('model_version')}, this is {new['model_version']}"
    return None


def typed_runs_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Rows -> DataFrame with the same column types in every chunk (Int64 years, strings, floats)."""
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c in INT_METRICS or c in ("design_point", "lever_index", "sample_index", "replication", "seed",
                                       "attempts"):
            df[c] = pd.to_numeric(df[c]).astype("Int64")
        elif df[c].dtype == object:
            vals = df[c].dropna()
            if len(vals) == 0 and c not in STRING_COLUMNS:  # e.g. a metric past the horizon
                df[c] = df[c].astype("float64")
            elif len(vals) == 0 or vals.map(lambda v: isinstance(v, str)).any():
                df[c] = df[c].astype("string")
            elif vals.map(lambda v: isinstance(v, bool)).all():
                df[c] = df[c].astype("boolean")
            else:
                df[c] = pd.to_numeric(df[c]).astype("float64")
    first = [c for c in columns if c in df.columns]
    last = [c for c in ("elapsed_s", "model_version", "traceback") if c in df.columns]
    return df[first + [c for c in df.columns if c not in first and c not in last] + last]


class Store:
    """A results folder opened for writing by one sweep; call :meth:`open`, then :meth:`write_chunk`,
    then :meth:`close` (or use it as a context manager)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.chunks = self.root / "chunks"
        self.tmp = self.root / "tmp"
        self._lock_fd: int | None = None
        self.manifest: dict = {}
        self.failed: dict[str, int] = {}    # failed run id that may be retried -> tries so far
        self._where: dict[str, str] = {}    # ... -> the chunk holding its row

    def open(self, manifest: dict, resume: bool, experiment_text: str = "", force: bool = False) -> set[str]:
        """Create or reopen the folder for ``manifest`` (same design, provenance and model version required:
        see :func:`mismatch`); return the run ids not to run again (ok, or failed ``MAX_RUN_ATTEMPTS`` times).
        ``self.failed`` then maps each failed run id that may be retried to its tries so far. A non-empty
        folder that is not a sovai output is refused unless ``force`` (see :func:`experiments.outdir.claim`)."""
        path = self.root / "manifest.json"
        if resume and not path.is_file():
            raise StoreError(f"--resume: {self.root} holds no sweep to resume")
        claim(self.root, SWEEP_NAMES, force=force)
        old = read_manifest(self.root) if path.is_file() else None
        if old is None and any((self.root / d).exists() for d in ("chunks", "tmp")):
            raise StoreError(f"--out: {self.root} has chunks/ or tmp/ but no manifest.json; give another --out")
        if old is not None and (why := mismatch(old, manifest)):
            raise StoreError(f"{self.root} {why}; use another --out, or --new-version to start {self.root}-v2")
        mark(self.root, SWEEP_NAMES, "sweep")
        self._lock()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir()
        self.chunks.mkdir(exist_ok=True)
        done, chunks = self._scan()
        self.manifest = {**manifest, "created": (old or {}).get("created", time.strftime("%Y-%m-%dT%H:%M:%S")),
                         "chunks": chunks}
        self._count()
        if experiment_text and not (self.root / "experiment.toml").exists():
            write_text_atomic(self.root / "experiment.toml", experiment_text)
        if "provenance" in manifest:
            write_json_atomic(self.root / "provenance.json", manifest["provenance"])
        write_json_atomic(path, self.manifest)
        return done

    def _lock(self) -> None:
        fd = os.open(self.root / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreError(f"{self.root} is being written by another sweep") from None
        self._lock_fd = fd

    def _scan(self) -> tuple[set[str], dict]:
        rows: dict[str, list] = {}  # run id -> [(attempts, ok, chunk)]
        for d in sorted(self.chunks.iterdir()):
            try:
                t = pq.read_table(d / "runs.parquet").select(
                    [c for c in ("run_id", "status", "attempts") if c in pq.read_schema(d / "runs.parquet").names]
                ).to_pydict()
            except Exception:  # not expected (chunks are renamed complete); keep it out of the way
                (self.root / "quarantine").mkdir(exist_ok=True)
                os.replace(d, self.root / "quarantine" / d.name)
                continue
            for rid, status, tries in zip(t["run_id"], t["status"], t.get("attempts") or [1] * len(t["run_id"])):
                rows.setdefault(rid, []).append((tries or 1, status == "ok", d.name))
        stale: dict[str, set] = {}
        for rid, found in rows.items():  # a crash between a retry and the removal of the old row: keep the latest
            found.sort(reverse=True)
            for _t, _ok, chunk in found[1:]:
                stale.setdefault(chunk, set()).add(rid)
        for chunk, ids in stale.items():
            self._drop(chunk, ids)
        self.failed = {rid: f[0][0] for rid, f in rows.items() if not f[0][1] and f[0][0] < MAX_RUN_ATTEMPTS}
        self._where = {rid: f[0][2] for rid, f in rows.items() if rid in self.failed}
        chunks = {}
        for d in sorted(self.chunks.iterdir()):
            t = pq.read_table(d / "runs.parquet", columns=["status"]).column("status").to_pylist()
            chunks[d.name] = {"runs": len(t), "failed": sum(s == "failed" for s in t)}
        return set(rows) - set(self.failed), chunks

    def _drop(self, chunk: str, ids: set[str]) -> None:
        """Remove the rows of ``ids`` (failed rows, which have no time series) from a chunk: its runs file is
        replaced whole, or the chunk folder removed if nothing is left."""
        d = self.chunks / chunk
        t = pq.read_table(d / "runs.parquet")
        keep = t.filter(pa.compute.invert(pa.compute.is_in(t.column("run_id"), pa.array(sorted(ids)))))
        if keep.num_rows == 0:
            os.replace(d, self.tmp / f"drop-{chunk}")
            shutil.rmtree(self.tmp / f"drop-{chunk}", ignore_errors=True)
        else:
            tmp = self.tmp / f"{chunk}.runs.parquet"
            pq.write_table(keep, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, d / "runs.parquet")
        _fsync_dir(self.chunks)
        self.manifest.get("chunks", {}).pop(chunk, None)
        if keep.num_rows:
            self.manifest.get("chunks", {})[chunk] = {
                "runs": keep.num_rows, "failed": sum(s == "failed" for s in keep.column("status").to_pylist())}

    def _count(self) -> None:
        c = self.manifest["chunks"].values()
        self.manifest["done_runs"] = sum(x["runs"] for x in c)
        self.manifest["failed_runs"] = sum(x["failed"] for x in c)
        self.manifest["complete"] = self.manifest["done_runs"] >= self.manifest["planned_runs"]
        self.manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S")

    def write_chunk(self, chunk_id: str, runs: pd.DataFrame, timeseries: pd.DataFrame | None) -> None:
        """Write a chunk to tmp/, fsync, rename into chunks/, then update the manifest."""
        if (self.chunks / chunk_id).exists():
            raise StoreError(f"chunk {chunk_id} is already on disk")  # a planning bug, never expected
        tmp = self.tmp / chunk_id
        tmp.mkdir()
        files = [("runs.parquet", runs)] + ([("timeseries.parquet", timeseries)] if timeseries is not None else [])
        for name, df in files:
            df.to_parquet(tmp / name, index=False)
            with open(tmp / name, "rb") as f:
                os.fsync(f.fileno())
        _fsync_dir(tmp)
        os.replace(tmp, self.chunks / chunk_id)
        _fsync_dir(self.chunks)
        self.manifest["chunks"][chunk_id] = {"runs": len(runs), "failed": int((runs["status"] == "failed").sum())}
        retried: dict[str, set] = {}
        for rid in runs["run_id"]:
            if rid in self._where:
                retried.setdefault(self._where.pop(rid), set()).add(rid)
                self.failed.pop(rid, None)
        for chunk, ids in retried.items():
            self._drop(chunk, ids)
        self._count()
        write_json_atomic(self.root / "manifest.json", self.manifest)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def connect(root: Path):
    """A DuckDB connection (in memory) with views ``runs`` and ``timeseries`` over a results folder."""
    import duckdb

    root = Path(root)
    read_manifest(root)
    con = duckdb.connect()
    chunks = root / "chunks"
    runs = sorted(chunks.glob("*/runs.parquet"))
    ts = sorted(chunks.glob("*/timeseries.parquet"))
    if runs:
        con.execute(f"CREATE VIEW runs AS SELECT * FROM read_parquet('{_sql_path(chunks)}/*/runs.parquet', "
                    "union_by_name = true)")
    else:
        con.execute("CREATE VIEW runs AS SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS status, "
                    "NULL::VARCHAR AS error WHERE false")
    if ts:
        con.execute(f"CREATE VIEW timeseries AS SELECT * FROM read_parquet('{_sql_path(chunks)}/*/timeseries.parquet', "
                    "union_by_name = true)")
    else:
        con.execute("CREATE VIEW timeseries AS SELECT NULL::VARCHAR AS run_id, NULL::INTEGER AS year, "
                    "NULL::INTEGER AS quarter WHERE false")
    return con
