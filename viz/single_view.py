"""The single-run view: controls, Step / Play / Pause / Reset, headline, charts, network, cost table, export."""

from __future__ import annotations

import time
from dataclasses import replace

import solara

from abm.scenario import DEFAULT_PRESET
from viz import i18n
from viz.changes import control_errors, split
from viz.components import Controls, Headline
from viz.i18n import field_name, tr
from viz.panels import LivePanels
from viz.pareto_view import ParetoPicker
from viz.scenario_io import ScenarioFiles, custom_scenario
from viz.session import Run, Settings, Snapshot, check, file_stem, scenario_label, settings_for

PLAY_SPEEDS = (1, 2, 5, 10, 20)   # quarters per second offered while playing; the charts follow at their own pace
PLAY_DEFAULT = 5


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


def change_log(snap: Snapshot, lang: str) -> str:
    """"Changed during this run: Compute budget 0.45 → 1.5 from 2029 Q1; …"."""
    return tr("changed", lang) + "; ".join(f"{field_name(c.path, lang)} {i18n.shown(c.old, lang)} → "
                                           f"{i18n.shown(c.new, lang)} ({c.year} Q{c.quarter})" for c in snap.changes)


def control_notes(errors: dict, mid: dict, reset: set, started: bool, lang: str) -> dict:
    """``{control: (kind, text)}``: refusals, controls that need Reset once the run has started, and levers
    changed mid-run that take effect with the next quarter simulated."""
    notes = {key: ("warning", tr("needs_reset", lang)) for key in reset} if started else {}
    if started:
        notes |= {key: ("info", tr("applies_next", lang)) for key in mid}
    return notes | {key: ("error", f"{tr('refused', lang)}: {text}") for key, text in errors.items()}


@solara.component
def SingleRunView(lang: str, on_custom=None):
    """Per-session state lives here (use_memo / use_reactive): no model is shared between sessions.
    ``on_custom(scenario | None)`` hears the settings as a scenario whenever they change (None while they are a
    preset's or invalid), so the compare view can offer them."""
    # use_reactive(x) re-syncs to x whenever x changes, so every initial value here is memoised
    initial = solara.use_memo(lambda: settings_for(DEFAULT_PRESET), [])
    first = solara.use_memo(lambda: new_run(initial)[0], [])
    settings = solara.use_reactive(initial)
    applied = solara.use_reactive(initial)
    run = solara.use_reactive(first)
    # a plain reactive, not use_reactive: only the components that read it (Results) re-render on a Step
    snap = solara.use_memo(lambda: solara.reactive(first.snapshot()), [])
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(PLAY_DEFAULT)
    refused = solara.use_reactive(None)
    started = solara.use_reactive(False)   # changes at the first step and on Reset only: the controls' notes
    # and the buttons' state read it, so a Step re-renders only the results (Results reads the snapshot)

    errors = solara.use_memo(lambda: control_errors(settings.value, lang), [settings.value, lang])
    mid, reset_needed = split(applied.value, settings.value)
    solara.use_effect(lambda: refused.set(None), [settings.value])   # a stale refusal goes once anything changes
    solara.use_effect(lambda: on_custom(custom_scenario(settings.value)) if on_custom else None, [settings.value])

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
            started.set(True)
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
            started.set(False)
            applied.set(settings.value)

    pick_preset = solara.use_memo(lambda: lambda name: settings.set(settings_for(name)), [])  # stable: the
    # controls re-render only when their own arguments change, not on every Step

    def play_loop(cancel):
        """Keeps the chosen pace in simulated quarters: a frame that took longer than 1/speed is followed by a
        step of several quarters (the headline may skip one), never by a backlog."""
        current, t_start, done = run.value, time.monotonic(), 0
        while playing.value and not cancel.is_set():
            if sync() is not current:      # a change that needs Reset (or a refusal): stop here
                playing.set(False)
                break
            due = int((time.monotonic() - t_start) * speed.value) + 1
            n = min(max(1, due - done), speed.value)
            s = current.step(n)
            done += n
            if cancel.is_set() or run.value is not current:  # Reset or Pause meanwhile: drop the stale frame
                break
            snap.set(s)
            started.set(True)
            if not s.running:
                playing.set(False)
                break
            time.sleep(max(0.0, done / speed.value - (time.monotonic() - t_start)))

    solara.use_thread(play_loop, dependencies=[playing.value, run.value], intrusive_cancel=False)
    blocked = bool(errors) or (started.value and bool(reset_needed))
    actions = {"step": step, "play": play, "pause": lambda: playing.set(False), "to_end": to_end, "reset": reset}

    with solara.Columns([1, 3], classes=["single-run"]):
        with solara.Column(classes=["controls"]):
            ParetoPicker(settings, lang)
            ScenarioFiles(settings, lang)
            Controls(settings, pick_preset, lang, control_notes(errors, mid, reset_needed, started.value, lang))
        with solara.Column(classes=["results"]):
            Results(run.value, snap, playing, speed, refused, scenario_label(applied.value), blocked, bool(errors),
                    actions, lang)


@solara.component
def Results(run: Run, snap, playing, speed, refused, label: str, blocked: bool, has_errors: bool, actions: dict,
            lang: str):
    """Buttons, notes, headline, charts, network and cost table: what a Step changes (it reads the snapshot)."""
    s = snap.value
    can_step = not (playing.value or not s.running or blocked)
    with solara.Row(classes=["run-buttons"]):
        solara.Button(tr("step", lang), on_click=actions["step"], disabled=not can_step, color="primary",
                      classes=["btn-step"])
        solara.Button(tr("play", lang), on_click=actions["play"], icon_name="mdi-play", disabled=not can_step,
                      classes=["btn-play"])
        solara.Button(tr("pause", lang), on_click=actions["pause"], icon_name="mdi-pause",
                      disabled=not playing.value, classes=["btn-pause"])
        solara.Select(tr("speed", lang), values=list(PLAY_SPEEDS), value=speed, classes=["play-speed"],
                      style={"max-width": "130px"})
        solara.Button(tr("to_end", lang), on_click=actions["to_end"], icon_name="mdi-skip-forward",
                      disabled=not can_step, classes=["btn-to-end"])
        solara.Button(tr("reset", lang), on_click=actions["reset"], icon_name="mdi-restore", disabled=has_errors,
                      color="warning" if blocked and not has_errors else None, classes=["btn-reset"])
        solara.FileDownload(lambda: s.ts.to_csv(index=False).encode("utf-8"),
                            filename=f"sovai-{file_stem(label)}-seed{s.seed}-timeseries.csv",
                            label=tr("csv", lang), mime_type="text/csv")
    if blocked:
        solara.Warning(tr("blocked", lang), dense=True, classes=["blocked-note"])
    if refused.value:
        solara.Error(f"{tr('refused', lang)}: {refused.value}", classes=["reset-error"])
    if s.changes:
        solara.Text(change_log(s, lang), classes=["change-log"], style={"font-size": "13px", "color": "#6c3483"})
    if not s.running:
        solara.Success(tr("finished", lang), classes=["finished-note"])
    Headline(s, lang)
    LivePanels(run, s, lang)
