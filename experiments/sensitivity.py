"""Global sensitivity (SALib): Sobol S1/ST or Morris mu*/sigma with 95% confidence intervals.

:func:`indices` takes a plan (whose sampler matrix defines the design) and the runs table; the command
`sovai sensitivity EXPERIMENT.toml --method sobol|morris` runs the sweep (resumable) and writes
sensitivity.csv, sensitivity.png and sensitivity.html. Indices are computed per lever combination, on the
mean over replications of each output. A run without payback counts as paying back in final_year + 1.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import pandas as pd
import typer

from abm.errors import UserError

from experiments.outdir import FORCE_HELP
from experiments.design import ExperimentError
from experiments.options import (LANG_HELP, MAX_WORKERS, SCHEDULER_HELP, YES_HELP, check_lang, check_scheduler,
                                 default_lang, default_workers)
from experiments.plan import Plan

CONF_LEVEL = 0.95
TEXT = {  # the report's own words, (English, Japanese); outputs and parameters are labelled from their declarations
    "S1": ("first-order index S1", "一次感度指数 S1"), "ST": ("total-order index ST", "総合感度指数 ST"),
    "mu_star": ("mean absolute effect μ*", "平均絶対効果 μ*"), "sigma": ("spread of effects σ", "効果のばらつき σ"),
    "all": ("all runs", "全実行"), "title": ("sovai sensitivity", "sovai 感度分析"),
    "policy": ("Levers held", "固定したレバー"), "output": ("Output", "出力"), "parameter": ("Input", "入力"),
    "index": ("Index", "指標"), "value": ("Value", "値"), "ci95": ("95% CI half-width", "95%信頼区間の半幅"),
    "note": ("{method} design, {n} runs; each index is computed on the mean over replications of each output, with "
             "its 95% confidence interval (half-width).",
             "{method}法の計画、{n}回の実行。各指標は出力ごとの反復平均から計算し、95%信頼区間(半幅)を付す。"),
}


def text(key: str, lang: str, **fmt) -> str:
    return TEXT[key][1 if lang == "ja" else 0].format(**fmt)


class SensitivityError(UserError):
    """The runs cannot give indices (missing or failed runs, non-numeric output); one line."""


def lever_label(point: dict) -> str:
    """A lever combination as the ``policy`` column of sensitivity.csv: ``policy__financing=tax, ...``."""
    return ", ".join(f"{k}={v}" for k, v in point.items()) or "all"


def lever_title(policy: str, lang: str = "en") -> str:
    """A :func:`lever_label` for people: ``Financing = tax`` (fields by their labels)."""
    from experiments.report import label_of
    from viz.i18n import choice

    if policy == "all":
        return text("all", lang)
    return ", ".join(f"{label_of(k, lang)} = {choice(v, lang)}" for k, v in (p.split("=", 1) for p in policy.split(", ")))


def _outputs_matrix(plan: Plan, runs: pd.DataFrame, lever_index: int, output: str) -> np.ndarray:
    ok = runs[(runs["status"] == "ok") & (runs["lever_index"] == lever_index)]
    y = pd.to_numeric(ok[output], errors="coerce").astype(float)
    if output == "payback_year":
        horizon = ok["final_year"].astype(float) + 1 if "final_year" in ok else \
            plan.runs[0].scenario["run"]["end_year"] + 1
        y = y.fillna(horizon)
    per = y.groupby(ok["sample_index"]).mean()
    n = len(plan.samples)
    missing = n - per.notna().sum()
    if missing:
        raise SensitivityError(f"{output}: {missing} of {n} design points have no ok run (failed, missing or "
                               "no value); indices need every point - re-run the sweep or pick another output")
    return per.reindex(range(n)).to_numpy()


def indices(plan: Plan, runs: pd.DataFrame, outputs: list[str], method: str) -> pd.DataFrame:
    """Long table: policy, output, parameter, index (S1, ST | mu_star, sigma), value, ci95 (half-width)."""
    from SALib.analyze import morris, sobol

    if plan.samples is None or plan.kind != method:
        raise SensitivityError(f"the plan was not sampled for {method}")
    for out in outputs:
        if out not in runs.columns:
            raise SensitivityError(f"{out}: not a column of the runs table")
    seed = plan.experiment.spec.master_seed % 2**32
    d = plan.experiment.spec.design
    rows = []
    for li, point in enumerate(plan.lever_points):
        for out in outputs:
            y = _outputs_matrix(plan, runs, li, out)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # constant outputs give NaN indices
                if method == "sobol":
                    r = sobol.analyze(plan.problem, y, calc_second_order=d.second_order, num_resamples=200,
                                      conf_level=CONF_LEVEL, seed=seed)
                    pairs = [("S1", r["S1"], r["S1_conf"]), ("ST", r["ST"], r["ST_conf"])]
                else:
                    r = morris.analyze(plan.problem, plan.samples, y, num_resamples=200, conf_level=CONF_LEVEL,
                                       num_levels=d.morris_levels, seed=seed)
                    pairs = [("mu_star", r["mu_star"], r["mu_star_conf"]),
                             ("sigma", r["sigma"], [np.nan] * len(r["sigma"]))]
            for index, values, conf in pairs:
                for name, v, c in zip(plan.problem["names"], values, conf):
                    rows.append({"policy": lever_label(point), "output": out, "parameter": name, "index": index,
                                 "value": float(v), "ci95": float(c)})
    return pd.DataFrame(rows)


def shown_table(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`indices`'s table for people: outputs, inputs, lever combinations and indices by their labels in
    ``lang``, headers too."""
    from experiments.report import labelled

    shown = labelled(table, ("output", "parameter"), lang).assign(
        policy=[lever_title(p, lang) for p in table["policy"]], index=[text(i, lang) for i in table["index"]])
    return shown.rename(columns={c: text(c, lang) for c in shown.columns if c in TEXT})


def bar_chart(table: pd.DataFrame, method: str, lang: str = "en"):
    """One panel per policy x output: bars per parameter with 95% CI error bars (outputs and parameters by their
    labels in ``lang``)."""
    import matplotlib.pyplot as plt

    from experiments.report import label_of
    from experiments.fonts import font_context

    with font_context(lang):
        panels = list(table.groupby(["policy", "output"], sort=False))
        kinds = ["S1", "ST"] if method == "sobol" else ["mu_star"]
        fig, axes = plt.subplots(len(panels), 1, figsize=(7, 1.2 + 0.45 * table["parameter"].nunique() * len(panels)),
                                 squeeze=False)
        for ax, ((policy, output), part) in zip(axes[:, 0], panels):
            params = list(dict.fromkeys(part["parameter"]))
            pos = np.arange(len(params))
            for k, kind in enumerate(kinds):
                sel = part[part["index"] == kind].set_index("parameter").reindex(params)
                ax.barh(pos + k * 0.4, sel["value"], height=0.4, xerr=sel["ci95"].fillna(0), label=text(kind, lang),
                        capsize=2)
            ax.set_yticks(pos + 0.2 * (len(kinds) - 1), [label_of(p, lang) for p in params], fontsize=7)
            ax.set_title(f"{label_of(output, lang)} ({lever_title(policy, lang)})", fontsize=8)
            ax.legend(fontsize=7)
        fig.tight_layout()
    return fig


SENSITIVITY_NAMES = ("runs", "sensitivity.csv", "sensitivity.png", "sensitivity.html")


def register(app) -> None:
    """Add ``sovai sensitivity`` to the Typer app."""
    from experiments.run_cli import console, fail
    from experiments.outdir import claim, default_folder, out_path, text_writer, write_files
    from experiments.provenance import stamp
    from experiments.design import _suggest, load_experiment
    from experiments.plan import MAX_RUNS, make_plan
    from experiments.fonts import png_bytes
    from experiments.report import page, png_img, table as html_table
    from experiments.results import _table
    from experiments.runner import DEFAULT_RUN_FN, summary_metric_names
    from experiments.store import connect
    from experiments.sweep import execute

    @app.command()
    def sensitivity(
        experiment: Annotated[Path, typer.Argument(help="experiment TOML file (its uncertainties are sampled)")],
        method: Annotated[Optional[str], typer.Option(help="sobol or morris (default: the file's design)")] = None,
        size: Annotated[Optional[int], typer.Option(help="override design.size (Sobol N / Morris trajectories)",
                                                    min=1, max=1_000_000)] = None,
        output: Annotated[Optional[list[str]], typer.Option(help="summary metric to analyse (repeatable; "
                                                            "default: [analysis] outputs)")] = None,
        workers: Annotated[int, typer.Option(help="local worker processes", min=1, max=MAX_WORKERS)] =
        default_workers(),
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        out: Annotated[Optional[str], typer.Option(help="folder (default outputs/sweeps/"
                                                        "<name>-<method>-<size>)")] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        yes: Annotated[bool, typer.Option("--yes", help=YES_HELP)] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
        run_function: Annotated[str, typer.Option(hidden=True, help="module:function run hook")] = DEFAULT_RUN_FN,
        lang: Annotated[str, typer.Option(help=LANG_HELP, callback=check_lang)] = default_lang(),
    ):
        """Sobol or Morris indices with 95% confidence intervals: table, bar chart, HTML."""
        try:
            if method is not None and method not in ("sobol", "morris"):
                raise ExperimentError(f"--method: use sobol or morris (got {method!r})")
            exp = load_experiment(experiment)
            method = method or exp.spec.design.kind
            if method not in ("sobol", "morris"):
                raise ExperimentError(f"--method: use sobol or morris (the file's design is '{method}')")
            for name in output or []:
                if name not in summary_metric_names():
                    raise ExperimentError(f"--output: unknown summary metric {name!r}"
                                          f"{_suggest(name, summary_metric_names())}")
            if size is not None:
                exp.spec.design.size = size
            outputs = list(output or exp.spec.analysis.outputs)
            exp.spec.analysis.outputs = outputs
            plan = make_plan(exp, run_fn=run_function, kind=method, max_runs=None if yes else MAX_RUNS)
        except ExperimentError as e:
            fail(str(e))
        default = default_folder("sweeps", f"{exp.name}-{method}-{exp.spec.design.size}")
        folder = claim(out_path(out, default), SENSITIVITY_NAMES, force=force)
        execute(plan, folder / "runs", workers=workers, scheduler=scheduler, quiet=quiet)
        runs = connect(folder / "runs").execute("SELECT * FROM runs").df()
        try:
            table = indices(plan, runs, outputs, method)
        except SensitivityError as e:
            fail(str(e), code=1)
        image = png_bytes(bar_chart(table, method, lang), lang)
        shown = shown_table(table, lang)
        n = len(plan.runs)
        note = f"<p>{text('note', lang, method=method.capitalize(), n=n)}</p>"
        write_files(folder, {
            "sensitivity.csv": text_writer(table.to_csv(index=False)),
            "sensitivity.png": lambda p: p.write_bytes(image),
            "sensitivity.html": text_writer(page(f"{text('title', lang)}: {exp.name}", note + html_table(shown)
                                                 + png_img(image, text("title", lang)), lang)),
        }, "sensitivity", stamp=stamp(exp.name, exp.spec.description, f"master {exp.spec.master_seed}, {n} runs",
                                      None if lang != "ja" else
                                      {"seed": f"マスターシード {exp.spec.master_seed}、{n}回の実行"}))
        if not quiet:
            console.print(_table(shown, f"{method} indices ({CONF_LEVEL:.0%} CI half-width)"))
        console.print(f"{method}: {len(plan.problem['names'])} parameters x {len(outputs)} outputs, {n} runs -> "
                      f"{folder / 'sensitivity.html'}", highlight=False, markup=False)
