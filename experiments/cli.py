"""The `sovai` console script: the core commands of :mod:`experiments.run_cli` plus experiment and dashboard commands.

``abm`` never imports ``experiments`` or ``viz``; this module adds their commands to the same Typer app.
Each feature module exposes ``register(app)``; add one line below per module.
"""

from __future__ import annotations

from experiments.run_cli import app
from experiments import compare as _compare
from experiments import discover as _discover
from experiments import results as _results
from experiments import sensitivity as _sensitivity
from experiments import sweep as _sweep
from experiments.calibration import register as _register_calibration
from experiments.dashboard_cli import register as _register_dashboard
from experiments.levers_cli import register as _register_levers
from experiments.validation import register as _register_validation

_sweep.register(app)
_results.register(app)
_compare.register(app)
_sensitivity.register(app)
_discover.register(app)
_register_validation(app)
_register_calibration(app)
_register_levers(app)
_register_dashboard(app)

__all__ = ["app"]
