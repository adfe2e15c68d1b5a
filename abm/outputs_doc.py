"""``docs/outputs.md``: the table of every declared output, generated from :mod:`abm.outputs`.

Regenerate with ``python -m abm.outputs_doc > docs/outputs.md``; a test checks that the committed file is current.
"""

from __future__ import annotations

from abm.labels import name
from abm.outputs import AXES, DERIVED, FAMILIES, SUMMARY, TIMESERIES, Output


def _row(o: Output, family: bool = False) -> str:
    shown = o.name if family else o.name + "".join(f".<{a}>" for a in o.axes)
    text = [o.en, o.ja] if not family else [f"{o.en}; one: {o.member_en.format('…')}",
                                            f"{o.ja}; 一つ: {o.member_ja.format('…')}"]
    cells = [f"`{shown}`", o.unit, *text, o.description]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def markdown() -> str:
    """The table of all outputs, as ``docs/outputs.md``."""
    head = "| name | unit | English | 日本語 | description |\n| --- | --- | --- | --- | --- |"
    parts = ["# Outputs\n", "Generated from `abm/outputs.py` by `python -m abm.outputs_doc > docs/outputs.md`; "
             "a test checks that this file is up to date. Units: `share` is 0–1, `-` is dimensionless.\n"]
    for title, outs in (("Time series (`timeseries.parquet`, one row per quarter)", TIMESERIES),
                        ("Summary (`summary.json`, one per run)", SUMMARY),
                        ("Derived (computed from the time series by compare and the dashboard)", DERIVED)):
        parts += [f"## {title}\n", head, *(_row(o) for o in outs), ""]
    parts += ["## Families of time-series columns (labels of generated columns compose from these)\n", head,
              *(_row(o, family=True) for o in FAMILIES.values()), ""]
    parts += ["## Axes of families and nested summary keys\n", "| axis | members |\n| --- | --- |"]
    for axis, members in AXES.items():
        shown = "any year, e.g. `2040`" if members is None else ", ".join(
            f"`{m}` ({name(m, 'en')} / {name(m, 'ja')})" for m in members)
        parts.append(f"| {axis} | {shown} |")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
