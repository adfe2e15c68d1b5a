"""`sovai levers`: the lever atlas (every declared lever and shock, low vs high on common seeds) and the variance
decomposition (levers vs exogenous inputs over a Latin hypercube). Writes levers.csv, levers.html, levers.md,
variance.csv, variance_inputs.csv and note.txt; see :mod:`experiments.levers` and :mod:`experiments.levers_doc`."""

from __future__ import annotations

import html
import time
from typing import Annotated, Optional

import pandas as pd
import typer

from abm.errors import UserError
from abm.levers import atlas
from experiments.outdir import FORCE_HELP, claim, default_folder, out_path, text_writer, write_files
from experiments.options import (LANG_HELP, MAX_WORKERS, SCHEDULER_HELP, check_lang, check_scheduler,
                                 default_lang, default_workers)

LEVERS_NAMES = ("levers.csv", "levers.html", "levers.md", "variance.csv", "variance_inputs.csv", "note.txt")
TITLE = ("sovai lever atlas", "sovai 政策レバー・アトラス")


def effects_csv(effects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The effects with each lever's declaration and the labels (long: one row per lever and metric)."""
    from experiments.levers_doc import lever_label, metric_label

    by_name = atlas().by_name()
    decl = pd.DataFrame([{"lever": e.name, "kind": e.kind, "label": lever_label(e, lang), "preset": e.preset,
                          "low": e.low, "high": e.high, "mechanism": e.chain(lang)} for e in by_name.values()])
    out = effects.merge(decl, on="lever", how="left")
    out["metric_label"] = [metric_label(m, lang) for m in out["metric"]]
    first = ["lever", "kind", "label", "preset", "low", "high", "metric", "metric_label"]
    return out[first + [c for c in out.columns if c not in first]]


def render_html(wide: pd.DataFrame, shares: pd.DataFrame | None, note: str, lang: str) -> str:
    from experiments.levers_doc import text
    from experiments.report import page, table

    ja = lang == "ja"
    intro = ("各レバーを低・高の2設定で共通シードにより実行した対差(高 − 低)の平均 [5%, 95%]。● はゼロと区別できる"
             "効果(|平均| > 2標準誤差)。" if ja else
             "Paired differences high − low on common seeds: mean [5 %, 95 % over seeds]; ● marks an effect "
             "distinguishable from zero (|mean| > 2 standard errors).")
    body = f"<p>{html.escape(note)}</p><p>{html.escape(intro)}</p>{table(wide)}"
    if shares is not None:
        head = "分散分解(レバー vs 外生要因)" if ja else "Variance decomposition (levers vs exogenous inputs)"
        how = ("LHS標本の順位回帰(自由度調整済みR²、Shapley値で配分)。" if ja else
               "Rank regressions on the LHS sample (adjusted R², split between the groups by Shapley value).")
        body += f"<h2>{head}</h2><p>{html.escape(how)}</p>{table(shares)}"
    return page(TITLE[ja], body, lang)


def register(app: typer.Typer) -> None:
    @app.command()
    def levers(
        seeds: Annotated[int, typer.Option(min=1, max=1000, help="common seeds per lever setting")] = 10,
        lhs_samples: Annotated[int, typer.Option(min=0, max=100_000, help="LHS samples of the variance "
                                                 "decomposition (0: none)")] = 256,
        consistent_samples: Annotated[int, typer.Option(min=0, max=100_000, help="LHS samples drawn for the "
                                                        "decomposition over consistent futures (those that "
                                                        "reproduce the published figures of levers.toml's "
                                                        "[consistency]; 0: none)")] = 1024,
        preset: Annotated[Optional[str], typer.Option(help="measure every lever on this preset or scenario file "
                                                      "(default: each lever's declared preset)")] = None,
        set_: Annotated[Optional[list[str]], typer.Option("--set", help="override for every run: "
                                                          "section.field=value (repeatable)")] = None,
        out: Annotated[Optional[str], typer.Option(help="output folder (default outputs/levers/<preset>)")] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="local worker processes")] =
        default_workers(),
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        lang: Annotated[str, typer.Option(help=LANG_HELP, callback=check_lang)] = default_lang(),
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or table")] = False,
    ):
        """The lever atlas: every lever and shock low vs high (paired, common seeds) and a variance decomposition."""
        from abm.scenario import ScenarioError, load_scenario, parse_set
        from experiments.levers import measure, plan
        from experiments.levers_doc import markdown, shares_table, wide_effects
        from experiments.provenance import stamp
        from experiments.run_cli import console, fail

        t0 = time.monotonic()
        try:
            overrides = dict(parse_set(s) for s in set_ or [])
            if preset is not None:
                try:
                    load_scenario(preset)
                except ScenarioError as e:
                    raise ScenarioError(f"--preset: {str(e).removeprefix('scenario: ')}") from None
            load_scenario(preset or "gov-led", overrides)
            p = plan(seeds, lhs_samples, preset, overrides, consistent_samples=consistent_samples)
            folder = claim(out_path(out, default_folder("levers", preset or "declared")), LEVERS_NAMES, force=force)
            res = _run(p, workers, scheduler, quiet, measure)
        except UserError as e:
            fail(str(e))
        seconds = time.monotonic() - t0
        from experiments.runner import model_version

        from experiments.report import label_of

        shown = ", ".join(f"{label_of(k, lang)} = {v}" for k, v in overrides.items())
        note = (f"設定ごとに{seeds}シード、LHS標本{lhs_samples}(整合する将来の候補{consistent_samples})、"
                f"{res.runs}回の実行({seconds:.0f}秒)。プリセット:"
                f"{preset or '宣言どおり'}" + (f"。全実行に適用した設定:{shown}" if overrides else "")
                + f"。モデル {model_version()}。" if lang == "ja" else
                f"{seeds} seeds per setting, {lhs_samples} LHS samples ({consistent_samples} drawn for the consistent "
                f"futures), {res.runs} runs in {seconds:.0f} s; "
                f"presets: {preset or 'as declared'}" + (f"; overrides: {shown}" if overrides else "")
                + f"; model {model_version()}.")
        wide = wide_effects(res.effects, lang)
        shares = shares_table(res.shares, res.indices, lang) if res.shares is not None else None
        files = {"levers.csv": text_writer(effects_csv(res.effects, lang).to_csv(index=False)),
                 "levers.html": text_writer(render_html(wide, shares, note, lang)),
                 "levers.md": text_writer(markdown(res.effects, res.shares, res.indices, note, lang)),
                 "note.txt": text_writer(note + "\n")}
        if res.shares is not None:
            files["variance.csv"] = text_writer(res.shares.to_csv(index=False))
            files["variance_inputs.csv"] = text_writer(res.indices.to_csv(index=False))
        ja = None if lang != "ja" else {"scenario": preset or "宣言どおりのプリセット",
                                        "scenario_description": "政策レバー・アトラス", "seed": f"設定ごとに{seeds}シード"}
        write_files(folder, files, "levers", stamp=stamp(preset or "declared presets", "lever atlas",
                                                         f"{seeds} seeds per setting", ja))
        if not quiet:
            _print(console, wide_effects(res.effects, lang, interval=False), shares)
        console.print(f"lever atlas: {len(atlas().entries)} levers and shocks, {res.runs} runs -> "
                      f"{folder / 'levers.html'}", highlight=False, markup=False)


def _run(p, workers, scheduler, quiet, measure):
    """:func:`experiments.levers.measure` with a progress bar (runs done, elapsed, ETA) on stderr."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from experiments.run_cli import err_console

    bar = Progress(TextColumn("levers"), BarColumn(), TextColumn("{task.completed}/{task.total} runs"),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err_console,
                   disable=quiet, transient=True)
    task = bar.add_task("runs", total=len(p.runs) + len(p.checks))
    with bar:
        return measure(p, workers=workers, scheduler=scheduler,
                       on_progress=lambda done, total: bar.update(task, completed=done, total=total))


def _print(console, wide: pd.DataFrame, shares: pd.DataFrame | None) -> None:
    from experiments.results import _table

    console.print(_table(wide.drop(columns=wide.columns[-1]), "Lever atlas (● distinguishable from zero)"))
    if shares is not None:
        console.print(_table(shares, "Variance decomposition"))
