"""Self-contained HTML pages (inline PNG plots, no external references)."""

from __future__ import annotations

import base64
import functools
import html
import io

import pandas as pd

from abm import outputs, policies

STYLE = ("body{font-family:sans-serif;margin:2em;max-width:1300px} table{border-collapse:collapse;margin:1em 0}"
         "th,td{border:1px solid #ccc;padding:3px 8px} td{text-align:right} td.l{text-align:left} img{margin:.5em}"
         " .policy{margin-right:1.5em} .swatch{display:inline-block;width:1em;height:1em;margin-right:.3em;"
         "vertical-align:-.1em}")


@functools.cache
def flat_paths() -> dict[str, tuple[str, ...]]:
    """Flat summary column (as in the runs table, ``deficit_2040_jpy_tn``) -> the path :func:`abm.outputs.label`
    takes, for every declared summary key (years 2000-2100)."""
    from experiments.runner import flatten_summary

    def shape(axes: tuple[str, ...]):
        if not axes:
            return None
        members = outputs.AXES[axes[0]] or [str(y) for y in range(2000, 2101)]
        return {m: shape(axes[1:]) for m in members}
    return flatten_summary(outputs.leaf_paths({o.name: shape(o.axes) for o in outputs.SUMMARY}))


def label_of(name: str, lang: str = "en") -> str:
    """A human label with unit for a machine name a report shows: a flat summary column, an output, or a scenario
    field (``policy.compute_budget_jpy_tn_per_year`` or its column ``policy__compute_...``); else the name."""
    from abm.schema import field_specs

    path, specs = flat_paths().get(name), field_specs()
    if path is not None or name in outputs.OUTPUTS:
        key = path or name
        return outputs.label(key, lang) if outputs.get(key).unit == "year" else outputs.title_with_unit(key, lang)
    spec = specs.get(name.replace("__", "."))
    return name if spec is None else field_title(spec, lang)


def field_title(spec, lang: str = "en") -> str:
    """A scenario field as reports show it: its declared label (``abm/data/field_labels.toml``) with unit
    (``viz.i18n.field_label``); a field without a declared label shows its words ("ai value share max") - never
    the bare machine name."""
    from abm.labels import unit_text
    from viz.i18n import field_label

    if spec.label != spec.path.split(".")[-1]:
        return field_label(spec, lang)
    unit = unit_text(spec.unit, lang)
    return f"{spec.label.replace('_', ' ')} ({unit})" if unit and spec.type is not bool and not spec.choices \
        else spec.label.replace("_", " ")


def labelled(df: pd.DataFrame, columns: tuple[str, ...], lang: str = "en") -> pd.DataFrame:
    """``df`` for display: the values of ``columns`` (machine names) replaced by :func:`label_of`."""
    return df.assign(**{c: [label_of(str(v), lang) for v in df[c]] for c in columns if c in df.columns})


def png_base64(fig) -> str:
    """A matplotlib figure as base64 PNG, cropped to what it draws (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def png(fig, alt: str = "plot") -> str:
    """A matplotlib figure as an inline ``<img>`` (the figure is closed); ``alt`` names it (its title)."""
    return img_tag(png_base64(fig), alt)


def img_tag(b64: str, alt: str = "plot") -> str:
    """An inline ``<img>`` of base64 PNG data."""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def png_img(data: bytes, alt: str) -> str:
    """PNG bytes as an inline ``<img>``; ``alt`` names it."""
    import base64

    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}">'


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


def policy_key(keys, lang: str = "en") -> str:
    """The policies shown, each a swatch of its declared colour and its name in ``lang`` (:mod:`abm.policies`)."""
    colours = policies.colours(keys)
    items = "".join(f'<span class="policy" data-policy="{html.escape(k)}"><span class="swatch" style="background:'
                    f'{c}"></span>{html.escape(policies.name(k, lang))}</span>' for k, c in colours.items())
    return f'<p class="policy-key">{items}</p>'


def page(title: str, body: str, lang: str = "en") -> str:
    lang = "ja" if lang == "ja" else "en"
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")
