"""The compare view: two or three scenarios, N replications in a background thread, fan charts, differences.

A :class:`Job` owns its thread and is kept by the page (per session), so switching tabs neither blocks
the page nor loses a running comparison. The view polls the job for progress; Cancel stops within a quarter.
"""

from __future__ import annotations

import html
import threading
import time

import solara

from abm import outputs
from abm.labels import unit_text
from abm.scenario import ScenarioError, presets
from abm.schema import Scenario
from viz import charts, i18n, runner
from viz.components import ChoiceSelect
from viz.pareto_view import compare_options, compare_scenario
from viz.i18n import tr
from viz.scenario_io import ScenarioUpload, display_name, uploaded_scenario

MAX_REPLICATIONS = 200
POLL_S = 0.25


class Job:
    """Replications of ``names`` running in a daemon thread; read ``done``/``total``/``results``/``error``."""

    def __init__(self, names: list, n: int, base_seed: int):
        """``names``: preset names or Scenarios (each named as the results should be keyed)."""
        self.names, self.n, self.base_seed = names, n, base_seed
        self.done, self.total = 0, len(names) * n
        self.cancel_event = threading.Event()
        self.results: dict | None = None
        self.error: str | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._work, name="sovai-compare", daemon=True)

    def start(self) -> Job:
        self.thread.start()
        return self

    def _progress(self, done: int, total: int) -> None:
        self.done = done

    def _work(self) -> None:
        try:
            self.results = runner.run_replications(self.names, self.n, self.base_seed, self._progress,
                                                   self.cancel_event)
        except runner.Cancelled:
            self.cancelled = True
        except Exception as e:  # shown as one line in the UI
            self.error = f"{type(e).__name__}: {e}".splitlines()[0]

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def finished(self) -> bool:
        return not self.thread.is_alive()


def _in_percent(key: str) -> bool:
    return runner.FAN_METRICS[key][1] == 100.0


def metric_title(key: str, lang: str) -> str:
    """A compare metric's label with its unit, from the declarations: "AI adoption (%)"."""
    return outputs.title_with_unit(runner.FAN_METRICS[key][0], lang, percent=_in_percent(key))


def fan_images(results: dict, lang: str) -> dict[str, bytes]:
    n = len(next(iter(results.values())))
    labels = {name: display_name(name, lang) for name in results}
    colours = list(i18n.preset_colours(results).values())
    out = {}
    for key, (col, scale) in runner.FAN_METRICS.items():
        fans = {labels[s]: runner.fan_chart_data(runs, col, scale) for s, runs in results.items()}
        ylabel = unit_text("%", lang) if _in_percent(key) else outputs.unit(col, lang)
        out[key] = charts.fan_chart(fans, outputs.label(col, lang), ylabel, lang, tr("cmp_band", lang, n=n),
                                    colours)
    return out


def diff_table_html(results: dict, lang: str) -> str:
    names = list(results)
    year = int(next(iter(results.values()))[0]["year"].max())
    rows = runner.difference_table(results, year)
    label = {s: html.escape(display_name(s, lang)) for s in names}
    head = "".join(f"<th>{label[s]}</th>" for s in names)
    head += "".join(f"<th>{label[s]} − {label[names[0]]} [5%, 95%]</th>" for s in names[1:])
    body = ""
    for r in rows:
        cells = "".join(f"<td>{r['median'][s]:,.2f}</td>" for s in names)
        cells += "".join(f"<td>{d[0]:+,.2f} [{d[1]:+,.2f}, {d[2]:+,.2f}]</td>" for d in r["diff"].values())
        body += f"<tr><th>{html.escape(metric_title(r['metric'], lang))}</th>{cells}</tr>"
    return (f"<table><caption style='text-align:left;font-weight:600'>{html.escape(tr('cmp_diff', lang, year=year))}"
            f"</caption><tr><th>{tr('metric', lang)}</th>{head}</tr>{body}</table>")


def appraisal_table_html(results: dict, lang: str) -> str:
    """Per policy: attributable fiscal and economic NPV median [5%, 95%], payback year and P(payback by 2035 /
    2040) over the replications (:mod:`experiments.uncertainty`)."""
    from experiments.report import table
    from experiments.uncertainty import appraisal_summary
    from experiments.uncertainty_report import display_table, text

    shown = display_table(appraisal_summary(runner.appraisal_runs(results)), lang)
    col = text("policy", lang)
    shown[col] = [display_name(p, lang) for p in shown[col]]
    n = len(next(iter(results.values())))
    return (f"<div style='text-align:left;font-weight:600'>{html.escape(tr('cmp_appraisal', lang, n=n))}</div>"
            + table(shown))


def own_key(name: str, file_name: str, taken) -> str:
    """The choice key of an uploaded scenario: its name, or "name [file]" when that name is taken."""
    return name if name not in taken else f"{name} [{file_name}]"


def choices(custom: Scenario | None, uploaded: dict[str, Scenario]) -> dict[str, Scenario | str]:
    """Every scenario the compare view offers: the presets, the single-run view's custom settings (under their
    label), then the uploaded files; key -> the preset's name or the Scenario to run (named by its key)."""
    out: dict[str, Scenario | str] = {p: p for p in presets()}
    if custom is not None:
        out[custom.name] = custom
    return out | {k: sc for k, sc in uploaded.items() if k not in out}


@solara.component
def CompareView(lang: str, job: solara.Reactive, custom: Scenario | None = None):
    """``custom``: the single-run view's settings as a scenario when they differ from their preset."""
    uploaded = solara.use_reactive({})
    upload_problem = solara.use_reactive(None)
    offered = choices(custom, uploaded.value)
    pareto = dict(compare_options(lang))   # the Pareto policies of `sovai dashboard --optimization DIR`, if any
    names = list(offered) + [p for p in pareto if p not in offered]
    picks = solara.use_reactive(("gov-led", "foreign-dependent", "none"))
    reps = solara.use_reactive(10)
    seed = solara.use_reactive(runner.DEFAULT_MASTER_SEED)
    message = solara.use_reactive(None)

    def poll(cancel):
        j = job.value
        while j is not None and not j.finished and not cancel.is_set():
            time.sleep(POLL_S)
            yield j.done
        yield -1

    solara.use_thread(poll, dependencies=[job.value], intrusive_cancel=False)
    j = job.value
    running = j is not None and not j.finished
    images = solara.use_memo(lambda: fan_images(j.results, lang) if j is not None and j.results else {},
                             [j, j is not None and j.results is not None, lang])

    def start():
        chosen = list(dict.fromkeys(p for p in picks.value if p != "none"))
        if len(chosen) < 2:
            message.set(tr("cmp_need_two", lang))
            return
        gone = [p for p in chosen if p not in offered and p not in pareto]
        if gone:   # the single-run view's settings changed since this one was picked
            message.set(tr("cmp_gone", lang, name=display_name(gone[0], lang)))
            return
        n = reps.value
        if n is None or not 1 <= n <= MAX_REPLICATIONS:
            message.set(f"{tr('cmp_reps', lang)}: 1–{MAX_REPLICATIONS} (got {n})")
            return
        message.set(None)
        job.set(Job([offered[p] if p in offered else compare_scenario(p) for p in chosen], int(n),
                    int(seed.value or 0)).start())

    def loaded(info):
        file_name = info.get("name", "?")
        try:
            sc = uploaded_scenario(file_name, info.get("text"), int(info.get("size", 0)))
        except ScenarioError as e:
            upload_problem.set(f"{tr('refused', lang)}: {e}")
            return
        key = own_key(sc.name, file_name, offered)
        uploaded.set({**uploaded.value, key: sc.model_copy(update={"name": key})})
        upload_problem.set(None)

    def set_pick(i, value):
        p = list(picks.value)
        p[i] = value
        picks.set(tuple(p))

    solara.Text(tr("cmp_intro", lang), style={"font-size": "13px", "color": "#555"})
    with solara.Row(classes=["compare-controls"], style={"align-items": "center", "flex-wrap": "wrap"}):
        for i, letter in enumerate("ABC"):
            options = [(p, pareto.get(p) or display_name(p, lang)) for p in names]
            if picks.value[i] not in names and picks.value[i] != "none":   # kept visible until re-picked
                options.append((picks.value[i], display_name(picks.value[i], lang)))
            if i == 2:
                options = [("none", tr("cmp_none", lang)), *options]
            with solara.Div(style={"min-width": "220px"}):
                ChoiceSelect(tr("cmp_scenario", lang, letter=letter), picks.value[i], options,
                             lambda val, i=i: set_pick(i, val), [f"compare-pick-{letter.lower()}"])
        solara.InputInt(tr("cmp_reps", lang), value=reps, classes=["input-reps"], continuous_update=True)
        solara.InputInt(tr("cmp_seed", lang), value=seed, classes=["input-base-seed"])
        solara.Button(tr("cmp_run", lang), on_click=start, disabled=running, color="primary", classes=["btn-compare"])
        solara.Button(tr("cmp_cancel", lang), on_click=lambda: j.cancel(), disabled=not running,
                      classes=["btn-cancel"])
        ScenarioUpload(label=tr("cmp_load", lang), event_loaded=loaded)
    if upload_problem.value:
        solara.Error(upload_problem.value, dense=True, classes=["control-note", "note-error", "note-compare-file"])
    if message.value:
        solara.Error(message.value, classes=["compare-error"])
    if j is not None:
        solara.ProgressLinear(value=100.0 * j.done / max(j.total, 1) if running or j.results else False)
        solara.Text(tr("cmp_progress", lang, done=j.done, total=j.total), classes=["compare-progress"])
        if j.cancelled:
            solara.Warning(tr("cmp_cancelled", lang))
        if j.error:
            solara.Error(j.error)
    if images:
        with solara.ColumnsResponsive(12, medium=6):
            for key, png in images.items():
                with solara.Div(classes=["chart-panel", f"fan-{key.removeprefix('fan_')}"]):
                    solara.Image(png, classes=["chart-img"])
                    solara.FileDownload(png, filename=f"sovai-compare-{key}-{lang}.png", label=tr("png", lang),
                                        icon_name="mdi-image", mime_type="image/png")
        solara.HTML(tag="div", unsafe_innerHTML=diff_table_html(j.results, lang), classes=["cost-table", "diff-table"])
        solara.HTML(tag="div", unsafe_innerHTML=appraisal_table_html(j.results, lang),
                    classes=["cost-table", "appraisal-table"])
