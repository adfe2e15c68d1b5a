"""`sovai validate`: the reference scenarios over N seeds against the published figures."""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from abm.errors import UserError
from experiments.options import LANG_HELP, MAX_WORKERS, SCHEDULER_HELP, check_lang, check_scheduler, default_lang
from experiments.outdir import FORCE_HELP, claim, default_folder, out_path, text_writer, write_files
from experiments.plan import DEFAULT_MASTER_SEED, replication_seeds
from experiments.targets import evaluate, load_targets, table

VALIDATION_NAMES = ("validation.csv", "validation.html")


def seeds_for(n: int) -> list[int]:
    """The seeds of ``n`` replications under the project's one seed rule (the same list every time)."""
    return replication_seeds(DEFAULT_MASTER_SEED, n)


TEXT = {  # the validation report's words, (English, Japanese)
    "title": ("Validation against the published figures", "公表値との検証"),
    "heads": (("target", "published", "source", "basis", "model mean", "90% interval", "deviation", "result"),
              ("検証項目", "公表値", "出典", "根拠", "モデル平均", "90%区間", "乖離", "判定")),
    "pass": ("pass", "合格"), "fail": ("FAIL", "不合格"), "derived": ("derived", "導出"),
    "fitted": ("fitted", "合わせ込み"),
    "intro": ("{seeds} seeds, {seconds:.1f} s; {passed}/{total} targets pass; model mean: {stat}. Basis: "
              "<i>derived</i> — the model computes the figure from documented inputs; <i>fitted</i> — it reaches it "
              "through the scenario fields named, calibrated or chosen to hit it.",
              "{seeds}シード、{seconds:.1f}秒。{total}項目中{passed}項目が合格。モデル平均:{stat}。根拠:"
              "<i>導出</i>—モデルが文書化された入力から値を計算する。<i>合わせ込み</i>—記載のシナリオ項目を"
              "較正または選択して値に合わせる。"),
}


def _t(key: str, lang: str):
    return TEXT[key][1 if lang == "ja" else 0]


def _basis_cell(r, lang: str) -> str:
    """The basis in ``lang``: derived, or fitted with each field's label and its path (what to set)."""
    from abm.schema import field_specs
    from experiments.report import field_title

    if r.basis.startswith("fitted: "):
        specs = field_specs()
        fields = [f"{field_title(specs[p], lang)}: {p}" if p in specs else p for p in r.basis[8:].split(", ")]
        shown = f"{_t('fitted', lang)}: " + ", ".join(fields)
    else:
        shown = _t("derived", lang) if r.basis == "derived" else r.basis
    note = r.basis_note_ja if lang == "ja" else r.basis_note
    note = f"<br><small>{html.escape(note)}</small>" if note else ""
    return f"<td>{html.escape(shown)}{note}</td>"


def render_html(df, seconds: float, n_seeds: int, lang: str = "en") -> str:
    """The validation report in ``lang``: per target its label, published value, source, basis, model mean over
    the seeds with its 90% interval, deviation and result."""
    from abm.labels import statistic
    from experiments.report import page

    head = "".join(f"<th>{h}</th>" for h in _t("heads", lang))
    rows = "".join(
        f"<tr class='{'pass' if r.passed else 'fail'}'><td>{html.escape(r.label_ja if lang == 'ja' else r.label)}"
        f"</td><td>{r.published:.2f} &plusmn; {r.tolerance:.2f}</td>"
        f"<td>{html.escape(r.source_ja if lang == 'ja' else r.source)}</td>"
        f"{_basis_cell(r, lang)}<td>{r.model_mean:.2f}</td><td>{r.p05:.2f} - {r.p95:.2f}</td>"
        f"<td>{r.deviation:+.2f}</td><td>{_t('pass' if r.passed else 'fail', lang)}</td></tr>"
        for r in df.itertuples())
    intro = _t("intro", lang).format(seeds=n_seeds, seconds=seconds, passed=int(df.passed.sum()), total=len(df),
                                     stat=statistic("replication_mean", lang, n=n_seeds))
    style = "<style>.fail{background:#fdd} .pass td:last-child{color:#060}</style>"
    return page(_t("title", lang), f"{style}<p>{intro}</p><table><tr>{head}</tr>{rows}</table>", lang)


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
        lang: Annotated[str, typer.Option(help=LANG_HELP, callback=check_lang)] = default_lang(),
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
                             "validation.html": text_writer(render_html(df, seconds, seeds, lang))}, "validate",
                    stamp=stamp("reference scenarios", "validation against the published figures", f"{seeds} seeds",
                                None if lang != "ja" else {"scenario": "参照シナリオ", "seed": f"{seeds}シード",
                                                           "scenario_description": _t("title", lang)}))
        console.print(f"{int(df.passed.sum())}/{len(df)} targets pass (labels and sources: "
                      f"{folder / 'validation.html'})")
        if not df.passed.all():
            raise typer.Exit(1)
