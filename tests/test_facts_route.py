"""Stylised facts of the base-model route (issue 12, item 3): continued pre-training of open-weight bases turns
the same national compute into more capability than a from-scratch run, and more compute buys a larger base.

Each fact: common seeds, a paired difference, a margin of 3 standard errors (computed and printed).
"""

from __future__ import annotations

import pytest

from agents import government_rules as rules_
from stylised import paired

CPT = {"policy.base_model_route": "continued_pretraining"}
FLEET = {"policy.compute_budget_jpy_tn_per_year": 2.0, "policy.generation_sizing": "budget"}


def test_cpt_base_grows_with_the_square_of_compute_and_stops_at_the_newest_open_base():
    one = rules_.cpt_base_flop(1e25, 1e12, 100.0, 1e40)
    assert rules_.cpt_base_flop(1e26, 1e12, 100.0, 1e40) == pytest.approx(100.0 * one)
    assert rules_.cpt_base_flop(1e26, 1e12, 100.0, 3e27) == 3e27
    # the run that continues a base costs what was available when the base is not capped, less when it is
    assert rules_.cpt_run_flop(rules_.cpt_base_flop(1e25, 1e12, 100.0, 1e40), 1e12, 100.0) == pytest.approx(1e25)
    assert rules_.cpt_run_flop(3e27, 1e12, 100.0) < 1e26


def test_continued_pretraining_reaches_a_higher_capability_on_the_same_compute():
    paired("gov-led", {}, CPT, "base_model_quality@2036").assert_direction(+1, floor=0.5)


def test_with_continued_pretraining_more_compute_buys_more_capability():
    """The fleet trains each generation (generation_sizing = budget): a 2 tn/yr budget buys a larger fleet than
    0.45, which continues a larger open base."""
    paired("gov-led", {**CPT, **FLEET, "policy.compute_budget_jpy_tn_per_year": 0.45}, {**CPT, **FLEET},
           "base_model_quality@2040").assert_direction(+1, floor=0.3)


def test_where_tasks_track_the_frontier_continued_pretraining_raises_sovereign_use():
    frontier = {**FLEET, "rules.capability_frontier_task_share": 0.25}
    paired("gov-led", frontier, {**frontier, **CPT}, "adoption_share_sovereign_2040").assert_direction(+1, floor=0.02)
