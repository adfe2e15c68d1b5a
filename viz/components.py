"""Small Solara components: schema-generated controls, the headline strip, the live cost table.

Every control's bounds, type and choices come from :func:`abm.schema.field_specs` (or the Shock model);
nothing here declares a range. Stable CSS classes (``kpi-*``, ``cost-table``) are for tests and styling.
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import replace as _replace

import reacton.ipyvuetify as rv
import solara

from abm import outputs
from abm.accounting import CATEGORIES, PERIODS
from abm.labels import name, statistic
from abm.scenario import load_scenario, presets
from abm.schema import FieldSpec
from viz import i18n
from viz.i18n import tr
from viz.session import NO_SHOCK, Settings, Snapshot, lever_specs, shock_spec

CSS = """
.kpi-strip { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 12px 0; }
.kpi { background: #f4f6f7; border-left: 4px solid #c0392b; padding: 6px 12px; min-width: 150px; border-radius: 4px; }
.kpi-label { font-size: 12px; color: #555; display: block; }
.kpi-value { font-size: 20px; font-weight: 600; color: #1b2631; display: block; }
.cost-table table { border-collapse: collapse; font-size: 13px; }
.cost-table th, .cost-table td { border: 1px solid #ccc; padding: 3px 8px; }
.cost-table td { text-align: right; }
.chart-img { max-width: 100%; height: auto; }
.chart-svg svg { width: 100%; height: auto; display: block; }
.lever-slider .v-input__slot { flex-direction: column; align-items: stretch; }
.lever-slider .v-label { font-size: 13px; white-space: normal; margin: 6px 0 -6px 0; }
.controls .v-input--switch { margin-top: 4px; }
"""


def nice_step(spec: FieldSpec) -> float:
    """Slider step: the power of ten at or below 1/100 of the schema range (0-5 -> 0.01), so preset values
    such as 0.22 sit on the grid and the browser never snaps them."""
    if spec.type is int:
        return 1
    return 10.0 ** math.floor(math.log10((spec.le - spec.ge) / 100.0))


@solara.component
def ChoiceSelect(label: str, value, choices, on_value, classes=None):
    """A select whose items show translated text but carry the schema's values."""
    items = [{"text": t, "value": c} for c, t in choices]
    rv.Select(label=label, items=items, v_model=value, on_v_model=on_value, dense=True,
             class_=" ".join(classes or []))


def lever_label(spec: FieldSpec, value, lang: str) -> str:
    """Slider label with unit and current value: "Compute budget (JPY tn/yr): 0.45"."""
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{i18n.field_label(spec, lang)}: {shown}"


def moved(new, value, step) -> bool:
    """Whether a slider's new value is a move, not the browser snapping ``value`` to the step grid: a value that
    is off the grid (a Pareto policy's 2.78333, a loaded file's) comes back rounded to the nearest grid point, less
    than half a step away; a user's move goes at least one step."""
    return abs(float(new) - float(value)) >= step / 2.0


@solara.component
def NumberSlider(label: str, value, lo, hi, step, on_value, cast, css: str):
    """A Vuetify slider with its label above the track (long Japanese labels stay readable). The value stays
    what was set (a file or a Pareto policy may be off the step grid) until the user moves the slider."""
    rv.Slider(label=label, v_model=value, on_v_model=lambda x: on_value(cast(x)) if moved(x, value, step) else None,
              min=lo, max=hi, step=step, thumb_label=True, hide_details=True, class_=f"lever-slider {css}")


@solara.component
def FieldControl(spec: FieldSpec, value, on_value, lang: str):
    """Slider, switch or select for one schema field, bounded by the schema."""
    css = "lever-" + spec.path.split(".")[-1].replace("_", "-")
    if spec.type is bool:
        solara.Switch(label=i18n.field_label(spec, lang), value=bool(value), on_value=on_value, classes=[css])
    elif spec.choices:
        ChoiceSelect(i18n.field_label(spec, lang), value, [(c, i18n.choice(c, lang)) for c in spec.choices],
                     on_value, [css])
    elif spec.type is int:
        NumberSlider(lever_label(spec, value, lang), int(value), int(spec.ge), int(spec.le), 1, on_value, int, css)
    else:
        NumberSlider(lever_label(spec, value, lang), float(value), float(spec.ge), float(spec.le), nice_step(spec),
                     on_value, float, css)


def note_class(key: str) -> str:
    """The CSS class of the message under control ``key`` (a field path or seed, firms, extra, shock, preset)."""
    return "note-" + key.split(".")[-1].replace("_", "-")


@solara.component
def Note(key: str, notes: dict):
    """The message of one control, right under it: ``notes[key] = (kind, text)``, kind error/warning/info."""
    if key in notes:
        kind, text = notes[key]
        show = {"error": solara.Error, "warning": solara.Warning}.get(kind, solara.Info)
        show(text, dense=True, classes=["control-note", f"note-{kind}", note_class(key)])


@solara.component
def Controls(settings: solara.Reactive[Settings], on_preset, lang: str, notes: dict | None = None):
    """Preset picker, lever controls, shock picker, seed, population and a free 'section.field=value' input;
    ``notes`` puts each message under its control."""
    st, notes = settings.value, notes or {}
    descriptions = presets()
    ChoiceSelect(tr("preset", lang), st.preset, [(p, i18n.preset_name(p, lang)) for p in descriptions], on_preset,
                 ["preset-select"])
    solara.Text(i18n.preset_description(st.preset, lang, descriptions.get(st.preset, "")),
                style={"font-size": "12px", "color": "#555"})
    Note("preset", notes)
    solara.Markdown(f"**{tr('levers', lang)}**")
    for spec in lever_specs():
        FieldControl(spec, st.levers[spec.path],
                     lambda val, p=spec.path: settings.set(settings.value.with_lever(p, val)), lang)
        Note(spec.path, notes)
    solara.Markdown(f"**{tr('shock', lang)}**")
    kind = shock_spec("kind")
    ChoiceSelect(tr("shock", lang), st.shock, [(c, i18n.choice(c, lang)) for c in (NO_SHOCK, *kind.choices)],
                 lambda val: settings.set(_replace(settings.value, shock=val)), ["shock-select"])
    if st.shock != NO_SHOCK:
        start, sev, dur = shock_spec("start_year"), shock_spec("severity"), shock_spec("duration_quarters")
        first, last = preset_years(st.preset)
        lo, hi = max(int(start.ge), first), min(int(start.le), last)
        NumberSlider(f"{tr('shock_start', lang)}: {st.shock_start}", min(max(st.shock_start, lo), hi), lo, hi, 1,
                     lambda val: settings.set(_replace(settings.value, shock_start=val)), int, "shock-start")
        NumberSlider(f"{tr('shock_severity', lang)}: {st.shock_severity:g}", st.shock_severity, float(sev.ge),
                     float(sev.le), 0.05, lambda val: settings.set(_replace(settings.value, shock_severity=val)),
                     float, "shock-severity")
        NumberSlider(f"{tr('shock_quarters', lang)}: {st.shock_quarters}", st.shock_quarters, int(dur.ge),
                     min(int(dur.le), 4 * (last - first + 1)), 1,
                     lambda val: settings.set(_replace(settings.value, shock_quarters=val)), int, "shock-quarters")
    Note("shock", notes)
    with solara.Row():
        solara.InputInt(i18n.field_name("run.seed", lang), value=st.seed, continuous_update=False,
                        classes=["input-seed"],
                        on_value=lambda val: settings.set(_replace(settings.value, seed=val)))
        solara.InputInt(i18n.field_name("population.firms", lang), value=st.firms, continuous_update=False,
                        classes=["input-firms"],
                        on_value=lambda val: settings.set(_replace(settings.value, firms=val)))
    Note("seed", notes)
    Note("firms", notes)
    solara.InputText(tr("advanced", lang), value=st.extra, continuous_update=False, classes=["input-extra"],
                     message=tr("advanced_hint", lang),
                     on_value=lambda val: settings.set(_replace(settings.value, extra=val)))
    Note("extra", notes)


@functools.lru_cache(maxsize=16)
def preset_years(preset: str) -> tuple[int, int]:
    """(start_year, end_year) of a preset: the shock start slider stays inside the horizon."""
    run = load_scenario(preset).run
    return run.start_year, run.end_year


def clock_text(snap: Snapshot, lang: str) -> str:
    """The quarter the headline figures describe: the last one simulated ("2026 Q1 (start)" before any)."""
    if not len(snap.ts):
        return f"{snap.year} Q{snap.quarter} {tr('not_started', lang)}"
    last = f"{int(snap.ts['year'].iloc[-1])} Q{int(snap.ts['quarter'].iloc[-1])}"
    return last if snap.running else f"{last} ✓"


KPIS = [  # (css class, declared output, shown as a percentage)
    ("kpi-adoption", "adoption_rate", True), ("kpi-sovereign", "adoption_share_sovereign", True),
    ("kpi-retention", "talent_retention_rate", True), ("kpi-deficit", "digital_deficit_jpy_tn", False),
    ("kpi-cost-outcomes", ("public_cost_cum_jpy_tn", "outcomes_cum_jpy_tn"), False),
    ("kpi-bond", "bond_balance_jpy_tn", False)]


def _kpi(keys, percent: bool, k: dict, lang: str) -> tuple[str, str]:
    """(label, value) of one headline figure; several outputs of one unit share a box as "a / b unit"."""
    keys = (keys,) if isinstance(keys, str) else keys
    label = " / ".join(outputs.label(key, lang) for key in keys)
    if not k:
        return label, "–"
    if percent:
        return label, " / ".join(f"{100 * k[key]:.1f} %" for key in keys)
    return label, f"{' / '.join(f'{k[key]:,.2f}' for key in keys)} {outputs.unit(keys[0], lang)}"


def kpi_values(snap: Snapshot, lang: str) -> list[tuple[str, str, str]]:
    """(css class, label, value) of every headline figure; '–' before the first step. Labels and units are the
    outputs' declarations (:mod:`abm.outputs`)."""
    return [("kpi-year", tr("kpi_year", lang), clock_text(snap, lang)),
            *((css, *_kpi(keys, percent, snap.kpis, lang)) for css, keys, percent in KPIS)]


@solara.component
def Headline(snap: Snapshot, lang: str):
    """The headline strip: one box per figure, each with a stable ``kpi-*`` class, and what the figures are (the
    values of the quarter shown, :data:`abm.labels.STATISTICS`)."""
    with solara.Div(classes=["kpi-strip"]):
        for css, label, value in kpi_values(snap, lang):
            with solara.Div(classes=["kpi", css]):
                solara.Text(label, classes=["kpi-label"])
                solara.Text(value, classes=["kpi-value"])
    solara.Text(statistic("quarter", lang), classes=["kpi-statistic"], style={"font-size": "12px", "color": "#555"})


def cost_table_html(snap: Snapshot, lang: str) -> str:
    """The ledger's cost by category x period with totals, as an HTML table (unit from the declarations)."""
    head = "".join(f"<th>{html.escape(name(p, lang))}</th>" for p in PERIODS)
    rows = []
    for c in CATEGORIES:
        vals = [snap.cost_table[p][c] for p in PERIODS]
        cells = "".join(f"<td>{x:,.3f}</td>" for x in [*vals, sum(vals)])
        rows.append(f"<tr><th>{html.escape(name(c, lang))}</th>{cells}</tr>")
    totals = [sum(snap.cost_table[p].values()) for p in PERIODS]
    cells = "".join(f"<td><b>{x:,.3f}</b></td>" for x in [*totals, sum(totals)])
    rows.append(f"<tr><th>{tr('total', lang)}</th>{cells}</tr>")
    caption = tr("cost_table", lang, unit=outputs.unit("cost_{category}_cum_jpy_tn", lang))
    return (f"<table><caption style='text-align:left;font-weight:600'>{html.escape(caption)}</caption>"
            f"<tr><th>{html.escape(tr('category', lang))}</th>{head}<th>{tr('total', lang)}</th></tr>"
            + "".join(rows) + "</table>")


@solara.component
def CostTable(snap: Snapshot, lang: str):
    solara.HTML(tag="div", unsafe_innerHTML=cost_table_html(snap, lang), classes=["cost-table"])
