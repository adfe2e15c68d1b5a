"""The files of ``sovai optimize``: the Pareto table, the convergence record, the representative policies in words
(English and Japanese) with their out-of-sample check, a parallel-coordinates plot and an HTML report.

Labels come from the declarations: levers from :mod:`abm.schema` / :mod:`viz.i18n` (``field_name``, ``choice``),
metrics from :mod:`abm.outputs` (:func:`experiments.report.label_of`); the words of this report are in :data:`TEXT`.
"""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd

from abm import policies
from experiments.optimize import Front, OptResult
from experiments.optimize_spec import Measure, OptimizeSpec

TEXT = {
    "title": ("sovai optimize: {name}", "sovai 最適化:{name}"),
    "mean": ("mean of", "平均:"), "median": ("median of", "中央値:"),
    "pct": ("{p}th percentile of", "{p}パーセンタイル:"),
    "share": ("share of futures with {metric} {meets} {t:g}", "{metric}が{t:g}{meets}の将来シナリオの割合"),
    "<=": ("<=", "以下"), ">=": (">=", "以上"),
    "min": ("minimise", "最小化"), "max": ("maximise", "最大化"),
    "best": ("best for: {what}", "最良:{what}"), "balanced": ("most balanced", "最もバランスが良い"),
    "diverse": ("most different from the others", "他と最も異なる"),
    "policy": ("Policy {k} ({role})", "政策{k}({role})"),
    "levers": ("levers", "レバー"), "robust": ("robust objectives", "頑健な目的"),
    "oos": ("on {n} fresh futures", "新しい将来シナリオ{n}個で"),
    "note": ("{evals} candidate policies, {runs} runs ({ran} run now, the rest read from {out}/runs), {futures} "
             "futures x {seeds} seeds each, {gens} generations of {pop}; {front} policies on the Pareto front; "
             "{seconds:.0f} s.",
             "候補政策{evals}件、実行{runs}回(今回{ran}回、残りは{out}/runsから読込)、各{futures}将来シナリオ×{seeds}"
             "シード、{pop}政策×{gens}世代;パレート最適な政策{front}件;{seconds:.0f}秒。"),
    "h_conv": ("Convergence: hypervolume of each generation's front", "収束:各世代のフロントのハイパーボリューム"),
    "h_front": ("Pareto set", "パレート集合"), "h_par": ("Parallel coordinates (normalised; lines: Pareto policies)",
                                                    "平行座標(正規化;線:パレート最適な政策)"),
    "h_rep": ("Representative policies, re-evaluated out of sample", "代表的な政策とサンプル外での再評価"),
    "generation": ("generation", "世代"), "hypervolume": ("hypervolume (normalised)", "ハイパーボリューム(正規化)"),
    "drop": ("drop = out-of-sample value worse than in sample (positive: worse)",
             "低下 = サンプル外の値がサンプル内より悪化した量(正:悪化)"),
}
COLUMNS = {  # the headers of the report's tables (the CSV files keep the column names)
    "generation": ("Generation", "世代"), "front_size": ("Policies on the front", "フロントの政策数"),
    "hypervolume": ("Hypervolume", "ハイパーボリューム"), "representative": ("Representative", "代表政策"),
    "front_row": ("Row on the front", "フロントの行"), "objective": ("Objective", "目的"),
    "direction": ("Direction", "方向"), "in_sample": ("In sample", "サンプル内"),
    "out_of_sample": ("Out of sample", "サンプル外"), "drop": ("Drop", "低下"),
    "drop_share": ("Drop (share)", "低下の割合"), "policy": ("Policy", "政策"),
}


def t(key: str, lang: str, **fmt) -> str:
    s = TEXT[key][1 if lang == "ja" else 0]
    return s.format(**fmt) if fmt else s


def lever_name(path: str, lang: str) -> str:
    from viz.i18n import field_name

    return field_name(path, lang)


def value_text(path: str, value, lang: str) -> str:
    from abm.labels import unit_text
    from abm.schema import field_specs
    from viz.i18n import shown

    spec = field_specs()[path]
    if isinstance(value, float):
        u = unit_text(spec.unit, lang)
        return f"{value:.3g}" + (f" {u}" if u else "")
    return shown(value, lang)


def measure_label(m: Measure, lang: str) -> str:
    """"90th percentile of Digital deficit 2040 (JPY tn/yr)"."""
    from experiments.report import label_of

    metric = label_of(m.metric, lang)
    if m.statistic == "share":
        return t("share", lang, metric=metric, meets=t(m.meets, lang), t=m.threshold)
    head = t("pct", lang, p=m.statistic[1:]) if m.statistic.startswith("p") else t(m.statistic, lang)
    return f"{head} {metric}"


def pareto_table(spec: OptimizeSpec, front: Front) -> pd.DataFrame:
    """One row per Pareto policy: its levers (machine paths) then its robust objectives and constraints."""
    rows = []
    for k, p in enumerate(front.policies):
        row = {"policy": k + 1, **p}
        row.update({o.measure.name: float(front.objectives[k, j]) for j, o in enumerate(spec.objectives)})
        row.update({f"constraint {c.measure.name} {c.op} {c.value:g}": float(front.constraints[k, j]) + c.value
                    for j, c in enumerate(spec.constraints)})
        rows.append(row)
    return pd.DataFrame(rows)


def convergence_table(result: OptResult) -> pd.DataFrame:
    return pd.DataFrame({"generation": range(1, len(result.history) + 1),
                         "front_size": [len(f.policies) for f in result.history],
                         "hypervolume": result.hypervolume})


def describe(spec: OptimizeSpec, front: Front, chosen: list[int], oos: pd.DataFrame, lang: str) -> list[str]:
    """The representative policies in words, one paragraph each."""
    out = []
    directions = [o.direction for o in spec.objectives]
    x = front.objectives * np.array([1.0 if d == "min" else -1.0 for d in directions]) if len(chosen) else None
    for rank, i in enumerate(chosen):
        p = front.policies[i]
        role = p.get("policy.role_division", spec_role(spec))
        why = [measure_label(o.measure, lang) for j, o in enumerate(spec.objectives)
               if x is not None and x[i, j] == x[:, j].min()]
        kind = t("best", lang, what=", ".join(why)) if why else t("balanced" if rank == len(spec.objectives)
                                                                   else "diverse", lang)
        levers = "; ".join(f"{lever_name(k, lang)} {value_text(k, v, lang)}" for k, v in p.items()
                           if k != "policy.role_division")
        objs = []
        for j, o in enumerate(spec.objectives):
            text = f"{measure_label(o.measure, lang)} {front.objectives[i, j]:.3g}"
            hit = oos[(oos["representative"] == rank + 1) & (oos["objective"] == o.measure.name)]
            if len(hit):
                text += f" ({t('oos', lang, n=spec.futures.out_of_sample)}: {hit['out_of_sample'].iloc[0]:.3g})"
            objs.append(text)
        sep = "。" if lang == "ja" else ". "
        out.append(f"{t('policy', lang, k=i + 1, role=value_text('policy.role_division', role, lang))} — {kind}"
                   f"{sep}{t('levers', lang)}: {levers}{sep}{t('robust', lang)}: {'; '.join(objs)}"
                   + ("。" if lang == "ja" else "."))
    return out


def spec_role(spec: OptimizeSpec) -> str:
    from abm.scenario import load_scenario

    return load_scenario(spec.preset, spec.fixed).policy.role_division


def representatives_table(spec: OptimizeSpec, front: Front, chosen: list[int], oos: pd.DataFrame) -> pd.DataFrame:
    en, ja = describe(spec, front, chosen, oos, "en"), describe(spec, front, chosen, oos, "ja")
    return pd.DataFrame([{"representative": r + 1, "policy": i + 1, "description_en": e, "description_ja": j}
                         for r, (i, e, j) in enumerate(zip(chosen, en, ja))])


def parallel_figure(spec: OptimizeSpec, front: Front, lang: str):
    """Parallel coordinates over the levers and objectives, each axis scaled to its range (choices as indices),
    one line per Pareto policy coloured by role division."""
    import matplotlib.pyplot as plt

    from viz.i18n import choice

    axes, cols = [], []
    for lv in spec.levers:
        vals = [p[lv.path] for p in front.policies]
        if lv.kind == "choice":
            cols.append([lv.choices.index(v) / max(1, len(lv.choices) - 1) for v in vals])
        else:
            cols.append([(v - lv.low) / (lv.high - lv.low) for v in vals])
        axes.append(lever_name(lv.path, lang))
    for j, o in enumerate(spec.objectives):
        v = front.objectives[:, j]
        span = np.ptp(v) if len(v) and np.ptp(v) > 0 else 1.0
        cols.append(list((v - (v.min() if len(v) else 0)) / span))
        axes.append(measure_label(o.measure, lang).replace(" of ", " of\n", 1))
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(axes)), 4.5))
    roles = [p.get("policy.role_division", "") for p in front.policies]
    # a role division in its preset's declared colour (gov_led -> gov-led, abm/data/presets.toml)
    palette = policies.colours(r.replace("_", "-") for r in dict.fromkeys(roles))
    palette = {r: palette[r.replace("_", "-")] for r in dict.fromkeys(roles)}
    data = np.array(cols).T if cols and front.policies else np.empty((0, len(axes)))
    for row, role in zip(data, roles):
        ax.plot(range(len(axes)), row, color=palette[role], alpha=0.7)
    for role, colour in palette.items():
        if role:
            ax.plot([], [], color=colour, label=choice(role, lang))
    ax.set_xticks(range(len(axes)), axes, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(-0.05, 1.05)
    for k in range(len(axes)):
        ax.axvline(k, color="#888", lw=0.5)
    if any(roles):
        ax.legend(fontsize=8, loc="upper right")
    ax.set_title(t("h_par", lang))
    return fig


def convergence_figure(conv: pd.DataFrame, lang: str):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.plot(conv["generation"], conv["hypervolume"], marker="o")
    ax.set_xlabel(t("generation", lang))
    ax.set_ylabel(t("hypervolume", lang))
    ax.set_ylim(0, 1.02)
    ax.set_title(t("h_conv", lang))
    return fig


def headed(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` with its :data:`COLUMNS` headers in ``lang``."""
    return df.rename(columns={c: pair[lang == "ja"] for c, pair in COLUMNS.items()})


def shown_oos(spec: OptimizeSpec, oos: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The out-of-sample table for display: each objective by its label and its direction in words."""
    measures = {o.measure.name: measure_label(o.measure, lang) for o in spec.objectives}
    return headed(oos.assign(objective=[measures.get(m, m) for m in oos["objective"]],
                             direction=[t(d, lang) for d in oos["direction"]]), lang)


def shown_front(spec: OptimizeSpec, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The Pareto table for display: labelled columns, choices translated."""
    lv = {x.path: lever_name(x.path, lang) for x in spec.levers}
    ob = {o.measure.name: measure_label(o.measure, lang) for o in spec.objectives}
    out = table.copy()
    for path in lv:
        out[path] = [value_text(path, v, lang) if not isinstance(v, float) else float(v) for v in out[path]]
    return headed(out.rename(columns={**lv, **ob}), lang)


def render_html(spec: OptimizeSpec, table: pd.DataFrame, conv: pd.DataFrame, reps: pd.DataFrame,
                oos: pd.DataFrame, note: str, parallel_png: bytes, conv_png: bytes, lang: str) -> str:
    """The report: note, convergence, representatives in words with their out-of-sample check, the Pareto set."""
    import base64

    from experiments.report import img_tag, page, table as html_table

    def img(data: bytes, alt: str) -> str:
        return img_tag(base64.b64encode(data).decode("ascii"), alt)

    words = "".join(f"<p>{html.escape(d)}</p>" for d in reps[f"description_{'ja' if lang == 'ja' else 'en'}"])
    body = (f"<p>{html.escape(spec.description)}</p><p>{html.escape(note)}</p>"
            f"<h2>{t('h_conv', lang)}</h2>{img(conv_png, t('h_conv', lang))}{html_table(headed(conv, lang))}"
            f"<h2>{t('h_rep', lang)}</h2>{words}<p>{t('drop', lang)}</p>{html_table(shown_oos(spec, oos, lang))}"
            f"<h2>{t('h_front', lang)}</h2>{img(parallel_png, t('h_par', lang))}"
            f"{html_table(shown_front(spec, table, lang))}")
    return page(t("title", lang, name=spec.name), body, lang)


def policy_files(spec: OptimizeSpec, front: Front) -> dict[str, str]:
    """``policy-NN.toml`` per Pareto policy: a scenario file (``extends`` the spec's preset, with its ``[set]``
    fields and the policy's levers) that ``sovai run`` / ``sovai compare`` take and the dashboard's Load button
    opens in the single-run view."""
    import tomli_w

    out = {}
    for k, p in enumerate(front.policies):
        data: dict = {"extends": spec.preset, "name": f"{spec.name}-policy-{k + 1:02d}",
                      "description": f"Pareto policy {k + 1} of sovai optimize {spec.name}"}
        for path, value in {**spec.fixed, **p}.items():
            sec, key = path.split(".", 1)
            data.setdefault(sec, {})[key] = value
        out[f"policy-{k + 1:02d}.toml"] = tomli_w.dumps(data)
    return out


def summary_json(spec: OptimizeSpec, result: OptResult, chosen: list[int], info: dict) -> str:
    """``optimization.json``: what the dashboard reads to open a result (spec name, preset, fixed inputs, the
    Pareto policies and the representatives)."""
    data = {"name": spec.name, "preset": spec.preset, "set": spec.fixed,
            "objectives": [{"name": o.measure.name, "direction": o.direction} for o in spec.objectives],
            "pareto": [{"policy": k + 1, "levers": p,
                        "objectives": {o.measure.name: float(result.front.objectives[k, j])
                                       for j, o in enumerate(spec.objectives)}}
                       for k, p in enumerate(result.front.policies)],
            "representatives": [i + 1 for i in chosen], "hypervolume": result.hypervolume, **info}
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
