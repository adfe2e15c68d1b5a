"""The core `sovai` commands (run, scenarios, show-scenario, check-scenario) and the helpers other commands
share (console, resolve). Bad input -> one line on stderr naming the field, exit code 2, nothing written."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from experiments.cli_errors import err_console, fail
from experiments.options import LANG_HELP, check_lang, default_lang
from experiments.outdir import REPLACE_HELP
from abm.scenario import DEFAULT_PRESET, ScenarioError, load_scenario, parse_set, presets, to_toml

__all__ = ["console", "err_console", "fail", "register", "resolve"]

console = Console(width=max(Console().width, 110))


def resolve(scenario: str, sets: list[str] | None, seed: int | None):
    """Scenario + --set + --seed, validated; exits 2 with a clear message on any problem."""
    try:
        overrides = dict(parse_set(s) for s in sets or [])
        if seed is not None:
            overrides["run.seed"] = seed
        return load_scenario(scenario, overrides)
    except ScenarioError as e:
        fail(str(e))


def run_folder_name(scenario_name: str, seed: int, sets: list[str] | None) -> str:
    """``<scenario>-seed<seed>``, plus ``-<8 hex>`` (a hash of the --set overrides, order-free; the seed is in
    the name already) when there are any, so a run with overrides never lands in the plain run's folder."""
    import hashlib
    import json

    overrides = {k: v for k, v in (parse_set(s) for s in sets or []) if k != "run.seed"}
    if not overrides:
        return f"{scenario_name}-seed{seed}"
    digest = hashlib.sha256(json.dumps(overrides, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"{scenario_name}-seed{seed}-{digest}"


class _LazyProgress:
    """A progress bar that appears only once a run has taken longer than a second."""

    def __init__(self, quiet: bool):
        self.quiet, self.start, self.bar, self.task = quiet, time.monotonic(), None, None

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None and time.monotonic() - self.start > 1.0:
            self.bar = Progress(TextColumn("simulating"), BarColumn(), TextColumn("{task.completed}/{task.total} quarters"),
                                TimeRemainingColumn(), console=err_console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("run", total=total)
        if self.bar is not None:
            self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_summary(summary: dict, lang: str = "en") -> None:
    from experiments.run_report import summary_tables, table_statistics

    for (title, rows), stat in zip(summary_tables(summary, lang), table_statistics(lang), strict=True):
        table = Table(title=f"{title}: {stat}" if stat else title, title_justify="left", show_header=False)
        table.add_column("item")
        table.add_column("value", justify="right")
        for k, v in rows:
            table.add_row(k, v)
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add run, scenarios, show-scenario and check-scenario to the sovai Typer app."""

    @app.command()
    def run(
        scenario: Annotated[str, typer.Option("--scenario", "-s",
                                              help="preset name or TOML path")] = DEFAULT_PRESET,
        set_: Annotated[Optional[list[str]],
                        typer.Option("--set", help="override: section.field=value (repeatable)")] = None,
        seed: Annotated[Optional[int], typer.Option(help="random seed (overrides run.seed)", min=0)] = None,
        out: Annotated[Optional[str], typer.Option(
            help="output folder (default outputs/<scenario>-seed<seed>, plus -<hash of the --set overrides> "
                 "if any)")] = None,
        force: Annotated[bool, typer.Option("--force", help=REPLACE_HELP)] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or tables")] = False,
        lang: Annotated[str, typer.Option("--lang", help=LANG_HELP, callback=check_lang)] = default_lang(),
        export: Annotated[Optional[str], typer.Option(
            "--export", help="also write an Excel workbook (.xlsx): time series and summary, labelled columns "
                             "in --lang, provenance")] = None,
    ):
        """Run one scenario and write timeseries.parquet, summary.json, report.html, scenario.toml, provenance.json."""
        from experiments import run_report
        from experiments.outdir import claim, default_folder, export_file, out_path
        from abm.report import simulate
        from experiments.run_report import OUTPUT_FILES, write_outputs

        sc = resolve(scenario, set_, seed)
        default = default_folder(run_folder_name(sc.name, sc.run.seed, set_))
        folder = claim(out_path(out, default), OUTPUT_FILES, force=force, keep_results=True)
        xlsx = None if export is None else export_file(export, force, (".xlsx",))
        progress = _LazyProgress(quiet)
        t0 = time.monotonic()
        try:
            result = simulate(sc, on_step=progress)
        finally:
            progress.close()
        elapsed = time.monotonic() - t0
        write_outputs(folder, result, run_report.render(result.timeseries, result.summary, lang))
        if xlsx is not None:
            from experiments.excel import summary_frame, write_xlsx
            from experiments.provenance import scenario_stamp

            write_xlsx(xlsx, {"timeseries": result.timeseries, "summary": summary_frame(result.summary, lang)},
                       scenario_stamp(sc), lang)
        if not quiet:
            print_summary(result.summary, lang)
            console.print(run_report.text("one_seed", lang), highlight=False, markup=False)
            console.print(f"{sc.name}, seed {sc.run.seed}: {len(result.timeseries)} quarters in {elapsed:.2f} s "
                          f"-> {folder}")

    @app.command()
    def scenarios():
        """List the preset scenarios with a one-line description each."""
        for name, desc in presets().items():
            console.print(f"[bold]{name:<24}[/bold] {desc}", highlight=False)

    @app.command("show-scenario")
    def show_scenario(name: Annotated[str, typer.Argument(help="preset name or TOML path")]):
        """Print the fully resolved scenario as TOML, with units, ranges and sources, and its role division."""
        from abm import roles

        sc = resolve(name, None, None)
        typer.echo(to_toml(sc))
        typer.echo("\n".join(roles.describe(sc.policy.role_division)))

    @app.command("check-scenario")
    def check_scenario(path: Annotated[str, typer.Argument(help="scenario TOML path or preset")]):
        """Validate a scenario file without running it (exit 0 if valid, 2 if not)."""
        sc = resolve(path, None, None)
        console.print(f"ok: {sc.name} ({sc.policy.role_division}, {sc.run.start_year}-{sc.run.end_year})", highlight=False)
