"""Command-line options shared by the commands that run sweeps (sweep, compare, sensitivity)."""

from __future__ import annotations

import os
import re

import typer


LANG_HELP = "language of the tables and report.html: en or ja (default: ja under a Japanese locale, else en)"


def default_lang() -> str:
    """``ja`` when the locale (the first of LC_ALL, LC_MESSAGES, LANG that is set) is Japanese, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(var):
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def check_lang(value: str) -> str:
    """The --lang option: en or ja."""
    if value not in ("en", "ja"):
        raise typer.BadParameter(f"{value!r}: use en or ja")
    return value


def default_workers() -> int:
    return os.cpu_count() or 1


MAX_WORKERS = 256
_SCHEDULER = re.compile(r"^(tcp|tls|ucx|ws|wss)://([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(:(\d{1,5}))?$")
SCHEDULER_HELP = "Dask scheduler address tcp://HOST:PORT"
YES_HELP = "run a design above the ceiling of runs (otherwise refused with its run count)"


def check_scheduler(value: str | None) -> str | None:
    """Typer callback for ``--scheduler``: None, or an address such as tcp://10.0.0.5:8786."""
    if value is None:
        return None
    m = _SCHEDULER.match(value)
    if not m or (m.group(4) is not None and not 0 < int(m.group(4)) < 65536):
        raise typer.BadParameter(f"{value!r} is not a scheduler address; give tcp://HOST:PORT (or tls://, ucx://, "
                                 "ws://, wss://)")
    return value
