"""Role-division comparison: replications of several policies, a table with 90% intervals, fan charts.

Library (the dashboard reuses it; everything is plain DataFrames):

- :func:`run_replications` runs ``replications`` seeds of each scenario (one SeedSequence, common random
  numbers), optionally in ``futures`` Latin-hypercube draws of the declared uncertain inputs (the same futures for
  every policy; :mod:`experiments.uncertainty`), through the sweep runner and returns one long DataFrame: a row
  per policy x future (``sample_index``) x replication x quarter, with every time-series column plus the per-run scalars ``payback_year``, ``npv_jpy_tn``,
  ``npv_economic_jpy_tn``, ``investment_total_jpy_tn`` and ``benefit_cost_ratio_fiscal`` (the appraisal is
  attributable: against each run's paired counterfactual without the programme).
- :func:`comparison_table` -> mean and 5-95% interval per policy, metric and year (2030/2035/2040), over all
  runs (seeds and futures).
- :func:`fan_chart_data` -> median and 5-95% band over time per policy for one metric.
- the report (report.html): :mod:`experiments.compare_report`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Callable, Optional, Sequence

import numpy as np
import pandas as pd
import typer

from abm import labels, policies
from experiments.outdir import FORCE_HELP, safe_name
from abm.scenario import ScenarioError, load_scenario, presets
from abm.schema import Scenario
from experiments.design import ExperimentError, validate_experiment
from experiments.options import (LANG_HELP, MAX_WORKERS, SCHEDULER_HELP, YES_HELP, check_lang, check_scheduler,
                                 default_lang, default_workers)
from experiments.plan import DEFAULT_MASTER_SEED, MAX_RUNS, Plan, make_plan
from experiments.store import connect
from experiments.uncertainty import uncertain_inputs
from experiments.compare_report import render_html, run_note  # noqa: F401  (render_html re-exported)

RUN_SCALARS = ["payback_year", "npv_jpy_tn", "npv_economic_jpy_tn", "report_method_npv_jpy_tn",
               "investment_total_jpy_tn", "benefit_cost_ratio_fiscal"]
# (column, how it becomes one number per run and year); labels and units from abm/outputs.py
TABLE_METRICS = [("digital_deficit_jpy_tn", "year_mean"), ("adoption_rate", "year_mean"),
                 ("talent_retention_rate", "year_mean"), ("sovereignty_index", "year_mean"),
                 ("investment_cum_jpy_tn", "year_end"), ("outcomes_total_jpy_tn_per_year", "year_mean"),
                 ("payback_year", "run"), ("npv_jpy_tn", "run"), ("npv_economic_jpy_tn", "run"),
                 ("report_method_npv_jpy_tn", "run")]
STATISTIC = {"year_mean": "annual_mean", "year_end": "year_end", "run": "per_run"}  # how -> abm.labels.STATISTICS


def _label(source: str | Path | Scenario) -> tuple[str, Scenario]:
    try:
        if isinstance(source, Scenario):
            return source.name, source
        text = str(source)
        label = text if text in presets() else Path(text).stem
        return label, load_scenario(text)
    except ScenarioError as e:
        raise ExperimentError(f"scenario {source}: {e}") from None


def replication_plan(scenarios: Sequence[str | Path | Scenario], replications: int = 30,
                     master_seed: int = DEFAULT_MASTER_SEED, overrides: dict[str, Any] | None = None,
                     max_runs: int | None = MAX_RUNS, futures: int = 0,
                     ranges: dict[str, tuple[float, float]] | None = None) -> Plan:
    """The runs of a comparison: each scenario (preset, file or Scenario) x ``futures`` Latin-hypercube draws of
    the declared uncertain inputs (0: none, the scenarios' own values) x ``replications`` seeds (refused above
    ``max_runs`` runs, counted before anything is built; None: no ceiling). The LHS is drawn from the master
    seed (:func:`experiments.plan.sample_uncertainties`); ``ranges`` replaces declared ranges; an input the
    ``overrides`` set is pinned there and not sampled."""
    bases = dict(_label(s) for s in scenarios)
    if len(bases) != len(scenarios):
        raise ExperimentError("compare: two scenarios have the same name; give each a distinct name")
    if futures < 0:
        raise ExperimentError(f"futures: must be 0 (seeds only) or more (got {futures})")
    spec = {"name": "compare-" + safe_name("-".join(bases))[:60], "master_seed": master_seed,
            "replications": replications, "fixed": dict(overrides or {}),
            "levers": {"scenario": {"values": list(bases)}}}
    if futures:
        try:
            uncs = uncertain_inputs(ranges, pinned=set(overrides or {}))
        except KeyError as e:
            raise ExperimentError(f"ranges: {e.args[0]}") from None
        spec["uncertainties"] = {path: {"range": [lo, hi]} for path, (lo, hi) in uncs.items()}
        spec["design"] = {"kind": "lhs", "size": futures}
    return make_plan(validate_experiment(spec, extra_bases=bases), max_runs=max_runs)


def load_replications(folder: Path, plan: Plan | None = None) -> pd.DataFrame:
    """The long comparison DataFrame from a results folder written by a comparison sweep (ok runs only)."""
    con = connect(folder)
    cols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE runs)").fetchall()}
    inputs = [p.replace(".", "__") for p in uncertain_inputs()]
    scalars = ", ".join(f'r."{c}"' for c in RUN_SCALARS + inputs if c in cols)
    df = con.execute(f"""SELECT r.base_scenario AS policy, r.sample_index, r.replication, r.seed,
        t.*{', ' + scalars if scalars else ''}
        FROM timeseries t JOIN runs r USING (run_id) WHERE r.status = 'ok'
        ORDER BY r.design_point, r.replication, t.year, t.quarter""").df()
    order = list(dict.fromkeys(df["policy"])) if plan is None else [lp["base_scenario"] for lp in plan.lever_points]
    df["policy"] = pd.Categorical(df["policy"], categories=order)
    df.insert(df.columns.get_loc("quarter") + 1, "t_year", df["year"] + (df["quarter"] - 1) / 4.0)
    if {"outcomes_direct_jpy_tn_per_year", "outcomes_indirect_jpy_tn_per_year"} <= set(df.columns):
        df["outcomes_total_jpy_tn_per_year"] = df["outcomes_direct_jpy_tn_per_year"] + \
            df["outcomes_indirect_jpy_tn_per_year"]
    if "payback_year" in df.columns:
        df["payback_year"] = df["payback_year"].astype("Int64")  # <NA>: no payback within the horizon
    df.attrs["failed_runs"] = con.execute("SELECT count(*) FROM runs WHERE status = 'failed'").fetchone()[0]
    return df


def run_replications(scenarios: Sequence[str | Path | Scenario], replications: int = 30,
                     master_seed: int = DEFAULT_MASTER_SEED, workers: int = 1, *, scheduler: str | None = None,
                     out: Path | None = None, overrides: dict[str, Any] | None = None,
                     on_progress: Callable[[int, int, int], None] | None = None, futures: int = 0,
                     ranges: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Run each scenario ``replications`` times and return the long DataFrame (see module doc).

    ``out`` keeps the results folder (resumable); by default a temporary one is used and removed.
    ``overrides`` (``{"section.field": value}``) apply to every scenario; ``futures`` and ``ranges`` as in
    :func:`replication_plan`. Raises ExperimentError on bad
    input; runs that fail are left out and counted in ``df.attrs["failed_runs"]``."""
    from experiments.sweep import run_sweep

    plan = replication_plan(scenarios, replications, master_seed, overrides, futures=futures, ranges=ranges)
    with tempfile.TemporaryDirectory(prefix="sovai-compare-") as tmp:
        folder = Path(out) if out is not None else Path(tmp) / "runs"
        run_sweep(plan, folder, workers=workers, scheduler=scheduler, on_progress=on_progress)
        return load_replications(folder, plan)


def metric_title(column: str, lang: str = "en") -> str:
    """A metric's label with its unit ("Digital deficit (JPY tn/yr)"; a year, "Payback year", has none shown)."""
    from experiments.report import label_of

    return label_of(column, lang)


def fmt(v) -> str:
    """A number for tables: years as integers, otherwise 3 significant digits."""
    if v is None or pd.isna(v):
        return "-"
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:,.3g}"


def _per_run(df: pd.DataFrame, column: str, how: str, year: int | None) -> pd.DataFrame:
    keys = [k for k in ("policy", "sample_index", "replication") if k in df.columns]
    if how == "run":
        return df.groupby(keys, observed=True)[column].first().reset_index()
    sel = df[df["year"] == year]
    if how == "year_end":
        sel = sel[sel["quarter"] == sel.groupby(keys, observed=True)["quarter"].transform("max")]
    return sel.groupby(keys, observed=True)[column].mean().reset_index()


def comparison_table(df: pd.DataFrame, years: Sequence[int] = (2030, 2035, 2040), lang: str = "en") -> pd.DataFrame:
    """Mean, 5% and 95% quantiles and n (runs with a value) per metric, year and policy.

    Rows: metric, label (with unit, in ``lang``), year ("all" for per-run metrics), statistic (what one run's
    number is), policy, mean, p5, p95, n, runs. For payback_year, n counts the runs that pay back in the horizon."""
    out = []
    present = [y for y in years if (df["year"] == y).any()]
    keys = [k for k in ("sample_index", "replication") if k in df.columns]
    runs = df.drop_duplicates(["policy", *keys]).groupby("policy", observed=True).size()
    for column, how in TABLE_METRICS:
        if column not in df.columns:
            continue
        label = metric_title(column, lang)
        for year in ([None] if how == "run" else present):
            statistic = labels.statistic(STATISTIC[how], lang, year=year)
            per = _per_run(df, column, how, year)
            for policy, vals in per.groupby("policy", observed=True)[column]:
                v = pd.to_numeric(vals, errors="coerce").dropna().to_numpy(dtype=float)
                out.append({"metric": column, "label": label, "year": "all" if year is None else str(year),
                            "statistic": statistic, "policy": str(policy), "mean": v.mean() if len(v) else np.nan,
                            "p5": np.quantile(v, 0.05) if len(v) else np.nan,
                            "p95": np.quantile(v, 0.95) if len(v) else np.nan,
                            "n": len(v), "runs": int(runs.get(policy, 0))})
    return pd.DataFrame(out)


def fan_chart_data(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per policy and quarter: p5, median, p95 and mean of ``metric`` across replications."""
    if metric not in df.columns:
        raise KeyError(f"unknown metric {metric!r}")
    g = df.groupby(["policy", "year", "quarter", "t_year"], observed=True)[metric]
    out = pd.DataFrame({"p5": g.quantile(0.05), "median": g.median(), "p95": g.quantile(0.95), "mean": g.mean(),
                        "n": g.count()}).reset_index()
    return out.sort_values(["policy", "t_year"]).reset_index(drop=True)


# ---- command line --------------------------------------------------------------------------------------

COMPARE_NAMES = ("runs", "comparison.csv", "uncertainty.csv", "tornado.csv", "report.html")


def register(app) -> None:
    """Add ``sovai compare`` to the Typer app."""
    from experiments.run_cli import console, fail, resolve
    from experiments.outdir import claim, default_folder, export_file, out_path, text_writer, write_files
    from experiments.provenance import stamp
    from abm.scenario import parse_set
    from experiments.results import _table
    from experiments.sweep import execute, report_failures
    from experiments import uncertainty_report
    from experiments.uncertainty import uncertainty_tables

    @app.command()
    def compare(
        scenarios: Annotated[list[str], typer.Argument(help="preset names or scenario TOML files")],
        replications: Annotated[int, typer.Option(help="seeds per scenario", min=1, max=100_000)] = 30,
        futures: Annotated[int, typer.Option(help="Latin-hypercube draws of the declared uncertain inputs "
                                             "(abm/data/levers.toml [exogenous]), each run on every seed; "
                                             "0: seeds only", min=0, max=10_000)] = 0,
        seed: Annotated[int, typer.Option(help="master seed", min=0, max=2**63 - 1)] = DEFAULT_MASTER_SEED,
        set_: Annotated[Optional[list[str]], typer.Option("--set", help="override for every scenario: "
                                                           "section.field=value (repeatable)")] = None,
        workers: Annotated[int, typer.Option(help="local worker processes", min=1, max=MAX_WORKERS)] =
        default_workers(),
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        out: Annotated[Optional[str], typer.Option(help="output folder (default outputs/compare/<names>)")] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        yes: Annotated[bool, typer.Option("--yes", help=YES_HELP)] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
        lang: Annotated[str, typer.Option(help=LANG_HELP, callback=check_lang)] = default_lang(),
        export: Annotated[Optional[str], typer.Option("--export", help="also write an Excel workbook (.xlsx): the "
                                                      "comparison and every replication, labelled")] = None,
    ):
        """Compare policies across replications: table with 90% intervals and fan charts (report.html)."""
        for s in scenarios:
            resolve(s, set_, None)  # each scenario with the --set overrides: a bad one names its field
        try:
            overrides = dict(parse_set(s) for s in set_ or [])
            plan = replication_plan(scenarios, replications, seed, overrides, max_runs=None if yes else MAX_RUNS,
                                    futures=futures)
        except (ExperimentError, ScenarioError) as e:
            fail(str(e))
        names = "_vs_".join(lp["base_scenario"] for lp in plan.lever_points)
        folder = claim(out_path(out, default_folder("compare", names)), COMPARE_NAMES, force=force)
        xlsx = None if export is None else export_file(export, force, (".xlsx",))
        result = execute(plan, folder / "runs", workers=workers, scheduler=scheduler, quiet=quiet)
        df = load_replications(folder / "runs", plan)
        table = comparison_table(df, lang=lang)
        unc, tor = uncertainty_tables(df)
        note = run_note(replications, futures, seed, plan.model_version, overrides, result.failed_total, lang)
        keys = [lp["base_scenario"] for lp in plan.lever_points]
        described = [load_scenario(s).description for s in scenarios]
        ja = None if lang != "ja" else {
            "scenario": " 対 ".join(policies.name(k, "ja") for k in keys),
            "scenario_description": "; ".join(policies.description(k, "ja", d) for k, d in zip(keys, described)),
            "seed": f"マスターシード {seed}、反復{replications}回" + (f"×将来シナリオ{futures}個" if futures else "")}
        st = stamp(" vs ".join(keys), "; ".join(described),
                   f"master {seed}, {replications} replications" + (f" x {futures} futures" if futures else ""), ja)
        section = uncertainty_report.html_section(unc, tor, lang)
        write_files(folder, {"comparison.csv": text_writer(table.to_csv(index=False)),
                             "uncertainty.csv": text_writer(unc.to_csv(index=False)),
                             "tornado.csv": text_writer(tor.to_csv(index=False)),
                             "report.html": text_writer(render_html(df, table, note, lang, section))}, "compare",
                    stamp=st)
        if xlsx is not None:
            from experiments.excel import write_xlsx

            write_xlsx(xlsx, {"comparison": table, "uncertainty": unc, "replications": df}, st, lang)
        if not quiet:
            shown = table.assign(mean=[fmt(m) for m in table["mean"]],
                                 interval=[f"[{fmt(a)}, {fmt(b)}]" for a, b in zip(table["p5"], table["p95"])])
            console.print(_table(shown[["label", "statistic", "policy", "mean", "interval", "n"]],
                                 labels.statistic("replications", lang)))
            console.print(_table(uncertainty_report.display_table(unc, lang), uncertainty_report.text("title", lang)))
        console.print(f"comparison of {len(plan.lever_points)} policies x {replications} replications"
                      + (f" x {futures} futures" if futures else "") + f" -> "
                      f"{folder / 'report.html'}", highlight=False, markup=False)
        if result.failed_total:
            report_failures(folder / "runs")
            raise typer.Exit(1)
