"""Appraisal uncertainty (issue 13, item 4): payback year and NPV as distributions over seeds and futures.

A *future* is one Latin-hypercube draw over the declared uncertain inputs, the ``[exogenous.*]`` entries of
``abm/data/levers.toml`` (read through :func:`abm.levers.atlas`; their ranges are declared there and nowhere
else). ``sovai compare --futures N`` runs every policy in the same N futures on the same replication seeds
(common random numbers; :func:`experiments.compare.replication_plan`). The functions here are the arithmetic on
the resulting runs table, plain DataFrames in and out, one row per run with ``policy``, ``sample_index`` (the
future; 0 when there are none), ``replication``, ``payback_year`` (NaN/None/<NA>: no payback within the horizon),
``npv_jpy_tn`` (attributable, fiscal), ``npv_economic_jpy_tn`` and, for the tornado, one column per input.

- :func:`appraisal_summary` — per policy: median and 5 % / 95 % quantiles of each NPV (numpy's default linear
  quantiles) and of the payback year (no payback counts as later than any year; the quantile is an observed
  year, ``inverted_cdf``, or "not by the end" when it falls among runs that do not pay back), and the share of
  runs that pay back by 2035 and by 2040.
- :func:`uncertainty_tables` — both, from the long comparison frame of :mod:`experiments.compare`.
- :func:`tornado` — per policy and input: the mean NPV over the runs of the futures in the input's lowest fifth
  and in its highest fifth (futures ranked by the input's value; at least one future each), their difference
  (the *swing*, high − low) and its standard error from the two groups' run variances. A plain, model-free
  reading of "how much NPV moves across this input's range, everything else varying as sampled"; with few
  futures the other inputs do not average out, so read swings within ~2 SE of zero as noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PAYBACK_BY = (2035, 2040)
NPV_METRICS = ("npv_jpy_tn", "npv_economic_jpy_tn")
TORNADO_FRACTION = 0.2   # the lowest and highest fifth of the futures
KEYS = ("policy", "sample_index", "replication")


def uncertain_inputs(ranges: dict[str, tuple[float, float]] | None = None,
                     pinned: set[str] | frozenset = frozenset()) -> dict[str, tuple[float, float]]:
    """The declared uncertain inputs ``{section.field: (low, high)}`` in declaration order. ``ranges`` replaces the
    range of declared inputs (a test or a what-if; an undeclared name raises KeyError); inputs in ``pinned`` (set
    by the user with ``--set``) are left out."""
    from abm.levers import atlas

    declared = {path: (d.low, d.high) for path, d in atlas().exogenous.items()}
    for path in ranges or {}:
        if path not in declared:
            raise KeyError(f"{path}: not a declared uncertain input; declared: {', '.join(declared)}")
    merged = {**declared, **{k: (float(lo), float(hi)) for k, (lo, hi) in (ranges or {}).items()}}
    return {k: v for k, v in merged.items() if k not in pinned}


def input_label(path: str, lang: str = "en") -> str:
    """An uncertain input's declared name with its unit: "Exchange rate (JPY/USD)" (:func:`experiments.report.
    field_title`)."""
    from abm.schema import field_specs
    from experiments.report import field_title

    spec = field_specs().get(path.replace("__", "."))
    return path if spec is None else field_title(spec, lang)


def per_run(df: pd.DataFrame) -> pd.DataFrame:
    """One row per run from a long (per-quarter) comparison frame: the first row of each policy x future x
    replication (the per-run scalars repeat on every quarter)."""
    keys = [k for k in KEYS if k in df.columns]
    return df.drop_duplicates(subset=keys).reset_index(drop=True)


def _payback(values: pd.Series) -> np.ndarray:
    """Payback years as floats, no payback as +inf."""
    v = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    return np.where(np.isnan(v), np.inf, v)


def _quantiles(v: np.ndarray, method: str = "linear") -> tuple[float, float, float]:
    if not len(v):
        return (np.nan,) * 3
    return tuple(float(q) for q in np.quantile(v, [0.05, 0.5, 0.95], method=method))


def appraisal_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Per policy (in order of appearance): ``runs``, ``futures``, ``seeds``; for each NPV metric present
    ``<metric>_median``, ``_p5``, ``_p95`` (runs with a value); ``payback_year_median``, ``_p5``, ``_p95``
    (+inf: not by the end of the horizon); ``p_payback_by_2035`` and ``p_payback_by_2040`` (share of all runs)."""
    rows = []
    order = list(dict.fromkeys(runs["policy"].astype(str)))
    for policy in order:
        g = runs[runs["policy"].astype(str) == policy]
        row = {"policy": policy, "runs": len(g),
               "futures": int(g["sample_index"].nunique()) if "sample_index" in g else 1,
               "seeds": int(g["replication"].nunique()) if "replication" in g else len(g)}
        for m in NPV_METRICS:
            if m in g.columns:
                v = pd.to_numeric(g[m], errors="coerce").dropna().to_numpy(float)
                row[f"{m}_p5"], row[f"{m}_median"], row[f"{m}_p95"] = _quantiles(v)
        if "payback_year" in g.columns:
            pb = _payback(g["payback_year"])
            row["payback_year_p5"], row["payback_year_median"], row["payback_year_p95"] = \
                _quantiles(pb, "inverted_cdf")
            for year in PAYBACK_BY:
                row[f"p_payback_by_{year}"] = float((pb <= year).mean()) if len(pb) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def tornado(runs: pd.DataFrame, inputs: list[str], metric: str = "npv_jpy_tn",
            fraction: float = TORNADO_FRACTION) -> pd.DataFrame:
    """Per policy and input (sorted by |swing|, largest first): ``futures``, ``k`` (futures in each tail),
    ``low_value``/``high_value`` (mean input value in each tail), ``low_mean``/``high_mean`` (mean ``metric`` over
    the tails' runs), ``swing`` = high_mean − low_mean, ``se`` and ``overall_mean``. Needs ``sample_index``; a
    policy with fewer than two futures gives no rows."""
    cols = ["policy", "input", "futures", "k", "low_value", "high_value", "low_mean", "high_mean", "swing", "se",
            "overall_mean"]
    out = []
    for policy in dict.fromkeys(runs["policy"].astype(str)):
        g = runs[runs["policy"].astype(str) == policy]
        y = pd.to_numeric(g[metric], errors="coerce").astype(float)
        futures = g["sample_index"].drop_duplicates()
        n = len(futures)
        if n < 2:
            continue
        k = max(1, int(round(n * fraction)))
        rows = []
        for name in inputs:
            value = g.groupby("sample_index")[name].first()
            ranked = value.reset_index().sort_values([name, "sample_index"], kind="stable")["sample_index"].to_list()
            lo_idx, hi_idx = ranked[:k], ranked[-k:]
            lo, hi = y[g["sample_index"].isin(lo_idx)].dropna(), y[g["sample_index"].isin(hi_idx)].dropna()
            var = (lo.var(ddof=1) / len(lo) if len(lo) > 1 else np.nan) + \
                  (hi.var(ddof=1) / len(hi) if len(hi) > 1 else np.nan)
            rows.append({"policy": policy, "input": name, "futures": n, "k": k,
                         "low_value": float(value.loc[lo_idx].mean()), "high_value": float(value.loc[hi_idx].mean()),
                         "low_mean": float(lo.mean()), "high_mean": float(hi.mean()),
                         "swing": float(hi.mean() - lo.mean()), "se": float(np.sqrt(var)),
                         "overall_mean": float(y.mean())})
        out += sorted(rows, key=lambda r: -abs(r["swing"]) if np.isfinite(r["swing"]) else 0.0)
    return pd.DataFrame(out, columns=cols)


def uncertainty_tables(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The appraisal uncertainty of a long comparison frame (:func:`experiments.compare.load_replications`):
    (:func:`appraisal_summary`, :func:`tornado` of the fiscal NPV over the uncertain inputs that were sampled;
    empty without futures)."""
    runs = per_run(df)
    inputs = [c for c in (p.replace(".", "__") for p in uncertain_inputs()) if c in runs.columns]
    return appraisal_summary(runs), tornado(runs if inputs else runs.iloc[:0], inputs)
