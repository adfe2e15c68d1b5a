"""Run a generated bad input (tests/fuzz_cases.py) in a sandbox folder and judge the outcome.

The promise judged: exit code 2, exactly one output line, starting ``error:`` and naming the field or option,
no traceback, and the sandbox exactly as before (nothing written, nothing removed). ``python
tests/fuzz_judge.py`` runs every case in-process and prints the table tried / handled / mishandled by kind.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from pathlib import Path

from fuzz_cases import RESULTS, Case, all_cases


def make_sandbox(case: Case, root: Path, results: Path | None) -> None:
    for rel, content in case.files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            p.mkdir(exist_ok=True)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    if case.results:
        shutil.copytree(results, root / RESULTS)


def snapshot(root: Path) -> dict:
    """Every entry below ``root``: files with size and modification time, folders by name."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(root))] = None if p.is_dir() else (st.st_size, st.st_mtime_ns)
    return out


def run_in_process(args: list[str]) -> tuple[int, str, str]:
    from experiments.cli_errors import main
    from experiments.cli import app

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(app, list(args))
    return code, out.getvalue(), err.getvalue()


def judge(case: Case, code: int, stdout: str, stderr: str, before: dict, after: dict) -> list[str]:
    """What is wrong with one outcome (empty: handled as promised)."""
    problems = []
    lines = [ln for ln in (stdout + stderr).splitlines() if ln.strip()]
    if code != 2:
        problems.append(f"exit code {code}")
    if len(lines) != 1 or not lines[0].startswith("error: "):
        problems.append(f"{len(lines)} output lines: {lines[:3]}")
    elif case.needle not in lines[0]:
        problems.append(f"{case.needle!r} not named: {lines[0]}")
    if "Traceback" in stdout + stderr:
        problems.append("traceback")
    if before != after:
        added, removed = set(after) - set(before), set(before) - set(after)
        changed = {k for k in set(before) & set(after) if before[k] != after[k]}
        problems.append(f"sandbox changed: +{sorted(added)[:3]} -{sorted(removed)[:3]} ~{sorted(changed)[:3]}")
    return problems


def make_results_folder(dest: Path) -> Path:
    """A small valid results folder (synthetic run function: no model runs)."""
    from experiments.design import validate_experiment
    from experiments.plan import make_plan
    from experiments.sweep import run_sweep

    exp = validate_experiment({"name": "fuzz", "master_seed": 3, "replications": 2,
                               "uncertainties": {"environment.foreign_wage_premium": {"values": [0.5, 0.8, 1.2, 1.5]}}})
    run_sweep(make_plan(exp, run_fn="test_experiments_support:synthetic_run"), dest)
    return dest


def run_console(sovai: str, args: list[str], cwd: Path, timeout: float = 30) -> tuple[int, str, str]:
    """Run a case through a console script (``sovai``); a run past ``timeout`` seconds counts as exit -1."""
    import subprocess

    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(Path(__file__).parent)}
    try:
        r = subprocess.run([sovai, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "", f"(no answer within {timeout:.0f} s)"
    return r.returncode, r.stdout, r.stderr


def main(argv: list[str]) -> None:  # pragma: no cover - the table for the issue's closing note
    """``python tests/fuzz_judge.py [--console PATH/TO/sovai] [--every N]``: every (or every N-th) case,
    in-process or through the given console script; prints the mishandled cases and the table by kind."""
    import argparse
    import tempfile
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    ap = argparse.ArgumentParser()
    ap.add_argument("--console")
    ap.add_argument("--every", type=int, default=1)
    opts = ap.parse_args(argv)
    cases = all_cases()[::opts.every]
    tried, bad = Counter(), Counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = make_results_folder(Path(tmp) / "results")

        def one(i: int) -> tuple[Case, list[str]]:
            case, box = cases[i], Path(tmp) / f"c{i}"
            box.mkdir()
            make_sandbox(case, box, results)
            before = snapshot(box)
            if opts.console:
                code, out, err = run_console(opts.console, case.args, box)
            else:
                cwd = os.getcwd()
                os.chdir(box)
                try:
                    code, out, err = run_in_process(case.args)
                finally:
                    os.chdir(cwd)
            return case, judge(case, code, out, err, before, snapshot(box))

        with ThreadPoolExecutor(2 if opts.console else 1) as pool:
            for case, problems in pool.map(one, range(len(cases))):
                tried[case.kind] += 1
                if problems:
                    bad[case.kind] += 1
                    print(f"MISHANDLED {case.id}: {problems}"[:400])
    print("| kind | tried | handled | mishandled |\n|---|---|---|---|")
    for k in tried:
        print(f"| {k} | {tried[k]} | {tried[k] - bad[k]} | {bad[k]} |")
    print(f"| total | {sum(tried.values())} | {sum(tried.values()) - sum(bad.values())} | {sum(bad.values())} |")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
