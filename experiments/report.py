"""Self-contained HTML pages (inline PNG plots, no external references)."""

from __future__ import annotations

import html

import pandas as pd

from experiments.run_report import png_base64

STYLE = ("body{font-family:sans-serif;margin:2em;max-width:1300px} table{border-collapse:collapse;margin:1em 0}"
         "th,td{border:1px solid #ccc;padding:3px 8px} td{text-align:right} td.l{text-align:left} img{margin:.5em}")


def png(fig, alt: str = "plot") -> str:
    """A matplotlib figure as an inline ``<img>`` (the figure is closed); ``alt`` names it (its title)."""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png_base64(fig)}">'


def table(df: pd.DataFrame, floatfmt: str = "{:.3g}") -> str:
    """A DataFrame as an HTML table (numbers right-aligned, text left)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append("<td>" + ("" if pd.isna(v) else floatfmt.format(v)) + "</td>")
            else:
                cells.append(f'<td class="l">{html.escape("" if v is None else str(v))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def page(title: str, body: str, lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{'ja' if lang == 'ja' else 'en'}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
