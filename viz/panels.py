"""The single view's live panels: the time-series charts as inline SVG, drawn in the page's own update (a few
milliseconds, so a Step's charts arrive with its headline), and the network, drawn with matplotlib by a
per-session worker (:class:`viz.live.LatestOnly`) in the chart process so a Step or a Play frame never waits for
it. The PNG downloads are drawn when asked for."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import solara
from solara.server import kernel_context

from viz import chart_specs, charts, network_view
from viz.components import CostTable
from viz.i18n import field_name, tr
from viz.live import LatestOnly
from viz.session import Run, Snapshot


def chart_marks(snap: Snapshot, lang: str) -> list[tuple[float, str]]:
    """(time, lever name) of every lever changed during the run: a vertical line on each time-series chart."""
    return [(c.year + (c.quarter - 1) / 4.0, field_name(c.path, lang)) for c in snap.changes]


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def pool() -> ProcessPoolExecutor:
    """One chart process for the server, shared by its sessions: matplotlib draws there, so it never competes
    with the sessions' model steps and page updates for this process's interpreter lock ("spawn": no fork of a
    threaded server)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _POOL


def in_chart_process(f, *args):
    """``f(*args)`` in the chart process; here when that process cannot run (it is restarted next time)."""
    global _POOL
    try:
        return pool().submit(f, *args).result()
    except BrokenProcessPool:
        with _POOL_LOCK:
            _POOL = None
        return f(*args)


class Drawer:
    """Draws one snapshot's network in the worker thread (~0.2 s, and it changes slowly): when no newer snapshot
    is waiting or ``NETWORK_EVERY_S`` has passed, so Play keeps its pace."""

    NETWORK_EVERY_S = 2.0

    def __init__(self):
        self.worker: LatestOnly | None = None
        self.network: bytes | None = None
        self.network_at = -float("inf")

    def __call__(self, job) -> bytes | None:
        snap, lang, lay = job
        if self.worker is None or self.worker.job is None or \
                time.monotonic() - self.network_at > self.NETWORK_EVERY_S or self.network is None:
            self.network = in_chart_process(network_view.draw, lay, snap.source, snap.data_firm, snap.data_holder,
                                            lang)
            self.network_at = time.monotonic()
            return self.network
        return None                     # nothing new to show


def start_worker(publish) -> LatestOnly:
    drawer = Drawer()
    drawer.worker = LatestOnly(drawer, publish, current_context())
    return drawer.worker


def current_context():
    try:
        return kernel_context.get_current_context()
    except Exception:  # no kernel (plain solara.render without a context): publish directly
        return None


def use_download(f, *args):
    """A download's data: ``f(*args)`` with the newest ``args``, drawn in the chart process when the button is
    pressed. The callable stays the same object across renders, so solara's FileDownload neither resets nor starts
    its thread on every Step (it would for a new lambda each time)."""
    newest = solara.use_ref(args)
    newest.current = args
    return solara.use_memo(lambda: lambda: in_chart_process(f, *newest.current), [])


@solara.component
def ChartPanel(key: str, svg: str, args: tuple, lang: str):
    """One chart (inline SVG) with its PNG download button (the chart of ``args`` drawn when pressed)."""
    png = use_download(charts.render_one, key, *args)
    with solara.Div(classes=["chart-panel", f"chart-{key}"]):
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["chart-svg"])
        solara.FileDownload(png, filename=f"sovai-{key}-{lang}.png", label=tr("png", lang),
                            icon_name="mdi-image", mime_type="image/png")


@solara.component
def NetworkPanel(run: Run, png: bytes, lang: str):
    pop = run.scenario.population
    lay = network_view.layout(pop.firms, pop.data_holders, pop.asean_partners, run.scenario.run.seed)
    with solara.Div(classes=["chart-panel", "chart-network"]):
        solara.Image(png, classes=["chart-img"])
        solara.Text(network_view.caption(lay, run.model.blocks.n_talent, lang), classes=["network-caption"],
                    style={"font-size": "12px", "color": "#555"})
        solara.FileDownload(png, filename=f"sovai-network-{lang}.png", label=tr("png", lang),
                            icon_name="mdi-image", mime_type="image/png")


@solara.component
def LivePanels(run: Run, snap: Snapshot, lang: str):
    """Charts of ``snap`` (and the all-charts download), then the network next to the cost table; the network is
    the newest the worker has drawn."""
    network = solara.use_reactive(None)
    worker = solara.use_memo(lambda: start_worker(network.set), [])
    solara.use_effect(lambda: worker.close, [])       # stopped when the view goes
    pop = run.scenario.population
    lay = network_view.layout(pop.firms, pop.data_holders, pop.asean_partners, run.scenario.run.seed)
    solara.use_effect(lambda: worker.submit((snap, lang, lay)), [snap, lang])
    args = (snap.ts, lang, snap.start_year, snap.end_year, tuple(chart_marks(snap, lang)), snap.colour)
    svgs = solara.use_memo(lambda: chart_specs.render_svg(*args), [snap, lang])
    solara.FileDownload(use_download(charts.render_combined, *args), filename=f"sovai-charts-{lang}.png",
                        label=tr("all_png", lang), icon_name="mdi-image-multiple", mime_type="image/png")
    with solara.ColumnsResponsive(12, medium=6):
        for key, svg in svgs.items():
            ChartPanel(key, svg, args, lang)
    with solara.ColumnsResponsive(12, medium=[7, 5]):
        if network.value is not None:
            NetworkPanel(run, network.value, lang)
        else:
            solara.Text("…", classes=["charts-pending"])
        CostTable(snap, lang)
