"""The appraisal-uncertainty section of the comparison: a table per policy (median [5 %, 95 %] of the NPVs and the
payback year, probabilities of payback by 2035 and 2040) and one tornado chart per policy, in English or Japanese.
Numbers come from :mod:`experiments.uncertainty`; labels from :mod:`abm.outputs` and the declared names of the
uncertain inputs (``abm/data/levers.toml``)."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from abm import outputs, policies
from experiments.uncertainty import NPV_METRICS, PAYBACK_BY, input_label

TEXT = {
    "title": ("Appraisal uncertainty: median [5%, 95%] over seeds and futures",
              "評価の不確実性:シードと将来シナリオにわたる中央値 [5%, 95%]"),
    "policy": ("Policy", "政策"), "runs": ("Runs (futures x seeds)", "実行数(将来シナリオ×シード)"),
    "p_by": ("P(payback by {year})", "{year}年までに回収する確率"),
    "never": ("not by end", "期間内になし"),
    "seeds_only": ("Seeds only: no futures were sampled (pass --futures N to vary the uncertain inputs).",
                   "シードのみ:将来シナリオは抽出していません(不確実な入力を変えるには --futures N)。"),
    "futures": ("{futures} futures: a Latin hypercube over the declared uncertain inputs (abm/data/levers.toml), "
                "every policy on the same futures and seeds.",
                "将来シナリオ{futures}個:宣言された不確実な入力(abm/data/levers.toml)のラテン超方格、"
                "全政策で同じ将来シナリオとシード。"),
    "tornado": ("Tornado — {policy}: {metric}\nmean over the futures in each input's lowest vs highest fifth",
                "トルネード図 — {policy}:{metric}\n各入力の下位5分の1と上位5分の1の将来シナリオでの平均"),
    "low": ("input low", "入力が低い"), "high": ("input high", "入力が高い"),
    "mean": ("mean over all runs", "全実行の平均"),
}


def text(key: str, lang: str, **fmt) -> str:
    s = TEXT[key][1 if lang == "ja" else 0]
    return s.format(**fmt) if fmt else s


def _num(v) -> str:
    return "-" if v is None or not np.isfinite(v) else f"{v:,.3g}"


def _year(v, lang: str) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    return text("never", lang) if np.isinf(v) else f"{v:.0f}"


def display_table(summary: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`experiments.uncertainty.appraisal_summary` as shown: one row per policy, labelled columns."""
    rows = []
    for r in summary.to_dict("records"):
        row = {text("policy", lang): policies.name(r["policy"], lang),
               text("runs", lang): f"{r['runs']} ({r['futures']} x {r['seeds']})"}
        for m in NPV_METRICS:
            if f"{m}_median" in r:
                row[outputs.title_with_unit(m, lang)] = (f"{_num(r[f'{m}_median'])} [{_num(r[f'{m}_p5'])}, "
                                                        f"{_num(r[f'{m}_p95'])}]")
        if "payback_year_median" in r:
            row[outputs.label("payback_year", lang)] = (f"{_year(r['payback_year_median'], lang)} "
                                                         f"[{_year(r['payback_year_p5'], lang)}, "
                                                         f"{_year(r['payback_year_p95'], lang)}]")
            for year in PAYBACK_BY:
                row[text("p_by", lang, year=year)] = f"{100 * r[f'p_payback_by_{year}']:.0f}%"
        rows.append(row)
    return pd.DataFrame(rows)


def tornado_images(tor: pd.DataFrame, lang: str = "en", metric: str = "npv_jpy_tn") -> list[str]:
    """One horizontal-bar chart per policy: for each input, a bar from the mean NPV of its low-fifth futures to that
    of its high-fifth futures (blue end: input high), largest swing on top; the line is the mean over all runs."""
    import matplotlib.pyplot as plt

    from experiments.report import png
    from experiments.fonts import font_context

    imgs = []
    with font_context(lang):
        for policy, g in tor.groupby("policy", sort=False):
            g = g.iloc[::-1]  # largest swing at the top
            fig, ax = plt.subplots(figsize=(7, 0.35 * len(g) + 1.4))
            ys = np.arange(len(g))
            left = np.minimum(g["low_mean"], g["high_mean"])
            ax.barh(ys, np.abs(g["swing"]), left=left, color="#bbbbbb")
            ax.scatter(g["low_mean"], ys, color="#c0392b", zorder=3, label=text("low", lang))
            ax.scatter(g["high_mean"], ys, color="#2980b9", zorder=3, label=text("high", lang))
            ax.axvline(g["overall_mean"].iloc[0], color="k", lw=1, label=text("mean", lang))
            ax.set_yticks(ys, [input_label(i, lang) for i in g["input"]], fontsize=8)
            title = text("tornado", lang, metric=outputs.label(metric, lang), policy=policies.name(policy, lang))
            ax.set_title(title, fontsize=9)
            ax.set_xlabel(outputs.title_with_unit(metric, lang))
            ax.legend(fontsize=7, loc="lower right")
            imgs.append(png(fig, title.replace("\n", ": ")))
    return imgs


def html_section(summary: pd.DataFrame, tor: pd.DataFrame, lang: str = "en") -> str:
    """The report section: heading, what was sampled, the table and the tornado charts."""
    from experiments.report import table as html_table

    futures = int(summary["futures"].max()) if len(summary) else 0
    note = text("futures", lang, futures=futures) if len(tor) else text("seeds_only", lang)
    imgs = "".join(tornado_images(tor, lang)) if len(tor) else ""
    return (f"<h2>{html.escape(text('title', lang))}</h2><p>{html.escape(note)}</p>"
            f"{html_table(display_table(summary, lang))}<div>{imgs}</div>")
