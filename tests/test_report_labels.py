"""The command-line report surfaces show the labels and units declared in abm/outputs.py, not machine names."""

from __future__ import annotations

import re

import pytest

from abm import outputs
from experiments import run_report


def _visible(html: str) -> str:
    """The page's text, captions and image titles (not the base64 image data)."""
    return re.sub(r'src="data:image/png;base64,[^"]*"', "", html)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_summary_tables_use_declared_labels(run_cached, lang):
    summary = run_cached(**{"run.end_year": 2031}).summary
    tables = dict(run_report.summary_tables(summary, lang))
    deficit = tables[outputs.title_with_unit("deficit_jpy_tn", lang)]
    assert [k for k, _ in deficit] == [outputs.label(("deficit_jpy_tn", y), lang) for y in summary["deficit_jpy_tn"]]
    invest = tables[outputs.title_with_unit("investment_by_category_jpy_tn", lang)]
    assert outputs.label(("investment_by_category_jpy_tn", "hardware"), lang) in dict(invest)
    assert outputs.label("investment_total_jpy_tn", lang) in dict(invest)
    labels = [k for rows in tables.values() for k, _ in rows] + list(tables)
    machine = {*summary, *(k for v in summary.values() if isinstance(v, dict) for k in v if not k.isdigit())}
    assert not [lab for lab in labels if lab in machine or "_" in lab]


def test_summary_tables_japanese_example(run_cached):
    summary = run_cached(**{"run.end_year": 2031}).summary
    titles = [t for t, _ in run_report.summary_tables(summary, "ja")]
    assert "年別のデジタル赤字 (兆円/年)" in titles


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_report_uses_declared_labels(run_cached, lang):
    r = run_cached(**{"run.end_year": 2031})
    page = _visible(run_report.render(r.timeseries, r.summary, lang))
    assert f'<html lang="{lang}">' in page
    assert f'<figure class="chart" title="{outputs.label("digital_deficit_jpy_tn", lang)}">' in page
    assert f"<caption>{outputs.title_with_unit('outcomes_2040_jpy_tn_per_year', lang)}</caption>" in page
    for machine in ("digital_deficit_jpy_tn", "deficit_jpy_tn", "investment_total_jpy_tn", "role_division",
                    "adoption_rate_2040", "npv_jpy_tn"):
        assert machine not in page
