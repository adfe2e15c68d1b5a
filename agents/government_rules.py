"""The government's decision rules and unit conversions, as pure functions (scalars in, scalars out).

:mod:`agents.government` holds the state and calls these in the quarter's order; a unit test can call them
directly. Coefficients come in as arguments (from ``model.inputs.costs`` / ``.rules``), never from here.
"""

from __future__ import annotations

from abm.vocab import HOURS_PER_QUARTER, JPY_PER_TN, START_2025, WH_PER_KWH, load_table

GRID_NEW_MW = {int(y): float(mw) for y, mw in load_table("grid.toml")["new_connections_mw"].items()}


def perf_in(year: float, gain_per_year: float) -> float:
    """Per-GPU performance (x H100) of hardware bought in ``year`` on a linear improvement path."""
    return 1.0 + gain_per_year * max(year - START_2025, 0.0)


def gpu_unit_cost_jpy_tn(costs, jpy_per_usd: float) -> float:
    """Hardware + network cost of one GPU (JPY tn): server price x (1 + network share)."""
    return costs.gpu_server_price_usd * jpy_per_usd * (1.0 + costs.network_share_of_hardware) / JPY_PER_TN


def h100e_price_jpy_tn(unit_cost_jpy_tn: float, perf: float, control_cut: float, diversification: float,
                       control_premium: float, diversification_premium: float) -> float:
    """Price of one H100 equivalent of compute: a GPU's cost over its performance, raised while an export
    control is in force (by ``control_premium`` x the cut) and by the premium paid for diversified supply."""
    return unit_cost_jpy_tn / perf * (1.0 + control_premium * control_cut) * (1.0 + diversification_premium
                                                                              * diversification)


def deliverable_h100e(pending: float, order: float, control_cut: float, quarters_to_deliver: float) -> float:
    """H100e a supplier can deliver this quarter: the order spread over ``quarters_to_deliver``; while an
    export control is in force no more than ``1 - cut`` of the whole order can have arrived (the rest waits
    until it ends: cut and delayed, never more)."""
    delivered = order - pending
    return max(min(pending, order / max(quarters_to_deliver, 1.0), order * (1.0 - control_cut) - delivered), 0.0)


def gpu_it_load_w(costs) -> float:
    """IT load of one GPU with its server share (W): TDP x server overhead."""
    return costs.gpu_tdp_w * costs.server_overhead_factor


def energy_kwh(gpu_hours: float, costs) -> float:
    """Energy at the meter for GPU-hours of work: IT load x average draw x PUE."""
    return gpu_hours * gpu_it_load_w(costs) * costs.average_power_draw_share * costs.pue / WH_PER_KWH


def training_power_jpy_tn(flop: float, perf: float, costs, jpy_per_kwh: float) -> float:
    """Power bill of ``flop`` of training on GPUs of performance ``perf`` (x H100)."""
    gpu_hours = flop / (perf * costs.gpu_peak_flops_per_s * costs.model_flops_utilisation) / 3600.0
    return energy_kwh(gpu_hours, costs) * jpy_per_kwh / JPY_PER_TN


def cluster_ops_power_jpy_tn(gpus: float, costs, jpy_per_kwh: float) -> float:
    """A quarter's running power of the training cluster while it serves, by the report's method (average
    utilisation x the share of the cluster's power assigned to running models)."""
    kwh = gpus * HOURS_PER_QUARTER * costs.running_utilisation * costs.ops_power_share_of_cluster * \
        gpu_it_load_w(costs) * costs.pue / WH_PER_KWH
    return kwh * jpy_per_kwh / JPY_PER_TN


def staff_factor(staff: float, plan: float, elasticity: float) -> float:
    """Share of the cluster's throughput a lab turns into useful training: (staff / plan)^elasticity, 0..1.
    No staff, no training; a full lab trains at the cluster's speed."""
    if plan <= 0:
        return 0.0
    return min(max(staff / plan, 0.0), 1.0) ** elasticity


def data_multiplier(language_corpus_share: float, max_gain: float) -> float:
    """Effective-compute multiplier of the Japanese-language data a model is trained on: 1 without shared
    corpora, ``1 + max_gain`` with all of them (data quality substitutes for compute)."""
    return 1.0 + max_gain * min(max(language_corpus_share, 0.0), 1.0)


def wants_new_generation(gap_oom: float, threshold_oom: float, fixed_year: int | None, year: int) -> bool:
    """Start a new generation when the model has fallen ``threshold_oom`` orders of magnitude behind the open
    frontier (adaptive rule), or in ``fixed_year`` under the fixed-year rule."""
    if fixed_year is not None:
        return year == fixed_year
    return gap_oom >= threshold_oom


def carry_over_limit(annual_budget: float, committed: float, carryover_share: float) -> float:
    """Funds that may stay in the account at a year's end: what is committed to planned purchases plus
    ``carryover_share`` of a year's budget. The rest lapses (returned, reported as unspent)."""
    return committed + carryover_share * annual_budget


def grid_allowance_mw(when: float, programme_share: float, table: dict[int, float] = GRID_NEW_MW) -> float:
    """Data-centre connection capacity the programme can have by decimal year ``when``: its share of every
    year's new national connections since the table's first year (pro rata within a year; after the table's
    last year at that year's rate)."""
    first, last = min(table), max(table)
    total, year = 0.0, first
    while year < when:
        total += table.get(year, table[last]) * min(when - year, 1.0)
        year += 1
    return programme_share * total


def window_flop(cluster_h100e: float, peak_flops: float, mfu: float, window_months: float) -> float:
    """FLOP a cluster of ``cluster_h100e`` can train within the window (the inverse of ``gpus_for_run``)."""
    return cluster_h100e * peak_flops * mfu * window_months / 12.0 * 365.25 * 86400.0


def cpt_base_flop(cpt_flop: float, cpt_tokens: float, base_tokens_per_parameter: float,
                  open_base_flop: float) -> float:
    """Pre-training FLOP embodied in the largest open-weight base whose continued pre-training on ``cpt_tokens``
    fits ``cpt_flop`` (C = 6 N D, so N = cpt_flop / (6 D); the base embodies 6 N (tpp N)), at most the newest
    open base's ``open_base_flop``. Ten times the compute buys a base with a hundred times the pre-training."""
    n = cpt_flop / (6.0 * cpt_tokens)
    return min(6.0 * base_tokens_per_parameter * n * n, open_base_flop)


def cpt_run_flop(base_flop: float, cpt_tokens: float, base_tokens_per_parameter: float) -> float:
    """Compute of the continued pre-training of a base that embodies ``base_flop``: 6 N D_cpt with
    N = sqrt(base_flop / (6 tpp)) (the inverse of :func:`cpt_base_flop` below the open cap)."""
    n = (base_flop / (6.0 * base_tokens_per_parameter)) ** 0.5
    return 6.0 * n * cpt_tokens
