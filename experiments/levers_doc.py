"""How the lever atlas reads: labels, the wide tables of ``levers.html`` and the Markdown of ``docs/levers.md``.

Rows come from the declarations (:func:`abm.levers.atlas`), in their order, so every declared lever and shock is
shown with its range and mechanism even without measured effects; the figures come from the CSV files
``sovai levers`` writes. Regenerate the docs page from a run's folder::

    sovai levers --seeds 5 --out outputs/levers-doc
    python -m experiments.levers_doc outputs/levers-doc > docs/levers.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from abm import outputs
from abm.levers import Entry, atlas
from abm.schema import field_specs
from experiments.report import label_of

# the issue's target: over the documented ranges the levers explain >= 30 % of these outputs' variance
TARGET_SHARE = 0.30
TARGET_OUTPUTS = ("adoption_share_sovereign_2040", "deficit_2040_jpy_tn",
                  "outcomes_2040_deficit_avoided_jpy_tn_per_year")
TEXT = {
    "lever": ("Lever or shock", "政策レバー・ショック"), "range": ("Low → high", "低 → 高"),
    "mechanism": ("Mechanism", "メカニズム"), "effects": ("Effects (high − low)", "効果(高 − 低)"),
    "none": ("none distinguishable from zero", "ゼロと区別できる効果なし"), "output": ("Output", "出力"),
    "levers": ("Levers", "政策レバー"), "exogenous": ("Exogenous", "外生要因"),
    "unexplained": ("Unexplained", "説明されない分"), "r2_levers": ("R² levers alone", "レバーのみのR²"),
    "r2_exogenous": ("R² exogenous alone", "外生要因のみのR²"), "top": ("Largest inputs (SRRC²)", "主な入力(SRRC²)"),
    "target": ("Target: levers ≥ 30 %", "目標:レバー ≥ 30%"), "met": ("met", "達成"), "missed": ("missed", "未達"),
    "off": ("off", "なし"), "on": ("on", "あり"), "design": ("Design", "設計"),
    "within": ("within the preset's role division", "プリセットの役割分担の中で"),
    "across": ("across the four role divisions", "4つの役割分担にわたって"),
    "within_consistent": ("within the preset's role division, consistent futures",
                          "プリセットの役割分担の中で、公表値と整合する将来"),
    "across_consistent": ("across the four role divisions, consistent futures",
                          "4つの役割分担にわたって、公表値と整合する将来"),
    "samples": ("Samples", "標本"), "of": ("of", "/"),
}


def text(key: str, lang: str) -> str:
    return TEXT[key][1] if lang == "ja" else TEXT[key][0]


def metric_label(metric: str, lang: str = "en") -> str:
    """A key output's label with unit; ``col@2040`` reads "... 2040", ``col@last`` "... at the end"."""
    if "@" not in metric:
        return label_of(metric, lang)
    col, when = metric.split("@")
    suffix = ((", end of horizon", "(期末)") if when == "last" else (f" {when}", f"({when}年)"))[lang == "ja"]
    unit = outputs.unit(col, lang)
    return f"{outputs.label(col, lang)}{suffix}" + (f" ({unit})" if unit else "")


def lever_label(e: Entry, lang: str = "en") -> str:
    from viz.i18n import choice, field_label

    return choice(e.name.split(".", 1)[1], lang) if e.kind == "shock" else field_label(field_specs()[e.name], lang)


def value_text(value, lang: str = "en") -> str:
    from viz.i18n import choice

    if isinstance(value, bool):
        return text("on" if value else "off", lang)
    return choice(value, lang) if isinstance(value, str) else f"{value:g}"


def range_text(e: Entry, lang: str = "en") -> str:
    return f"{value_text(e.low, lang)} → {value_text(e.high, lang)}"


def fmt(v: float) -> str:
    """3 significant digits with a sign; rounding noise (|v| < 1e-9) shows as 0."""
    if v is None or pd.isna(v):
        return "-"
    return "0" if abs(v) < 1e-9 else f"{v:+.3g}"


def effect_text(r, lang: str = "en", mark: bool = True, interval: bool = True) -> str:
    """``+0.12 [+0.05, +0.2] ●``: mean, 5-95 % interval over seeds, ● when distinguishable from zero."""
    cell = f"{fmt(r['mean'])} [{fmt(r['p05'])}, {fmt(r['p95'])}]" if interval else fmt(r["mean"])
    return cell + (" ●" if r["distinguishable"] and mark else "")


def wide_effects(effects: pd.DataFrame, lang: str = "en", interval: bool = True) -> pd.DataFrame:
    """One row per declared lever: label, range, one effect cell per metric and the mechanism."""
    metrics = list(dict.fromkeys(effects["metric"]))
    rows = []
    for e in atlas().entries:
        sub = effects[effects["lever"] == e.name].set_index("metric")
        row = {text("lever", lang): lever_label(e, lang), text("range", lang): range_text(e, lang)}
        row.update({metric_label(m, lang): effect_text(sub.loc[m], lang, interval=interval) if m in sub.index else "-" for m in metrics})
        row[text("mechanism", lang)] = e.chain(lang)
        rows.append(row)
    return pd.DataFrame(rows)


def top_inputs(indices: pd.DataFrame, output: str, k: int = 3, design: str = "within") -> str:
    sub = indices[(indices["output"] == output) & (_designs(indices) == design)]
    sub = sub.sort_values("srrc2", ascending=False).head(k)
    return ", ".join(f"{r.input} {r.srrc2:.2f}" for r in sub.itertuples() if pd.notna(r.srrc2))


def _designs(df: pd.DataFrame) -> pd.Series:
    """Each row's LHS design (files written before the "across" design hold only "within")."""
    return df["design"] if "design" in df.columns else pd.Series("within", index=df.index)


def shares_table(shares: pd.DataFrame, indices: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The variance decomposition per design and output, as shown (shares in %)."""
    rows = []
    for r, design in zip(shares.itertuples(), _designs(shares)):
        pct = (lambda v: "-" if pd.isna(v) else f"{100 * v:.0f} %")
        target = ""
        if r.output in TARGET_OUTPUTS and pd.notna(r.lever_share):
            target = text("met" if r.lever_share >= TARGET_SHARE else "missed", lang)
        drawn = getattr(r, "drawn", r.samples)
        samples = f"{r.samples:,}"
        if pd.notna(drawn) and drawn != r.samples:
            samples += f" {text('of', lang)} {int(drawn):,}"
        rows.append({text("design", lang): text(design, lang), text("samples", lang): samples,
                     text("output", lang): metric_label(r.output, lang), text("levers", lang): pct(r.lever_share),
                     text("exogenous", lang): pct(r.exogenous_share), text("unexplained", lang): pct(r.unexplained),
                     text("r2_levers", lang): pct(r.r2_levers), text("r2_exogenous", lang): pct(r.r2_exogenous),
                     text("target", lang): target, text("top", lang): top_inputs(indices, r.output, design=design)})
    return pd.DataFrame(rows)


def _md_table(df: pd.DataFrame) -> str:
    esc = (lambda v: str(v).replace("|", "\\|"))
    lines = ["| " + " | ".join(esc(c) for c in df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(esc(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def markdown(effects: pd.DataFrame | None, shares: pd.DataFrame | None, indices: pd.DataFrame | None,
             note: str = "", lang: str = "en") -> str:
    """The atlas as Markdown: one row per declared lever (range, mechanism, distinguishable effects), then the
    variance decomposition."""
    rows = []
    for e in atlas().entries:
        sub = effects[(effects["lever"] == e.name) & effects["distinguishable"].astype(bool)] \
            if effects is not None else effects
        shown = "; ".join(f"{metric_label(r['metric'], lang)} {effect_text(r, lang, mark=False)}"
                          for _, r in sub.iterrows()) if sub is not None else ""
        rows.append({text("lever", lang): f"{lever_label(e, lang)} (`{e.name}`)",
                     text("range", lang): f"{range_text(e, lang)} ({e.range}; on {e.preset})",
                     text("mechanism", lang): e.chain(lang),
                     text("effects", lang): shown or (text("none", lang) if effects is not None else "")})
    out = ["# Lever atlas", "",
           "Generated by `python -m experiments.levers_doc FOLDER` from the declarations in `abm/data/levers.toml` "
           "and a `sovai levers` run; do not edit by hand. Effects are paired differences high − low on common "
           "seeds: mean [5 %, 95 % over seeds], listed only where |mean| > 2 standard errors.", ""]
    out += [note, ""] if note else []
    out += [_md_table(pd.DataFrame(rows)), ""]
    if shares is not None and indices is not None:
        out += ["## Variance decomposition (LHS over levers and exogenous inputs)", "",
                "Shares of each output's rank variance explained by the levers and by the exogenous inputs "
                "(adjusted R² of rank regressions, split by Shapley value; see `experiments/lever_stats.py`). "
                f"The target is levers ≥ {TARGET_SHARE:.0%} for the sovereign share, the 2040 deficit and the "
                "deficit avoided. Two designs: *within* the preset's role division (the role division held, every "
                "other lever sampled), and *across* the four role divisions (the role division sampled too, as one "
                "dummy per division; an input named `policy.role_division=x` is the dummy of division x). The 2040 "
                "deficit is the non-AI baseline (`environment.baseline_deficit_2025_jpy_tn` growing at "
                "`environment.baseline_deficit_growth_per_year`, an exogenous input) plus AI payments abroad minus AI "
                "exports; no lever acts on the baseline, so *AI payments abroad 2040* shows the part the levers can "
                "move.", "",
                "Each design is repeated over the *consistent futures*: its own LHS, of which only the samples are "
                "kept whose exogenous inputs (not shocks), applied to each reference scenario of the published figures "
                f"named in `abm/data/levers.toml` `[consistency]` ({', '.join(atlas().consistency)}), reproduce "
                "each figure within its `sovai validate` tolerance on the sample's seed (*Samples*: kept of drawn). "
                "The model is calibrated to those figures; the exogenous ranges are wider than they allow, so in the "
                "unconditioned designs most of the variance of the deficit's level is disagreement with the published "
                "projections. Both are shown: the unconditioned designs answer \"how much could the world differ\", "
                "the consistent ones \"how much do the levers matter in the futures the published figures "
                "describe\". The split between levers and exogenous inputs stays valid there (a sample is kept for "
                "its exogenous inputs only, so the levers stay independent of them), but the kept exogenous inputs "
                "are correlated (a faster non-AI deficit trend passes only with a smaller AI value share), so their "
                "single SRRC² can exceed 1 and offset each other; read the group shares.", "",
                _md_table(shares_table(shares, indices, lang)), ""]
    return "\n".join(out)


def read_folder(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None, str]:
    """The CSV files of a ``sovai levers`` folder and its note."""
    folder = Path(folder)
    effects = pd.read_csv(folder / "levers.csv")
    shares = pd.read_csv(folder / "variance.csv") if (folder / "variance.csv").exists() else None
    inputs = pd.read_csv(folder / "variance_inputs.csv") if (folder / "variance_inputs.csv").exists() else None
    note = (folder / "note.txt").read_text(encoding="utf-8").strip() if (folder / "note.txt").exists() else ""
    return effects, shares, inputs, note


if __name__ == "__main__":  # python -m experiments.levers_doc FOLDER > docs/levers.md
    if len(sys.argv) != 2:
        sys.exit("usage: python -m experiments.levers_doc FOLDER (a `sovai levers` output folder)")
    print(markdown(*read_folder(Path(sys.argv[1]))))
