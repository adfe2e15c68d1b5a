"""User errors, as the kernel raises them: one-line messages that name the field and what is allowed.

Every user-facing error class (ScenarioError, ExperimentError, StoreError, ...) derives from :class:`UserError`;
``str(err)`` is one line fit to print. How the command line prints them (one ``error:`` line, exit code 2) is
in :mod:`experiments.cli_errors`.
"""

from __future__ import annotations


class UserError(ValueError):
    """A problem with what the user gave (input, option, file, folder); ``str(err)`` is one line."""


def one_line(text: str) -> str:
    """Collapse a message onto one line."""
    return " ".join(str(text).split())


def describe_value(value) -> str:
    """A value as the user wrote it, with its type: ``'7' (text)``, ``true (a boolean)``, ``2026.0 (a decimal)``."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value[:60]!r} (text)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value!r} (a decimal number)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    return one_line(repr(value))[:60]


_ALLOWED = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false",
            "string_type": "text in quotes", "list_type": "a list", "tuple_type": "a list",
            "dict_type": "a table", "model_type": "a table", "model_attributes_type": "a table"}


def pydantic_problem(e: dict) -> str:
    """One pydantic error (an item of ``err.errors()``) as ``must be <allowed>; got <value>``."""
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind in _ALLOWED:
        allowed = _ALLOWED[kind]
    elif kind == "literal_error":
        allowed = f"one of {ctx.get('expected', '')}"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        allowed = f"{op} {next(iter(ctx.values()), '')}"
    elif kind == "missing":
        return "required, missing"
    else:
        allowed = one_line(e["msg"]).lower().removeprefix("value error, ")
    return f"must be {allowed}; got {describe_value(e.get('input'))}"
