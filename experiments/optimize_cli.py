"""`sovai optimize SPEC.toml`: the cheapest lever mix that meets the goals robustly across futures (NSGA-II, see
:mod:`experiments.optimize`). Writes into DIR (default ``outputs/optimize/<name>``): ``runs/`` (every run, a
results folder like a sweep's, so the same command after a kill resumes without re-running them), then, each
replaced whole, ``pareto.csv``, ``convergence.csv``, ``representatives.csv``, ``out_of_sample.csv``,
``pareto.png``, ``report.html``, ``optimization.json``, ``spec.toml`` and ``policy-NN.toml`` (each Pareto policy as
a scenario file for ``sovai run``, ``sovai compare`` and the dashboard's Load button)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from experiments.options import (LANG_HELP, MAX_WORKERS, SCHEDULER_HELP, check_lang, check_scheduler,
                                 default_lang, default_workers)
from experiments.outdir import FORCE_HELP

OPTIMIZE_NAMES = ("runs", "pareto.csv", "convergence.csv", "representatives.csv", "out_of_sample.csv", "pareto.png",
                  "report.html", "optimization.json", "spec.toml", "provenance.json")


def optimize_folder(spec_path: str, out: str | None, *, workers: int = 1, scheduler: str | None = None,
                    resume: bool = False, force: bool = False, lang: str = "en", run_fn: str | None = None,
                    progress=None) -> tuple[Path, dict]:
    """Validate the spec and the folder (nothing written on a problem: UserError), optimise, write the files;
    returns the folder and a summary (evaluations, runs, ran, seconds, front size, hypervolume)."""
    from experiments.optimize import run_optimisation
    from experiments.optimize_eval import Evaluator
    from experiments.optimize_spec import load_spec
    from experiments.outdir import claim, default_folder, out_path
    from experiments.runner import DEFAULT_RUN_FN

    t0 = time.monotonic()
    spec = load_spec(spec_path)
    folder = claim(out_path(out, default_folder("optimize", spec.name)), OPTIMIZE_NAMES, force=force)
    ev = Evaluator(spec, folder, workers=workers, scheduler=scheduler, run_fn=run_fn or DEFAULT_RUN_FN,
                   resume=resume, force=force)
    interrupted = False
    try:
        result, chosen, oos = run_optimisation(spec, ev, progress)
        ev.finish()
    except BaseException:
        interrupted = True
        raise
    finally:
        ev.close(interrupted)
    info = {"evaluations": result.evaluations, "runs": len(ev.values), "ran": ev.ran,
            "seconds": round(time.monotonic() - t0, 1), "front_size": len(result.front.policies)}
    _write(spec, folder, result, chosen, oos, info, lang)
    return folder, {**info, "hypervolume": result.hypervolume}


def _write(spec, folder: Path, result, chosen, oos, info: dict, lang: str) -> None:
    from experiments import optimize_report as rep
    from experiments.outdir import text_writer, write_files
    from experiments.provenance import stamp
    from experiments.fonts import font_context, png_bytes

    table = rep.pareto_table(spec, result.front)
    conv = rep.convergence_table(result)
    reps = rep.representatives_table(spec, result.front, chosen, oos)
    note = rep.t("note", lang, evals=info["evaluations"], runs=info["runs"], ran=info["ran"], out=folder,
                 futures=spec.futures.count, seeds=spec.futures.seeds, gens=spec.optimizer.generations,
                 pop=spec.optimizer.population, front=info["front_size"], seconds=info["seconds"])
    with font_context(lang):
        par_png = png_bytes(rep.parallel_figure(spec, result.front, lang), lang, dpi=110)
        conv_png = png_bytes(rep.convergence_figure(conv, lang), lang)
    html_text = rep.render_html(spec, table, conv, reps, oos, note, par_png, conv_png, lang)
    files = {"pareto.csv": text_writer(table.to_csv(index=False)),
             "convergence.csv": text_writer(conv.to_csv(index=False)),
             "representatives.csv": text_writer(reps.to_csv(index=False)),
             "out_of_sample.csv": text_writer(oos.to_csv(index=False)),
             "pareto.png": lambda path: path.write_bytes(par_png), "report.html": text_writer(html_text),
             "optimization.json": text_writer(rep.summary_json(spec, result, chosen, info)),
             "spec.toml": text_writer(spec.text)}
    policies = rep.policy_files(spec, result.front)
    files.update({name: text_writer(text) for name, text in policies.items()})
    write_files(folder, files, "optimize", stamp=stamp(spec.preset, spec.description or spec.name,
                                                       f"optimizer seed {spec.optimizer.seed}, futures master "
                                                       f"{spec.futures.master_seed}", None if lang != "ja" else
                                                       {"seed": f"最適化シード {spec.optimizer.seed}、将来シナリオの"
                                                                f"マスターシード {spec.futures.master_seed}"}))
    for old in folder.glob("policy-*.toml"):   # a previous, larger front's files (sovai's own: see the marker)
        if old.name not in policies:
            old.unlink()


def register(app: typer.Typer) -> None:
    @app.command()
    def optimize(
        spec: Annotated[str, typer.Argument(help="optimisation spec (TOML): levers, objectives, constraints, "
                                            "futures, optimizer")],
        out: Annotated[Optional[str], typer.Option(help="output folder (default outputs/optimize/<name>)")] = None,
        workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="local worker processes")] =
        default_workers(),
        scheduler: Annotated[Optional[str], typer.Option(help=SCHEDULER_HELP, callback=check_scheduler)] = None,
        resume: Annotated[bool, typer.Option("--resume", help="continue an interrupted optimisation in DIR "
                                             "(refused if DIR holds none); its stored runs are not run again")]
        = False,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress lines")] = False,
        lang: Annotated[str, typer.Option(help=LANG_HELP, callback=check_lang)] = default_lang(),
    ):
        """Search the levers (NSGA-II) for the Pareto set of robust objectives across an ensemble of futures."""
        import signal

        from abm.errors import UserError
        from experiments.run_cli import console, err_console, fail

        def progress(g, front):
            if not quiet:
                err_console.print(f"generation {g + 1}: {len(front.policies)} policies on the front",
                                  highlight=False, markup=False)

        def terminate(signum, frame):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, terminate)
        try:
            folder, info = optimize_folder(spec, out, workers=workers, scheduler=scheduler, resume=resume,
                                           force=force, lang=lang, progress=progress)
        except UserError as e:
            fail(str(e))
        except KeyboardInterrupt:
            err_console.print("interrupted: the finished runs are stored; run the same command with --resume to "
                              "continue", highlight=False, markup=False)
            raise typer.Exit(130)
        finally:
            signal.signal(signal.SIGTERM, previous)
        hv = ", ".join(f"{v:.2f}" for v in info["hypervolume"])
        console.print(f"optimize: {info['front_size']} policies on the Pareto front, {info['evaluations']} candidate "
                      f"policies, {info['runs']} runs ({info['ran']} run now) in {info['seconds']:.0f} s; hypervolume "
                      f"by generation {hv} -> {folder / 'report.html'}", highlight=False, markup=False)
