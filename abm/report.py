"""Run a scenario to the end and summarise it (the contract of ``summary.json``). Writing files is
:func:`experiments.run_report.write_outputs`.

:func:`simulate` also runs the scenario's paired counterfactual (the national programme removed, same seed) so
the summary's appraisal (``payback_year``, ``npv_jpy_tn``, ...) counts only what the programme adds
(:mod:`abm.appraisal`); the report's own gross figures are kept as ``report_method_*``."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from abm import appraisal
from abm.accounting import INVESTMENT, OUTCOMES, PERIODS, PROGRAMMES_LINE, YearMeans, financial_summary
from abm.model import SovereignAIModel
from abm.scenario import load_scenario
from abm.schema import Scenario

REPORT_YEARS = (2030, 2035, 2040)


@dataclass
class RunResult:
    timeseries: pd.DataFrame
    summary: dict
    model: SovereignAIModel
    counterfactual: pd.DataFrame | None = None   # the paired run without the programme (None: nothing removed)


def _run(model: SovereignAIModel, on_step=None) -> pd.DataFrame:
    total = (model.inputs.run.end_year - model.inputs.run.start_year + 1) * 4
    while model.running:
        model.step()
        if on_step:
            on_step(model.quarter_index, total)
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


@functools.lru_cache(maxsize=32)
def _counterfactual_ts(scenario_json: str, seed) -> pd.DataFrame:
    """A counterfactual's time series, cached per process: many design points share one counterfactual."""
    return _run(SovereignAIModel(load_scenario(json.loads(scenario_json)), rng=seed, agent_views=False))


def counterfactual_run(scenario: Scenario, seed) -> pd.DataFrame | None:
    """The paired counterfactual's time series (same seed), or None if the scenario has no programme."""
    cf = appraisal.counterfactual_scenario(scenario)
    if cf is None:
        return None
    return _counterfactual_ts(json.dumps(cf.model_dump(mode="json"), sort_keys=True), seed).copy()


def simulate(scenario: Scenario | str | None = None, seed: int | None = None,
             on_step: Callable[[int, int], None] | None = None, appraise: bool = True,
             agent_views: bool = True) -> RunResult:
    """Run one scenario to the end; ``on_step(done, total)`` is called after every quarter of it. With
    ``appraise`` (default) its paired counterfactual runs too, on the same seed, and the summary's appraisal is
    attributable; without it the appraisal keys are None (a quick look, e.g. the dashboard's stepping).
    ``agent_views=False``: the model builds no Mesa agents (same outputs, less work; ``result.model`` then has
    none to inspect). The counterfactual never builds them."""
    model = SovereignAIModel(scenario, rng=seed, agent_views=agent_views)
    ts = _run(model, on_step)
    cf = counterfactual_run(model.inputs, seed if seed is not None else model.inputs.run.seed) if appraise else None
    return RunResult(ts, summarise(model, ts, seed, cf, appraise), model, cf)


def summarise(model: SovereignAIModel, ts: pd.DataFrame, seed: int | None = None,
              counterfactual: pd.DataFrame | None = None, appraise: bool = True) -> dict:
    """The per-run summary (the contract of ``summary.json``); annual values are means of the year's quarters.
    ``counterfactual``: the paired run without the programme (None with ``appraise``: there is none)."""
    s, ledger = model.inputs, model.ledger
    by_cat = {c: ledger.cum[c] for c in INVESTMENT}
    by_period = {p: sum(ledger.by_period[p][c] for c in INVESTMENT) for p in PERIODS}
    cost_table = {p: {c: ledger.by_period[p][c] for c in INVESTMENT} for p in PERIODS}
    year_mean = YearMeans(ts)
    deficit = {"2025": model.initial_deficit_jpy_tn}
    deficit.update({str(y): year_mean("digital_deficit_jpy_tn", y) for y in REPORT_YEARS})
    last = s.run.end_year
    return {
        "scenario": s.name,
        "seed": s.run.seed if seed is None else seed,
        "role_division": s.policy.role_division,
        "hardware_path": s.policy.hardware_path,
        "financing": s.policy.financing,
        "investment_total_jpy_tn": sum(by_cat.values()),
        "investment_by_category_jpy_tn": by_cat,
        "investment_by_period_jpy_tn": by_period,
        "investment_capex_2026_2031_jpy_tn": cost_table[PERIODS[0]]["datacenter"] + cost_table[PERIODS[0]]["hardware"],
        "investment_rnd_2026_2031_jpy_tn": sum(cost_table[PERIODS[0]][c] for c in ("staff", "power", "cloud")),
        "cost_table_jpy_tn": cost_table,
        "investment_by_payer_jpy_tn": {p: sum(ledger.by_payer[p][c] for c in INVESTMENT) for p in ledger.by_payer},
        "public_programmes_jpy_tn": ledger.cum["programmes"],
        "programmes_line_paid_jpy_tn": sum(ledger.by_payer["government"][c] for c in PROGRAMMES_LINE),
        "programmes_funded_share_min": float(ts["programmes_funded_share"].min()),
        "gpus_planned": model.government.planned_gpus,
        "deficit_jpy_tn": deficit,
        "outcomes_2040_jpy_tn_per_year": {k: year_mean(f"outcome_{k}_jpy_tn_per_year", 2040) for k in OUTCOMES},
        "adoption_rate_2040": year_mean("adoption_rate", 2040),
        "adoption_rate_by_year": {str(y): year_mean("adoption_rate", y) for y in REPORT_YEARS},
        "talent_retention_rate_by_year": {str(y): year_mean("talent_retention_rate", y) for y in REPORT_YEARS},
        "adoption_share_sovereign_2040": year_mean("adoption_share_sovereign", 2040),
        "talent_retention_rate_2040": year_mean("talent_retention_rate", 2040),
        "talent_fill_ratio_2040": year_mean("talent_fill_ratio", 2040),
        "sovereignty_index_2040": year_mean("sovereignty_index", 2040),
        "outcomes_cum_jpy_tn": float(ts["outcomes_cum_jpy_tn"].iloc[-1]),
        "final_year": last,
        **{f"report_method_{k}": v for k, v in financial_summary(ts, s.policy.discount_rate, s.run.start_year).items()},
        **(appraisal.appraise(s, ts, counterfactual) if appraise else dict.fromkeys(appraisal.KEYS)),
    }
