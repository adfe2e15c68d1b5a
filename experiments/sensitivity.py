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
from experiments.options import MAX_WORKERS, SCHEDULER_HELP, YES_HELP, check_scheduler, default_workers
from experiments.plan import Plan

CONF_LEVEL = 0.95


class SensitivityError(UserError):
    """The runs cannot give indices (missing or failed runs, non-numeric output); one line."""


def lever_label(point: dict) -> str:
    """A lever combination as the ``policy`` column of sensitivity.csv: ``policy__financing=tax, ...``."""
    return ", ".join(f"{k}={v}" for k, v in point.items()) or "all"


def lever_title(policy: str, lang: str = "en") -> str:
    """A :func:`lever_label` for people: ``Financing = tax`` (fields by their labels)."""
    from abm.labels import name

    from experiments.report import label_of

    if policy == "all":
        return policy
    return ", ".join(f"{label_of(k, lang)} = {name(v, lang)}" for k, v in (p.split("=", 1) for p in policy.split(", ")))


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


def bar_chart(table: pd.DataFrame, method: str, lang: str = "en"):
    """One panel per policy x output: bars per parameter with 95% CI error bars (outputs and parameters by their
    labels in ``lang``)."""
    import matplotlib.pyplot as plt

    from experiments.report import label_of
    from experiments.run_report import font_context

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
                ax.barh(pos + k * 0.4, sel["value"], height=0.4, xerr=sel["ci95"].fillna(0), label=kind, capsize=2)
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
    from experiments.report import labelled, page, png, table as html_table
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
        chart = bar_chart(table, method)
        shown = labelled(table, ("output", "parameter")).assign(policy=[lever_title(p) for p in table["policy"]])
        n = len(plan.runs)
        note = f"<p>{method} design, {n} runs, {CONF_LEVEL:.0%} confidence intervals (half-widths in ci95).</p>"
        write_files(folder, {
            "sensitivity.csv": text_writer(table.to_csv(index=False)),
            "sensitivity.png": lambda p: chart.savefig(p, dpi=90, bbox_inches="tight", format="png"),
            "sensitivity.html": lambda p: p.write_text(page(f"sovai sensitivity: {exp.name}",
                                                            note + html_table(shown) + png(chart, "indices")),
                                                       encoding="utf-8"),
        }, "sensitivity", stamp=stamp(exp.name, exp.spec.description,
                                      f"master {exp.spec.master_seed}, {n} runs"))
        if not quiet:
            console.print(_table(shown, f"{method} indices ({CONF_LEVEL:.0%} CI half-width)"))
        console.print(f"{method}: {len(plan.problem['names'])} parameters x {len(outputs)} outputs, {n} runs -> "
                      f"{folder / 'sensitivity.html'}", highlight=False, markup=False)
