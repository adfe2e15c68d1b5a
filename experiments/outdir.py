"""Output folders: where sovai writes, and the promise that it never removes or replaces what it did not write.

A folder is a *sovai output* when it holds the marker :data:`MARKER` (every command that writes a folder
writes it, listing the files it wrote) or holds nothing but names the command itself writes (folders made
before the marker existed). Commands call :func:`claim` before any work: it refuses, naming the option, an
empty path, a path that is or lies below a file, a location that cannot be written, and an existing
non-empty folder that is not a sovai output (unless ``force``: then sovai's own files are written into it
and everything else is left as it is). With ``keep_results`` (``sovai run``) a sovai output that already holds
one of the named files - a previous result - is refused too unless ``force``: nothing is overwritten silently.
:func:`write_files` then writes the files: a new folder appears
complete or not at all; in an existing folder each file is replaced whole and nothing else is touched.
Default folder names come from :func:`default_folder`, always below ``outputs/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

from abm.errors import UserError

MARKER = ".sovai-output.json"
OUTPUTS = Path("outputs")
FORCE_HELP = "write into an existing folder that is not a sovai output (its other files are kept)"
REPLACE_HELP = ("replace a previous result in the folder, or write into a folder that is not a sovai output "
                "(its other files are kept)")


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` with ``write(temporary sibling)``, then rename it into place: readers see either the old
    file or the complete new one; on any error the temporary file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (:func:`write_atomic`), fsynced."""
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    return write_atomic(path, write)


def safe_name(text: str, fallback: str = "scenario") -> str:
    """A folder name from free text: letters, digits, ``-`` and ``_`` only (no dots, slashes or ``..``)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(text)).strip("_-")[:80] or fallback


def default_folder(*parts: str) -> Path:
    """``outputs/<part>/<part>...`` with every part made safe, so the folder always lies below ``outputs/``."""
    return OUTPUTS.joinpath(*(safe_name(p) for p in parts))


def out_path(raw: str | Path | None, default: Path, option: str = "--out") -> Path:
    """The folder an ``--out`` value names (``default`` when not given); an empty value is refused."""
    if raw is None:
        return default
    if not str(raw).strip():
        raise UserError(f"{option}: must not be empty; give a folder path")
    return Path(raw)


def export_file(raw: str, force: bool, suffixes: tuple[str, ...], option: str = "--export") -> Path:
    """The file an ``--export`` value names: one of ``suffixes``, not empty, not a folder, not below a file, and
    an existing file only with ``force``; raises UserError (nothing is written)."""
    kinds = " or ".join(", ".join(suffixes).rsplit(", ", 1))
    if not str(raw).strip():
        raise UserError(f"{option}: must not be empty; give a {kinds} file name")
    path = Path(raw)
    if path.is_dir():
        raise UserError(f"{option}: {path} is a folder; give a {kinds} file name")
    if path.suffix.lower() not in suffixes:
        raise UserError(f"{option}: {path.name}: use a {kinds} file name")
    if path.exists() and not force:
        raise UserError(f"{option}: {path} exists; give another file name, or --force to replace it")
    claim(path.parent, (), option=option, force=True)  # below a file, or not writable
    return path


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def is_sovai_output(folder: Path, names: Iterable[str] = ()) -> bool:
    """True if ``folder`` holds sovai's marker, or nothing but entries named in ``names``."""
    marker = folder / MARKER
    if marker.is_file():
        try:
            return json.loads(marker.read_text(encoding="utf-8")).get("tool") == "sovai"
        except (ValueError, AttributeError, OSError):
            return False
    allowed = {*names, MARKER}
    return all(p.name in allowed for p in folder.iterdir())


def claim(folder: Path, names: Iterable[str], *, option: str = "--out", force: bool = False,
          keep_results: bool = False) -> Path:
    """Check, writing nothing, that sovai may write ``names`` into ``folder``; raise UserError if not.
    With ``keep_results``, a folder already holding one of ``names`` also needs ``force``."""
    if not str(folder).strip():
        raise UserError(f"{option}: must not be empty; give a folder path")
    folder, names = Path(folder), tuple(names)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{option}: {folder} is a file, not a folder")
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise UserError(f"{option}: {base} is a file, so {folder} cannot be created below it")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".sovai-probe-", dir=base))
    except OSError as e:
        raise UserError(f"{option}: cannot write in {base}: {e.strerror or e}") from None
    if folder.is_dir() and any(folder.iterdir()) and not force and not is_sovai_output(folder, names):
        raise UserError(f"{option}: {folder} is not empty and is not a sovai output folder; sovai never replaces "
                        f"files it did not write: give another {option}, or --force to add sovai's files "
                        "(others are kept)")
    if keep_results and not force and folder.is_dir() and any((folder / n).exists() for n in names):
        raise UserError(f"{option}: {folder} already holds a result; give another {option}, or --force to "
                        "replace it")
    return folder


def mark(folder: Path, names: Iterable[str], command: str) -> Path:
    """Create ``folder`` if needed and record in its marker that sovai writes ``names`` there."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    old: list = []
    if (folder / MARKER).is_file():
        try:
            old = list(json.loads((folder / MARKER).read_text(encoding="utf-8")).get("files", []))
        except (ValueError, AttributeError, OSError):
            old = []
    info = {"tool": "sovai", "command": command, "files": sorted({*old, *names}),
            "written": time.strftime("%Y-%m-%dT%H:%M:%S")}
    write_text_atomic(folder / MARKER, json.dumps(info, indent=2) + "\n")
    return folder


def write_files(folder: Path, writers: dict[str, Callable[[Path], None]], command: str,
                stamp: dict[str, str] | None = None) -> Path:
    """Write each file with ``writer(path)`` into a temporary place, stamp it, then move it into ``folder``.

    Every file gets the provenance ``stamp`` (default: model version and date only; commands pass
    :func:`experiments.provenance.stamp` with their scenario and seed) as its format allows
    (:func:`experiments.provenance.apply_stamp`), and the folder gets ``provenance.json`` (the full record
    plus the stamp) unless a writer writes it. A folder that does not exist yet is built as a temporary
    sibling and renamed into place whole; in an existing folder (checked by :func:`claim`) each named file is
    replaced and nothing else is touched."""
    from experiments import provenance

    folder, st = Path(folder), stamp or provenance.stamp()
    writers = {**writers}
    writers.setdefault("provenance.json", text_writer(provenance.folder_record(st)))

    def write_all(where: Path) -> None:
        for name, write in writers.items():
            write(where / name)
            provenance.apply_stamp(where / name, st)

    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            write_all(tmp)
            mark(tmp, writers, command)
            tmp.chmod(0o755)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder
    tmp = Path(tempfile.mkdtemp(prefix=".sovai-tmp-", dir=folder))
    try:
        write_all(tmp)
        mark(folder, writers, command)
        for name in writers:
            os.replace(tmp / name, folder / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def text_writer(text: str) -> Callable[[Path], None]:
    """A writer for :func:`write_files` that writes ``text`` as UTF-8."""
    return lambda path: path.write_text(text, encoding="utf-8")
