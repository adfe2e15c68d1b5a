"""`--export FILE.xlsx`: the workbook read back with openpyxl holds the same numbers as the run's own files,
under human headers with units in the chosen language, with a columns sheet and the provenance stamp."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from abm import outputs
from fuzz_judge import run_in_process

SHORT = ["--set", "run.end_year=2027"]


def _sheet(wb, name) -> pd.DataFrame:
    rows = list(wb[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_run_export_reads_back_with_labels_units_and_provenance(tmp_path, lang):
    out, xlsx = tmp_path / "run", tmp_path / "book" / "runs.xlsx"
    code, _, err = run_in_process(["run", "-q", "--seed", "5", *SHORT, "--out", str(out), "--export", str(xlsx),
                                   "--lang", lang])
    assert code == 0, err
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    ts = pd.read_parquet(out / "timeseries.parquet")
    sheet = _sheet(wb, "timeseries")
    head = outputs.title_with_unit("digital_deficit_jpy_tn", lang)
    assert head in sheet.columns and "digital_deficit_jpy_tn" not in sheet.columns
    assert sheet[head].tolist() == pytest.approx(ts["digital_deficit_jpy_tn"].tolist(), rel=1e-12)
    assert len(sheet) == len(ts) == 8
    columns = _sheet(wb, "列" if lang == "ja" else "columns")
    assert len(columns) >= len(ts.columns)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rows = _sheet(wb, "summary").set_index("key")
    assert rows.iloc[:, 1]["npv_jpy_tn"] == pytest.approx(summary["npv_jpy_tn"])
    prov = dict(_sheet(wb, "来歴" if lang == "ja" else "provenance").itertuples(index=False))
    stamp = json.loads((out / "provenance.json").read_text(encoding="utf-8"))["stamp"]
    assert {k: prov[k] for k in ("model_version", "git_commit", "scenario", "seed")} == {
        k: stamp[k] for k in ("model_version", "git_commit", "scenario", "seed")}
    assert prov["seed"] == "5" and prov["scenario"] == "gov-led"
    assert wb.properties.creator.startswith("sovai ")


def test_a_bad_or_existing_export_file_is_refused_before_anything_runs(tmp_path):
    cases = [(tmp_path / "runs.csv", "--export: "), (tmp_path / "exists.xlsx", "exists"), (tmp_path, "folder")]
    (tmp_path / "exists.xlsx").write_text("mine")
    for path, needle in cases:
        code, out, err = run_in_process(["run", "-q", *SHORT, "--out", str(tmp_path / "o"), "--export", str(path)])
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and needle in err, err
        assert not (tmp_path / "o").exists()
    assert (tmp_path / "exists.xlsx").read_text() == "mine"


def test_compare_export_holds_the_comparison_table_and_every_replication(tmp_path):
    small = ["--set", "population.firms=40", "--set", "population.talent=40", "--set", "population.data_holders=8",
             "--set", "run.end_year=2027"]
    xlsx = tmp_path / "cmp.xlsx"
    code, _, err = run_in_process(["compare", "gov-led", "private-led", "--replications", "2", "--workers", "1", "-q",
                                   *small, "--out", str(tmp_path / "c"), "--export", str(xlsx)])
    assert code == 0, err
    wb = openpyxl.load_workbook(xlsx, read_only=True)
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    sheet = _sheet(wb, "comparison")
    assert len(sheet) == len(table) and sheet["mean"].tolist() == pytest.approx(table["mean"].tolist(), nan_ok=True)
    reps = _sheet(wb, "replications")
    assert len(reps) == 2 * 2 * 8  # policies x replications x quarters
    head = outputs.title_with_unit("digital_deficit_jpy_tn", "en")
    assert head in reps.columns and set(reps["policy"]) == {"gov-led", "private-led"}
    prov = dict(_sheet(wb, "provenance").itertuples(index=False))
    assert prov["scenario"] == "gov-led vs private-led" and prov["seed"].endswith("2 replications")
