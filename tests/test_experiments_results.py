"""Results as a database: DuckDB views over the Parquet chunks, SQL errors, export, `sovai results`."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from abm import outputs
from experiments.cli import app
from experiments.design import load_experiment
from experiments.plan import make_plan
from experiments.results import SqlError, query
from experiments.sweep import run_sweep
from test_experiments_support import write_experiment

KEEP_TS = ["adoption_rate", "digital_deficit_jpy_tn", "sovereignty_index"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("results")
    path = write_experiment(tmp, f"""
        replications = 2
        [levers."policy.financing"]
        [uncertainties."environment.foreign_wage_premium"]
        values = [0.5, 1.5]
        [outputs]
        timeseries = {KEEP_TS!r}
        summary = ["deficit_2030_jpy_tn", "adoption_rate_2040", "npv_jpy_tn", "payback_year", "final_year"]
        """.replace("'", '"'))
    plan = make_plan(load_experiment(path))
    run_sweep(plan, tmp / "out", chunk_size=3)
    return tmp / "out"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_views_hold_one_row_per_run_and_a_long_timeseries(folder):
    runs = query(folder, "SELECT * FROM runs")
    assert len(runs) == 8 and runs["run_id"].is_unique and set(runs["status"]) == {"ok"}
    assert {"policy__financing", "environment__foreign_wage_premium", "seed", "replication"} <= set(runs.columns)
    assert set(runs["policy__financing"]) == {"tax", "ai_transition_bond"}
    kept = {"deficit_2030_jpy_tn", "adoption_rate_2040", "npv_jpy_tn", "payback_year", "final_year"}
    assert kept <= set(runs.columns) and "investment_total_jpy_tn" not in runs.columns
    assert runs["adoption_rate_2040"].isna().all() and runs["deficit_2030_jpy_tn"].notna().all()  # horizon 2030
    ts = query(folder, "SELECT * FROM timeseries")
    assert list(ts.columns) == ["run_id", "year", "quarter", *KEEP_TS]
    assert len(ts) == 8 * 20 and set(ts["run_id"]) == set(runs["run_id"])
    joined = query(folder, """SELECT r.policy__financing, avg(t.digital_deficit_jpy_tn) AS d
                              FROM timeseries t JOIN runs r USING (run_id) WHERE t.year = 2030 GROUP BY ALL""")
    assert len(joined) == 2 and (joined["d"] > 0).all()


def test_sql_errors_are_one_clear_line(folder):
    with pytest.raises(SqlError, match="Referenced column"):
        query(folder, "SELECT no_such_column FROM runs")
    for sql, needle in (("SELEC 1", "syntax error"), ("SELECT nope FROM runs", "nope"),
                        ("SELECT * FROM missing_table", "missing_table")):
        r = invoke("results", folder, "--sql", sql)
        assert r.exit_code == 2 and r.stderr.startswith("error: SQL: ") and needle in r.stderr
        assert r.stderr.count("\n") == 1, r.stderr


def test_cli_summary_query_and_export(folder, tmp_path):
    r = invoke("results", folder)
    assert r.exit_code == 0 and "8 planned, 8 ok, 0 failed" in r.stdout
    assert "Digital deficit 2030 (JPY tn/yr)" in r.stdout and "Foreign wage premium (share over domestic wage)" \
        in r.stdout and outputs.title_with_unit("npv_jpy_tn", "en") in r.stdout
    assert "deficit_2030_jpy_tn" not in r.stdout and "environment__foreign_wage_premium" not in r.stdout
    r = invoke("results", folder, "--sql", "SELECT policy__financing, count(*) AS n FROM runs GROUP BY 1 ORDER BY 1")
    assert r.exit_code == 0 and "ai_transition_bond" in r.stdout and "2 rows" in r.stdout
    csv = tmp_path / "runs.csv"
    assert invoke("results", folder, "--export", csv).exit_code == 0
    assert len(pd.read_csv(csv)) == 8
    pq = tmp_path / "sub" / "ts.parquet"
    r = invoke("results", folder, "--sql", "SELECT * FROM timeseries WHERE year = 2030", "--export", pq)
    assert r.exit_code == 0 and len(pd.read_parquet(pq)) == 8 * 4
    xlsx = tmp_path / "runs.xlsx"
    assert invoke("results", folder, "--export", xlsx).exit_code == 0
    import openpyxl

    rows = list(openpyxl.load_workbook(xlsx, read_only=True)["runs"].iter_rows(values_only=True))
    assert len(rows) == 1 + 8 and outputs.title_with_unit("npv_jpy_tn", "en") in rows[0]
    assert "npv_jpy_tn" not in rows[0]
    bad = tmp_path / "x.txt"
    r = invoke("results", folder, "--export", bad)
    assert r.exit_code == 2 and ".csv, .parquet or .xlsx" in r.stderr and not bad.exists()
    r = invoke("results", folder, "--sql", "SELECT nope", "--export", tmp_path / "e.csv")
    assert r.exit_code == 2 and not list(tmp_path.glob("*e.csv*"))
    r = invoke("results", tmp_path)
    assert r.exit_code == 2 and "not a sovai results folder" in r.stderr
