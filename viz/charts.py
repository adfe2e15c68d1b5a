"""Time-series charts of one run as PNG bytes, labelled in English or Japanese.

Titles, axis labels, units and legend entries come from the output declarations (:mod:`abm.outputs`) and the
category names (:mod:`abm.labels`); only the reference points' legend and the empty-chart hint are UI strings.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so sessions can draw in parallel.
Japanese text uses IPAexGothic (:mod:`experiments.fonts`); legends sit below the axes so they never cover data.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from abm import outputs, policies  # noqa: E402
from abm.labels import name, unit_text  # noqa: E402
from abm.outcomes import DEFICIT_REFERENCE_JPY_TN  # noqa: E402
from abm.scenario import DEFAULT_PRESET  # noqa: E402
from experiments.fonts import use_everywhere  # noqa: E402
from viz.i18n import tr  # noqa: E402

use_everywhere()  # IPAexGothic for Japanese, set in experiments/fonts.py
SOURCE_COLOURS = {"sovereign": "#c0392b", "open": "#2980b9", "foreign": "#7f8c8d", "no_ai": "#d5d8dc"}
SOURCE_ORDER = ("sovereign", "open", "foreign")  # stacking order of the adoption chart
TALENT_COLOURS = {"domestic": "#c0392b", "abroad": "#2980b9"}  # retired specialists are not drawn
CATEGORY_COLOURS = ["#1f4e79", "#2e86c1", "#85c1e9", "#f5b041", "#a569bd", "#58d68d", "#e74c3c", "#7f8c8d",
                    "#b2babb"]
OUTCOME_COLOURS = ["#27ae60", "#f39c12", "#8e44ad", "#16a085"]
SECTOR_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#808000"]
SIZE = (6.2, 4.0)
DPI = 100


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes. Fixed margins (no tight bbox: one draw, not two) and light compression
    (~10% faster per step; the files are barely larger)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _axes(title: str, ylabel: str, lang: str, start: float, end: int, size=SIZE):
    fig = Figure(figsize=size)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.28)
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(outputs.label("year", lang), fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlim(start, end + 1)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    return fig, ax


def _legend(ax, ncol: int, handles=None) -> None:
    """Legend in the figure's bottom margin, below the x label: never over the data."""
    ax.figure.legend(handles=handles or ax.get_legend_handles_labels()[0], loc="lower center", ncol=ncol,
                     fontsize=8, frameon=False, bbox_to_anchor=(0.5, 0.0))


def _empty(ax, lang: str) -> None:
    ax.text(0.5, 0.5, "▶ " + tr("step", lang), transform=ax.transAxes, ha="center", va="center",
            fontsize=12, color="#888888")


def _time(ts: pd.DataFrame) -> pd.Series:
    return ts["year"] + (ts["quarter"] - 1) / 4.0


def _stack(ax, ts, lang: str, family: str, colours: dict, scale=1.0) -> None:
    """Stacked areas of a family's columns, in the order of ``colours`` (member -> colour), legend by member."""
    cols = {o.member: o.name for o in outputs.columns(family)}
    ax.stackplot(_time(ts), *(scale * ts[cols[m]] for m in colours), labels=[name(m, lang) for m in colours],
                 colors=list(colours.values()))


def _adoption_axis(lang: str) -> str:
    """The y label of both adoption charts: "AI adoption (%)"."""
    return outputs.title_with_unit("adoption_rate", lang, percent=True)


def adoption_by_source(ts, lang, start, end) -> Figure:
    fig, ax = _axes(outputs.label("adoption_share_{source}", lang), _adoption_axis(lang), lang, start, end)
    ax.set_ylim(0, 100)
    if len(ts):
        _stack(ax, ts, lang, "adoption_share_{source}", {k: SOURCE_COLOURS[k] for k in SOURCE_ORDER},
               scale=100 * ts["adoption_rate"])
        _legend(ax, 3)
    else:
        _empty(ax, lang)
    return fig


def adoption_by_sector(ts, lang, start, end) -> Figure:
    family = "adoption_rate_{sector}"
    fig, ax = _axes(outputs.label(family, lang), _adoption_axis(lang), lang, start, end)
    ax.set_ylim(0, 100)
    if len(ts):
        for o, c in zip(outputs.columns(family), SECTOR_COLOURS):
            ax.plot(_time(ts), 100 * ts[o.name], label=name(o.member, lang), color=c, lw=1.3)
        _legend(ax, 4)
    else:
        _empty(ax, lang)
    return fig


def talent(ts, lang, start, end) -> Figure:
    family = "talent_{location}"
    fig, ax = _axes(outputs.label(family, lang), unit_text(outputs.get(family).unit, lang), lang, start, end)
    if len(ts):
        for o in outputs.columns(family):
            if o.member in TALENT_COLOURS:
                ax.plot(_time(ts), ts[o.name], label=name(o.member, lang), color=TALENT_COLOURS[o.member], lw=1.8)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        _legend(ax, 2)
    else:
        _empty(ax, lang)
    return fig


def deficit(ts, lang, start, end, colour: str | None = None) -> Figure:
    """The model's deficit in the policy's ``colour`` (default: the default preset's) against the published
    points."""
    key = "digital_deficit_jpy_tn"
    fig, ax = _axes(outputs.label(key, lang), outputs.unit(key, lang), lang, min(start, 2025) - 0.5, end)
    ax.scatter(list(DEFICIT_REFERENCE_JPY_TN), list(DEFICIT_REFERENCE_JPY_TN.values()), color="k", marker="X", s=45, zorder=3,
               label=tr("published", lang))
    for x, y in DEFICIT_REFERENCE_JPY_TN.items():
        ax.annotate(f"{y:g}", (x, y), textcoords="offset points", xytext=(6, -3), fontsize=8)
    if len(ts):
        ax.plot(_time(ts), ts[key], label=tr("model", lang), color=colour or policies.colour(DEFAULT_PRESET), lw=1.8)
    ax.set_ylim(0, max(DEFICIT_REFERENCE_JPY_TN.values()) * 1.15 if not len(ts)
                else max(ts[key].max(), max(DEFICIT_REFERENCE_JPY_TN.values())) * 1.15)
    _legend(ax, 2)
    return fig


def _family_stack(ts, lang, start, end, family: str, colours: list, line: str | None = None) -> Figure:
    """Stacked cumulative values of a family's columns, optionally with one declared column as a dashed line."""
    fig, ax = _axes(outputs.label(family, lang), unit_text(outputs.get(family).unit, lang), lang, start, end)
    if len(ts):
        _stack(ax, ts, lang, family, dict(zip((o.member for o in outputs.columns(family)), colours)))
        if line:
            ax.plot(_time(ts), ts[line], color="k", lw=1.5, ls="--", label=outputs.label(line, lang))
        _legend(ax, 3)
    else:
        _empty(ax, lang)
    return fig


def cost_by_category(ts, lang, start, end) -> Figure:
    return _family_stack(ts, lang, start, end, "cost_{category}_cum_jpy_tn", CATEGORY_COLOURS)


def outcomes_by_category(ts, lang, start, end) -> Figure:
    return _family_stack(ts, lang, start, end, "outcome_{outcome}_cum_jpy_tn", OUTCOME_COLOURS,
                         line="public_cost_cum_jpy_tn")


CHARTS = {
    "adoption_source": adoption_by_source,
    "adoption_sector": adoption_by_sector,
    "talent": talent,
    "deficit": deficit,
    "cost": cost_by_category,
    "outcomes": outcomes_by_category,
}


def mark_changes(fig: Figure, marks) -> Figure:
    """A dotted vertical line with the lever's name at each ``(time, name)`` of a lever changed mid-run."""
    ax = fig.axes[0]
    for t, label in marks:
        ax.axvline(t, color="#6c3483", ls=":", lw=1.4, zorder=4)
        ax.text(t, 0.98, " " + label, transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="right",
                fontsize=7, color="#6c3483", zorder=4)
    return fig


def render_all(ts: pd.DataFrame, lang: str, start: int, end: int, marks=(), colour: str | None = None) -> dict[str, bytes]:
    """Every time-series chart as PNG bytes, keyed by chart id (each ``CHARTS`` function returns a Figure);
    ``marks``: ``(time, lever name)`` of levers changed during the run, drawn on every chart; ``colour``: the
    policy's, for the charts that draw one line per policy (the deficit)."""
    own = {"deficit": {"colour": colour}}
    return {k: to_png(mark_changes(f(ts, lang, start, end, **own.get(k, {})), marks)) for k, f in CHARTS.items()}


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
    fig, ax = _axes(title, ylabel, lang, float(first["t"].min()), int(first["t"].max()))
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
