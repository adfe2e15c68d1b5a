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
from experiments.outdir import FORCE_HELP


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


def describe(boxes: list[dict], target: str, y: np.ndarray) -> str:
    """The boxes as plain text (parameters by their labels; boxes.csv keeps the column names)."""
    from experiments.report import label_of

    lines = [f"target: {target}", f"runs: {len(y)}, of which {int(np.sum(y))} meet the target "
                                   f"({np.mean(y):.1%})", ""]
    for b in boxes:
        lines.append(f"box {b['box']}: coverage {b['coverage']:.2f}, density {b['density']:.2f}, "
                     f"mass {b['mass']:.2f} ({b['n']} runs), {b['res_dim']} restricted parameter(s)")
        for r in b["limits"].itertuples(index=False):
            if r.values:
                lines.append(f"  {label_of(r.parameter)} in {{{r.values}}}   (all: {{{r.full_values}}})")
            else:
                lines.append(f"  {r.lo:.4g} <= {label_of(r.parameter)} <= {r.hi:.4g}   "
                             f"(all: {r.full_lo:.4g} to {r.full_hi:.4g})")
        if b["limits"].empty:
            lines.append("  (no restriction found)")
        lines.append("")
    return "\n".join(lines)


def plot(boxes: list[dict]):
    """Left: each box's peeling trajectory (coverage vs density), chosen box circled. Right: restricted
    ranges of each box as a share of the full range."""
    import matplotlib.pyplot as plt

    from experiments.report import label_of

    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.8))
    labels, k = [], 0
    for box in boxes:
        t = box["trajectory"]
        sc = a.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=14)
        a.scatter([box["coverage"]], [box["density"]], s=120, facecolors="none", edgecolors="r")
        a.annotate(f"box {box['box']}", (box["coverage"], box["density"]), fontsize=8)
        for r in box["limits"].itertuples(index=False):
            if r.values:
                b.text(0.02, k, f"{{{r.values}}}", va="center", fontsize=7)
            else:
                span = (r.full_hi - r.full_lo) or 1.0
                b.barh(k, (r.hi - r.lo) / span, left=(r.lo - r.full_lo) / span, height=0.5, color="C0")
                b.text(1.02, k, f"{r.lo:.3g} to {r.hi:.3g}", va="center", fontsize=7)
            labels.append(f"box {box['box']}: {label_of(r.parameter)}")
            k += 1
    fig.colorbar(sc, ax=a, label="restricted dimensions")
    a.set(xlabel="coverage", ylabel="density", title="PRIM peeling trajectory")
    b.set_yticks(range(len(labels)), labels, fontsize=7)
    b.set(xlim=(0, 1.35), xlabel="share of the full range", title="box limits")
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
        text = describe(found, target, y)
        limits = pd.concat([b["limits"].assign(box=b["box"], coverage=b["coverage"], density=b["density"],
                                               mass=b["mass"]) for b in found], ignore_index=True)
        fig = plot(found)
        write_files(dest, {"discovery.txt": text_writer(text), "boxes.csv": text_writer(limits.to_csv(index=False)),
                           "discovery.png": lambda p: fig.savefig(p, dpi=90, bbox_inches="tight", format="png")},
                    "discover", stamp=stamp(m.get("name"), f"discovery of {target} in {folder}: "
                                            f"{m.get('description') or ''}".rstrip(": "),
                                            f"master {m.get('master_seed')}"))
        console.print(text, highlight=False, markup=False)
        console.print(f"-> {dest}", highlight=False, markup=False)
