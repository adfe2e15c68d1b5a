"""One browser session's simulation: settings -> validated scenario -> model, stepped under a lock.

Nothing here is shared between sessions: the app creates one :class:`Run` per session and replaces it on
Reset. Renders read immutable :class:`Snapshot` copies, so a Play thread can step while a chart draws.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from abm import policies
from abm.accounting import CATEGORIES, PERIODS
from abm.model import SovereignAIModel
from abm.scenario import ScenarioError, load_scenario, parse_set, validate
from abm.schema import FieldSpec, Scenario, field_specs, shock_field_specs

NO_SHOCK = "none"


def lever_specs() -> list[FieldSpec]:
    """The policy levers, in schema order (their bounds come from the schema only)."""
    return [s for s in field_specs().values() if s.lever]


def shock_spec(name: str) -> FieldSpec:
    """A Shock field's metadata, from the schema (:func:`abm.schema.shock_field_specs`)."""
    return shock_field_specs()[f"shocks.{name}"]


@dataclass(frozen=True)
class Settings:
    """Everything the user can set; turned into a Scenario by :func:`build_scenario`."""

    preset: str
    levers: dict[str, Any]
    shock: str = NO_SHOCK
    shock_start: int = shock_spec("start_year").default       # defaults come from the schema too
    shock_severity: float = shock_spec("severity").default
    shock_quarters: int = shock_spec("duration_quarters").default
    seed: Any = field_specs()["run.seed"].default
    firms: Any = field_specs()["population.firms"].default
    extra: str = ""

    def with_lever(self, path: str, value) -> Settings:
        return replace(self, levers={**self.levers, path: value})


def settings_of(sc: Scenario, preset: str, extra: str = "") -> Settings:
    """The controls' settings for ``sc`` on top of ``preset``: levers, first shock, seed, firms, Other field."""
    levers = {s.path: getattr(sc.policy, s.path.split(".", 1)[1]) for s in lever_specs()}
    kw = {}
    if sc.shocks:
        sh = sc.shocks[0]
        kw = dict(shock=sh.kind, shock_start=sh.start_year, shock_severity=sh.severity,
                  shock_quarters=sh.duration_quarters)
    return Settings(preset, levers, seed=sc.run.seed, firms=sc.population.firms, extra=extra, **kw)


@functools.lru_cache(maxsize=16)
def settings_for(preset: str) -> Settings:
    """The settings that reproduce ``preset`` exactly (levers, first shock, seed, population)."""
    return settings_of(load_scenario(preset), preset)


def scenario_label(st: Settings) -> str:
    """The preset's name while the settings are the preset's, else "custom (from <preset>)": the scenario's
    name in the run, in a saved file and in every exported file name."""
    return st.preset if st == settings_for(st.preset) else f"custom (from {st.preset})"


def file_stem(label: str) -> str:
    """A label as a file-name part: "custom (from gov-led)" -> "custom-from-gov-led"."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")


def build_scenario(st: Settings) -> Scenario:
    """Validate the settings into a Scenario; any problem raises ScenarioError with one line."""
    overrides = dict(st.levers)
    overrides["run.seed"] = st.seed
    overrides["population.firms"] = st.firms
    for expr in (e.strip() for e in st.extra.replace(";", "\n").splitlines()):
        if expr:
            key, value = parse_set(expr)
            overrides[key] = value
    sc = load_scenario(st.preset, overrides)
    data = sc.model_dump()
    label = scenario_label(st)
    if label != st.preset:
        data["name"], data["description"] = label, f"Custom settings based on the {st.preset} preset"
    data["shocks"] = [] if st.shock == NO_SHOCK else [
        {"kind": st.shock, "start_year": st.shock_start, "duration_quarters": st.shock_quarters,
         "severity": st.shock_severity}]
    return validate(data)


def check(st: Settings) -> tuple[Scenario | None, str | None]:
    """``(scenario, None)`` or ``(None, one-line message)``; never raises for bad input."""
    try:
        return build_scenario(st), None
    except ScenarioError as e:
        return None, str(e)
    except (TypeError, ValueError) as e:  # e.g. text where a number belongs
        return None, f"{type(e).__name__}: {e}".splitlines()[0]


@dataclass(frozen=True, eq=False)
class Snapshot:
    """An immutable copy of what the views draw."""

    version: int
    year: int
    quarter: int
    running: bool
    ts: pd.DataFrame
    cost_table: dict[str, dict[str, float]]
    source: np.ndarray
    data_firm: np.ndarray
    data_holder: np.ndarray
    start_year: int
    end_year: int
    seed: int
    kpis: dict[str, float] = field(default_factory=dict)   # the last quarter's value of every column
    changes: tuple = ()    # the levers changed during the run (abm.model.PolicyChange), in order
    colour: str | None = None   # the policy's declared colour (abm.policies); None: the default preset's

    @property
    def started(self) -> bool:
        return len(self.ts) > 0


class Run:
    """A session's model plus a lock; :meth:`step` advances one quarter and returns a fresh snapshot."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.model = SovereignAIModel(scenario)
        self.lock = threading.Lock()
        self.version = 0

    def step(self, quarters: int = 1) -> Snapshot:
        with self.lock:
            for _ in range(quarters):
                if self.model.running:
                    self.model.step()
            self.version += 1
            return self._snapshot()

    def apply(self, changes: dict) -> list:
        """Levers changed during the run, in force from the next quarter simulated (validated by the model)."""
        with self.lock:
            done = self.model.apply_policy(changes)
            if done:
                self.version += 1
            return done

    def snapshot(self) -> Snapshot:
        with self.lock:
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        m = self.model
        ts = m.datacollector.get_model_vars_dataframe().reset_index(drop=True).copy()
        table = {p: {c: float(m.ledger.by_period[p][c]) for c in CATEGORIES} for p in PERIODS}
        dh = m.data_holders
        kpis = {k: float(v) for k, v in ts.iloc[-1].items()} if len(ts) else {}  # the headline picks from these
        return Snapshot(self.version, m.year, m.quarter, m.running, ts, table, m.firms.source.copy(),
                        dh.e_firm[dh.active].copy(), dh.e_holder[dh.active].copy(),
                        m.inputs.run.start_year, m.inputs.run.end_year, m.inputs.run.seed, kpis,
                        tuple(m.policy_changes), policies.colour(self.scenario.name))
