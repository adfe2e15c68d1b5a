"""Start-up: `sovai --help` imports no heavy library, a command imports only its own module, and the lazily read
command list matches the commands the modules really register."""

from __future__ import annotations

import json
import subprocess
import sys

from experiments.cli import COMMAND_MODULES, command_index, load_commands

HEAVY = ("numpy", "pandas", "mesa", "matplotlib", "scipy", "networkx", "pyarrow", "duckdb", "pydantic", "solara")


def _modules_after(args: list[str]) -> tuple[list[str], str]:
    code = ("import contextlib, io, json, sys\n"
            "from experiments.cli import app\nfrom experiments.cli_errors import main\n"
            "out = io.StringIO()\n"
            f"with contextlib.redirect_stdout(out): code = main(app, {args!r})\n"
            "print(json.dumps([code, sorted(sys.modules), out.getvalue()]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    exit_code, modules, out = json.loads(r.stdout)
    assert exit_code == 0, out
    return modules, out


def test_help_imports_no_heavy_library_and_lists_every_command():
    modules, out = _modules_after(["--help"])
    loaded = sorted({m.split(".")[0] for m in modules} & set(HEAVY))
    print("heavy modules loaded by --help:", loaded)
    assert loaded == []
    assert not [m for m in COMMAND_MODULES if m in modules]  # no command module imported just to list them
    for name in command_index():
        assert f"\n  {name} " in out, name


def test_a_command_imports_only_its_own_module():
    modules, out = _modules_after(["scenarios"])
    assert "gov-led" in out
    assert [m for m in COMMAND_MODULES if m in modules] == ["experiments.run_cli"]
    assert not {"mesa", "matplotlib", "duckdb"} & {m.split(".")[0] for m in modules}


def test_run_draws_its_report_without_matplotlib(tmp_path):
    """`sovai run`'s report charts are SVG written directly: the command never imports matplotlib (~0.6 s)."""
    modules, _ = _modules_after(["run", "-q", "--out", str(tmp_path / "r"), "--set", "population.firms=100",
                                 "--set", "run.end_year=2027"])
    assert "mesa" in {m.split(".")[0] for m in modules}          # the model did run in this process
    assert "matplotlib" not in {m.split(".")[0] for m in modules}
    assert (tmp_path / "r" / "report.html").read_text(encoding="utf-8").count("<svg ") == 4


def test_the_lazy_index_matches_the_registered_commands():
    index = command_index()
    for module in COMMAND_MODULES:
        real = load_commands(module)
        assert real, module
        for name, cmd in real.items():
            assert index[name] == (module, cmd.help), name
    assert len(index) == sum(len(load_commands(m)) for m in COMMAND_MODULES)
