"""What the user changed, and what is wrong with it, per control: the single view's "what you set is what runs".

:func:`split` sorts the difference between the settings the run uses and the settings on screen into levers the
model can take mid-run (``mid_run`` fields of the schema, applied from the next quarter simulated) and controls
that need a new run (Reset). :func:`control_errors` validates the settings and files every problem under the
control that caused it, in the page's language, so each message sits next to its control and goes once fixed.
"""

from __future__ import annotations

from dataclasses import fields

from abm.scenario import ScenarioError, allowed, load_scenario, parse_set
from abm.schema import field_specs
from viz.i18n import field_name, tr
from viz.session import Settings, check

# settings attributes -> the control they belong to (levers are keyed by their field path)
CONTROL_OF = {"preset": "preset", "shock": "shock", "shock_start": "shock", "shock_severity": "shock",
              "shock_quarters": "shock", "seed": "seed", "firms": "firms", "extra": "extra"}
BOXES = {"run.seed": "seed", "population.firms": "firms"}   # fields that have their own box


def split(applied: Settings, shown: Settings) -> tuple[dict, set[str]]:
    """``(mid-run lever changes {path: value}, controls needing Reset)`` between two settings."""
    specs = field_specs()
    mid, reset = {}, set()
    for path, value in shown.levers.items():
        if applied.levers.get(path) != value:
            if specs[path].mid_run:
                mid[path] = value
            else:
                reset.add(path)
    for f in fields(Settings):
        if f.name in CONTROL_OF and getattr(applied, f.name) != getattr(shown, f.name):
            reset.add(CONTROL_OF[f.name])
    return mid, reset


def allowed_text(spec, lang: str) -> str:
    """What a field accepts, in the page's language."""
    if lang != "ja":
        return allowed(spec)
    if spec.choices:
        return "次のいずれか: " + ", ".join(repr(c) for c in spec.choices)
    kind = {int: "整数", float: "数値", bool: "true または false"}.get(spec.type, str(spec.type))
    return f"{spec.ge:g}〜{spec.le:g} の{kind}" if spec.ge is not None and spec.le is not None else kind


def field_problem(path: str, value, lang: str, english: str) -> str:
    """One line naming the field and what it accepts; the schema's own English line when not in Japanese."""
    spec = field_specs().get(path)
    if lang != "ja":
        return english
    if spec is None:
        return f"{path}: {tr('unknown_field', lang)}" + (english[english.index(";"):] if ";" in english else "")
    return f"{path}: {tr('must_be', lang, what=allowed_text(spec, lang))}({tr('got', lang)} {value!r})"


def _number_box(path: str, value, lang: str) -> str | None:
    spec = field_specs()[path]
    ok = isinstance(value, int) and not isinstance(value, bool) and spec.ge <= value <= spec.le
    return None if ok else field_problem(path, value, lang, f"{path}: must be {allowed(spec)}; got {value!r}")


def control_errors(st: Settings, lang: str) -> dict[str, str]:
    """``{control: one-line message}`` for every control whose value is refused (empty when all is well)."""
    errors = {}
    for path, key in BOXES.items():
        problem = _number_box(path, getattr(st, key), lang)
        if problem:
            errors[key] = problem
    for expr in (e.strip() for e in st.extra.replace(";", "\n").splitlines()):
        if not expr:
            continue
        try:
            path, value = parse_set(expr)
        except ScenarioError as e:
            errors["extra"] = str(e)
            break
        if path in BOXES:       # one home per setting: its box, never the free field
            errors["extra"] = f"{path}: {tr('use_box', lang, box=field_name(path, lang))}"
            break
        try:
            load_scenario(st.preset, {path: value})
        except ScenarioError as e:
            errors["extra"] = field_problem(path, value, lang, str(e))
            break
    if not errors:
        problem = check(st)[1]
        if problem:
            errors["shock" if problem.startswith("shocks") else "extra"] = problem
    return errors
