"""The lever atlas's arithmetic on plain DataFrames: metrics per run, paired differences, variance shares.

- :func:`metric_values` — one value per run for each metric: a flat summary column (``deficit_2040_jpy_tn``) or a
  time-series column at a year (``compute_in_service_h100e@2040``: mean of that year's quarters; ``@last``: the
  final quarter).
- :func:`paired_effects` — per lever and metric, the differences high − low on common seeds: mean, standard error,
  5-95 % interval over seeds and whether the mean is distinguishable from zero (|mean| > 2 SE).
- :func:`variance_shares` — how much of the variance of each output the levers and the exogenous inputs explain,
  from a Latin-hypercube sample (see the function for the method).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

Z_DISTINGUISHABLE = 2.0


def metric_values(rows: pd.DataFrame, ts: pd.DataFrame | None, metrics: list[str]) -> pd.DataFrame:
    """``rows`` (one per run, ``run_id`` + flat summary columns) and the long time series -> one row per run
    (index ``run_id``) and one column per metric."""
    out = pd.DataFrame(index=pd.Index(rows["run_id"], name="run_id"))
    for m in metrics:
        if "@" not in m:
            out[m] = pd.to_numeric(rows[m], errors="coerce").to_numpy(float)
            continue
        col, when = m.split("@")
        by_run = ts.groupby("run_id", sort=False)
        vals = by_run[col].last() if when == "last" else ts[ts["year"] == int(when)].groupby("run_id")[col].mean()
        out[m] = vals.reindex(out.index).to_numpy(float)
    return out


def paired_effects(values: pd.DataFrame) -> pd.DataFrame:
    """``values``: columns ``lever, setting ("low"|"high"), seed, metric, value``. Returns one row per lever and
    metric (in the order given): ``n, low_mean, high_mean, mean, se, p05, p95, distinguishable`` of the paired
    differences high − low over the seeds present in both settings."""
    wide = values.pivot_table(index=["lever", "metric", "seed"], columns="setting", values="value",
                              aggfunc="first", dropna=False).reset_index()
    wide = wide.dropna(subset=["low", "high"])
    wide["diff"] = wide["high"] - wide["low"]
    rows = []
    order = values[["lever", "metric"]].drop_duplicates().itertuples(index=False)
    groups = dict(tuple(wide.groupby(["lever", "metric"], sort=False)))
    for lever, metric in order:
        g = groups.get((lever, metric))
        d = np.array([]) if g is None else g["diff"].to_numpy(float)
        n = len(d)
        mean = float(d.mean()) if n else float("nan")
        se = float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        low = float(g["low"].mean()) if n else float("nan")
        high = float(g["high"].mean()) if n else float("nan")
        rows.append({"lever": lever, "metric": metric, "n": n, "low_mean": low, "high_mean": high, "mean": mean,
                     "se": se, "p05": float(np.percentile(d, 5)) if n else float("nan"),
                     "p95": float(np.percentile(d, 95)) if n else float("nan"),
                     "distinguishable": distinguishable(mean, se, n, abs(low) + abs(high))})
    return pd.DataFrame(rows)


def distinguishable(mean: float, se: float, n: int, scale: float = 0.0) -> bool:
    """|mean| > 2 SE with at least two seeds; identical differences (SE 0) count when not zero (beyond rounding)."""
    if n < 2 or not np.isfinite(mean):
        return False
    return bool(abs(mean) > max(Z_DISTINGUISHABLE * se, 1e-9 * scale, 1e-12))


def _ranks(x: np.ndarray) -> np.ndarray:
    r = rankdata(x, axis=0)
    sd = r.std(axis=0)
    return (r - r.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _adjusted_r2(y: np.ndarray, x: np.ndarray) -> tuple[float, np.ndarray]:
    """Adjusted R² of the least-squares fit of ``y`` on ``x`` (with intercept) and the coefficients; NaN without
    residual degrees of freedom."""
    n, p = x.shape
    if n <= p + 1:
        return float("nan"), np.full(p, np.nan)
    a = np.column_stack([np.ones(n), x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    res = y - a @ coef
    r2 = 1.0 - float(res @ res) / float(y @ y)
    return 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1), coef[1:]


def variance_shares(inputs: pd.DataFrame, outputs: pd.DataFrame, groups: dict[str, str]) -> tuple[pd.DataFrame,
                                                                                                    pd.DataFrame]:
    """Share of each output's rank variance explained by the levers and by the exogenous inputs.

    Method (rank regression with grouped regressors): inputs and outputs of the LHS sample are rank-transformed
    and standardised; the output is regressed on all inputs, on the levers alone and on the exogenous inputs
    alone, each fit scored by its adjusted R² (which removes the ~p/n a fit gains from noise). The explained
    variance R²(all) is split between the two groups by their Shapley values,
    ``lever_share = (R²(all) + R²(levers) − R²(exogenous)) / 2`` and the rest to the exogenous group, so
    ``lever_share + exogenous_share + unexplained = 1``; ``unexplained`` holds interactions, non-monotone effects
    and seed noise (each sample runs on its own seed). With near-independent LHS inputs this is the sum of
    first-order rank-linear indices per group. Returns ``(shares per output, per-input index per output)``;
    the per-input index is the squared standardised rank-regression coefficient (SRRC²).
    """
    cols = list(inputs.columns)
    x = _ranks(inputs.to_numpy(float)) if len(inputs) else np.empty((0, len(cols)))   # a design may keep none
    lever_idx = [i for i, c in enumerate(cols) if groups[c] == "lever"]
    exo_idx = [i for i, c in enumerate(cols) if groups[c] != "lever"]
    shares, per_input = [], []
    for out in outputs.columns:
        raw = outputs[out].to_numpy(float)
        ok = np.isfinite(raw)
        row = {"output": out, "samples": int(ok.sum()), "inputs": len(cols)}
        if ok.sum() < 3 or np.ptp(raw[ok]) == 0:
            shares.append({**row, **dict.fromkeys(("r2_all", "r2_levers", "r2_exogenous", "lever_share",
                                                   "exogenous_share", "unexplained"), float("nan"))})
            continue
        y = _ranks(raw[ok])
        xs = x[ok]
        r2_all, coef = _adjusted_r2(y, xs)
        r2_lev = _adjusted_r2(y, xs[:, lever_idx])[0] if lever_idx else 0.0
        r2_exo = _adjusted_r2(y, xs[:, exo_idx])[0] if exo_idx else 0.0
        r2_all, r2_lev, r2_exo = (max(v, 0.0) if np.isfinite(v) else v for v in (r2_all, r2_lev, r2_exo))
        lever_share = min(max((r2_all + r2_lev - r2_exo) / 2, 0.0), r2_all)
        shares.append({**row, "r2_all": r2_all, "r2_levers": r2_lev, "r2_exogenous": r2_exo,
                       "lever_share": lever_share, "exogenous_share": r2_all - lever_share,
                       "unexplained": 1.0 - r2_all})
        per_input += [{"output": out, "input": c, "group": groups[c], "srrc2": float(b * b)}
                      for c, b in zip(cols, coef)]
    return pd.DataFrame(shares), pd.DataFrame(per_input, columns=["output", "input", "group", "srrc2"])
