"""Shared fixtures: runs are cached per session so behaviour tests reuse them."""

from __future__ import annotations

import functools

import pytest

from abm.report import simulate


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
