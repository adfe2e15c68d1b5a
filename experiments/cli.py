"""The `sovai` console script: the core commands of :mod:`abm.cli` plus experiment and dashboard commands.

``abm`` never imports ``experiments`` or ``viz``; this module adds their commands to the same Typer app.
Each feature module exposes ``register(app)``; add one line below per module.
"""

from __future__ import annotations

from abm.cli import app

__all__ = ["app"]
