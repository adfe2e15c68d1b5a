"""The single-run view's six time-series charts, declared once as data (:class:`Chart`): title, axis labels,
series, colours, published points and the marks of levers changed mid-run.

Two renderers read them: :func:`svg` (inline SVG through :mod:`experiments.svg_chart`, a few milliseconds, so the
page draws a Step's charts in the same update as its headline) and :func:`viz.charts.png` (matplotlib, for the
PNG downloads). Titles, axis labels, units and legend entries come from the output declarations
(:mod:`abm.outputs`) and the category names (:mod:`abm.labels`); only the reference points' legend and the
empty-chart hint are UI strings. No matplotlib here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from abm import outputs, policies
from abm.labels import name, unit_text
from abm.outcomes import DEFICIT_REFERENCE_JPY_TN
from abm.scenario import DEFAULT_PRESET
from experiments.svg_chart import Series, chart
from viz.i18n import tr

SOURCE_COLOURS = {"sovereign": "#c0392b", "open": "#2980b9", "foreign": "#7f8c8d", "no_ai": "#d5d8dc"}
SOURCE_ORDER = ("sovereign", "open", "foreign")  # stacking order of the adoption chart
TALENT_COLOURS = {"domestic": "#c0392b", "abroad": "#2980b9"}  # retired specialists are not drawn
CATEGORY_COLOURS = ["#1f4e79", "#2e86c1", "#85c1e9", "#f5b041", "#a569bd", "#58d68d", "#e74c3c", "#7f8c8d",
                    "#b2babb"]
OUTCOME_COLOURS = ["#27ae60", "#f39c12", "#8e44ad", "#16a085"]
SECTOR_COLOURS = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#808000"]


@dataclass(frozen=True)
class Chart:
    """One time-series chart: ``series`` over ``x`` (decimal years), stacked as areas when ``stacked``;
    ``overlay``: lines over them; ``points``: (legend label, {year: value}) of published figures; ``marks``:
    (time, lever name) of levers changed during the run; ``hint``: shown while nothing has run."""

    title: str
    ylabel: str
    xlabel: str
    x: np.ndarray
    xlim: tuple[float, float]
    series: tuple[Series, ...] = ()
    stacked: bool = False
    overlay: tuple[Series, ...] = ()
    points: tuple[str, dict[float, float]] | None = None
    ylim: tuple[float, float] | None = None
    legend_columns: int = 3
    marks: tuple[tuple[float, str], ...] = ()
    hint: str | None = None

    def labels(self) -> list[str]:
        """The legend's entries, in order (as both renderers draw them)."""
        drawn = [s.label for s in (*self.series, *self.overlay)] if len(self.x) else []
        return drawn + ([self.points[0]] if self.points else [])


def _time(ts: pd.DataFrame) -> np.ndarray:
    return (ts["year"] + (ts["quarter"] - 1) / 4.0).to_numpy(float)


def _axes(key: str, ylabel: str, ts, lang: str, start: float, end: int, **kw) -> Chart:
    return Chart(outputs.label(key, lang), ylabel, outputs.label("year", lang), _time(ts), (start, end + 1), **kw)


def _family(ts, lang: str, family: str, colours: dict, scale=1.0, width: float = 1.5) -> tuple[Series, ...]:
    """One series per member of ``family`` in the order of ``colours`` (member -> colour), named by member."""
    cols = {o.member: o.name for o in outputs.columns(family)}
    return tuple(Series(name(m, lang), (scale * ts[cols[m]]).to_numpy(float), c, width) for m, c in colours.items())


def _adoption_axis(lang: str) -> str:
    """The y label of both adoption charts: "AI adoption (%)"."""
    return outputs.title_with_unit("adoption_rate", lang, percent=True)


def adoption_by_source(ts, lang, start, end) -> Chart:
    family = "adoption_share_{source}"
    return _axes(family, _adoption_axis(lang), ts, lang, start, end, stacked=True, ylim=(0.0, 100.0),
                 series=_family(ts, lang, family, {k: SOURCE_COLOURS[k] for k in SOURCE_ORDER},
                                scale=100 * ts["adoption_rate"]))


def adoption_by_sector(ts, lang, start, end) -> Chart:
    family = "adoption_rate_{sector}"
    colours = dict(zip((o.member for o in outputs.columns(family)), SECTOR_COLOURS))
    return _axes(family, _adoption_axis(lang), ts, lang, start, end, ylim=(0.0, 100.0), legend_columns=4,
                 series=_family(ts, lang, family, colours, scale=100, width=1.3))


def talent(ts, lang, start, end) -> Chart:
    """Specialists by location, with those wanted (firms and the lab) dashed: the gap to "in Japan" is the
    shortage."""
    family, wanted = "talent_{location}", "talent_demand_persons"
    over = (Series(outputs.label(wanted, lang), ts[wanted].to_numpy(float), "#000000", 1.5, dashed=True),)
    return _axes(family, unit_text(outputs.get(family).unit, lang), ts, lang, start, end, legend_columns=2,
                 series=_family(ts, lang, family, TALENT_COLOURS, width=1.8), overlay=over)


def deficit(ts, lang, start, end, colour: str | None = None) -> Chart:
    """The model's deficit in the policy's ``colour`` (default: the default preset's) against the published
    points."""
    key = "digital_deficit_jpy_tn"
    top = max(DEFICIT_REFERENCE_JPY_TN.values()) if not len(ts) else max(ts[key].max(),
                                                                          max(DEFICIT_REFERENCE_JPY_TN.values()))
    line = Series(tr("model", lang), ts[key].to_numpy(float), colour or policies.colour(DEFAULT_PRESET), 1.8)
    return _axes(key, outputs.unit(key, lang), ts, lang, min(start, 2025) - 0.5, end, series=(line,),
                 points=(tr("published", lang), dict(DEFICIT_REFERENCE_JPY_TN)), ylim=(0.0, top * 1.15),
                 legend_columns=1)


def _family_stack(ts, lang, start, end, family: str, colours: list, line: str | None = None) -> Chart:
    """Stacked cumulative values of a family's columns, optionally with one declared column as a dashed line."""
    over = (Series(outputs.label(line, lang), ts[line].to_numpy(float), "#000000", 1.5, dashed=True),) if line else ()
    return _axes(family, unit_text(outputs.get(family).unit, lang), ts, lang, start, end, stacked=True,
                 series=_family(ts, lang, family, dict(zip((o.member for o in outputs.columns(family)), colours))),
                 overlay=over)


def cost_by_category(ts, lang, start, end) -> Chart:
    return _family_stack(ts, lang, start, end, "cost_{category}_cum_jpy_tn", CATEGORY_COLOURS)


def outcomes_by_category(ts, lang, start, end) -> Chart:
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


def charts(ts: pd.DataFrame, lang: str, start: int, end: int, marks=(), colour: str | None = None) -> dict[str, Chart]:
    """Every chart of the run so far, keyed by chart id; ``marks``: ``(time, lever name)`` of levers changed
    during the run, drawn on every chart; ``colour``: the policy's, for the deficit's line."""
    own = {"deficit": {"colour": colour}}
    hint = None if len(ts) else "▶ " + tr("step", lang)
    return {k: replace(f(ts, lang, start, end, **own.get(k, {})), marks=tuple(marks), hint=hint)
            for k, f in CHARTS.items()}


def svg(c: Chart) -> str:
    """The chart as an inline ``<svg>`` element (legend below the plot)."""
    return chart(c.title, c.ylabel, c.x, list(c.series), stacked=c.stacked, points=c.points, ylim=c.ylim,
                 legend_below=True, xlim=c.xlim, overlay=list(c.overlay), marks=list(c.marks), hint=c.hint,
                 legend_columns=c.legend_columns)


def render_svg(ts: pd.DataFrame, lang: str, start: int, end: int, marks=(), colour: str | None = None) -> dict[str, str]:
    """Every chart as inline SVG, keyed by chart id (arguments as :func:`charts`)."""
    return {k: svg(c) for k, c in charts(ts, lang, start, end, marks, colour).items()}
