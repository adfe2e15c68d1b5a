"""The self-contained HTML report of one run: plots as inline PNG and the summary tables."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm.report import RunResult  # noqa: E402
from abm.vocab import load_table  # noqa: E402
from experiments.outdir import text_writer, write_files  # noqa: E402

REF = load_table("reference.toml")
OUTPUT_FILES = ("timeseries.parquet", "summary.json", "report.html", "scenario.toml")
DEFICIT_REFERENCE = {2025: REF["deficit"]["observed_2025_jpy_tn"], 2035: REF["deficit"]["meti_projection_2035_jpy_tn"],
                     2040: REF["deficit"]["risk_scenario_2040_jpy_tn"]}


def summary_tables(summary: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The headline tables as (title, [(label, value)]) - shared by the CLI and the HTML report."""
    def f(v, unit=""):
        return "-" if v is None else f"{v:,.2f}{unit}"
    inv = summary["investment_by_category_jpy_tn"]
    per = summary["investment_by_period_jpy_tn"]
    out = summary["outcomes_2040_jpy_tn_per_year"]
    return [
        ("Investment 2026-2040 (JPY tn, all payers)", [
            *((k, f(v)) for k, v in inv.items()),
            ("initial 2026-2031", f(per["initial_2026_2031"])), ("running 2031-2040", f(per["running_2031_2040"])),
            ("total", f(summary["investment_total_jpy_tn"])),
            ("public programmes (talent, subsidies, data, ASEAN)", f(summary["public_programmes_jpy_tn"]))]),
        ("Digital deficit (JPY tn/yr)", [(y, f(v)) for y, v in summary["deficit_jpy_tn"].items()]),
        ("2040 (share)", [("adoption rate", f(summary["adoption_rate_2040"])),
                          ("sovereign share of adopters", f(summary["adoption_share_sovereign_2040"])),
                          ("talent retention rate", f(summary["talent_retention_rate_2040"])),
                          ("sovereignty index", f(summary["sovereignty_index_2040"]))]),
        ("2040 outcomes (JPY tn/yr)", [*((k, f(v)) for k, v in out.items()),
                                       ("payback year", str(summary["payback_year"] or "not by end")),
                                       ("NPV (JPY tn)", f(summary["npv_jpy_tn"]))]),
    ]


def png_base64(fig) -> str:
    """A matplotlib figure as base64 PNG (the figure is closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figures(ts: pd.DataFrame) -> dict[str, str]:
    """Four plots as base64 PNG: adoption by source, talent, deficit vs published points, cost vs outcomes."""
    t = ts["year"] + (ts["quarter"] - 1) / 4.0
    out = {}
    fig, ax = plt.subplots(figsize=(6, 3.4))
    shares = [ts["adoption_rate"] * ts[f"adoption_share_{k}"] for k in ("sovereign", "open", "foreign")]
    ax.stackplot(t, *shares, labels=["sovereign", "open-source", "foreign"], colors=["#c0392b", "#2980b9", "#7f8c8d"])
    ax.set(title="Adoption by model source", ylabel="share of firms", ylim=(0, 1))
    ax.legend(loc="upper left", fontsize=8)
    out["adoption"] = png_base64(fig)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(t, ts["talent_domestic"], label="in Japan")
    ax.plot(t, ts["talent_abroad"], label="abroad")
    ax.set(title="AI talent at home vs abroad", ylabel="persons")
    ax.legend(fontsize=8)
    out["talent"] = png_base64(fig)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(t, ts["digital_deficit_jpy_tn"], label="model")
    ax.scatter(list(DEFICIT_REFERENCE), list(DEFICIT_REFERENCE.values()), color="k", marker="x",
               label="published (MOF 2025, METI 2035, mizuho risk 2040)", zorder=3)
    ax.set(title="Digital deficit", ylabel="JPY tn / yr")
    ax.legend(fontsize=8)
    out["deficit"] = png_base64(fig)
    fig, ax = plt.subplots(figsize=(6, 3.4))
    for c in ("datacenter", "hardware", "staff", "power", "cloud", "programmes"):
        ax.plot(t, ts[f"cost_{c}_cum_jpy_tn"], label=f"cost: {c}", lw=1)
    ax.plot(t, ts["public_cost_cum_jpy_tn"], label="public cost (all)", color="k", lw=2)
    ax.plot(t, ts["outcomes_direct_cum_jpy_tn"], label="direct outcomes", color="#27ae60", lw=2)
    ax.plot(t, ts["outcomes_cum_jpy_tn"], label="all outcomes", color="#27ae60", lw=2, ls="--")
    ax.set(title="Cumulative cost vs outcomes", ylabel="JPY tn (symlog)", yscale="symlog")
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    out["cost_outcomes"] = png_base64(fig)
    return out


def render(ts: pd.DataFrame, summary: dict) -> str:
    """A single HTML page with no external references."""
    tables = "".join(
        f"<table><caption>{html.escape(title)}</caption>"
        + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows) + "</table>"
        for title, rows in summary_tables(summary))
    imgs = "".join(f'<img alt="{k}" src="data:image/png;base64,{v}">' for k, v in figures(ts).items())
    name = html.escape(str(summary["scenario"]))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sovai - {name}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}} table{{border-collapse:collapse;margin:1em;display:inline-table;vertical-align:top}}
caption{{font-weight:bold;text-align:left}} th,td{{border:1px solid #ccc;padding:3px 8px;text-align:left}} td{{text-align:right}} img{{margin:.5em}}</style>
</head><body><h1>sovai run: {name} (seed {summary['seed']})</h1>
<p>Role division <b>{html.escape(summary['role_division'])}</b>, hardware path {html.escape(summary['hardware_path'])},
financing {html.escape(summary['financing'])}.</p>{tables}<div>{imgs}</div></body></html>"""


def write_outputs(out_dir: Path, result: RunResult, html: str) -> Path:
    """Write timeseries.parquet, summary.json, report.html and scenario.toml into ``out_dir`` (checked first
    with :func:`experiments.outdir.claim`): a new folder appears complete or not at all; in an existing one only
    these four files are replaced (see :mod:`experiments.outdir`)."""
    from abm.scenario import to_toml

    summary = json.dumps(result.summary, indent=2, ensure_ascii=False)
    writers = {"timeseries.parquet": lambda p: result.timeseries.to_parquet(p, index=False),
               "summary.json": text_writer(summary), "report.html": text_writer(html),
               "scenario.toml": text_writer(to_toml(result.model.inputs))}
    assert set(writers) == set(OUTPUT_FILES)
    return write_files(Path(out_dir), writers, "run")
