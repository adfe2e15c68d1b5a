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

Every output file also carries a short :func:`stamp` (model version = package version + git commit, scenario
name and description, seed, UTC date), in the form its format allows: HTML reports ``<meta name="sovai:KEY">``
tags and a visible footer (:func:`stamp_html`), Parquet files the schema metadata key ``sovai`` (JSON,
:func:`parquet_writer`), PNG files text chunks (:func:`png_metadata`, for matplotlib's ``savefig(metadata=)``).
CSV files stay plain (pandas and Excel read them as they are); the stamp of a CSV is the ``stamp`` entry of the
``provenance.json`` in the same folder (:func:`folder_record`). :func:`experiments.outdir.write_files` applies
all this to every file a command writes (:func:`apply_stamp`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import html as _html
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

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


def stamp(scenario: str | None = None, description: str | None = None, seed: Any = None,
          ja: dict[str, str] | None = None) -> dict[str, str]:
    """The short provenance every output carries: model version (package version and git commit), source hash,
    scenario name and description, seed (one seed, or a description such as "master 20260101, 10
    replications"), and the UTC date. Missing parts are left out.

    ``ja``: the scenario name, description and seed text in Japanese (keys ``scenario``, ``scenario_description``,
    ``seed``), given by a command writing Japanese outputs; stored as ``<key>_ja`` beside the English record and
    shown by :func:`stamp_line` in Japanese pages."""
    rec = record()
    out = {"model_version": rec["sovai"], "git_commit": rec["git_commit"], "source_hash": rec["source_hash"],
           "scenario": scenario, "scenario_description": description,
           "seed": None if seed is None else str(seed),
           "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    out.update({f"{k}_ja": v for k, v in (ja or {}).items() if k in ("scenario", "scenario_description", "seed")})
    return {k: str(v) for k, v in out.items() if v is not None and v != ""}


def scenario_stamp(scenario, seed: Any = None) -> dict[str, str]:
    """:func:`stamp` of a :class:`abm.schema.Scenario` (its own seed unless ``seed`` is given)."""
    return stamp(scenario.name, scenario.description, scenario.run.seed if seed is None else seed)


def folder_record(st: dict[str, str]) -> str:
    """The ``provenance.json`` text of an output folder: :func:`record` plus the folder's :func:`stamp`."""
    return json.dumps({**record(), "stamp": st}, indent=2, ensure_ascii=False) + "\n"


STAMP_WORDS = {"commit": ("commit", "コミット"), "scenario": ("scenario", "シナリオ"), "seed": ("seed", "シード")}


def stamp_line(st: dict[str, str], lang: str = "en") -> str:
    """One human line: "sovai 0.2.0 (commit abc1234), scenario gov-led (...), seed 42, 2026-12-03T18:50:00Z"; in
    Japanese with ``lang="ja"`` (a preset's description as declared in :mod:`abm.policies`)."""
    from abm import policies

    def word(key: str) -> str:
        return STAMP_WORDS[key][lang == "ja"]

    def shown(key: str) -> str:   # the Japanese text of a part when the stamp has one
        return st.get(f"{key}_ja", st.get(key, "")) if lang == "ja" else st.get(key, "")
    commit = st.get("git_commit")
    parts = [f"sovai {st['model_version']}" + (f" ({word('commit')} {commit[:12]})" if commit else "")]
    if "scenario" in st:
        about = policies.description(st["scenario"], lang, shown("scenario_description"))
        parts.append(f"{word('scenario')} {shown('scenario')}" + (f" ({about})" if about else ""))
    if "seed" in st:
        parts.append(f"{word('seed')} {shown('seed')}")
    return ", ".join([*parts, st["date"]])


def stamp_html(page: str, st: dict[str, str]) -> str:
    """``page`` with ``<meta name="sovai:KEY" content=...>`` tags before ``</head>`` and a footer line (in the
    page's language) before ``</body>`` (appended where the page has no such tag)."""
    metas = "".join(f'<meta name="sovai:{k}" content="{_html.escape(v, quote=True)}">' for k, v in st.items())
    lang = "ja" if '<html lang="ja"' in page[:200] else "en"
    footer = f'<footer class="sovai-provenance"><small>{_html.escape(stamp_line(st, lang))}</small></footer>'
    head = page.find("</head>")
    page = page[:head] + metas + page[head:] if head >= 0 else metas + page
    body = page.rfind("</body>")
    return page[:body] + footer + page[body:] if body >= 0 else page + footer


def read_html_stamp(page: str) -> dict[str, str]:
    """The stamp :func:`stamp_html` put into ``page``."""
    import re

    return {m[1]: _html.unescape(m[2]) for m in re.finditer(r'<meta name="sovai:([a-z_]+)" content="([^"]*)">', page)}


def png_metadata(st: dict[str, str]) -> dict[str, str]:
    """PNG text chunks (matplotlib's ``savefig(metadata=)`` takes the same): Software, Source, the stamp as JSON."""
    return {"Software": f"sovai {st['model_version']}", "Source": stamp_line(st),
            "sovai": json.dumps(st, ensure_ascii=False)}


def apply_stamp(path: Path, st: dict[str, str]) -> None:
    """Put ``st`` into the file at ``path`` as its format allows (HTML, Parquet, PNG; others are left as they are:
    CSV, JSON, TOML, text are covered by the folder's ``provenance.json``). Called by
    :func:`experiments.outdir.write_files` on each file before it is moved into place."""
    path = Path(path)
    if path.suffix == ".html":
        path.write_text(stamp_html(path.read_text(encoding="utf-8"), st), encoding="utf-8")
    elif path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = {**(table.schema.metadata or {}), b"sovai": json.dumps(st, ensure_ascii=False).encode()}
        pq.write_table(table.replace_schema_metadata(meta), path)
    elif path.suffix == ".png":
        from PIL import Image, PngImagePlugin

        with Image.open(path) as im:
            im.load()
            info = PngImagePlugin.PngInfo()
            for k, v in {**{k: v for k, v in im.text.items() if isinstance(v, str)}, **png_metadata(st)}.items():
                info.add_itxt(k, v)
            im.save(path, format="PNG", pnginfo=info)


def read_stamp(path: str | Path) -> dict[str, str]:
    """The stamp of an output file (HTML, Parquet, PNG) as :func:`apply_stamp` wrote it."""
    path = Path(path)
    if path.suffix == ".html":
        return read_html_stamp(path.read_text(encoding="utf-8"))
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return json.loads(pq.read_schema(path).metadata[b"sovai"])
    from PIL import Image

    with Image.open(path) as im:
        return json.loads(im.text["sovai"])
