"""The ecosystem network drawing: a fixed, cached layout; colours follow the run as it steps.

Layout: government in the centre, data holders on an inner ring, firms on an outer ring in one wedge per
sector, ASEAN partners to the right. It depends only on the population and the seed, so it is computed once
(``lru_cache``) and never jumps. Above ``MAX_NODES`` drawn nodes a seeded sample is drawn, and the caption says so.
Talent cohorts are not drawn (they would dominate the picture).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from abm.network import SECTOR_NAMES, assign_sectors
from viz.chart_specs import SOURCE_COLOURS
from viz.charts import to_png
from viz.i18n import name, tr

MAX_NODES = 1500
SOURCE_KEYS = ("no_ai", "foreign", "open", "sovereign")  # index = firm source code


@dataclass(frozen=True)
class Layout:
    firms: np.ndarray        # indices of the drawn firms
    holders: np.ndarray      # indices of the drawn data holders
    firm_xy: np.ndarray
    holder_xy: np.ndarray
    asean_xy: np.ndarray
    sector_labels: tuple     # (sector key, x, y)
    total: int               # nodes that could be drawn (all kinds but talent)
    n_holders: int
    sampled: bool


@functools.lru_cache(maxsize=32)
def layout(n_firms: int, n_holders: int, n_asean: int, seed: int) -> Layout:
    """Positions of the drawn nodes; a pure function of its arguments (hence cached)."""
    rng = np.random.default_rng([seed, 20260])
    total = 1 + n_firms + n_holders + n_asean
    budget = MAX_NODES - 1 - n_asean
    sampled = n_firms + n_holders > budget
    if sampled:
        k_firms = int(round(budget * n_firms / (n_firms + n_holders)))
        firms = np.sort(rng.choice(n_firms, k_firms, replace=False))
        holders = np.sort(rng.choice(n_holders, budget - k_firms, replace=False))
    else:
        firms, holders = np.arange(n_firms), np.arange(n_holders)
    sectors = assign_sectors(n_firms)[firms]
    counts = np.bincount(sectors, minlength=len(SECTOR_NAMES)).astype(float)
    gap = 0.06
    weights = np.where(counts > 0, np.maximum(counts, 0.09 * counts.sum()), 0.0)  # small sectors stay legible
    spans = (2 * np.pi - gap * len(SECTOR_NAMES)) * weights / max(weights.sum(), 1)
    starts = np.cumsum(np.r_[0.0, spans[:-1] + gap]) + np.pi / 2
    theta = np.empty(len(firms))
    labels = []
    for k in range(len(SECTOR_NAMES)):
        sel = np.flatnonzero(sectors == k)
        theta[sel] = starts[k] + spans[k] * (np.arange(len(sel)) + 0.5) / max(len(sel), 1)
        mid = starts[k] + spans[k] / 2
        if len(sel):
            labels.append((SECTOR_NAMES[k], 1.17 * np.cos(mid), 1.17 * np.sin(mid)))
    radius = rng.uniform(0.62, 1.0, len(firms))
    firm_xy = np.c_[radius * np.cos(theta), radius * np.sin(theta)]
    ht = rng.uniform(0, 2 * np.pi, len(holders))
    hr = rng.uniform(0.22, 0.42, len(holders))
    holder_xy = np.c_[hr * np.cos(ht), hr * np.sin(ht)]
    asean_xy = np.c_[np.full(n_asean, 1.5), np.linspace(0.35, -0.35, n_asean)]
    return Layout(firms, holders, firm_xy, holder_xy, asean_xy, tuple(labels), total, n_holders, sampled)


def caption(lay: Layout, n_talent: int, lang: str) -> str:
    shown = 1 + len(lay.firms) + len(lay.holders) + len(lay.asean_xy)
    key = "net_sample" if lay.sampled else "net_all"
    return tr(key, lang, shown=shown, total=lay.total, talent=n_talent)


def draw(lay: Layout, source: np.ndarray, data_firm: np.ndarray, data_holder: np.ndarray, lang: str) -> bytes:
    """PNG of the network: firms coloured by model source, active data-sharing contracts as edges."""
    fig = Figure(figsize=(7.2, 6.6))
    fig.subplots_adjust(left=0.01, right=0.99, top=0.94, bottom=0.12)
    ax = fig.subplots()
    ax.set_title(tr("network", lang), fontsize=11)
    ax.set_aspect("equal")
    ax.axis("off")
    firm_pos = np.full((len(source), 2), np.nan)
    firm_pos[lay.firms] = lay.firm_xy
    holder_pos = np.full((lay.n_holders, 2), np.nan)
    holder_pos[lay.holders] = lay.holder_xy
    if len(data_firm):
        segs = np.stack([firm_pos[data_firm], holder_pos[data_holder]], axis=1)
        segs = segs[~np.isnan(segs).any(axis=(1, 2))]
        ax.add_collection(LineCollection(segs, colors="#5d6d7e", linewidths=0.3, alpha=0.12, zorder=1))
    colours = np.array([SOURCE_COLOURS[k] for k in SOURCE_KEYS])[source[lay.firms]]
    ax.scatter(lay.firm_xy[:, 0], lay.firm_xy[:, 1], s=7, c=colours, linewidths=0, zorder=2)
    ax.scatter(lay.holder_xy[:, 0], lay.holder_xy[:, 1], s=12, marker="s", c="#b9770e", linewidths=0, zorder=3)
    ax.scatter(lay.asean_xy[:, 0], lay.asean_xy[:, 1], s=60, marker="^", c="#117a65", zorder=3)
    ax.scatter([0], [0], s=260, marker="*", c="#111111", zorder=4)
    for key, x, y in lay.sector_labels:
        ax.text(x, y, name(key, lang), ha="center", va="center", fontsize=7.5, color="#333333")
    ax.set_xlim(-1.35, 1.65)
    ax.set_ylim(-1.3, 1.3)
    handles = [Line2D([], [], ls="", marker="o", color=SOURCE_COLOURS[k], label=name(k, lang)) for k in SOURCE_KEYS]
    handles += [Line2D([], [], ls="", marker="s", color="#b9770e", label=tr("data_holder", lang)),
                Line2D([], [], ls="", marker="*", color="#111111", markersize=11, label=name("government", lang)),
                Line2D([], [], ls="", marker="^", color="#117a65", label=tr("asean", lang)),
                Line2D([], [], color="#5d6d7e", lw=1, label=tr("data_edges", lang))]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False)
    return to_png(fig)
