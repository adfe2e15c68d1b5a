"""The benchmark's instruments: timing phases from outside leaves the model's results unchanged (no timed asserts)."""

from __future__ import annotations

import json

import pandas as pd

from abm.model import SovereignAIModel
from experiments import bench

SMALL = {"population__firms": 60, "population__talent": 90, "population__data_holders": 9, "run__end_year": 2029}


def test_phase_timing_does_not_change_the_run():
    plain = SovereignAIModel(rng=5, **SMALL)
    plain.run()
    build, steps = bench.PhaseTimer(), bench.PhaseTimer()
    with bench.construction_phases(build):
        timed = SovereignAIModel(rng=5, **SMALL)
    bench.wrap_step_phases(timed, steps)
    timed.run()
    pd.testing.assert_frame_equal(plain.datacollector.get_model_vars_dataframe(),
                                  timed.datacollector.get_model_vars_dataframe(), check_exact=True)
    assert set(steps.seconds) == set(bench.STEP_PHASES)
    assert set(build.seconds) == set(bench.CONSTRUCTION_PHASES)
    # the module names patched for construction are restored
    import abm.model
    import abm.network
    assert abm.model.build_network is abm.network.build_network
    assert abm.network.EcosystemSpace.__module__ == "abm.network"


def test_write_json_atomic(tmp_path):
    path = tmp_path / "bench" / "results.json"
    bench.write_json_atomic(path, {"a": 1})
    bench.write_json_atomic(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_populations_scale_in_proportion():
    assert bench.population(2000) == {"population__firms": 2000, "population__talent": 3000,
                                      "population__data_holders": 300}
