"""The self-contained HTML report of one run: plots as inline SVG (:mod:`experiments.svg_chart`, no matplotlib in
the process) and the summary tables, in English or Japanese (labels and units from :mod:`abm.outputs`)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from abm import outputs, policies
from abm.labels import name, statistic
from abm.outcomes import DEFICIT_REFERENCE_JPY_TN
from abm.report import RunResult
from experiments.outdir import text_writer, write_files
from experiments.svg_chart import Series, chart
from viz.chart_specs import SOURCE_COLOURS, SOURCE_ORDER

LINE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")   # one per line, in order
OUTCOME_COLOUR = "#27ae60"

OUTPUT_FILES = ("timeseries.parquet", "summary.json", "report.html", "scenario.toml", "provenance.json")
TEXT = {  # the report's own words (everything else is an output's label)
    "indicators_2040": ("2040 indicators", "2040年の指標"), "never": ("not by end", "期間内になし"),
    "model": ("model", "モデル"), "published": ("published (MOF 2025, METI 2035, Mizuho risk 2040)",
                                               "公表値(財務省2025・経産省2035・みずほリスク2040)"),
    "cost_vs_outcomes": ("Cumulative cost vs outcomes", "累計費用と成果"), "symlog": ("symlog", "対称対数"),
    "run": ("sovai run", "sovai 実行結果"), "seed": ("seed", "シード"),
    "share_of_firms": ("share of firms", "企業の割合"),
    "appraisal": ("Appraisal: what the programme adds (against the same seed without it; one seed)",
                  "評価:計画が加えるもの(同じシードで計画なしの実行と比較・1シード)"),
    "report_method": ("Report method (gross, as the Mizuho report counts)", "報告書の方式(総額・みずほ報告書の計上方法)"),
    "one_seed": ("Payback year and NPV are point values of one seed in one future; for their median, 5-95% "
                 "interval and probability of payback by 2035 and 2040 over seeds and the uncertain inputs, run "
                 "`sovai compare --futures N`.",
                 "投資回収年と正味現在価値は1シード・1つの将来シナリオの点推定値です。シードと不確実な入力にわたる"
                 "中央値・5〜95%区間・2035年と2040年までの回収確率は `sovai compare --futures N` で求められます。"),
}


def text(key: str, lang: str) -> str:
    return TEXT[key][1 if lang == "ja" else 0]


def summary_tables(summary: dict, lang: str = "en") -> list[tuple[str, list[tuple[str, str]]]]:
    """The headline tables as (title, [(label, value)]) - shared by the CLI and the HTML report."""
    def f(v):
        return "-" if v is None else f"{v:,.2f}"

    def members(key):
        return [(outputs.label((key, k), lang), f(v)) for k, v in summary[key].items()]

    def row(key, with_unit=False):
        return (outputs.title_with_unit(key, lang) if with_unit else outputs.label(key, lang), f(summary[key]))
    def year(key):
        return outputs.label(key, lang), str(summary[key]) if summary[key] else text("never", lang)
    return [
        (outputs.title_with_unit("investment_by_category_jpy_tn", lang), [
            *members("investment_by_category_jpy_tn"), *members("investment_by_period_jpy_tn"),
            row("investment_total_jpy_tn"), row("public_programmes_jpy_tn"), row("programmes_line_paid_jpy_tn"),
            row("programmes_funded_share_min")]),
        (outputs.title_with_unit("deficit_jpy_tn", lang), members("deficit_jpy_tn")),
        (text("indicators_2040", lang), [row(k, with_unit=True) for k in (
            "adoption_rate_2040", "adoption_share_sovereign_2040", "talent_retention_rate_2040",
            "talent_fill_ratio_2040", "sovereignty_index_2040")]),
        (outputs.title_with_unit("outcomes_2040_jpy_tn_per_year", lang), members("outcomes_2040_jpy_tn_per_year")),
        (text("appraisal", lang), [
            year("payback_year"), row("npv_jpy_tn", with_unit=True), row("npv_economic_jpy_tn", with_unit=True),
            row("attributable_public_cost_jpy_tn", with_unit=True), row("bond_outstanding_jpy_tn", with_unit=True),
            *members("attributable_outcomes_cum_jpy_tn")]),
        (text("report_method", lang), [year("report_method_payback_year"),
                                       row("report_method_npv_jpy_tn", with_unit=True)]),
    ]


TABLE_STATISTICS = (None, "annual_means", "annual_mean", "annual_mean", "one_seed", "one_seed")  # per table


def table_statistics(lang: str = "en") -> list[str]:
    """What the figures of each of :func:`summary_tables`'s tables are ("annual mean of 2040 quarters"; "" for
    totals), in the same order (qualifiers from :data:`abm.labels.STATISTICS`)."""
    return [statistic(k, lang, year=2040) if k else "" for k in TABLE_STATISTICS]


def figures(ts: pd.DataFrame, lang: str = "en", policy: str = "") -> dict[str, str]:
    """Four charts as {title: inline SVG}: adoption by source, talent, deficit vs published points (the model's
    line in the colour of ``policy``, :mod:`abm.policies`), cost vs outcomes."""
    lab, unit = (lambda k: outputs.label(k, lang)), (lambda k: outputs.unit(k, lang))
    t = (ts["year"] + (ts["quarter"] - 1) / 4.0).to_numpy(float)
    out = {}
    title = lab("adoption_share_{source}")
    out[title] = chart(title, text("share_of_firms", lang), t, [
        Series(name(k, lang), (ts["adoption_rate"] * ts[f"adoption_share_{k}"]).to_numpy(float), c)
        for k, c in ((k, SOURCE_COLOURS[k]) for k in SOURCE_ORDER)], stacked=True, ylim=(0.0, 1.0))
    title = lab("talent_{location}")
    out[title] = chart(title, unit("talent_domestic"), t, [
        Series(lab(col), ts[col].to_numpy(float), c)
        for col, c in zip(("talent_domestic", "talent_abroad"), LINE_COLOURS)])
    title = lab("digital_deficit_jpy_tn")
    out[title] = chart(title, unit("digital_deficit_jpy_tn"), t, [
        Series(text("model", lang), ts["digital_deficit_jpy_tn"].to_numpy(float), policies.colour(policy), 1.8)],
        points=(text("published", lang), DEFICIT_REFERENCE_JPY_TN))
    title = text("cost_vs_outcomes", lang)
    lines = [Series(lab(f"cost_{c}_cum_jpy_tn"), ts[f"cost_{c}_cum_jpy_tn"].to_numpy(float), colour, 1.0)
             for c, colour in zip(("datacenter", "hardware", "staff", "power", "cloud", "programmes"), LINE_COLOURS)]
    lines += [Series(lab("public_cost_cum_jpy_tn"), ts["public_cost_cum_jpy_tn"].to_numpy(float), "#000", 2.0),
              Series(lab("outcomes_direct_cum_jpy_tn"), ts["outcomes_direct_cum_jpy_tn"].to_numpy(float),
                     OUTCOME_COLOUR, 2.0),
              Series(lab("outcomes_cum_jpy_tn"), ts["outcomes_cum_jpy_tn"].to_numpy(float), OUTCOME_COLOUR, 2.0,
                     dashed=True)]
    out[title] = chart(title, f"{unit('outcomes_cum_jpy_tn')} ({text('symlog', lang)})", t, lines, log=True,
                       legend_below=True)
    return out


def render(ts: pd.DataFrame, summary: dict, lang: str = "en") -> str:
    """A single HTML page with no external references, in ``lang`` ("en" or "ja"): the policy's name, colour and
    description (:mod:`abm.policies`), the headline tables each saying what its figures are, four plots."""
    from experiments.report import policy_key
    from viz.i18n import choice

    tables = "".join(
        f"<table><caption>{html.escape(title)}</caption>"
        + (f'<tr class="statistic"><td colspan="2">{html.escape(stat)}</td></tr>' if stat else "")
        + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows) + "</table>"
        for (title, rows), stat in zip(summary_tables(summary, lang), table_statistics(lang), strict=True))
    key = str(summary["scenario"])
    imgs = "".join(f'<figure class="chart" title="{html.escape(k)}">{v}</figure>'
                   for k, v in figures(ts, lang, key).items())
    scen = html.escape(policies.name(key, lang))
    about = html.escape(policies.description(key, lang))
    facts = ", ".join(f"{outputs.label(k, lang)} <b>{html.escape(choice(summary[k], lang))}</b>"
                      for k in ("role_division", "hardware_path", "financing"))
    return f"""<!doctype html><html lang="{'ja' if lang == 'ja' else 'en'}"><head><meta charset="utf-8"><title>sovai - {scen}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}} table{{border-collapse:collapse;margin:1em;display:inline-table;vertical-align:top}}
caption{{font-weight:bold;text-align:left}} th,td{{border:1px solid #ccc;padding:3px 8px;text-align:left}} td{{text-align:right}} figure.chart{{display:inline-block;margin:.5em}}
tr.statistic td{{text-align:left;font-style:italic;color:#555}} .swatch{{display:inline-block;width:1em;height:1em;margin-right:.3em;vertical-align:-.1em}}</style>
</head><body><h1>{text('run', lang)}: {scen} ({text('seed', lang)} {summary['seed']})</h1>{policy_key([key], lang)}
<p>{about}</p><p>{facts}.</p><p class="one-seed">{html.escape(text('one_seed', lang))}</p>{tables}<div>{imgs}</div></body></html>"""


def write_outputs(out_dir: Path, result: RunResult, html: str) -> Path:
    """Write timeseries.parquet, summary.json, report.html, scenario.toml and provenance.json (what made the
    result: :func:`experiments.provenance.record` plus the stamp every file carries) into ``out_dir`` (checked first with
    :func:`experiments.outdir.claim`): a new folder appears complete or not at all; in an existing one only
    these five files are replaced (see :mod:`experiments.outdir`)."""
    from abm.scenario import to_toml
    from experiments.provenance import scenario_stamp

    summary = json.dumps(result.summary, indent=2, ensure_ascii=False)
    writers = {"timeseries.parquet": lambda p: result.timeseries.to_parquet(p, index=False),
               "summary.json": text_writer(summary), "report.html": text_writer(html),
               "scenario.toml": text_writer(to_toml(result.model.inputs))}
    assert {*writers, "provenance.json"} == set(OUTPUT_FILES)
    return write_files(Path(out_dir), writers, "run", stamp=scenario_stamp(result.model.inputs))
