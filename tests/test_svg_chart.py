"""The run report's SVG charts: ticks, transforms and what a chart holds, checked on its text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from experiments.svg_chart import Series, chart, nice_ticks, symlog


@pytest.mark.parametrize("lo, hi, expected", [(0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]), (0, 52_000, [0, 20_000, 40_000]),
                                              (3.2, 37.8, [10, 20, 30])])
def test_nice_ticks_are_round_and_inside(lo, hi, expected):
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_symlog_is_linear_near_zero_and_logarithmic_beyond():
    assert symlog([0, 9, 99, -9]).tolist() == pytest.approx([0, 1, 2, -1])


def test_a_chart_is_well_formed_svg_with_its_title_lines_points_and_legend():
    x = np.arange(2026, 2031, 0.25)
    svg = chart("デジタル赤字", "兆円/年", x, [Series("model", x - 2020.0, "#c0392b", 1.8)],
                points=("published", {2025: 6.7, 2030: 18.0}))
    root = ET.fromstring(svg)                                  # parses: well-formed
    texts = [t.text for t in root.iter("text")]
    assert texts[0] == "デジタル赤字" and "兆円/年" in texts and {"model", "published"} <= set(texts)
    assert re.search(r'stroke="#c0392b" stroke-width="1.8" data-label="model"', svg)
    assert svg.count('stroke="#000" stroke-width="1.8"') == 2 + 1   # two marked points and the legend's mark
    assert "2026" in texts and "2030" in texts and "2025" not in texts   # even years only


def test_stacked_areas_stay_within_the_plot_and_a_legend_below_adds_height():
    x = np.arange(2026, 2031, 0.25)
    parts = [Series(k, np.full(len(x), 0.3), c) for k, c in (("a", "#111111"), ("b", "#222222"), ("c", "#333333"))]
    svg = chart("t", "y", x, parts, stacked=True, ylim=(0.0, 1.0))
    ys = [float(v) for v in re.findall(r"[ML][\d.]+ ([\d.]+)", svg)]
    assert min(ys) >= 28 - 0.1 and max(ys) <= 306 - 30 + 0.1        # inside TOP .. HEIGHT - BOTTOM
    below = chart("t", "y", x, [Series(str(i), x, "#000") for i in range(7)], legend_below=True)
    assert 'height="348"' in below                                    # 3 legend rows of 14 px under the plot


def test_overlay_lines_are_drawn_over_stacked_areas_and_never_stacked():
    x = np.arange(2026, 2031, 0.25)
    areas = [Series("a", np.full(len(x), 2.0), "#111111"), Series("b", np.full(len(x), 3.0), "#222222")]
    svg = chart("t", "y", x, areas, stacked=True, overlay=[Series("cost", np.full(len(x), 1.0), "#000000", dashed=True)],
                ylim=(0.0, 10.0))
    assert svg.count('Z" fill=') == 2 and 'stroke-dasharray="6 3" data-label="cost"' in svg
    line = re.search(r'<path d="M([\d.]+) ([\d.]+)[^"]*" fill="none" stroke="#000000"', svg)
    top = 28 + (306 - 28 - 30)                                    # the plot's bottom edge (y = 0)
    assert float(line.group(2)) == pytest.approx(top - 0.1 * (306 - 28 - 30), abs=0.11)   # at 1.0, not 6.0


def test_marks_hint_and_point_values():
    x = np.arange(2026, 2031, 0.25)
    svg = chart("t", "y", x, [Series("m", x - 2020.0, "#c0392b")], points=("published", {2030: 18.0}),
                marks=[(2028.25, "Compute budget")], xlim=(2026.0, 2031.0))
    root = ET.fromstring(svg)
    (mark,) = [e for e in root.iter("line") if e.get("class") == "mark"]
    assert float(mark.get("x1")) == pytest.approx(64 + 2.25 / 5 * (540 - 64 - 14), abs=0.06)
    texts = [t.text for t in root.iter("text")]
    assert "Compute budget" in texts and "18" in texts and "▶ Step" not in texts
    empty = chart("t", "y", [], [Series("m", [], "#c0392b")], xlim=(2026.0, 2041.0), hint="▶ Step")
    texts = [t.text for t in ET.fromstring(empty).iter("text")]
    assert "▶ Step" in texts and "m" not in texts and "2040" in texts     # no legend for what is not drawn
