"""Own scenarios in the dashboard: the label of the settings on screen, save them as a scenario TOML, load one.

A setting that differs from its preset makes the scenario "custom (from gov-led)": that label is the scenario's
name in the saved file, the run's name and every exported file name. A loaded file is validated by the scenario
schema (one-line error naming the field); its levers, first shock, seed and firms go to their controls and every
other field that differs from the preset it is based on goes to "Other field", so what runs is the file.
"""

from __future__ import annotations

import re
import tempfile
import tomllib
from pathlib import Path

import solara
import tomli_w

from abm.scenario import DEFAULT_PRESET, ScenarioError, load_scenario, presets, to_toml
from abm.schema import SECTIONS, Scenario
from viz import i18n
from viz.i18n import tr
from viz.session import Settings, build_scenario, check, file_stem, lever_specs, scenario_label, settings_of

MAX_BYTES = 1_000_000
CUSTOM = re.compile(r"^custom \(from (?P<preset>[\w.-]+)\)$")
CUSTOM_PREFIX = re.compile(r"^custom \(from (?P<preset>[\w.-]+)\)(?P<rest>.*)$")


def saved_toml(st: Settings) -> str:
    """The settings as a complete scenario TOML (units and sources as comments), named by its label."""
    return to_toml(build_scenario(st))


def _toml_value(value) -> str:
    return tomli_w.dumps({"v": value})[4:].strip()


def _base_preset(name: str) -> str:
    m = CUSTOM.match(name)
    base = m.group("preset") if m else name
    return base if base in presets() else DEFAULT_PRESET


def settings_from_scenario(sc: Scenario) -> Settings:
    """Controls that reproduce ``sc``: levers, shock, seed and firms in their controls, the rest as Other field."""
    if len(sc.shocks) > 1:
        raise ScenarioError(f"shocks: the dashboard runs one shock; the file has {len(sc.shocks)}")
    base_name = _base_preset(sc.name)
    base = load_scenario(base_name)
    own = {"run.seed", "population.firms", *(s.path for s in lever_specs())}
    extra = []
    for sec in SECTIONS:
        mine, theirs = getattr(sc, sec).model_dump(), getattr(base, sec).model_dump()
        extra += [f"{sec}.{k}={_toml_value(v)}" for k, v in mine.items()
                  if f"{sec}.{k}" not in own and v != theirs[k]]
    return settings_of(sc, base_name, "; ".join(extra))


def uploaded_scenario(name: str, text: str | None, size: int) -> Scenario:
    """The scenario in an uploaded file; every problem raises ScenarioError with one line."""
    if text is None or size > MAX_BYTES:
        raise ScenarioError(f"{name}: {size:,} bytes; a scenario file is at most {MAX_BYTES:,} bytes")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{name}: malformed TOML: {e}") from None
    with tempfile.TemporaryDirectory() as tmp:   # through the loader, so `extends = "gov-led"` works too
        path = Path(tmp) / "uploaded.toml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(str(path))


def load_uploaded(name: str, text: str | None, size: int) -> Settings:
    """Settings from an uploaded scenario file; every problem raises ScenarioError with one line."""
    st = settings_from_scenario(uploaded_scenario(name, text, size))
    build_scenario(st)   # the controls reproduce the file (a field the controls cannot hold fails here)
    return st


def display_name(name: str, lang: str) -> str:
    """A scenario's name as the page shows it: a preset's ("政府主導 (gov-led)"), a custom label translated
    ("カスタム(gov-led から)", keeping a suffix such as " [file.toml]"), any other name as it is."""
    m = CUSTOM_PREFIX.match(name)
    if m:
        return tr("custom_label", lang, preset=m.group("preset")) + m.group("rest")
    return i18n.preset_name(name, lang)


def custom_scenario(st: Settings) -> Scenario | None:
    """The settings' scenario when they differ from their preset and are valid, else None: what the compare
    view offers as "custom (from gov-led)"."""
    if scenario_label(st) == st.preset:
        return None
    return check(st)[0]


def shown_label(st: Settings, lang: str) -> str:
    """The scenario label as the page shows it ("カスタム(gov-led から)" in Japanese)."""
    return display_name(scenario_label(st), lang)


@solara.component_vue("scenario_file.vue")
def ScenarioUpload(label: str, event_loaded=None):
    """A button that reads a chosen scenario file in the browser and sends its text."""


@solara.component
def ScenarioFiles(settings: solara.Reactive[Settings], lang: str):
    """The scenario's label, Save (download the settings as TOML) and Load (upload one); a refused file's
    one-line reason sits under the buttons until a file loads or a setting changes."""
    problem = solara.use_reactive(None)
    st = settings.value
    solara.use_effect(lambda: problem.set(None), [st])

    def loaded(info):
        try:
            settings.set(load_uploaded(info.get("name", "?"), info.get("text"), int(info.get("size", 0))))
        except ScenarioError as e:
            problem.set(str(e))

    solara.Text(f"{tr('scenario', lang)}: {shown_label(st, lang)}", classes=["scenario-label"],
                style={"font-size": "13px", "font-weight": "600"})
    with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
        solara.FileDownload(lambda: saved_toml(settings.value).encode("utf-8"),
                            filename=f"sovai-{file_stem(scenario_label(st))}.toml", label=tr("save_toml", lang),
                            icon_name="mdi-content-save", mime_type="application/toml")
        ScenarioUpload(label=tr("load_toml", lang), event_loaded=loaded)
    if problem.value:
        solara.Error(f"{tr('refused', lang)}: {problem.value}", dense=True,
                     classes=["control-note", "note-error", "note-scenario-file"])
