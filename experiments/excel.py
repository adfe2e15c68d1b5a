"""Excel export (``--export FILE.xlsx`` on ``sovai run``, ``compare`` and ``results``): one workbook with the
data sheets, their column headers as human labels with units in the chosen language (from :mod:`abm.outputs`;
a column that is not a declared output keeps its name), a ``columns`` sheet mapping each header back to its
column name, and a ``provenance`` sheet with the stamp of :func:`experiments.provenance.stamp` (also in the
workbook's properties). The file is written to a temporary sibling and renamed into place (:func:`write_atomic`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from abm import outputs
from experiments.outdir import write_atomic
from experiments.provenance import stamp_line

SHEET_TEXT = {"columns": ("columns", "列"), "column": ("column", "列名"), "header": ("header", "見出し"),
              "description": ("description", "説明"), "provenance": ("provenance", "来歴"),
              "key": ("key", "キー"), "value": ("value", "値"), "item": ("item", "項目"), "unit": ("unit", "単位")}


def _t(key: str, lang: str) -> str:
    return SHEET_TEXT[key][1 if lang == "ja" else 0]


def header(column: str, lang: str) -> str:
    """A column's header: its declared label with unit in ``lang``, or the column name if it is not declared."""
    try:
        return outputs.title_with_unit(column, lang)
    except (KeyError, ValueError):
        return column


def labelled(df: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    """``df`` with human headers (made unique), and the rows (column, header, description) of the columns sheet."""
    heads, rows = [], []
    for c in df.columns:
        h = header(str(c), lang)
        h = h if h not in heads else f"{h} [{c}]"
        heads.append(h)
        try:
            desc = outputs.description(str(c))
        except KeyError:
            desc = ""
        rows.append((str(c), h, desc))
    return df.set_axis(heads, axis=1), rows


def summary_frame(summary: dict, lang: str) -> pd.DataFrame:
    """A run's summary as rows (key, item, value, unit): every leaf of the nested summary, labelled."""
    rows = []
    for key, path in pd.json_normalize(outputs.leaf_paths(summary), sep=".").iloc[0].items():
        value = summary
        for part in path:
            value = value[part]
        try:
            item, unit = outputs.label(path if len(path) > 1 else path[0], lang), outputs.unit(path[0], lang)
        except KeyError:
            item, unit = key, ""
        rows.append((key, item, value, unit))
    return pd.DataFrame(rows, columns=["key", _t("item", lang), _t("value", lang), _t("unit", lang)])


def write_xlsx(path: str | Path, sheets: dict[str, pd.DataFrame], st: dict[str, str], lang: str = "en") -> Path:
    """Write ``sheets`` ({sheet name: frame}) with labelled headers, plus the columns and provenance sheets."""
    def write(tmp: Path) -> None:
        column_rows = []
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, df in sheets.items():
                shown, rows = labelled(df, lang)
                shown.to_excel(xl, sheet_name=name[:31], index=False)
                column_rows += [(name, *r) for r in rows]
            pd.DataFrame(column_rows, columns=["sheet", _t("column", lang), _t("header", lang),
                                               _t("description", lang)]).to_excel(
                xl, sheet_name=_t("columns", lang), index=False)
            pd.DataFrame(list(st.items()), columns=[_t("key", lang), _t("value", lang)]).to_excel(
                xl, sheet_name=_t("provenance", lang), index=False)
            props = xl.book.properties
            props.creator, props.title = f"sovai {st.get('model_version', '')}", st.get("scenario", "sovai")
            props.description, props.keywords = stamp_line(st), "sovai"
    return write_atomic(path, write)
