"""Provenance: what made a result. One record per results folder (``manifest.json`` and ``provenance.json``)
and per ``sovai run`` folder (``provenance.json``).

The record holds the package version, the git commit (None outside a repository), the Python version, the
versions of the packages that shape numbers (numpy, pandas, mesa, scipy, pyarrow) and a SHA-256 per file that
shapes a result (:data:`RESULT_SOURCES`: the model ``abm/`` and ``agents/`` with the scenario schema and data
tables, the seed derivation ``experiments/plan.py``, the run engine ``experiments/engine.py`` and
``experiments/runner.py``), plus ``source_hash`` over them all. :func:`experiments.runner.model_version` is
built from ``source_hash``, so run ids change whenever any of these files changes.

Callers: :func:`record` for the record; :func:`difference` names, in one line, what differs between a recorded
record and this one (None if nothing that shapes a result differs; the git commit alone does not count).
"""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent   # the source tree holding abm/, agents/, experiments/
RESULT_SOURCES = ("abm", "agents", "experiments/plan.py", "experiments/engine.py", "experiments/runner.py")
KEY_PACKAGES = ("numpy", "pandas", "mesa", "scipy", "pyarrow")
COMPARED = ("sovai", "python", *KEY_PACKAGES)  # versions that must match for a resume


def _files(root: Path, entry: str) -> list[Path]:
    p = root / entry
    if p.is_file():
        return [p]
    return sorted(f for f in p.rglob("*") if f.suffix in (".py", ".toml") and "__pycache__" not in f.parts)


def source_hashes(root: Path = ROOT) -> dict[str, str]:
    """``{relative path: sha256[:16]}`` of every result-shaping file below ``root``."""
    out = {}
    for entry in RESULT_SOURCES:
        for f in _files(root, entry):
            out[f.relative_to(root).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()[:16]
    return out


def combined_hash(files: dict[str, str]) -> str:
    """One hash over the per-file hashes (paths included, so a renamed file counts)."""
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(f"{path}\0{files[path]}\n".encode())
    return h.hexdigest()[:16]


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def git_commit(root: Path = ROOT) -> str | None:
    """The commit of the source tree (``+dirty`` if result-shaping files are modified), None outside git."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", *RESULT_SOURCES],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


@functools.lru_cache(maxsize=None)
def record() -> dict:
    """This installation's provenance record (computed once per process)."""
    files = source_hashes()
    return {"sovai": _version("sovai") or "0", "git_commit": git_commit(), "source_hash": combined_hash(files),
            "python": platform.python_version(), **{p: _version(p) for p in KEY_PACKAGES}, "files": files}


def difference(old: dict | None, new: dict) -> str | None:
    """What differs between two records, in one short phrase, or None. Files are named (up to three)."""
    if not isinstance(old, dict):
        return "it records no provenance (made by an older sovai)"
    old_files, new_files = old.get("files") or {}, new.get("files") or {}
    if old.get("source_hash") != new.get("source_hash"):
        changed = sorted(p for p in {*old_files, *new_files} if old_files.get(p) != new_files.get(p))
        if changed:
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            return f"result-shaping files differ: {shown}"
        return f"source hash {old.get('source_hash')} differs from {new.get('source_hash')}"
    for key in COMPARED:
        if old.get(key) != new.get(key):
            return f"{key} {old.get(key)} differs from {new.get(key)}"
    return None
