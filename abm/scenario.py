"""Load, extend, override and explain scenarios.

Callers use :func:`load_scenario` (preset name, path, or Scenario) and :func:`apply_overrides`.
Every failure raises :class:`ScenarioError` whose message is one line naming the field and what is allowed.
"""

from __future__ import annotations

import difflib
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from abm.schema import SECTIONS, Scenario, Shock, field_specs

DEFAULT_PRESET = "gov-led"
_TOP_KEYS = ["name", "description", "extends", "shocks", *SECTIONS]


class ScenarioError(ValueError):
    """A user-facing scenario problem; ``str(err)`` is one line fit to print."""


def presets() -> dict[str, str]:
    """``{name: one-line description}`` for the preset scenarios shipped in ``abm/scenarios``."""
    out = {}
    for f in sorted(resources.files("abm.scenarios").iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            data = tomllib.loads(f.read_text(encoding="utf-8"))
            out[f.name[:-5]] = data.get("description", "")
    return out


def _read_toml(source: str | Path) -> tuple[dict, Path | None]:
    name = str(source)
    if name in presets():
        return tomllib.loads(resources.files("abm.scenarios").joinpath(f"{name}.toml").read_text("utf-8")), None
    path = Path(name)
    if not path.exists():
        if path.suffix != ".toml":
            raise ScenarioError(f"scenario: unknown preset '{name}'; allowed: {', '.join(presets())} or a .toml path")
        raise ScenarioError(f"scenario: file not found: {name}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), path
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"scenario: malformed TOML in {name}: {e}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"scenario: {name} is not UTF-8 text") from None


def _merge(base: dict, top: dict) -> dict:
    out = dict(base)
    for k, v in top.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve(source: str | Path, seen: tuple = ()) -> dict:
    data, path = _read_toml(source)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError("extends: must be a preset name or a path (string)")
    if path is not None and parent not in presets() and not Path(parent).is_absolute():
        parent = str(path.parent / parent)
    if parent in seen:
        raise ScenarioError(f"extends: cycle through '{parent}'")
    base = _resolve(parent, (*seen, str(source)))
    base.pop("name", None)
    base.pop("description", None)
    return _merge(base, data)


def _suggest(key: str, options: list[str]) -> str:
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(options)}"


def _explain(err: ValidationError, data: dict) -> str:
    e = err.errors()[0]
    loc = [str(p) for p in e["loc"]]
    where = ".".join(loc) or "scenario"
    if e["type"] == "extra_forbidden":
        key, parent = loc[-1], loc[:-1]
        if not parent:
            options = _TOP_KEYS
        elif parent[0] == "shocks":
            options = list(Shock.model_fields)
        else:
            options = list(SECTIONS[parent[0]].model_fields)
        return f"{where}: unknown key{_suggest(key, options)}"
    spec = field_specs().get(".".join(loc[:2]))
    got = e.get("input")
    allowed = e["msg"].lower()
    if spec is not None and (spec.ge is not None or spec.le is not None):
        allowed = f"{e['msg'].lower()}; allowed range [{spec.ge}, {spec.le}] {spec.unit}".strip()
    if e["type"] == "value_error":
        return f"{e['msg'].removeprefix('Value error, ')}"
    return f"{where}: {allowed} (got {got!r})"


def validate(data: dict) -> Scenario:
    """Validate a raw scenario mapping; raise ScenarioError with one clear line."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(_explain(err, data)) from None


def load_scenario(source: str | Path | Scenario | dict | None = None,
                  overrides: dict[str, Any] | None = None) -> Scenario:
    """Resolve a preset name, a TOML path, a raw mapping or a Scenario, apply ``{"section.field": value}`` overrides, validate."""
    if isinstance(source, Scenario):
        data = source.model_dump()
    elif isinstance(source, dict):
        data = dict(source)
    else:
        name = DEFAULT_PRESET if source is None else source
        data = _resolve(name)
        data.setdefault("name", Path(str(name)).stem if str(name).endswith(".toml") else str(name))
    for path, value in (overrides or {}).items():
        data = set_path(data, path, value)
    return validate(data)


def set_path(data: dict, path: str, value: Any) -> dict:
    """Return a copy of ``data`` with ``section.field`` set; unknown paths raise ScenarioError."""
    parts = path.split(".")
    if len(parts) != 2 or parts[0] not in SECTIONS:
        raise ScenarioError(f"--set {path}: expected section.field with section in {', '.join(SECTIONS)}")
    sec, key = parts
    if key not in SECTIONS[sec].model_fields:
        raise ScenarioError(f"{path}: unknown key{_suggest(key, list(SECTIONS[sec].model_fields))}")
    out = dict(data)
    out[sec] = {**out.get(sec, {}), key: value}
    return out


def parse_set(expr: str) -> tuple[str, Any]:
    """Parse ``section.field=value`` (value in TOML syntax; bare words are strings)."""
    if "=" not in expr:
        raise ScenarioError(f"--set {expr!r}: expected section.field=value")
    key, raw = (s.strip() for s in expr.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def to_toml(scenario: Scenario, with_units: bool = True) -> str:
    """The fully resolved scenario as TOML; with units and sources as comments when asked."""
    data = scenario.model_dump()
    if not with_units:
        return tomli_w.dumps(data)
    specs = field_specs()
    lines = [f'name = "{scenario.name}"', f"description = {tomli_w.dumps({'d': scenario.description})[4:].strip()}"]
    for sec in SECTIONS:
        lines.append(f"\n[{sec}]")
        for key, val in data[sec].items():
            s = specs[f"{sec}.{key}"]
            rng = f" [{s.ge}, {s.le}]" if s.ge is not None or s.le is not None else ""
            rng = f" {list(s.choices)}" if s.choices else rng
            lines.append(f"{tomli_w.dumps({key: val}).strip():<55} # {s.unit}{rng} - {s.source}")
    for shock in data["shocks"]:
        lines.append("\n[[shocks]]")
        lines += [tomli_w.dumps({k: v}).strip() for k, v in shock.items()]
    return "\n".join(lines) + "\n"
