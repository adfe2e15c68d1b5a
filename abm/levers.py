"""The lever atlas's declarations (``abm/data/levers.toml``), read and checked once.

Every policy lever (a ``lever=True`` field of :class:`abm.schema.PolicySection`) and every shock kind is declared
with the two settings compared (``low``, ``high``: high is always *more of the lever* — a larger budget, the option
on, an earlier date, the shock present), the preset it is measured on and its mechanism chain in English and
Japanese; the exogenous inputs of the variance decomposition with their ranges. :func:`atlas` validates every
setting as a scenario value (a bad entry raises ScenarioError naming it); :func:`missing_levers` lists the schema's
levers the file does not declare. :meth:`Entry.overrides` gives each setting as ``(overrides, shocks)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from abm.errors import pydantic_problem
from abm.schema import Shock, field_specs
from abm.vocab import load_table

FILE = "levers.toml"
DEFAULT_PRESET = "gov-led"
Value = bool | int | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LeverDecl(_Strict):
    low: Value
    high: Value
    en: str = Field(min_length=1)
    ja: str = Field(min_length=1)
    range: str = "the schema's bounds"
    preset: str = DEFAULT_PRESET
    holding: dict[str, Value] = Field(default_factory=dict)
    lhs: Literal["lever", "exogenous", "none", "across"] = "lever"


class ShockDecl(_Strict):
    start_year: int
    duration_quarters: int
    severity: float
    en: str = Field(min_length=1)
    ja: str = Field(min_length=1)
    preset: str = DEFAULT_PRESET


class ExogenousDecl(_Strict):
    low: float
    high: float
    source: str = Field(min_length=1)   # its name is the field's label (abm/data/field_labels.toml)


class ConsistencyDecl(_Strict):
    targets: list[str] = Field(min_length=1)   # names of [[target]]s in abm/data/targets.toml
    why: str = Field(min_length=1)


@dataclass(frozen=True)
class Entry:
    """One row of the atlas: a lever field (``policy.x``) or a shock kind (``shock.x``)."""

    name: str
    kind: Literal["lever", "shock"]
    low: Value
    high: Value
    preset: str
    en: str
    ja: str
    range: str
    lhs: str
    shock: dict | None = None      # the shock's [[shocks]] entry (kind, start_year, duration, severity)
    holding: tuple[tuple[str, Value], ...] = ()   # other fields held at these values in both settings

    def chain(self, lang: str = "en") -> str:
        return self.ja if lang == "ja" else self.en

    def setting(self, which: Literal["low", "high"]) -> tuple[dict, list[dict]]:
        """``(overrides, extra shocks)`` of one setting, applied on top of the preset."""
        if self.kind == "shock":
            return {}, ([self.shock] if which == "high" else [])
        return {**dict(self.holding), self.name: self.low if which == "low" else self.high}, []


@dataclass(frozen=True)
class Atlas:
    entries: tuple[Entry, ...]
    exogenous: dict[str, ExogenousDecl]
    consistency: tuple[str, ...] = ()   # published targets a "consistent future" reproduces (abm/data/targets.toml)

    def by_name(self) -> dict[str, Entry]:
        return {e.name: e for e in self.entries}


def lever_fields() -> list[str]:
    """The schema's lever fields (``policy.x``) in declaration order."""
    return [p for p, spec in field_specs().items() if spec.lever]


def shock_kinds() -> tuple[str, ...]:
    return get_args(Shock.model_fields["kind"].annotation)


def _parse(cls, where: str, raw):
    from abm.scenario import ScenarioError

    if not isinstance(raw, dict):
        raise ScenarioError(f"{FILE}: {where}: must be a table")
    try:
        return cls(**raw)
    except ValidationError as err:
        e = err.errors()[0]
        loc = ".".join(str(p) for p in e["loc"])
        raise ScenarioError(f"{FILE}: {where}.{loc}: {pydantic_problem(e)}") from None


def _check_setting(where: str, preset: str, overrides: dict, shocks: list[dict]) -> None:
    from abm.scenario import ScenarioError, load_scenario

    try:
        data = load_scenario(preset, overrides).model_dump(mode="json")
        if shocks:
            load_scenario({**data, "shocks": data["shocks"] + shocks})
    except ScenarioError as e:
        raise ScenarioError(f"{FILE}: {where}: {e}") from None


def parse(raw: dict) -> Atlas:
    """Validate the declarations (the shipped file's shape); every setting must load as a valid scenario."""
    from abm.scenario import ScenarioError

    unknown = set(raw) - {"lever", "shock", "exogenous", "consistency"}
    if unknown:
        raise ScenarioError(f"{FILE}: {sorted(unknown)[0]}: unknown table; allowed: lever, shock, exogenous, "
                            "consistency")
    specs, entries = field_specs(), []
    for path, spec in raw.get("lever", {}).items():
        if not path.startswith("policy.") or path not in specs:
            raise ScenarioError(f"{FILE}: lever.{path}: not a policy field of the schema")
        d = _parse(LeverDecl, f"lever.{path}", spec)
        for held in d.holding:
            if held not in specs or held == path:
                raise ScenarioError(f"{FILE}: lever.{path}.holding.{held}: not another field of the schema")
        entries.append(Entry(path, "lever", d.low, d.high, d.preset, d.en, d.ja, d.range, d.lhs,
                             holding=tuple(sorted(d.holding.items()))))
    for kind, spec in raw.get("shock", {}).items():
        if kind not in shock_kinds():
            raise ScenarioError(f"{FILE}: shock.{kind}: not a shock kind; allowed: {', '.join(shock_kinds())}")
        d = _parse(ShockDecl, f"shock.{kind}", spec)
        shock = {"kind": kind, "start_year": d.start_year, "duration_quarters": d.duration_quarters,
                 "severity": d.severity}
        rng = f"none vs from {d.start_year} for {d.duration_quarters} quarters, severity {d.severity:g}"
        entries.append(Entry(f"shock.{kind}", "shock", "none", kind, d.preset, d.en, d.ja, rng, "exogenous", shock))
    exogenous = {}
    for path, spec in raw.get("exogenous", {}).items():
        if path not in specs or path.split(".")[0] not in ("environment", "behaviour", "rules", "costs"):
            raise ScenarioError(f"{FILE}: exogenous.{path}: not an environment, behaviour, rules or costs field")
        exogenous[path] = _parse(ExogenousDecl, f"exogenous.{path}", spec)
    for e in entries:
        for which in ("low", "high"):
            _check_setting(f"{e.name}.{which}", e.preset, *e.setting(which))
    for path, d in exogenous.items():
        for which, value in (("low", d.low), ("high", d.high)):
            _check_setting(f"exogenous.{path}.{which}", DEFAULT_PRESET, {path: value}, [])
    consistency = ()
    if "consistency" in raw:
        consistency = tuple(_parse(ConsistencyDecl, "consistency", raw["consistency"]).targets)
        known = [t["name"] for t in load_table("targets.toml").get("target", [])]
        for name in consistency:
            if name not in known:
                raise ScenarioError(f"{FILE}: consistency.targets: '{name}' is not a target of targets.toml; "
                                    f"allowed: {', '.join(known)}")
    return Atlas(tuple(entries), exogenous, consistency)


@functools.cache
def atlas() -> Atlas:
    """The shipped declarations, validated."""
    return parse(load_table(FILE))


def missing_levers(declared: Atlas | None = None) -> list[str]:
    """Schema levers and shock kinds that the atlas does not declare (empty when complete)."""
    names = set((declared or atlas()).by_name())
    return [p for p in lever_fields() if p not in names] + [f"shock.{k}" for k in shock_kinds()
                                                              if f"shock.{k}" not in names]
