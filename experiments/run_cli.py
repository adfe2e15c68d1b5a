"""The `sovai` command line. Bad input -> one line on stderr naming the field, exit code 2, nothing written."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from abm import roles
from experiments.cli_errors import SovaiTyper, err_console, fail, set_debug
from experiments.options import LANG_HELP, check_lang
from experiments.outdir import FORCE_HELP
from abm.scenario import DEFAULT_PRESET, ScenarioError, load_scenario, parse_set, presets, to_toml

__all__ = ["app", "console", "err_console", "fail", "resolve"]

app = SovaiTyper(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                 help="sovai: agent-based simulator of Japan's sovereign-AI ecosystem, 2026-2040.")
console = Console(width=max(Console().width, 110))


@app.callback()
def _options(debug: Annotated[bool, typer.Option("--debug", help="print the traceback of any error")] = False):
    """sovai: agent-based simulator of Japan's sovereign-AI ecosystem, 2026-2040."""
    set_debug(debug)


def resolve(scenario: str, sets: list[str] | None, seed: int | None):
    """Scenario + --set + --seed, validated; exits 2 with a clear message on any problem."""
    try:
        overrides = dict(parse_set(s) for s in sets or [])
        if seed is not None:
            overrides["run.seed"] = seed
        return load_scenario(scenario, overrides)
    except ScenarioError as e:
        fail(str(e))


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
    from experiments.run_report import summary_tables

    for title, rows in summary_tables(summary, lang):
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column("item")
        table.add_column("value", justify="right")
        for k, v in rows:
            table.add_row(k, v)
        console.print(table)


@app.command()
def run(
    scenario: Annotated[str, typer.Option("--scenario", "-s", help="preset name or TOML path")] = DEFAULT_PRESET,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="override: section.field=value (repeatable)")] = None,
    seed: Annotated[Optional[int], typer.Option(help="random seed (overrides run.seed)", min=0)] = None,
    out: Annotated[Optional[str], typer.Option(help="output folder (default outputs/<scenario>-seed<seed>)")] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or tables")] = False,
    lang: Annotated[str, typer.Option("--lang", help=LANG_HELP, callback=check_lang)] = "en",
):
    """Run one scenario and write timeseries.parquet, summary.json, report.html, scenario.toml, provenance.json."""
    from experiments import run_report
    from experiments.outdir import claim, default_folder, out_path
    from abm.report import simulate
    from experiments.run_report import OUTPUT_FILES, write_outputs

    sc = resolve(scenario, set_, seed)
    folder = claim(out_path(out, default_folder(f"{sc.name}-seed{sc.run.seed}")), OUTPUT_FILES, force=force)
    progress = _LazyProgress(quiet)
    t0 = time.monotonic()
    try:
        result = simulate(sc, on_step=progress)
    finally:
        progress.close()
    elapsed = time.monotonic() - t0
    write_outputs(folder, result, run_report.render(result.timeseries, result.summary, lang))
    if not quiet:
        print_summary(result.summary, lang)
        console.print(run_report.text("one_seed", lang), highlight=False, markup=False)
        console.print(f"{sc.name}, seed {sc.run.seed}: {len(result.timeseries)} quarters in {elapsed:.2f} s -> {folder}")


@app.command()
def scenarios():
    """List the preset scenarios with a one-line description each."""
    for name, desc in presets().items():
        console.print(f"[bold]{name:<24}[/bold] {desc}", highlight=False)


@app.command("show-scenario")
def show_scenario(name: Annotated[str, typer.Argument(help="preset name or TOML path")]):
    """Print the fully resolved scenario as TOML, with units, ranges and sources, and its role division."""
    sc = resolve(name, None, None)
    typer.echo(to_toml(sc))
    typer.echo("\n".join(roles.describe(sc.policy.role_division)))


@app.command("check-scenario")
def check_scenario(path: Annotated[str, typer.Argument(help="scenario TOML path or preset")]):
    """Validate a scenario file without running it (exit 0 if valid, 2 if not)."""
    sc = resolve(path, None, None)
    console.print(f"ok: {sc.name} ({sc.policy.role_division}, {sc.run.start_year}-{sc.run.end_year})", highlight=False)


def main() -> None:  # pragma: no cover - console script entry
    app()
