"""Time-series charts as inline SVG for HTML pages (no namespace declaration: the HTML parser gives it), written
directly: the run report's charts without matplotlib in the process.

Importing matplotlib and drawing a report's first figure costs ~0.6 s, more than the run itself; an SVG of a few
hundred points is a string built in milliseconds. The browser draws the text, so Japanese needs no font file
here. One function, :func:`chart`: lines, stacked areas, marked points, a linear or symmetric-log y axis, and a
legend inside the plot (top left) or below it. Coordinates are rounded to 0.1 px.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np

WIDTH, HEIGHT = 540, 306                      # px: the 6 x 3.4 in at 90 dpi of the PNGs they replace
LEFT, RIGHT, TOP, BOTTOM = 64, 14, 28, 30     # px around the plot area
LEGEND_ROW, LEGEND_COLUMNS = 14, 3            # px per legend row; columns of a legend below the plot
MARK_COLOUR = "#6c3483"                       # the dotted line of a lever changed mid-run


@dataclass(frozen=True)
class Series:
    """One line (or, in a stacked chart, one layer): its label, values, colour, width and whether dashed."""

    label: str
    y: np.ndarray
    colour: str
    width: float = 1.5
    dashed: bool = False


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi], about ``n`` of them (steps of 1, 2, 2.5 or 5 times a power of 10)."""
    span = hi - lo if hi > lo else (abs(hi) or 1.0)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def symlog(y):
    """The symmetric-log transform: linear within ±1, logarithmic beyond (0 -> 0, 9 -> 1, 99 -> 2)."""
    y = np.asarray(y, float)
    return np.sign(y) * np.log10(1.0 + np.abs(y))


def _number(v: float) -> str:
    """A tick or point value: 0.25, 18, 12,000 (thousands separated), 1.5e+06."""
    return f"{v:,g}" if abs(v) < 1e6 else f"{v:.3g}"


def _text(x: float, y: float, s: str, size: int = 10, anchor: str = "middle", extra: str = "",
          colour: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'style="font-family:sans-serif;fill:{colour}"{extra}>{html.escape(s)}</text>')


def _path(xs, ys) -> str:
    return "M" + " L".join(f"{a:.1f} {b:.1f}" for a, b in zip(xs, ys))


def chart(title: str, ylabel: str, x, series: list[Series], *, stacked: bool = False,
          points: tuple[str, dict[float, float]] | None = None, ylim: tuple[float, float] | None = None,
          log: bool = False, legend_below: bool = False, xlim: tuple[float, float] | None = None,
          overlay: list[Series] = (), marks: list[tuple[float, str]] = (), hint: str | None = None,
          legend_columns: int = LEGEND_COLUMNS) -> str:
    """An ``<svg>`` element: ``series`` over ``x`` (decimal years), stacked as areas or drawn as lines;
    ``overlay``: lines drawn over them, never stacked; ``points``: (legend label, {x: y}) marked with a black x
    and their values; ``log``: symmetric-log y axis; ``marks``: (x, label) of a dotted vertical line each (a
    lever changed mid-run); ``hint``: grey text in an empty plot. With no ``x`` (nothing run yet) give ``xlim``."""
    x = np.asarray(x, float)
    ys = [np.asarray(s.y, float) for s in series]
    if stacked:
        ys = list(np.cumsum(np.vstack(ys), axis=0)) if ys and len(x) else []
    ys += [np.asarray(s.y, float) for s in overlay]
    series = [*series, *overlay]
    marked = dict(points[1]) if points else {}
    x0, x1 = xlim or (min([x.min(), *(m - 0.5 for m in marked)]), max([x.max(), *(m + 0.5 for m in marked)]))
    values = np.concatenate([*(v for v in ys), np.array(list(marked.values()), float), np.zeros(1)])
    lo, hi = ylim or (float(min(0.0, values.min())), float(values.max()) * 1.05 or 1.0)
    f = symlog if log else (lambda v: np.asarray(v, float))
    t_lo, t_hi = float(f(lo)), float(f(hi)) if float(f(hi)) > float(f(lo)) else float(f(lo)) + 1.0
    n_areas = len(series) - len(overlay) if stacked else 0
    legend = [(s.label, s.colour, s.width, s.dashed, i < n_areas) for i, s in enumerate(series) if len(x)]
    legend += [(points[0], "#000", 0, False, False)] if points else []
    rows = math.ceil(len(legend) / legend_columns) if legend_below else 0
    height = HEIGHT + rows * LEGEND_ROW
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    px = lambda v: LEFT + (np.asarray(v, float) - x0) / ((x1 - x0) or 1.0) * pw                     # noqa: E731
    py = lambda v: TOP + ph - (f(v) - t_lo) / (t_hi - t_lo) * ph                                    # noqa: E731
    out = [f'<svg width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" class="chart"><title>{html.escape(title)}</title>',
           f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
           _text(WIDTH / 2, 17, title, 13)]
    if log:
        yticks = [0.0] + [s * 10.0 ** k for k in range(0, 7) for s in (1, -1) if lo <= s * 10.0 ** k <= hi]
    else:
        yticks = nice_ticks(lo, hi)
    for v in sorted(set(yticks)):
        y = float(py(v))
        out.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e6e6e6"/>')
        out.append(_text(LEFT - 5, y + 3.5, _number(v), 10, "end"))
    for yr in range(math.ceil(x0), math.floor(x1) + 1):
        if yr % 2 == 0:
            out.append(_text(float(px(yr)), TOP + ph + 15, str(yr), 10))
            out.append(f'<line x1="{px(yr):.1f}" x2="{px(yr):.1f}" y1="{TOP + ph}" y2="{TOP + ph + 4}" stroke="#222"/>')
    out.append(_text(14, TOP + ph / 2, ylabel, 10, "middle", f' transform="rotate(-90 14 {TOP + ph / 2:.1f})"'))
    below = np.zeros_like(x)
    for i, (s, v) in enumerate(zip(series, ys) if len(x) else ()):
        if i < n_areas:
            xs = np.concatenate([px(x), px(x[::-1])])
            yv = np.concatenate([py(v), py(below[::-1])])
            out.append(f'<path d="{_path(xs, yv)} Z" fill="{s.colour}" stroke="none"/>')
            below = v
        else:
            dash = ' stroke-dasharray="6 3"' if s.dashed else ""
            out.append(f'<path d="{_path(px(x), py(v))}" fill="none" stroke="{s.colour}" '
                       f'stroke-width="{s.width}"{dash} data-label="{html.escape(s.label)}"/>')
    for mx, my in marked.items():
        cx, cy = float(px(mx)), float(py(my))
        out.append(f'<path d="M{cx - 4:.1f} {cy - 4:.1f} L{cx + 4:.1f} {cy + 4:.1f} M{cx - 4:.1f} {cy + 4:.1f} '
                   f'L{cx + 4:.1f} {cy - 4:.1f}" stroke="#000" stroke-width="1.8"/>')
        out.append(_text(cx + 6, cy + 3, _number(my), 8, "start"))
    for mx, label in marks:
        cx = float(px(mx))
        out.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{TOP}" y2="{TOP + ph}" stroke="{MARK_COLOUR}" '
                   f'stroke-width="1.4" stroke-dasharray="2 2" class="mark"/>')
        out.append(_text(cx - 3, TOP + 4, label, 8, "end", f' transform="rotate(-90 {cx - 3:.1f} {TOP + 4})"',
                         MARK_COLOUR))
    if hint and not len(x):
        out.append(_text(LEFT + pw / 2, TOP + ph / 2, hint, 13, colour="#888"))
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#222"/>')
    out += _legend(legend, legend_below, TOP + ph + BOTTOM, legend_columns)
    out.append("</svg>")
    return "".join(out)


def _legend(entries: list, below: bool, bottom: float, columns: int) -> list[str]:
    """Swatch and label per entry: inside the plot's top left, or in ``columns`` under the plot."""
    out = []
    col_w = (WIDTH - LEFT - RIGHT) / columns
    for i, (label, colour, width, dashed, area) in enumerate(entries):
        if below:
            x, y = LEFT + (i % columns) * col_w, bottom + (i // columns) * LEGEND_ROW + 4
        else:
            x, y = LEFT + 8, TOP + 10 + i * LEGEND_ROW
        if area:
            out.append(f'<rect x="{x:.1f}" y="{y - 4:.1f}" width="16" height="8" fill="{colour}"/>')
        elif width:
            dash = ' stroke-dasharray="6 3"' if dashed else ""
            out.append(f'<line x1="{x:.1f}" x2="{x + 16:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" '
                       f'stroke-width="{width}"{dash}/>')
        else:
            out.append(f'<path d="M{x + 4:.1f} {y - 4:.1f} L{x + 12:.1f} {y + 4:.1f} M{x + 4:.1f} {y + 4:.1f} '
                       f'L{x + 12:.1f} {y - 4:.1f}" stroke="{colour}" stroke-width="1.8"/>')
        out.append(_text(x + 20, y + 3.5, label, 9, "start"))
    return out
