"""Charts as PNG bytes, labelled in English or Japanese: the single-run view's time-series charts for download
(drawn from their declarations in :mod:`viz.chart_specs`, which the page shows as SVG) and the compare view's fan
charts.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so sessions can draw in parallel.
Japanese text uses IPAexGothic (:mod:`experiments.fonts`); legends sit below the axes so they never cover data.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from abm import outputs  # noqa: E402
from experiments.fonts import use_everywhere  # noqa: E402
from experiments.svg_chart import MARK_COLOUR  # noqa: E402
from viz import chart_specs  # noqa: E402
from viz.chart_specs import Chart  # noqa: E402

use_everywhere()  # IPAexGothic for Japanese, set in experiments/fonts.py
SIZE = (6.2, 4.0)
DPI = 100


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes. Fixed margins (no tight bbox: one draw, not two) and light compression
    (~10% faster per step; the files are barely larger)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _axes(title: str, ylabel: str, xlabel: str, xlim: tuple[float, float], size=SIZE):
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.28)
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlim(*xlim)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))
    return fig, ax


def _legend(ax, ncol: int, handles=None) -> None:
    """Legend in the figure's bottom margin, below the x label: never over the data."""
    ax.figure.legend(handles=handles or ax.get_legend_handles_labels()[0], loc="lower center", ncol=ncol,
                     fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0))


def figure(c: Chart) -> Figure:
    """A declared chart (:class:`viz.chart_specs.Chart`) as a matplotlib figure."""
    fig, ax = _axes(c.title, c.ylabel, c.xlabel, c.xlim)
    if c.points:
        label, points = c.points
        ax.scatter(list(points), list(points.values()), color="k", marker="X", s=45, zorder=3, label=label)
        for x, y in points.items():
            ax.annotate(f"{y:g}", (x, y), textcoords="offset points", xytext=(6, -3), fontsize=8)
    if len(c.x):
        if c.stacked:
            ax.stackplot(c.x, *(s.y for s in c.series), labels=[s.label for s in c.series],
                         colors=[s.colour for s in c.series])
        for s in c.overlay if c.stacked else (*c.series, *c.overlay):
            ax.plot(c.x, s.y, label=s.label, color=s.colour, lw=s.width, ls="--" if s.dashed else "-")
    if c.ylim:
        ax.set_ylim(*c.ylim)
    else:   # from 0 (or the lowest value, if below)
        ax.set_ylim(bottom=min([0.0, *(float(s.y.min()) for s in (*c.series, *c.overlay) if len(s.y))]))
    if c.hint:
        ax.text(0.5, 0.5, c.hint, transform=ax.transAxes, ha="center", va="center", fontsize=12, color="#888888")
    if ax.get_legend_handles_labels()[0]:
        _legend(ax, c.legend_columns)
    for t, label in c.marks:
        ax.axvline(t, color=MARK_COLOUR, ls=":", lw=1.4, zorder=4)
        ax.text(t, 0.98, " " + label, transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="right",
                fontsize=7, color=MARK_COLOUR, zorder=4)
    return fig


def png(c: Chart) -> bytes:
    """A declared chart as PNG bytes (the download of what the page shows)."""
    return to_png(figure(c))


def render_all(ts: pd.DataFrame, lang: str, start: int, end: int, marks=(), colour: str | None = None) -> dict[str, bytes]:
    """Every time-series chart as PNG bytes, keyed by chart id (arguments as :func:`viz.chart_specs.charts`)."""
    return {k: png(c) for k, c in chart_specs.charts(ts, lang, start, end, marks, colour).items()}


def render_one(key: str, ts: pd.DataFrame, lang: str, start: int, end: int, marks=(), colour=None) -> bytes:
    """One time-series chart as PNG bytes."""
    return png(chart_specs.charts(ts, lang, start, end, marks, colour)[key])


def render_combined(ts: pd.DataFrame, lang: str, start: int, end: int, marks=(), colour=None) -> bytes:
    """Every time-series chart tiled into one PNG (the all-charts download)."""
    return combine_png(list(render_all(ts, lang, start, end, marks, colour).values()))


def combine_png(images: list[bytes], ncols: int = 3) -> bytes:
    """Tile PNG images into one PNG (for the all-charts export)."""
    import matplotlib.image as mpimg

    arrays = [mpimg.imread(io.BytesIO(b), format="png") for b in images]
    nrows = -(-len(arrays) // ncols)
    h = max(a.shape[0] for a in arrays) / DPI
    w = max(a.shape[1] for a in arrays) / DPI
    fig = Figure(figsize=(w * ncols, h * nrows))
    for i, a in enumerate(arrays):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(a)
        ax.axis("off")
    fig.subplots_adjust(0, 0, 1, 1, 0.02, 0.02)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def fan_figure(fans: dict[str, pd.DataFrame], title: str, ylabel: str, lang: str, band_note: str,
               colours: list[str]) -> Figure:
    """Median line and shaded 5-95% band per scenario (``fans``: label -> DataFrame t, p5, median, p95), each in
    its colour (``colours``, in the order of ``fans``: the policy's declared colour, :mod:`abm.policies`)."""
    first = next(iter(fans.values()))
    fig, ax = _axes(title, ylabel, outputs.label("year", lang), (float(first["t"].min()), int(first["t"].max()) + 1))
    for (label, f), colour in zip(fans.items(), colours, strict=True):
        ax.fill_between(f["t"], f["p5"], f["p95"], color=colour, alpha=0.2, linewidth=0)
        ax.plot(f["t"], f["median"], color=colour, lw=1.8, label=label)
    from matplotlib.patches import Patch

    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="#999999", alpha=0.35, label=band_note))
    _legend(ax, 2, handles)
    return fig


def fan_chart(fans: dict[str, pd.DataFrame], title: str, ylabel: str, lang: str, band_note: str,
              colours: list[str]) -> bytes:
    """:func:`fan_figure` as PNG bytes."""
    return to_png(fan_figure(fans, title, ylabel, lang, band_note, colours))
