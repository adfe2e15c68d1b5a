"""The benchmark's instruments: timing phases from outside leaves the model's results unchanged (no timed asserts)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from abm.model import SovereignAIModel
from experiments import bench, bench_profile

SMALL = {"population__firms": 60, "population__talent": 90, "population__data_holders": 9, "run__end_year": 2029}


def test_phase_timing_does_not_change_the_run():
    plain = SovereignAIModel(rng=5, **SMALL)
    plain.run()
    build, steps = bench_profile.PhaseTimer(), bench_profile.PhaseTimer()
    with bench_profile.construction_phases(build):
        timed = SovereignAIModel(rng=5, **SMALL)
    bench_profile.wrap_step_phases(timed, steps)
    timed.run()
    pd.testing.assert_frame_equal(plain.datacollector.get_model_vars_dataframe(),
                                  timed.datacollector.get_model_vars_dataframe(), check_exact=True)
    assert set(steps.seconds) == set(bench_profile.STEP_PHASES)
    assert set(build.seconds) == set(bench_profile.CONSTRUCTION_PHASES)
    # the module names patched for construction are restored
    import abm.graph_arrays
    from abm import network_memo
    assert not hasattr(network_memo.remembered, "__wrapped__")   # the timed wrapper is gone
    assert abm.graph_arrays.EcosystemSpace.__module__ == "abm.graph_arrays"


def test_write_text_atomic_replaces_and_leaves_no_temporary(tmp_path):
    from experiments.outdir import write_text_atomic

    path = tmp_path / "bench" / "results.json"
    write_text_atomic(path, json.dumps({"a": 1}))
    write_text_atomic(path, json.dumps({"a": 2}))
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


def test_populations_scale_in_proportion():
    assert bench.population(2000) == {"population__firms": 2000, "population__talent": 3000,
                                      "population__data_holders": 300}


@pytest.mark.slow
def test_sweep_section_runs_every_path_at_tiny_n_and_prints_the_table():
    from experiments import bench_sweep

    res = bench_sweep.sweep_bench(1, 1, print)
    assert set(res["paths"]) == set(bench_sweep.PATHS)
    for p in res["paths"].values():
        assert p["runs"][0]["ok"] == 1 and p["runs_per_s"] > 0
    assert res["paths"]["mesa_batch_run_2"]["vs_mesa_batch_run"] == 1.0
    lines = bench.table(dict(sweep=res)).splitlines()
    print("\n".join(lines))
    assert lines[0].startswith("6. sweeps: the same 1 default runs")
    assert [line.strip().split("  ")[0] for line in lines[2:2 + len(res["paths"])]] == \
        [bench_sweep.LABELS[p] for p in res["paths"]]
