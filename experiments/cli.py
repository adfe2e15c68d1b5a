"""The `sovai` console script: one Typer app whose commands live in the modules of :data:`COMMAND_MODULES`.

``abm`` never imports ``experiments`` or ``viz``; each command module exposes ``register(app)``; add one line
to :data:`COMMAND_MODULES` per module. Commands load lazily (:class:`LazyGroup`): ``sovai --help`` reads the
command names and one-line help from the modules' source (their ``@app.command`` functions and docstrings)
without importing them, and ``sovai COMMAND`` imports only that command's module, so start-up does not pay for
numpy, pandas, Mesa or matplotlib unless the command needs them (see docs/performance.md, "CLI start-up").
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from experiments.cli_errors import SovaiTyper, set_debug

COMMAND_MODULES = ("experiments.run_cli", "experiments.sweep", "experiments.results", "experiments.compare",
                   "experiments.sensitivity", "experiments.discover", "experiments.validation",
                   "experiments.calibration", "experiments.levers_cli", "experiments.optimize_cli",
                   "experiments.dashboard_cli")
HELP = "sovai: agent-based simulator of Japan's sovereign-AI ecosystem, 2026-2040."


def _command_name(node: ast.FunctionDef) -> str | None:
    """The name ``@X.command(...)`` gives ``node`` (Typer's rule: the function name, ``_`` -> ``-``), or None."""
    for dec in node.decorator_list:
        if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Attribute) and dec.func.attr == "command":
            given = [a.value for a in dec.args[:1] if isinstance(a, ast.Constant)]
            given += [k.value.value for k in dec.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)]
            return given[0] if given else node.name.lower().replace("_", "-")
    return None


@functools.lru_cache(maxsize=None)
def command_index() -> dict[str, tuple[str, str]]:
    """``{command name: (module, docstring)}`` read from the source of :data:`COMMAND_MODULES`, in order."""
    out: dict[str, tuple[str, str]] = {}
    for module in COMMAND_MODULES:
        origin = importlib.util.find_spec(module).origin
        with open(origin, encoding="utf-8") as f:
            tree = ast.parse(f.read(), origin)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (name := _command_name(node)):
                out[name] = (module, ast.get_docstring(node) or "")
    return out


def load_commands(module: str) -> dict:
    """The click commands that ``module.register`` adds (imports the module)."""
    sub = typer.Typer(add_completion=False, rich_markup_mode=None)
    importlib.import_module(module).register(sub)
    return dict(typer.main.get_group(sub).commands)


class LazyGroup(TyperGroup):
    """A Typer group that imports a command's module only when that command runs or shows its own help."""

    def list_commands(self, ctx) -> list[str]:
        return [*self.commands, *(n for n in command_index() if n not in self.commands)]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in command_index():
            self.commands.update(load_commands(command_index()[cmd_name][0]))
        return self.commands.get(cmd_name)

    def format_commands(self, ctx, formatter) -> None:
        """The command list, with each command's one-line help from its docstring (no module imported)."""
        loaded = self.commands
        stubs = {n: TyperCommand(n, help=doc, rich_markup_mode=None) for n, (_, doc) in command_index().items()}
        self.commands = {**stubs, **loaded}
        try:
            super().format_commands(ctx, formatter)
        finally:
            self.commands = loaded


app = SovaiTyper(cls=LazyGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None, help=HELP)


@app.callback()
def _options(debug: Annotated[bool, typer.Option("--debug", help="print the traceback of any error")] = False):
    """sovai: agent-based simulator of Japan's sovereign-AI ecosystem, 2026-2040."""
    set_debug(debug)


__all__ = ["app", "command_index", "load_commands"]
