"""Shared fixtures: runs are cached per session so behaviour tests reuse them."""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
from importlib import metadata

import pytest

from abm.report import simulate


# The CLI's --lang default follows the locale (experiments.options.default_lang); tests expect English unless
# they ask for Japanese, so a Japanese locale of the machine running them is neutralised here.
for _var in ("LC_ALL", "LC_MESSAGES", "LANG"):
    if os.environ.get(_var, "").lower().startswith("ja"):
        os.environ[_var] = "C.UTF-8"

KEY_PACKAGES = ("mesa", "numpy", "pandas", "scipy", "pyarrow", "duckdb", "pydantic", "solara", "ipyvuetify",
                "dask", "SALib", "ema-workbench", "playwright")


def pytest_sessionstart(session):
    """Print what this run tests (also under -q): Python, the key packages (from requirements.lock), the browser."""
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in KEY_PACKAGES)
    chromium = shutil.which("chromium")
    browser = (subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
               if chromium else "chromium not installed")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for line in (f"sovai tested with: Python {platform.python_version()}, {versions}", f"browser: {browser}"):
        reporter.write_line(line)


@functools.lru_cache(maxsize=None)
def _run(scenario: str, seed: int, overrides: tuple = ()):
    from abm.scenario import load_scenario

    return simulate(load_scenario(scenario, dict(overrides) | {"run.seed": seed}))


@pytest.fixture(scope="session")
def run_cached():
    """``run_cached(scenario, seed, **{"section.field": v})`` -> RunResult, computed once per session."""
    def get(scenario: str = "gov-led", seed: int = 42, **overrides):
        return _run(scenario, seed, tuple(sorted(overrides.items())))
    return get
