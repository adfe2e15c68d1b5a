"""How the command line reports problems: one ``error:`` line naming the field or option, exit code 2.

Every user-facing error class (ScenarioError, ExperimentError, StoreError, ...) derives from
:class:`UserError`; ``str(err)`` is one line fit to print. :class:`SovaiTyper` is the Typer app whose
``__call__`` (the console script) runs :func:`main`: it turns click usage errors (bad option values, unknown
options or commands, missing arguments), user errors and file-system errors into one line with exit code 2,
and any other exception into one line with exit code 1 (an internal bug). ``sovai --debug COMMAND`` (or
``SOVAI_DEBUG=1``) also prints the traceback.
"""

from __future__ import annotations

import os
import sys
import traceback

import typer
from rich.console import Console
from typer._click import exceptions as cx  # Typer >= 0.20 ships its own copy of click

from abm.errors import UserError, one_line

err_console = Console(stderr=True)
_debug = {"on": False}


def say_error(message: str) -> None:
    """Print ``error: message`` as one line on stderr."""
    err_console.print(f"error: {one_line(message)}", highlight=False, soft_wrap=True, markup=False)


def fail(message: str, code: int = 2):
    """Print one line to stderr and exit with ``code`` (2 = bad input)."""
    say_error(message)
    raise typer.Exit(code)


def set_debug(on: bool) -> None:
    _debug["on"] = bool(on)


def debugging() -> bool:
    return _debug["on"] or os.environ.get("SOVAI_DEBUG", "") not in ("", "0")


def _param_name(param) -> str | None:
    if param is None:
        return None
    if param.param_type_name == "option":
        return max(param.opts, key=len)
    return (param.name or "argument").upper()


def _lower_first(msg: str) -> str:
    return msg[:1].lower() + msg[1:]


def usage_message(e: cx.UsageError) -> str:
    """A click usage error as ``<option or argument>: <what is wrong>`` (one line, no usage box)."""
    msg = one_line(e.message).rstrip(".")
    if isinstance(e, cx.NoSuchOption):
        hint = f"; did you mean {', '.join(sorted(e.possibilities))}?" if e.possibilities else ""
        return f"{e.option_name}: no such option{hint}"
    if isinstance(e, cx.BadOptionUsage):
        return f"{e.option_name}: {_lower_first(msg)}"
    if isinstance(e, cx.MissingParameter):
        kind = getattr(e.param, "param_type_name", "argument")
        return f"{_param_name(e.param) or 'argument'}: missing {kind} (required)"
    if isinstance(e, cx.BadParameter):
        return f"{_param_name(e.param) or e.param_hint or 'value'}: {_lower_first(msg)}"
    if msg.startswith("No such command") and e.ctx is not None:
        names = getattr(e.ctx.command, "list_commands", lambda ctx: [])(e.ctx)
        return f"COMMAND: {_lower_first(msg)}; allowed: {', '.join(names)}"
    where = e.ctx.command_path if e.ctx is not None else "sovai"
    return f"{where}: {_lower_first(msg)}"


def main(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the app on ``args`` (default: the process arguments) and return the exit code."""
    try:
        command = typer.main.get_command(app)
        code = command.main(args=args, prog_name="sovai", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except cx.NoArgsIsHelpError as e:
        typer.echo(e.ctx.get_help())
        return 0
    except cx.UsageError as e:
        say_error(usage_message(e))
        return 2
    except (KeyboardInterrupt, typer.Abort):
        say_error("interrupted")
        return 130
    except UserError as e:
        _maybe_traceback()
        say_error(str(e))
        return 2
    except OSError as e:  # the file system refused: a path the user gave, a full or read-only disk
        _maybe_traceback()
        where = f"{e.filename}: " if e.filename else ""
        say_error(f"{where}{e.strerror or e}")
        return 2
    except Exception as e:  # noqa: BLE001 - anything else is a bug in sovai
        _maybe_traceback()
        say_error(f"internal error ({type(e).__name__}: {one_line(e)[:300]}); please report it "
                  "(sovai --debug ... shows the traceback)")
        return 1


def _maybe_traceback() -> None:
    if debugging():
        traceback.print_exc(file=sys.stderr)


class SovaiTyper(typer.Typer):
    """A Typer app whose console-script call reports every problem as one ``error:`` line."""

    def __call__(self, *args, **kwargs):  # pragma: no cover - the console script entry
        sys.exit(main(self, kwargs.get("args")))
