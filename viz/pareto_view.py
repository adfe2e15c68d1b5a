"""An optimisation result in the dashboard: ``sovai dashboard --optimization DIR`` lists the Pareto policies of a
``sovai optimize`` folder above the controls; choosing one sends it to the single-run view (its scenario file
``DIR/policy-NN.toml`` is loaded as the Load button would: levers to their controls, the rest as Other field),
and the compare view offers them beside the presets.

The folder comes from the command line (environment variable ``OPTIMIZATION_ENV``), never from the page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import solara

from abm.scenario import ScenarioError
from experiments.dashboard_cli import OPTIMIZATION_ENV
from viz import i18n
from viz.components import ChoiceSelect
from viz.i18n import tr
from viz.scenario_io import load_uploaded
from viz.session import Settings

def result_folder() -> Path | None:
    value = os.environ.get(OPTIMIZATION_ENV)
    return Path(value) if value else None


def pareto_choices(folder: Path, lang: str) -> list[tuple[int, str]]:
    """``(policy number, text)`` per Pareto policy: "3: private-led — p90(cost) 1.43; ..." (role division when it
    is a lever; the robust objectives as ``optimization.json`` names them)."""
    data = json.loads((folder / "optimization.json").read_text(encoding="utf-8"))
    out = []
    for p in data["pareto"]:
        role = p["levers"].get("policy.role_division")
        head = f"{p['policy']}: " + (f"{i18n.choice(role, lang)} — " if role else "")
        out.append((p["policy"], head + "; ".join(f"{k} {v:.3g}" for k, v in p["objectives"].items())))
    return out


def policy_settings(folder: Path, number: int) -> Settings:
    """The dashboard settings of Pareto policy ``number`` (ScenarioError, one line, if its file is unusable)."""
    path = folder / f"policy-{int(number):02d}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"{path}: {e.strerror or e}") from None
    return load_uploaded(path.name, text, len(text.encode("utf-8")))


def compare_options(lang: str) -> list[tuple[str, str]]:
    """The compare view's extra choices: ``(policy file path, "Pareto 3: private-led — ...")`` per Pareto policy
    (none without an optimisation result)."""
    folder = result_folder()
    if folder is None:
        return []
    try:
        return [(str(folder / f"policy-{k:02d}.toml"), f"Pareto {text}") for k, text in pareto_choices(folder, lang)]
    except (OSError, ValueError, KeyError):
        return []


def compare_scenario(value: str):
    """A compare pick as the runner takes it: a preset name as is, a Pareto policy file as its Scenario (named
    ``<spec>-policy-NN``, so the charts and tables show that name)."""
    from abm.scenario import load_scenario

    return load_scenario(value) if value.endswith(".toml") else value


@solara.component
def ParetoPicker(settings: solara.Reactive[Settings], lang: str):
    """The Pareto policies of the optimisation result given to ``sovai dashboard --optimization`` (nothing
    without one); the chosen policy replaces the settings."""
    folder = result_folder()
    chosen = solara.use_reactive(None)
    problem = solara.use_reactive(None)
    if folder is None:
        return
    try:
        choices = pareto_choices(folder, lang)
    except (OSError, ValueError, KeyError) as e:
        solara.Error(f"{tr('pareto_policy', lang)}: {folder}: {e}", dense=True, classes=["note-pareto"])
        return

    def pick(number):
        chosen.set(number)
        try:
            settings.set(policy_settings(folder, number))
            problem.set(None)
        except ScenarioError as e:
            problem.set(str(e))

    ChoiceSelect(tr("pareto_policy", lang), chosen.value, choices, pick, ["pareto-select"])
    if problem.value:
        solara.Error(f"{tr('refused', lang)}: {problem.value}", dense=True, classes=["control-note", "note-error",
                                                                                    "note-pareto"])
