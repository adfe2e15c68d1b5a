"""The single-run view: controls, Step / Play / Pause / Reset, headline, charts, network, cost table, export."""

from __future__ import annotations

import time

import solara

from abm.scenario import DEFAULT_PRESET
from viz import charts, network_view
from viz.components import Controls, CostTable, Headline
from viz.i18n import tr
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

    def advance(quarters: int):
        try:
            snap.set(run.value.step(quarters))
        except Exception as e:  # shown as one line; the page keeps working
            refused.set(one_line(e))

    def step():
        advance(1)

    def to_end():
        advance(10_000)

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
            s = current.step()
            if cancel.is_set() or run.value is not current:  # Reset or Pause meanwhile: drop the stale frame
                break
            snap.set(s)
            if not s.running:
                playing.set(False)
                break
            time.sleep(PLAY_PAUSE_S)

    solara.use_thread(play_loop, dependencies=[playing.value, run.value], intrusive_cancel=False)
    pending_error = solara.use_memo(lambda: check(settings.value)[1], [settings.value])
    s = snap.value
    images = solara.use_memo(lambda: charts.render_all(s.ts, lang, s.start_year, s.end_year), [s, lang])

    with solara.Columns([1, 3], classes=["single-run"]):
        with solara.Column(classes=["controls"]):
            Controls(settings, pick_preset, lang)
            if pending_error:
                solara.Error(f"{tr('refused', lang)}: {pending_error}", classes=["field-error"])
            elif settings.value != applied.value:
                solara.Warning(tr("pending", lang), classes=["pending-note"])
        with solara.Column(classes=["results"]):
            with solara.Row(classes=["run-buttons"]):
                solara.Button(tr("step", lang), on_click=step, disabled=playing.value or not s.running,
                              color="primary", classes=["btn-step"])
                solara.Button(tr("play", lang), on_click=lambda: playing.set(True), icon_name="mdi-play",
                              disabled=playing.value or not s.running, classes=["btn-play"])
                solara.Button(tr("pause", lang), on_click=lambda: playing.set(False), icon_name="mdi-pause",
                              disabled=not playing.value, classes=["btn-pause"])
                solara.Button(tr("to_end", lang), on_click=to_end, icon_name="mdi-skip-forward",
                              disabled=playing.value or not s.running, classes=["btn-to-end"])
                solara.Button(tr("reset", lang), on_click=reset, icon_name="mdi-restore", classes=["btn-reset"])
                solara.FileDownload(lambda: s.ts.to_csv(index=False).encode("utf-8"),
                                    filename=f"sovai-{run.value.scenario.name}-seed{s.seed}-timeseries.csv",
                                    label=tr("csv", lang), mime_type="text/csv")
                solara.FileDownload(lambda: charts.combine_png(list(images.values())),
                                    filename=f"sovai-charts-{lang}.png", label=tr("all_png", lang),
                                    icon_name="mdi-image-multiple", mime_type="image/png")
            if refused.value:
                solara.Error(f"{tr('refused', lang)}: {refused.value}", classes=["reset-error"])
            if not s.running:
                solara.Success(tr("finished", lang), classes=["finished-note"])
            Headline(s, lang)
            with solara.ColumnsResponsive(12, medium=6):
                for key, png in images.items():
                    ChartPanel(key, png, lang)
            with solara.ColumnsResponsive(12, medium=[7, 5]):
                NetworkPanel(run.value, s, lang)
                CostTable(s, lang)
