"""The documentation's command examples run as written (at a small scale), so none fails for a reader.

Every `sovai ...` line in a fenced sh/bash block of README.md and docs/*.md is either
- an *example* (concrete values): run in order, per document, in a fresh folder, must exit 0; or
- a *synopsis* (placeholders: `[...]`, `NAME`, `"SELECT ..."`) or a server (`sovai dashboard`): the command must
  exist and accept every option the line names (checked against `sovai COMMAND --help`).
Small scale, with the commands left as written: the experiment files the examples name are copied into the
folder with [fixed] population.* small, one replication and small designs; `--replications N` becomes 2 and
compare gets the same small population through --set. README's Python block runs too.
Running the examples takes 2-5 minutes on 2 cores (marker docs_examples: CI runs it, a local `make test` leaves
it out; run it with `pytest -m docs_examples tests/test_docs_examples.py`).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SOVAI = str(Path(sys.executable).with_name("sovai"))
SMALL = {"population.firms": 40, "population.talent": 40, "population.data_holders": 8}
DESIGN_SIZE = {"lhs": 8, "sobol": 2}  # lhs: 2 x 8 runs; sobol-6: 2 x 8 runs, --method morris: 2 x 7
SERVERS = {"dashboard"}
USER_FILES = {"my-policy.toml": 'extends = "gov-led"\nname = "my-policy"\n[policy]\nhardware_path = "flat"\n'}
PLACEHOLDER = re.compile(r"^\[|\.\.\.|^[A-Z][A-Z_]{2,}(\.toml)?$|\|")


def shell_commands(path: Path) -> list[list[str]]:
    """Each command of the fenced sh/bash blocks of ``path`` (continuations joined, comments dropped)."""
    out = []
    for lang, body in re.findall(r"```(\w*)\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        if lang not in ("sh", "bash", "shell", "console"):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            tokens = shlex.split(line, comments=True)
            if tokens:
                out.append(tokens)
    return out


def sovai_commands(path: Path) -> list[list[str]]:
    return [["sovai", *t[1:]] for t in shell_commands(path) if Path(t[0]).name == "sovai"]


def is_synopsis(tokens: list[str]) -> bool:
    return tokens[1] in SERVERS or any(PLACEHOLDER.search(t) for t in tokens[1:])


def named_options(tokens: list[str]) -> set[str]:
    opts = set()
    for t in tokens:
        for part in t.strip("[]").split("|"):
            if part.startswith("--"):
                opts.add(part.split("=")[0])
    return opts


def sovai(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([SOVAI, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def small_experiment(src: Path, dest: Path) -> None:
    spec = tomllib.loads(src.read_text(encoding="utf-8"))
    if "objectives" in spec:  # an optimisation spec (sovai optimize)
        return small_optimization(spec, dest)
    spec["replications"] = 1
    spec.setdefault("fixed", {}).update(SMALL)
    kind = spec["design"]["kind"]
    if kind in DESIGN_SIZE:
        spec["design"]["size"] = DESIGN_SIZE[kind]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(tomli_w.dumps(spec), encoding="utf-8")


def small_optimization(spec: dict, dest: Path) -> None:
    """An optimisation spec at the small scale: small populations, 2 futures, 4 policies x 2 generations."""
    spec.setdefault("set", {}).update(SMALL)
    spec.setdefault("futures", {}).update(count=2, seeds=1, out_of_sample=2)
    spec.setdefault("optimizer", {}).update(population=4, generations=2, representatives=2)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(tomli_w.dumps(spec), encoding="utf-8")


def small_args(tokens: list[str]) -> list[str]:
    args = list(tokens[1:])
    if "--replications" in args:
        args[args.index("--replications") + 1] = "2"
    if args[0] == "compare":
        args += [x for k, v in SMALL.items() for x in ("--set", f"{k}={v}")]
    return args


def test_every_command_line_in_the_docs_is_recognised():
    found = {p.name: sovai_commands(p) for p in DOCS}
    assert sum(map(len, found.values())) >= 20, found
    commands = set(sovai(["--help"], ROOT).stdout.split("Commands:")[1].split())
    helps: dict[str, str] = {}
    for doc, cmds in found.items():
        for tokens in cmds:
            name = tokens[1]
            assert name in commands, f"{doc}: {shlex.join(tokens)}: no command {name!r}"
            if name not in helps:
                r = sovai([name, "--help"], ROOT)
                assert r.returncode == 0, r.stderr
                helps[name] = r.stdout
            missing = [o for o in named_options(tokens) if o not in helps[name]]
            assert not missing, f"{doc}: {shlex.join(tokens)}: options not accepted: {missing}"


@pytest.mark.slow
@pytest.mark.docs_examples
@pytest.mark.parametrize("doc", [p for p in DOCS if any(not is_synopsis(t) for t in sovai_commands(p))],
                         ids=lambda p: p.name)
def test_the_examples_of_each_document_run_as_written(doc, tmp_path):
    for name, text in USER_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for src in (ROOT / "experiments" / "examples").glob("*.toml"):
        small_experiment(src, tmp_path / "experiments" / "examples" / src.name)
    ran = []
    for tokens in sovai_commands(doc):
        if is_synopsis(tokens):
            continue
        t0 = time.monotonic()
        r = sovai(small_args(tokens), tmp_path)
        ran.append(f"{time.monotonic() - t0:5.1f} s  {shlex.join(tokens)}")
        assert r.returncode == 0, f"{doc.name}: `{shlex.join(tokens)}` exited {r.returncode}: {r.stderr[-800:]}"
    print(f"\n{doc.name}:", *ran, sep="\n  ")
    assert ran


def test_the_readme_python_example_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "abm.model" in b]
    assert blocks
    for code in blocks:
        r = subprocess.run([sys.executable, "-c", code + "\nassert len(ts) > 0\n"], capture_output=True, text=True,
                           timeout=300, cwd=ROOT)
        assert r.returncode == 0, r.stderr[-800:]
