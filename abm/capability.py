"""Capability: from training compute to base-model and specialised-model quality.

Capability is measured as log10 of *effective* training compute in 2025-FLOP (physical FLOP times the
algorithmic-efficiency gain since 2025). Usefulness for a sector is a logistic in capability above the sector's
threshold, so large gaps far above the threshold matter little and data, staff and language fit decide.
All functions are pure and vectorised (numpy in, numpy out).
"""

from __future__ import annotations

import numpy as np

from abm.vocab import MID_2025

REFERENCE_YEAR = MID_2025  # tau = 0


def training_compute_flop(parameters: float, tokens_per_parameter: float) -> float:
    """Compute of one training run, C = 6 N D with D = tokens_per_parameter * N (Kaplan/Chinchilla)."""
    return 6.0 * parameters * tokens_per_parameter * parameters


def gpus_for_run(flop: float, perf_x_h100: float, peak_flops: float, mfu: float, window_months: float) -> float:
    """H100-class GPUs needed so a run of ``flop`` finishes within the window at the given utilisation."""
    seconds = window_months / 12.0 * 365.25 * 86400.0
    return flop / (perf_x_h100 * peak_flops * mfu * seconds)


def effective_capability(flop: float, year_trained: float, algo_eff_per_year: float) -> float:
    """log10 of effective compute: a run's FLOP counted in 2025 algorithms."""
    return float(np.log10(max(flop, 1.0)) + np.log10(algo_eff_per_year) * (year_trained - REFERENCE_YEAR))


def frontier_capability(tau, c0_flop: float, growth_per_year: float, algo_eff_per_year: float):
    """Foreign frontier capability at ``tau`` years after mid-2025 (physical growth x algorithmic gains)."""
    return np.log10(c0_flop) + np.asarray(tau) * (np.log10(growth_per_year) + np.log10(algo_eff_per_year))


def usefulness(capability, threshold, width: float):
    """Share of a sector's AI-addressable value a model can deliver (0..1), logistic in capability."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(capability) - threshold) / width))


def usefulness_with_frontier_tasks(capability, threshold, frontier_cap: float, width: float, frontier_share: float,
                                   headroom_oom: float):
    """:func:`usefulness` when ``frontier_share`` of a sector's tasks require a capability that moves with the
    frontier: those need ``max(threshold, frontier_cap - headroom_oom)``, the rest the fixed ``threshold``.
    ``frontier_share = 0`` gives :func:`usefulness` exactly."""
    fixed = usefulness(capability, threshold, width)
    if frontier_share <= 0:
        return fixed
    moving = usefulness(capability, np.maximum(threshold, frontier_cap - headroom_oom), width)
    return (1.0 - frontier_share) * fixed + frontier_share * moving


def specialised_quality(use, data_index, staff_index, fit, data_weight: float, staff_weight: float):
    """Quality of a fine-tuned model: usefulness x (1 + data uplift + staff uplift) + language/culture fit."""
    return use * (1.0 + data_weight * data_index + staff_weight * staff_index) + fit


def ai_value_share(frontier_cap, share_max: float, midpoint: float, width: float):
    """AI-addressable share of value added, rising as frontier capability automates more tasks."""
    return share_max / (1.0 + np.exp(-(np.asarray(frontier_cap) - midpoint) / width))


def physical_flop(capability: float, year: float, algo_eff_per_year: float) -> float:
    """Physical training FLOP of a model of ``capability`` trained in ``year`` (inverse of effective_capability)."""
    return float(10.0 ** (capability - np.log10(algo_eff_per_year) * (year - REFERENCE_YEAR)))
