"""The single-run view: controls, Step / Play / Pause / Reset, headline, charts, network, cost table, export."""

from __future__ import annotations

import time

import solara

from dataclasses import replace

from abm.scenario import DEFAULT_PRESET
from viz import charts, network_view
from viz.changes import control_errors, split
from viz.components import Controls, CostTable, Headline
from viz import i18n
from viz.i18n import field_name, tr
from viz.session import Run, Settings, Snapshot, check, settings_for

PLAY_PAUSE_S = 0.05  # breathing room between quarters while playing (rendering takes longer)


def one_line(e: Exception) -> str:
    return f"{type(e).__name__}: {e}".splitlines()[0]


def new_run(settings: Settings) -> tuple[Run | None, str | None]:
    """A fresh Run for validated settings, or the one-line reason they were refused."""
    scenario, error = check(settings)
    if scenario is None:
        return None, error
    try:
        return Run(scenario), None
    except Exception as e:  # a model that cannot be built is reported, not raised into the page
        return None, one_line(e)


@solara.component
def ChartPanel(key: str, png: bytes, lang: str):
    """One chart image with its PNG download button."""
    with solara.Div(classes=["chart-panel", f"chart-{key}"]):
        solara.Image(png, classes=["chart-img"])
        solara.FileDownload(png, filename=f"sovai-{key}-{lang}.png", label=tr("png", lang),
                            icon_name="mdi-image", mime_type="image/png")


@solara.component
def NetworkPanel(run: Run, snap: Snapshot, lang: str):
    pop = run.scenario.population
    lay = network_view.layout(pop.firms, pop.data_holders, pop.asean_partners, run.scenario.run.seed)
    png = solara.use_memo(lambda: network_view.draw(lay, snap.source, snap.data_firm, snap.data_holder, lang),
                          [snap, lang])
    n_talent = run.model.blocks.n_talent
    with solara.Div(classes=["chart-panel", "chart-network"]):
        solara.Image(png, classes=["chart-img"])
        solara.Text(network_view.caption(lay, n_talent, lang), classes=["network-caption"],
                    style={"font-size": "12px", "color": "#555"})
        solara.FileDownload(png, filename=f"sovai-network-{lang}.png", label=tr("png", lang),
                            icon_name="mdi-image", mime_type="image/png")


def chart_marks(snap: Snapshot, lang: str) -> list[tuple[float, str]]:
    """(time, lever name) of every lever changed during the run: a vertical line on each time-series chart."""
    return [(c.year + (c.quarter - 1) / 4.0, field_name(c.path, lang)) for c in snap.changes]


def change_log(snap: Snapshot, lang: str) -> str:
    """"Changed during this run: Compute budget 0.45 → 1.5 from 2029 Q1; …"."""
    return tr("changed", lang) + "; ".join(f"{field_name(c.path, lang)} {i18n.shown(c.old, lang)} → "
                                           f"{i18n.shown(c.new, lang)} ({c.year} Q{c.quarter})" for c in snap.changes)


def control_notes(errors: dict, mid: dict, reset: set, snap: Snapshot, lang: str) -> dict:
    """``{control: (kind, text)}``: refusals, controls that need Reset once the run has started, and when a
    lever changed mid-run takes effect."""
    notes = {key: ("warning", tr("needs_reset", lang)) for key in reset} if snap.started else {}
    if snap.started:
        notes |= {key: ("info", tr("applies_next", lang, when=f"{snap.year} Q{snap.quarter}")) for key in mid}
    return notes | {key: ("error", f"{tr('refused', lang)}: {text}") for key, text in errors.items()}


@solara.component
def SingleRunView(lang: str):
    """Per-session state lives here (use_memo / use_reactive): no model is shared between sessions."""
    # use_reactive(x) re-syncs to x whenever x changes, so every initial value here is memoised
    initial = solara.use_memo(lambda: settings_for(DEFAULT_PRESET), [])
    first = solara.use_memo(lambda: new_run(initial)[0], [])
    settings = solara.use_reactive(initial)
    applied = solara.use_reactive(initial)
    run = solara.use_reactive(first)
    snap = solara.use_reactive(solara.use_memo(first.snapshot, []))
    playing = solara.use_reactive(False)
    refused = solara.use_reactive(None)

    errors = solara.use_memo(lambda: control_errors(settings.value, lang), [settings.value, lang])
    mid, reset_needed = split(applied.value, settings.value)
    solara.use_effect(lambda: refused.set(None), [settings.value])   # a stale refusal goes once anything changes

    def sync() -> Run | None:
        """Bring the run to the settings on screen: before the first step any change rebuilds it; afterwards
        mid-run levers are applied from the next quarter and anything else waits for Reset (None)."""
        st, current = settings.value, run.value
        new_mid, new_reset = split(applied.value, st)
        if control_errors(st, "en"):
            return None
        if not (new_mid or new_reset):
            return current
        if not snap.value.started:
            fresh, error = new_run(st)
            refused.set(error)
            if fresh is not None:
                run.set(fresh)
                applied.set(st)
            return fresh
        if new_reset:
            return None
        try:
            current.apply(new_mid)
        except Exception as e:  # the model refused it: shown as one line, the run goes on unchanged
            refused.set(one_line(e))
            return None
        applied.set(replace(applied.value, levers={**applied.value.levers, **new_mid}))
        return current

    def advance(quarters: int):
        current = sync()
        if current is None:
            return
        try:
            snap.set(current.step(quarters))
        except Exception as e:  # shown as one line; the page keeps working
            refused.set(one_line(e))

    def step():
        advance(1)

    def to_end():
        advance(10_000)

    def play():
        if sync() is not None:
            playing.set(True)

    def reset():
        playing.set(False)
        fresh, error = new_run(settings.value)
        refused.set(error)
        if fresh is not None:
            run.set(fresh)
            snap.set(fresh.snapshot())
            applied.set(settings.value)

    def pick_preset(name):
        settings.set(settings_for(name))

    def play_loop(cancel):
        current = run.value
        while playing.value and not cancel.is_set():
            if sync() is not current:      # a change that needs Reset (or a refusal): stop here
                playing.set(False)
                break
            s = current.step()
            if cancel.is_set() or run.value is not current:  # Reset or Pause meanwhile: drop the stale frame
                break
            snap.set(s)
            if not s.running:
                playing.set(False)
                break
            time.sleep(PLAY_PAUSE_S)

    solara.use_thread(play_loop, dependencies=[playing.value, run.value], intrusive_cancel=False)
    s = snap.value
    marks = chart_marks(s, lang)
    images = solara.use_memo(lambda: charts.render_all(s.ts, lang, s.start_year, s.end_year, marks), [s, lang])
    blocked = bool(errors) or (s.started and bool(reset_needed))
    can_step = not (playing.value or not s.running or blocked)

    with solara.Columns([1, 3], classes=["single-run"]):
        with solara.Column(classes=["controls"]):
            Controls(settings, pick_preset, lang, control_notes(errors, mid, reset_needed, s, lang))
        with solara.Column(classes=["results"]):
            with solara.Row(classes=["run-buttons"]):
                solara.Button(tr("step", lang), on_click=step, disabled=not can_step, color="primary",
                              classes=["btn-step"])
                solara.Button(tr("play", lang), on_click=play, icon_name="mdi-play", disabled=not can_step,
                              classes=["btn-play"])
                solara.Button(tr("pause", lang), on_click=lambda: playing.set(False), icon_name="mdi-pause",
                              disabled=not playing.value, classes=["btn-pause"])
                solara.Button(tr("to_end", lang), on_click=to_end, icon_name="mdi-skip-forward",
                              disabled=not can_step, classes=["btn-to-end"])
                solara.Button(tr("reset", lang), on_click=reset, icon_name="mdi-restore", disabled=bool(errors),
                              color="warning" if blocked and not errors else None, classes=["btn-reset"])
                solara.FileDownload(lambda: s.ts.to_csv(index=False).encode("utf-8"),
                                    filename=f"sovai-{run.value.scenario.name}-seed{s.seed}-timeseries.csv",
                                    label=tr("csv", lang), mime_type="text/csv")
                solara.FileDownload(lambda: charts.combine_png(list(images.values())),
                                    filename=f"sovai-charts-{lang}.png", label=tr("all_png", lang),
                                    icon_name="mdi-image-multiple", mime_type="image/png")
            if blocked:
                solara.Warning(tr("blocked", lang), dense=True, classes=["blocked-note"])
            if refused.value:
                solara.Error(f"{tr('refused', lang)}: {refused.value}", classes=["reset-error"])
            if s.changes:
                solara.Text(change_log(s, lang), classes=["change-log"], style={"font-size": "13px", "color": "#6c3483"})
            if not s.running:
                solara.Success(tr("finished", lang), classes=["finished-note"])
            Headline(s, lang)
            with solara.ColumnsResponsive(12, medium=6):
                for key, png in images.items():
                    ChartPanel(key, png, lang)
            with solara.ColumnsResponsive(12, medium=[7, 5]):
                NetworkPanel(run.value, s, lang)
                CostTable(s, lang)
