"""Experiment files: schema, ranges from the scenario schema, designs, seeds; bad files exit 2, write nothing."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from abm.schema import field_specs
from experiments.cli import app
from experiments.design import ExperimentError, load_experiment
from experiments.plan import make_plan
from test_experiments_support import write_experiment

GRID = """
replications = 2
[levers."policy.role_division"]
values = ["gov_led", "private_led"]
[uncertainties."policy.financing"]
[uncertainties.shocks]
values = ["none", "export"]
[shock_sets]
none = []
export = [{kind = "export_control", start_year = 2028, duration_quarters = 4, severity = 0.5}]
"""


def test_ranges_and_choices_come_from_the_schema(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, """
        [uncertainties."environment.foreign_wage_premium"]
        [uncertainties."policy.asean_cocreation"]
        [uncertainties."policy.hardware_path"]
        [design]
        kind = "lhs"
        size = 4
        """))
    spec = field_specs()["environment.foreign_wage_premium"]
    f = {x.name: x for x in exp.factors}
    assert (f["environment.foreign_wage_premium"].lo, f["environment.foreign_wage_premium"].hi) == (spec.ge, spec.le)
    assert f["policy.asean_cocreation"].values == [False, True]
    assert f["policy.hardware_path"].values == list(field_specs()["policy.hardware_path"].choices)


def test_grid_crosses_levers_uncertainties_and_replications(tmp_path):
    plan = make_plan(load_experiment(write_experiment(tmp_path, GRID)))
    assert len(plan.runs) == 2 * 2 * 2 * 2
    combos = {(r.params["policy__role_division"], r.params["policy__financing"], r.params["shock_set"])
              for r in plan.runs}
    assert len(combos) == 8
    export = next(r for r in plan.runs if r.params["shock_set"] == "export")
    assert export.scenario["shocks"][0]["kind"] == "export_control"
    assert all(r.scenario["population"]["firms"] == 200 for r in plan.runs)  # [fixed] applied
    assert len({r.run_id for r in plan.runs}) == len(plan.runs)


@pytest.mark.parametrize("kind,size,expected", [("lhs", 7, 7), ("sobol", 8, 8 * (3 + 2)), ("morris", 3, 3 * (3 + 1))])
def test_design_sizes(tmp_path, kind, size, expected):
    plan = make_plan(load_experiment(write_experiment(tmp_path, f"""
        [uncertainties."environment.foreign_wage_premium"]
        range = [0.5, 1.5]
        [uncertainties."behaviour.bass_imitation_per_year"]
        [uncertainties."population.asean_partners"]
        [design]
        kind = "{kind}"
        size = {size}
        """)))
    assert len(plan.runs) == expected and plan.samples.shape == (expected, 3)
    wage = np.array([r.params["environment__foreign_wage_premium"] for r in plan.runs])
    assert wage.min() >= 0.5 and wage.max() <= 1.5
    assert all(isinstance(r.params["population__asean_partners"], int) for r in plan.runs)  # int field rounded


def test_lhs_has_one_point_per_stratum(tmp_path):
    plan = make_plan(load_experiment(write_experiment(tmp_path, """
        [uncertainties."environment.foreign_wage_premium"]
        range = [0.0, 1.0]
        [uncertainties."behaviour.bass_imitation_per_year"]
        range = [0.0, 1.0]
        [design]
        kind = "lhs"
        size = 10
        """)))
    for col in range(2):
        assert sorted(np.floor(plan.samples[:, col] * 10).astype(int)) == list(range(10))


def test_seeds_come_from_the_master_seed_only(tmp_path):
    path = write_experiment(tmp_path, GRID)
    a, b = make_plan(load_experiment(path)), make_plan(load_experiment(path))
    assert [(r.run_id, r.seed) for r in a.runs] == [(r.run_id, r.seed) for r in b.runs]
    # common random numbers: replication r has one seed at every design point, and reps differ
    by_rep = {}
    for r in a.runs:
        by_rep.setdefault(r.replication, set()).add(r.seed)
    assert all(len(s) == 1 for s in by_rep.values()) and by_rep[0] != by_rep[1]
    other = make_plan(load_experiment(write_experiment(tmp_path, GRID, name="u", master_seed=6)))
    assert {r.seed for r in other.runs}.isdisjoint({r.seed for r in a.runs})
    independent = make_plan(load_experiment(write_experiment(
        tmp_path, GRID.replace("replications = 2", "replications = 2\n[design]\ncommon_random_numbers = false"),
        name="v")))
    assert len({r.seed for r in independent.runs}) == len(independent.runs)


BAD = {
    "unknown_field": ('[uncertainties."environment.foreign_wage_premiun"]\n', "foreign_wage_premium"),
    "out_of_schema": ('[uncertainties."environment.foreign_wage_premium"]\nrange = [0.5, 9.0]\n',
                      "outside the schema bounds"),
    "unknown_key": ('[design]\nkindd = "grid"\n', "design.kindd: unknown key"),
    "bad_kind": ('[design]\nkind = "factorial"\n', "design.kind"),
    "sobol_size": ('[uncertainties."environment.foreign_wage_premium"]\n[uncertainties."environment.jpy_per_usd"]\n'
                   '[design]\nkind = "sobol"\nsize = 10\n', "power of 2"),
    "bad_value": ('[levers."policy.role_division"]\nvalues = ["gov_led", "state_led"]\n', "policy.role_division"),
    "shock_set": ('[uncertainties.shocks]\nvalues = ["none"]\n', "shock_sets"),
    "output": ('[outputs]\ntimeseries = ["adoption_rat"]\n', "outputs.timeseries"),
    "fixed_value": ('[fixed]\n"run.end_year" = 2010\n', "fixed.run.end_year"),
    "malformed": ('[levers\n', "malformed TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_files_exit_2_with_one_line_and_write_nothing(tmp_path, case):
    body, needle = BAD[case]
    path = write_experiment(tmp_path, body, small=False)
    out = tmp_path / "out"
    for cmd in (["sweep", path, "--out", out, "--workers", "1"], ["sensitivity", path, "--method", "sobol",
                                                                  "--out", out, "--workers", "1"]):
        r = CliRunner().invoke(app, [str(c) for c in cmd])
        assert r.exit_code == 2, r.output
        assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
        # sensitivity --method sobol checks the design size before the outputs table
        expected = "design.size: required" if (cmd[0], case) == ("sensitivity", "output") else needle
        assert expected in r.stderr, r.stderr
        assert not out.exists()
    with pytest.raises(ExperimentError):
        make_plan(load_experiment(path))
