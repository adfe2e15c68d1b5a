"""Output folders never lose a user's file; default names stay below outputs/; the CLI's one-line error form."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
import typer

from abm.errors import UserError
from experiments.cli_errors import SovaiTyper, main, set_debug
from experiments.outdir import MARKER, claim, default_folder, is_sovai_output, safe_name, text_writer, write_files
from fuzz_judge import run_in_process


@pytest.mark.parametrize("name, expected", [("gov-led", "gov-led"), ("../../etc/x", "etc_x"), ("/abs/path", "abs_path"),
                                            ("..", "scenario"), ("a b.c", "a_b_c"), ("政策", "scenario")])
def test_safe_names_stay_below_outputs(name, expected):
    assert safe_name(name) == expected
    folder = default_folder(f"{name}-seed1")
    assert folder.parts[0] == "outputs" and ".." not in folder.parts and len(folder.parts) == 2


def test_claim_refuses_a_users_folder_unless_forced_and_force_keeps_their_files(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    (user / "summary.json").write_text("their summary")
    with pytest.raises(UserError, match="--out: .* is not a sovai output folder"):
        claim(user, ["summary.json", "report.html"])
    claim(user, ["summary.json", "report.html"], force=True)
    write_files(user, {"summary.json": text_writer("{}"), "report.html": text_writer("<p>")}, "run")
    assert (user / "notes.txt").read_text() == "mine" and (user / "summary.json").read_text() == "{}"
    assert json.loads((user / MARKER).read_text())["files"] == ["provenance.json", "report.html", "summary.json"]
    assert is_sovai_output(user) and not [p for p in user.iterdir() if p.name.startswith(".sovai-tmp")]


def test_a_new_folder_appears_whole_and_a_rerun_keeps_added_files(tmp_path):
    out = tmp_path / "a" / "b"
    write_files(out, {"x.txt": text_writer("1")}, "run")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "provenance.json", "x.txt"]
    (out / "my-notes.md").write_text("notes")
    claim(out, ["x.txt"])  # ours: allowed without --force
    write_files(out, {"x.txt": text_writer("2")}, "run")
    assert (out / "x.txt").read_text() == "2" and (out / "my-notes.md").read_text() == "notes"
    assert sorted(p.name for p in tmp_path.joinpath("a").iterdir()) == ["b"]  # no temporary sibling left


def test_a_folder_of_only_sovai_names_counts_as_ours_and_bad_paths_are_refused(tmp_path):
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "summary.json").write_text("{}")
    assert claim(legacy, ["summary.json"]) == legacy
    (tmp_path / "f").write_text("x")
    for bad, needle in ((tmp_path / "f", "is a file"), (tmp_path / "f" / "sub", "cannot be created below it"),
                        ("", "must not be empty")):
        with pytest.raises(UserError, match=needle):
            claim(bad, ["summary.json"])


def test_run_with_a_hostile_scenario_name_writes_below_outputs(tmp_path, monkeypatch):
    (tmp_path / "s.toml").write_text('extends = "gov-led"\nname = "../../escape"\n[run]\nend_year = 2026\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run_in_process(["run", "-q", "-s", "s.toml"])
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs", "s.toml"]
    assert (tmp_path / "outputs" / "escape-seed42" / "summary.json").is_file()


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_runs_with_overrides_get_their_own_folder_and_a_previous_result_needs_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    short = ["--set", "run.end_year=2026"]
    assert run_in_process(["run", "-q", *short])[0] == 0
    assert run_in_process(["run", "-q", "--set", "policy.hardware_path=flat", *short])[0] == 0
    same_but_reordered = ["--seed", "42", "--set", "run.end_year=2026", "--set", "policy.hardware_path=flat"]
    names = sorted(p.name for p in (tmp_path / "outputs").iterdir())
    assert len(names) == 2 and all(n.startswith("gov-led-seed42-") for n in names), names
    first = tmp_path / "outputs" / names[0]
    before = _tree(tmp_path)
    for args in (["run", "-q", *short], ["run", "-q", *same_but_reordered], ["run", "-q", *short,
                                                                                       "--out", str(first)]):
        code, out, err = run_in_process(args)
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, (args, err)
        assert "already holds a result" in err and "--force" in err
    assert _tree(tmp_path) == before  # nothing written by the refused runs
    code, _, err = run_in_process(["run", "-q", *short, "--out", str(first), "--force"])
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == names


def _app_raising(exc: BaseException) -> SovaiTyper:
    app = SovaiTyper(add_completion=False)

    @app.command()
    def boom(n: int = typer.Option(1, min=0)):
        raise exc

    @app.command()
    def other():
        pass

    return app


@pytest.mark.parametrize("exc, code, needle", [(UserError("--x: must be 1"), 2, "error: --x: must be 1"),
                                               (FileNotFoundError(2, "No such file", "a.toml"), 2, "a.toml"),
                                               (RuntimeError("oops"), 1, "internal error (RuntimeError: oops)")])
def test_main_turns_every_failure_into_one_line(exc, code, needle):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(_app_raising(exc), ["boom"]) == code
        assert main(_app_raising(exc), ["boom", "--n", "-1"]) == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("error: ") and needle in lines[0]
    assert lines[1].startswith("error: --n: ") and "Traceback" not in err.getvalue()


def test_debug_prints_the_traceback():
    err = io.StringIO()
    set_debug(True)
    try:
        with contextlib.redirect_stderr(err):
            assert main(_app_raising(RuntimeError("oops")), ["boom"]) == 1
    finally:
        set_debug(False)
    assert "Traceback" in err.getvalue() and err.getvalue().rstrip().splitlines()[-1].startswith("error: internal")
