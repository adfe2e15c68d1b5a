"""Every output file carries its provenance (model version and commit, scenario and description, seed, date),
read back from the file itself: HTML meta tags and footer, Parquet schema metadata, PNG text chunks; CSV files
stay plain and the folder's provenance.json holds their stamp."""

from __future__ import annotations

import datetime as dt
import json
from importlib import metadata

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from abm.scenario import load_scenario  # noqa: E402
from experiments.outdir import text_writer, write_files  # noqa: E402
from experiments.provenance import git_commit, read_stamp, record, stamp  # noqa: E402
from fuzz_judge import run_in_process  # noqa: E402


def _check_common(st: dict) -> None:
    assert st["model_version"] == metadata.version("sovai")
    assert st["git_commit"] == git_commit() and len(st["git_commit"]) >= 40
    assert st["source_hash"] == record()["source_hash"]
    age = dt.datetime.now(dt.timezone.utc) - dt.datetime.strptime(st["date"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.timezone.utc)
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=10)


def test_a_run_folder_carries_its_stamp_in_every_format(tmp_path):
    out = tmp_path / "run"
    code, _, err = run_in_process(["run", "-q", "-s", "private-led", "--seed", "7", "--set", "run.end_year=2026",
                                   "--out", str(out)])
    assert code == 0, err
    sc = load_scenario("private-led")
    html, parquet = read_stamp(out / "report.html"), read_stamp(out / "timeseries.parquet")
    folder = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    for st in (html, parquet, folder["stamp"]):
        _check_common(st)
        assert (st["scenario"], st["scenario_description"], st["seed"]) == ("private-led", sc.description, "7")
    assert folder["files"] == record()["files"]  # the full record is still there
    page = (out / "report.html").read_text(encoding="utf-8")
    footer = page[page.index('<footer class="sovai-provenance">'):]
    assert "private-led" in footer and "seed 7" in footer and html["git_commit"][:12] in footer
    assert page.index("<meta charset") < page.index('<meta name="sovai:')  # charset stays first
    ts = pd.read_parquet(out / "timeseries.parquet")  # still an ordinary Parquet file
    assert len(ts) == 4 and ts["year"].eq(2026).all()


def test_png_html_and_csv_written_by_any_command_are_stamped_and_csv_stays_plain(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    st = stamp("gov-led vs private-led", "two presets", "master 1, 3 replications")
    write_files(tmp_path / "f", {
        "chart.png": lambda p: fig.savefig(p, format="png", dpi=50),
        "table.csv": text_writer(pd.DataFrame({"a": [1, 2]}).to_csv(index=False)),
        "page.html": text_writer("<!doctype html><html><head><meta charset='utf-8'></head><body>x</body></html>"),
    }, "compare", stamp=st)
    plt.close(fig)
    for name in ("chart.png", "page.html"):
        got = read_stamp(tmp_path / "f" / name)
        _check_common(got)
        assert got == st, name
    from PIL import Image

    with Image.open(tmp_path / "f" / "chart.png") as im:
        assert im.text["Software"] == f"sovai {st['model_version']}" and "master 1" in im.text["Source"]
        assert im.size[0] > 0
    assert (tmp_path / "f" / "table.csv").read_text() == "a\n1\n2\n"
    assert json.loads((tmp_path / "f" / "provenance.json").read_text())["stamp"] == st


def test_without_a_scenario_the_stamp_still_names_the_model_and_date(tmp_path):
    write_files(tmp_path / "g", {"r.html": text_writer("<html><head></head><body></body></html>")}, "validate")
    got = read_stamp(tmp_path / "g" / "r.html")
    _check_common(got)
    assert "scenario" not in got and "seed" not in got
