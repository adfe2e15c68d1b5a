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

from abm.errors import UserError, describe_value, pydantic_problem
from abm.schema import SECTIONS, FieldSpec, Scenario, Shock, field_specs, shock_field_specs

DEFAULT_PRESET = "gov-led"
MAX_EXTENDS = 32
_TOP_KEYS = ["name", "description", "extends", "shocks", *SECTIONS]
_KINDS = {int: "an integer", float: "a number", bool: "true or false", str: "text in quotes"}


class ScenarioError(UserError):
    """A user-facing scenario problem; ``str(err)`` is one line fit to print."""


def presets() -> dict[str, str]:
    """``{name: one-line description}`` for the preset scenarios shipped in ``abm/scenarios`` (the English
    description declared in ``abm/data/presets.toml``, :mod:`abm.policies`)."""
    from abm import policies

    names = sorted(f.name[:-5] for f in resources.files("abm.scenarios").iterdir() if f.name.endswith(".toml"))
    return {n: policies.description(n, "en") for n in names}


def read_toml_file(path: str | Path, what: str, error: type[UserError] = ScenarioError) -> tuple[dict, str]:
    """Read a TOML file the user named (``what`` names the option or field); every problem -> ``error``."""
    path = Path(path)
    if not str(path).strip():
        raise error(f"{what}: empty path; give a .toml file")
    if path.is_dir():
        raise error(f"{what}: {path} is a folder, not a .toml file")
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except FileNotFoundError:
        raise error(f"{what}: file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise error(f"{what}: malformed TOML in {path}: {e}") from None
    except UnicodeDecodeError:
        raise error(f"{what}: {path} is not UTF-8 text") from None
    except RecursionError:
        raise error(f"{what}: {path} nests tables or arrays too deeply") from None
    except OSError as e:
        raise error(f"{what}: cannot read {path}: {e.strerror or e}") from None


def _read_toml(source: str | Path) -> tuple[dict, Path | None]:
    name = str(source)
    if name in presets():
        return tomllib.loads(resources.files("abm.scenarios").joinpath(f"{name}.toml").read_text("utf-8")), None
    if not name.strip():
        raise ScenarioError(f"scenario: empty name; allowed: {', '.join(presets())} or a .toml path")
    path = Path(name)
    if not path.exists() and path.suffix != ".toml":
        raise ScenarioError(f"scenario: unknown preset '{name}'; allowed: {', '.join(presets())} or a .toml path")
    return read_toml_file(path, "scenario")[0], path


def _merge(base: dict, top: dict) -> dict:
    out = dict(base)
    for k, v in top.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _resolve(source: str | Path, seen: tuple = ()) -> dict:
    data, path = _read_toml(source)
    key = str(path.resolve()) if path is not None else str(source)
    if key in seen:
        raise ScenarioError(f"extends: cycle through '{source}'")
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(f"extends: more than {MAX_EXTENDS} levels of extends")
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"extends: must be a preset name or a .toml path (text); got {describe_value(parent)}")
    if path is not None and parent not in presets() and not Path(parent).is_absolute():
        parent = str(path.parent / parent)
    base = _resolve(parent, (*seen, key))
    base.pop("name", None)
    base.pop("description", None)
    return _merge(base, data)


def _suggest(key: str, options: list[str]) -> str:
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(options)}"


def _spec_at(loc: list[str]) -> FieldSpec | None:
    if len(loc) >= 3 and loc[0] == "shocks":
        return shock_field_specs().get(f"shocks.{loc[2]}")
    return field_specs().get(".".join(loc[:2])) if len(loc) == 2 else None


def allowed(spec: FieldSpec) -> str:
    """What a field accepts, e.g. ``an integer in [20, 200000] agents`` or ``one of 'tax', 'ai_transition_bond'``."""
    if spec.choices:
        return "one of " + ", ".join(repr(c) for c in spec.choices)
    rng = f" in [{spec.ge}, {spec.le}]" if spec.ge is not None or spec.le is not None else ""
    unit = f" {spec.unit}" if spec.unit and spec.unit != "-" else ""
    return f"{_KINDS.get(spec.type, str(spec.type))}{rng}{unit}"


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
    if e["type"] == "value_error":
        return f"{e['msg'].removeprefix('Value error, ')}"
    spec = _spec_at(loc)
    if spec is not None:
        return f"{where}: must be {allowed(spec)}; got {describe_value(e.get('input'))}"
    return f"{where}: {pydantic_problem(e)}"


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
        if str(name) in presets():
            data.setdefault("description", presets()[str(name)])
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
    section = out.get(sec, {})
    if not isinstance(section, dict):
        raise ScenarioError(f"{sec}: must be a table [{sec}]; got {describe_value(section)}")
    out[sec] = {**section, key: value}
    return out


def parse_set(expr: str) -> tuple[str, Any]:
    """Parse ``section.field=value`` (value in TOML syntax; bare words are strings)."""
    if "=" not in expr:
        raise ScenarioError(f"--set {expr!r}: expected section.field=value")
    key, raw = (s.strip() for s in expr.split("=", 1))
    if not key:
        raise ScenarioError(f"--set {expr!r}: expected section.field=value")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    except RecursionError:
        raise ScenarioError(f"--set {key}: value nests arrays too deeply") from None
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
