"""Generated bad inputs (tests/fuzz_cases.py): each exits 2 with one `error:` line naming the field or option,
and leaves its sandbox folder exactly as it was (nothing written, nothing removed).

The fast subset runs in-process on every `make test`; the whole set (and a sample through the real console
script, as a user runs it) carries the ``fuzz_full`` marker, which CI runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fuzz_cases import all_cases, fast_cases
from fuzz_judge import judge, make_results_folder, make_sandbox, run_in_process, snapshot

ALL = all_cases()
FAST = fast_cases()
SOVAI = str(Path(sys.executable).with_name("sovai"))


@pytest.fixture(scope="module")
def results_folder(tmp_path_factory):
    return make_results_folder(tmp_path_factory.mktemp("fuzz") / "results")


def _check(case, tmp_path, results_folder, monkeypatch):
    box = tmp_path / "box"
    box.mkdir()
    make_sandbox(case, box, results_folder)
    before = snapshot(box)
    monkeypatch.chdir(box)
    code, out, err = run_in_process(case.args)
    assert judge(case, code, out, err, before, snapshot(box)) == []


def test_the_generator_covers_every_kind_with_at_least_300_inputs():
    kinds = Counter(c.kind for c in ALL)
    assert len(ALL) >= 300
    assert set(kinds) == {"scenario file", "--set", "CLI flags", "output folder", "sweep spec", "results folder",
                          "targets file", "discovery target"}
    assert min(kinds.values()) >= 10
    assert set(c.kind for c in FAST) == set(kinds) and len(FAST) < len(ALL)


def test_judge_rejects_each_way_of_mishandling(tmp_path):
    case = ALL[0]
    same = {"a": (1, 2)}
    assert judge(case, 2, "", f"error: {case.needle}: bad\n", same, same) == []
    assert judge(case, 0, "", f"error: {case.needle}: bad\n", same, same)                  # exit code
    assert judge(case, 2, "", f"error: {case.needle}: bad\nmore\n", same, same)            # two lines
    assert judge(case, 2, "usage\n", "", same, same)                                      # not an error line
    assert judge(case, 2, "", "error: something else\n", same, same)                      # field not named
    assert judge(case, 2, "", f"error: {case.needle}: Traceback\n", same, same)            # traceback
    assert judge(case, 2, "", f"error: {case.needle}: bad\n", same, {**same, "b": None})   # wrote something
    assert judge(case, 2, "", f"error: {case.needle}: bad\n", same, {})                    # removed something


@pytest.mark.parametrize("case", FAST, ids=[c.id for c in FAST])
def test_bad_input_fast(case, tmp_path, results_folder, monkeypatch):
    _check(case, tmp_path, results_folder, monkeypatch)


@pytest.mark.fuzz_full
@pytest.mark.parametrize("case", [c for c in ALL if c not in FAST], ids=[c.id for c in ALL if c not in FAST])
def test_bad_input_full(case, tmp_path, results_folder, monkeypatch):
    _check(case, tmp_path, results_folder, monkeypatch)


SAMPLE = ALL[::15]


@pytest.mark.fuzz_full
@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_bad_input_through_the_console_script(case, tmp_path, results_folder):
    box = tmp_path / "box"
    box.mkdir()
    make_sandbox(case, box, results_folder)
    before = snapshot(box)
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).parent)}
    r = subprocess.run([SOVAI, *case.args], capture_output=True, text=True, cwd=box, env=env, timeout=120)
    assert judge(case, r.returncode, r.stdout, r.stderr, before, snapshot(box)) == []
