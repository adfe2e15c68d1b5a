"""The results folder of a sweep: Parquet chunks written atomically, a manifest, DuckDB views.

Layout::

    DIR/manifest.json                 what the folder holds (experiment fingerprint, model version, counts)
    DIR/experiment.toml               the experiment file as given
    DIR/chunks/<id>/runs.parquet      one row per run: parameters, seed, status, error, summary metrics
    DIR/chunks/<id>/timeseries.parquet  run_id, year, quarter, kept metric columns (ok runs only)
    DIR/tmp/                          chunks being written; renamed into chunks/ only when complete

A chunk folder is either complete or absent, so the chunk files are the truth about what is done; the
manifest is rewritten (atomically) after each chunk. One sweep writes a folder at a time (a file lock).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from abm.errors import UserError
from experiments.outdir import claim, mark, write_text_atomic
from experiments.runner import INT_METRICS

FORMAT = 1
STRING_COLUMNS = {"run_id", "status", "error", "traceback", "model_version", "base_scenario", "shock_set"}
SWEEP_NAMES = ("manifest.json", "experiment.toml", "chunks", "tmp", "quarantine", ".lock", "discovery")
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


def typed_runs_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Rows -> DataFrame with the same column types in every chunk (Int64 years, strings, floats)."""
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c in INT_METRICS or c in ("design_point", "lever_index", "sample_index", "replication", "seed"):
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

    def open(self, manifest: dict, resume: bool, experiment_text: str = "", force: bool = False) -> set[str]:
        """Create or reopen the folder for ``manifest`` (same fingerprint and model version required);
        return the run ids already on disk (ok or failed). A non-empty folder that is not a sovai output is
        refused unless ``force`` (see :func:`experiments.outdir.claim`)."""
        path = self.root / "manifest.json"
        if resume and not path.is_file():
            raise StoreError(f"--resume: {self.root} holds no sweep to resume")
        claim(self.root, SWEEP_NAMES, force=force)
        old = read_manifest(self.root) if path.is_file() else None
        if old is None and any((self.root / d).exists() for d in ("chunks", "tmp")):
            raise StoreError(f"--out: {self.root} has chunks/ or tmp/ but no manifest.json; give another --out")
        if old is not None:
            if old.get("fingerprint") != manifest["fingerprint"]:
                raise StoreError(f"{self.root} holds results of a different experiment ('{old.get('name')}', "
                                 f"{old.get('fingerprint')}); use another --out")
            if old.get("model_version") != manifest["model_version"]:
                raise StoreError(f"{self.root} was made with model version {old.get('model_version')}, "
                                 f"this is {manifest['model_version']}; use another --out")
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
        done, chunks = set(), {}
        for d in sorted(self.chunks.iterdir()):
            try:
                t = pq.read_table(d / "runs.parquet", columns=["run_id", "status"]).to_pydict()
            except Exception:  # not expected (chunks are renamed complete); keep it out of the way
                (self.root / "quarantine").mkdir(exist_ok=True)
                os.replace(d, self.root / "quarantine" / d.name)
                continue
            done.update(t["run_id"])
            chunks[d.name] = {"runs": len(t["run_id"]), "failed": sum(s == "failed" for s in t["status"])}
        return done, chunks

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
