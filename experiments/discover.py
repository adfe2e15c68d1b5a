"""Scenario discovery with PRIM (EMA Workbench's implementation, used as a library on our DataFrames).

:func:`prim_boxes` takes the parameter columns ``x`` and a boolean ``y`` and returns boxes with coverage,
density, mass and the restricted parameter ranges. `sovai discover RESULTS_DIR --target "SQL condition"`
evaluates the condition over the ``runs`` view (NULL counts as false, e.g. no payback), runs PRIM on the
varied parameters of the experiment, and writes discovery.txt, boxes.csv and discovery.png.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import pandas as pd
import typer

from abm.errors import UserError
from experiments.options import LANG_HELP, check_lang, default_lang
from experiments.outdir import FORCE_HELP


TEXT = {  # discovery.txt's and discovery.png's words, (English, Japanese); parameters by their declared labels
    "target": ("target", "目標条件"), "runs": ("runs: {n}, of which {k} meet the target ({share:.1%})",
                                           "実行数 {n}、うち目標を満たすもの {k}({share:.1%})"),
    "box": ("box {box}", "ボックス {box}"),
    "box_line": ("box {box}: coverage {coverage:.2f}, density {density:.2f}, mass {mass:.2f} ({n} runs), "
                 "{res_dim} restricted parameter(s)",
                 "ボックス {box}:被覆率 {coverage:.2f}、密度 {density:.2f}、質量 {mass:.2f}({n}実行)、"
                 "制約したパラメータ {res_dim}"),
    "all": ("all", "全体"), "in": ("in", "∈"), "to": ("to", "〜"), "none": ("(no restriction found)", "(制約なし)"),
    "coverage": ("coverage", "被覆率"), "density": ("density", "密度"),
    "restricted": ("restricted dimensions", "制約した次元数"), "trajectory": ("PRIM peeling trajectory", "PRIMの剥離軌跡"),
    "share": ("share of the full range", "全範囲に対する割合"), "limits": ("box limits", "ボックスの範囲"),
}


def _t(key: str, lang: str, **fmt) -> str:
    return TEXT[key][1 if lang == "ja" else 0].format(**fmt)


class DiscoveryError(UserError):
    """The data cannot support PRIM (no variation, target always/never true); one line."""


def _prim_module():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional ipyparallel on import
        from ema_workbench.analysis import prim
    return prim


def prepare_x(runs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Parameter columns PRIM can use: varied ones only; ints as int64, floats as float64, others categories."""
    x = pd.DataFrame(index=runs.index)
    for c in columns:
        col = runs[c]
        if col.nunique(dropna=False) < 2:
            continue
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            x[c] = col.astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(col):
            x[c] = col.astype("int64")
        else:
            x[c] = col.astype("float64")
    if x.shape[1] == 0:
        raise DiscoveryError("no parameter varies across the runs; PRIM needs varied levers or uncertainties")
    return x.reset_index(drop=True)


def _limits(box_lim: pd.DataFrame, init: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for c in init.columns:
        lo, hi = box_lim[c].iloc[0], box_lim[c].iloc[1]
        flo, fhi = init[c].iloc[0], init[c].iloc[1]
        if isinstance(lo, set):
            if lo != flo:
                rows.append({"parameter": c, "lo": np.nan, "hi": np.nan, "values": ", ".join(sorted(map(str, lo))),
                             "full_lo": np.nan, "full_hi": np.nan, "full_values": ", ".join(sorted(map(str, flo)))})
        elif lo != flo or hi != fhi:
            rows.append({"parameter": c, "lo": float(lo), "hi": float(hi), "values": "", "full_lo": float(flo),
                         "full_hi": float(fhi), "full_values": ""})
    return pd.DataFrame(rows, columns=["parameter", "lo", "hi", "values", "full_lo", "full_hi", "full_values"])


def prim_boxes(x: pd.DataFrame, y: np.ndarray, n_boxes: int = 1, density_min: float = 0.8,
               mass_min: float = 0.05, peel_alpha: float = 0.05) -> list[dict]:
    """Up to ``n_boxes`` PRIM boxes. From each peeling trajectory the box with the highest coverage whose
    density reaches ``density_min`` is chosen (else the densest). Each box: coverage, density, mass, n,
    res_dim, ``limits`` (restricted parameters) and ``trajectory`` (coverage/density/mass/res_dim)."""
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        raise DiscoveryError(f"the target holds for {int(y.sum())} of {len(y)} runs; PRIM needs both outcomes")
    prim = _prim_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # EMA 3.0 uses a pandas keyword pandas 3 deprecates
        p = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
    boxes, covered = [], np.zeros(len(y), dtype=bool)
    for k in range(n_boxes):
        if not y[~covered].any():  # every case of interest is in a box already
            break
        box = p.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory.reset_index(drop=True)
        good = traj.index[traj["density"] >= density_min]
        i = int(good[0]) if len(good) else int(traj["density"].idxmax())
        box.select(i)
        stats = traj.loc[i]
        boxes.append({"box": k + 1, "index": i, "coverage": float(stats["coverage"]),
                      "density": float(stats["density"]), "mass": float(stats["mass"]), "n": int(stats["n"]),
                      "res_dim": int(stats["res_dim"]), "limits": _limits(box.box_lims[i], p.box_init),
                      "trajectory": traj[["coverage", "density", "mass", "res_dim"]].copy()})
        covered[box.yi] = True
    return boxes


def describe(boxes: list[dict], target: str, y: np.ndarray, lang: str = "en") -> str:
    """The boxes as plain text in ``lang`` (parameters by their labels; boxes.csv keeps the column names)."""
    from experiments.report import label_of

    lines = [f"{_t('target', lang)}: {target}", _t("runs", lang, n=len(y), k=int(np.sum(y)), share=np.mean(y)), ""]
    for b in boxes:
        lines.append(_t("box_line", lang, **{k: b[k] for k in ("box", "coverage", "density", "mass", "n", "res_dim")}))
        for r in b["limits"].itertuples(index=False):
            if r.values:
                lines.append(f"  {label_of(r.parameter, lang)} {_t('in', lang)} {{{r.values}}}   "
                             f"({_t('all', lang)}: {{{r.full_values}}})")
            else:
                lines.append(f"  {r.lo:.4g} <= {label_of(r.parameter, lang)} <= {r.hi:.4g}   "
                             f"({_t('all', lang)}: {r.full_lo:.4g} {_t('to', lang)} {r.full_hi:.4g})")
        if b["limits"].empty:
            lines.append("  " + _t("none", lang))
        lines.append("")
    return "\n".join(lines)


def plot(boxes: list[dict], lang: str = "en"):
    """Left: each box's peeling trajectory (coverage vs density), chosen box circled. Right: restricted
    ranges of each box as a share of the full range. Labelled in ``lang``."""
    from experiments.fonts import font_context

    with font_context(lang):
        return _plot(boxes, lang)


def _plot(boxes: list[dict], lang: str):
    import matplotlib.pyplot as plt

    from experiments.report import label_of

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.8))
    labels, k = [], 0
    for box in boxes:
        t = box["trajectory"]
        sc = a.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=14)
        a.scatter([box["coverage"]], [box["density"]], s=120, facecolors="none", edgecolors="r")
        a.annotate(_t("box", lang, box=box["box"]), (box["coverage"], box["density"]), fontsize=8)
        for r in box["limits"].itertuples(index=False):
            if r.values:
                b.text(0.02, k, f"{{{r.values}}}", va="center", fontsize=7)
            else:
                span = (r.full_hi - r.full_lo) or 1.0
                b.barh(k, (r.hi - r.lo) / span, left=(r.lo - r.full_lo) / span, height=0.5, color="C0")
                b.text(1.02, k, f"{r.lo:.3g} {_t('to', lang)} {r.hi:.3g}", va="center", fontsize=7)
            labels.append(f"{_t('box', lang, box=box['box'])}: {label_of(r.parameter, lang)}")
            k += 1
    fig.colorbar(sc, ax=a, label=_t("restricted", lang))
    a.set(xlabel=_t("coverage", lang), ylabel=_t("density", lang), title=_t("trajectory", lang))
    b.set_yticks(range(len(labels)), labels, fontsize=7)
    b.set(xlim=(0, 1.35), xlabel=_t("share", lang), title=_t("limits", lang))
    b.invert_yaxis()
    fig.tight_layout()
    return fig


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "target"


DISCOVERY_NAMES = ("discovery.txt", "boxes.csv", "discovery.png")


def check_target(folder: Path, target: str | None) -> str:
    """The ``--target`` condition, checked to be one boolean SQL expression over the runs table."""
    import duckdb

    from experiments.results import SqlError, _one_line, check_select
    from experiments.store import connect

    if target is None or not target.strip():
        raise DiscoveryError('--target: give a condition on the runs table, e.g. "payback_year <= 2040"')
    sql = f"SELECT *, ({target}) AS __target FROM runs"  # the form the search uses
    try:
        check_select(sql, "--target")
        kind = dict(r[:2] for r in connect(folder).execute(f"DESCRIBE {sql}").fetchall())["__target"]
    except SqlError as e:
        raise DiscoveryError(str(e)) from None
    except duckdb.Error as e:
        raise DiscoveryError(f"--target: SQL: {_one_line(e)}") from None
    if kind != "BOOLEAN":
        raise DiscoveryError(f"--target: {target!r} is {kind}, not a condition; write e.g. \"{target} >= 50\"")
    return target


def register(app) -> None:
    """Add ``sovai discover`` to the Typer app."""
    from experiments.run_cli import console, fail
    from experiments.outdir import claim, out_path, text_writer, write_files
    from experiments.provenance import stamp
    from experiments.results import SqlError, query
    from experiments.store import StoreError, read_manifest

    @app.command()
    def discover(
        folder: Annotated[Path, typer.Argument(help="results folder of a sweep")],
        target: Annotated[Optional[str], typer.Option(help='SQL condition on the runs table, e.g. '
                                                      '"payback_year <= 2040" (default: [analysis] target)')] = None,
        boxes: Annotated[int, typer.Option(help="boxes to find", min=1, max=100)] = 1,
        density: Annotated[float, typer.Option(help="minimum density of a chosen box", min=0, max=1)] = 0.8,
        out: Annotated[Optional[str], typer.Option(help="folder (default RESULTS/discovery/<target>)")] = None,
        force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
        lang: Annotated[str, typer.Option(help=LANG_HELP, callback=check_lang)] = default_lang(),
    ):
        """Which parameter ranges lead to TARGET? PRIM boxes with coverage and density, text and plot."""
        try:
            m = read_manifest(folder)
            analysis = m.get("analysis") if isinstance(m.get("analysis"), dict) else {}
            target = check_target(folder, analysis.get("target") if target is None else target)
            dest = claim(out_path(out, folder / "discovery" / slug(target)), DISCOVERY_NAMES, force=force)
            cols = [c for c in m["parameter_columns"]]
            runs = query(folder, f"SELECT *, COALESCE(({target}), false) AS __target FROM runs "
                                 "WHERE status = 'ok' ORDER BY design_point, replication")
            y = runs["__target"].astype(bool).to_numpy()
            found = prim_boxes(prepare_x(runs, [c for c in cols if c in runs.columns]), y, boxes, density)
        except (SqlError, StoreError, DiscoveryError) as e:
            fail(str(e))
        text = describe(found, target, y, lang)
        limits = pd.concat([b["limits"].assign(box=b["box"], coverage=b["coverage"], density=b["density"],
                                               mass=b["mass"]) for b in found], ignore_index=True)
        from experiments.fonts import png_bytes

        image = png_bytes(plot(found, lang), lang)
        write_files(dest, {"discovery.txt": text_writer(text), "boxes.csv": text_writer(limits.to_csv(index=False)),
                           "discovery.png": lambda p: p.write_bytes(image)},
                    "discover", stamp=stamp(m.get("name"), f"discovery of {target} in {folder}: "
                                            f"{m.get('description') or ''}".rstrip(": "),
                                            f"master {m.get('master_seed')}"))
        console.print(text, highlight=False, markup=False)
        console.print(f"-> {dest}", highlight=False, markup=False)
