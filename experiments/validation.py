"""`sovai validate`: the reference scenarios over N seeds against the published figures."""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from abm.errors import UserError
from experiments.options import MAX_WORKERS, SCHEDULER_HELP, check_scheduler
from experiments.outdir import FORCE_HELP, claim, default_folder, out_path, text_writer, write_files
from experiments.plan import DEFAULT_MASTER_SEED, replication_seeds
from experiments.targets import evaluate, load_targets, table

VALIDATION_NAMES = ("validation.csv", "validation.html")


def seeds_for(n: int) -> list[int]:
    """The seeds of ``n`` replications under the project's one seed rule (the same list every time)."""
    return replication_seeds(DEFAULT_MASTER_SEED, n)


def _basis_cell(r) -> str:
    note = f"<br><small>{html.escape(r.basis_note)}</small>" if r.basis_note else ""
    return f"<td>{html.escape(r.basis)}{note}</td>"


def render_html(df, seconds: float, n_seeds: int) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("target", "published", "source", "basis", "model mean",
                                            "90% interval", "deviation", "result"))
    rows = "".join(
        f"<tr class='{'pass' if r.passed else 'fail'}'><td>{html.escape(r.label)}</td><td>{r.published:.2f} "
        f"&plusmn; {r.tolerance:.2f}</td><td>{html.escape(r.source)}</td>{_basis_cell(r)}<td>{r.model_mean:.2f}</td>"
        f"<td>{r.p05:.2f} - {r.p95:.2f}</td><td>{r.deviation:+.2f}</td><td>{'pass' if r.passed else 'FAIL'}</td></tr>"
        for r in df.itertuples())
    return (f"<!doctype html><html lang=\"en\"><head><meta charset='utf-8'><title>sovai validation</title><style>"
            "body{font-family:sans-serif;margin:2em} td,th{border:1px solid #ccc;padding:3px 6px}"
            "table{border-collapse:collapse} .fail{background:#fdd} .pass td:last-child{color:#060}</style></head>"
            f"<body><h1>Validation against the published figures</h1><p>{n_seeds} seeds, {seconds:.1f} s; "
            f"{int(df.passed.sum())}/{len(df)} targets pass. Basis: <i>derived</i> — the model computes the figure "
            "from documented inputs; <i>fitted</i> — it reaches it through the scenario fields named, calibrated or "
            f"chosen to hit it.</p><table><tr>{head}</tr>{rows}</table></body></html>")


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        seeds: Annotated[int, typer.Option(min=1, max=1000, help="number of seeds (default seed first)")] = 10,
        out: Annotated[Optional[str], typer.Option(help="folder for validation.csv and validation.html "
                                                       "(default outputs/validation)")] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="parallel processes")] = 1,
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        targets: Annotated[Optional[Path], typer.Option(help="targets TOML (default: the published figures)")] = None,
    ):
        """Run the reference scenarios over N seeds and compare with the published figures (exit 1 if any fails)."""
        from experiments.provenance import stamp
        from experiments.run_cli import console, fail

        t0 = time.monotonic()
        try:
            tset = load_targets(targets)
            folder = claim(out_path(out, default_folder("validation")), VALIDATION_NAMES, force=force)
            values = evaluate(tset, seeds_for(seeds), workers=workers, scheduler=scheduler)
        except UserError as e:
            fail(str(e))
        df = table(tset, values)
        seconds = time.monotonic() - t0
        t = Table(title=f"Validation ({seeds} seeds, {seconds:.1f} s)", title_justify="left")
        for col in ("target", "published", "basis", "model mean", "90% interval", "deviation", "result"):
            t.add_column(col, no_wrap=col not in ("target", "basis"))
        for r in df.itertuples():
            t.add_row(r.target, f"{r.published:.2f} ± {r.tolerance:.2f}", r.basis, f"{r.model_mean:.2f}",
                      f"{r.p05:.2f} – {r.p95:.2f}", f"{r.deviation:+.2f}",
                      "[green]pass[/green]" if r.passed else "[red]FAIL[/red]")
        console.print(t)
        write_files(folder, {"validation.csv": text_writer(df.to_csv(index=False)),
                             "validation.html": text_writer(render_html(df, seconds, seeds))}, "validate",
                    stamp=stamp("reference scenarios", "validation against the published figures",
                                f"{seeds} seeds"))
        console.print(f"{int(df.passed.sum())}/{len(df)} targets pass (labels and sources: "
                      f"{folder / 'validation.html'})")
        if not df.passed.all():
            raise typer.Exit(1)
