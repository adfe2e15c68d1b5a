"""The comparison report (``sovai compare``'s report.html) in English or Japanese: the table of mean [5%, 95%]
over replications, each row saying which number one run contributes, the appraisal-uncertainty section, and fan
charts with each policy in its declared name and colour (:mod:`abm.policies`)."""

from __future__ import annotations

import pandas as pd

from abm import labels, outputs, policies

TEXT = {"fans": ("Fan charts: median and 5-95% band over replications (and futures)",
                 "ファンチャート:反復実行(と将来シナリオ)の中央値と5〜95%帯"),
        "title": ("sovai policy comparison", "sovai 政策比較"), "versus": (" vs ", " 対 "),
        "note": ("{r} replications per policy", "政策ごとに{r}回の反復実行"),
        "note_futures": ("{r} replications x {f} futures per policy", "政策ごとに{r}回の反復実行×{f}個の将来シナリオ"),
        "note_rest": ("; master seed {seed}, model {version}; {failed} failed runs.",
                      "。マスターシード {seed}、モデル {version}、失敗した実行 {failed}。"),
        "note_set": (" Overrides for every policy: {shown}.", "全政策に適用した設定:{shown}。"),
        "runs": ("runs", "回"), "label": ("Metric", "指標"), "statistic": ("Statistic", "統計量")}
FAN_METRICS = ["digital_deficit_jpy_tn", "adoption_rate", "talent_retention_rate", "sovereignty_index",
               "investment_cum_jpy_tn", "outcomes_total_jpy_tn_per_year"]


def _text(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ja" else pair[0]


def render_html(df: pd.DataFrame, table: pd.DataFrame, note: str = "", lang: str = "en", section: str = "") -> str:
    """The comparison report in ``lang``: the table (mean [5%, 95%] over replications; each row says which number
    one run contributes), ``section`` (HTML: the appraisal uncertainty, :mod:`experiments.uncertainty_report`) and
    one fan chart per headline metric. ``table`` comes from :func:`comparison_table`."""
    import html

    import matplotlib.pyplot as plt

    from experiments.compare import fan_chart_data, fmt, metric_title
    from experiments.report import page, png, policy_key
    from experiments.report import table as html_table
    from experiments.fonts import font_context

    runs = _text(TEXT["runs"], lang)
    shown = table.assign(value=[f"{fmt(m)} [{fmt(lo)}, {fmt(hi)}]" + (f" ({n}/{r} {runs})" if n != r else "")
                                if n else f"- (0/{r} {runs})" for m, lo, hi, n, r in
                                table[["mean", "p5", "p95", "n", "runs"]].itertuples(index=False)])
    wide = shown.pivot_table(index=["label", "statistic"], columns="policy", values="value", aggfunc="first",
                             sort=False).reset_index()
    wide = wide.rename(columns={k: _text(TEXT[k], lang) for k in ("label", "statistic")})
    keys = list(df["policy"].cat.categories)
    wide = wide.rename(columns={k: policies.name(k, lang) for k in keys})
    colours = policies.colours(keys)
    median = labels.statistic("median_band", lang)
    imgs = []
    with font_context(lang):
        for metric in [m for m in FAN_METRICS if m in df.columns]:
            fan = fan_chart_data(df, metric)
            fig, ax = plt.subplots(figsize=(6, 3.4))
            for policy in keys:
                f = fan[fan["policy"] == policy]
                ax.fill_between(f["t_year"], f["p5"], f["p95"], color=colours[policy], alpha=0.2, lw=0)
                ax.plot(f["t_year"], f["median"], color=colours[policy],
                        label=f"{policies.name(policy, lang)} ({median})")
            ax.set(title=metric_title(metric, lang), xlabel=outputs.label("year", lang))
            ax.legend(fontsize=7)
            imgs.append(png(fig, metric_title(metric, lang)))
    body = (f"<p>{html.escape(note)}</p>{policy_key(keys, lang)}<h2>{labels.statistic('replications', lang)}</h2>"
            f"{html_table(wide)}{section}<h2>{_text(TEXT['fans'], lang)}</h2><div>{''.join(imgs)}</div>")
    shown = _text(TEXT["versus"], lang).join(policies.name(k, lang) for k in keys)
    return page(f"{_text(TEXT['title'], lang)}: {shown}", body, lang)


def run_note(replications: int, futures: int, seed: int, version: str, overrides: dict, failed: int,
             lang: str = "en") -> str:
    """The report's first line: the runs behind it, in ``lang`` (overridden fields by their labels)."""
    from experiments.report import label_of

    runs = _text(TEXT["note_futures"] if futures else TEXT["note"], lang).format(r=replications, f=futures)
    shown = ", ".join(f"{label_of(k, lang)} = {v}" for k, v in overrides.items())
    return runs + _text(TEXT["note_rest"], lang).format(seed=seed, version=version, failed=failed) + (
        _text(TEXT["note_set"], lang).format(shown=shown) if overrides else "")
