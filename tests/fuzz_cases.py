"""A generator of bad inputs for the `sovai` command line (issue 17).

Every case is a command line run in an empty sandbox folder holding only the files the case needs, and the
field or option its one error line must name (``needle``). Kinds: scenario file, --set, CLI flags, output folder, sweep spec, results folder, targets file,
discovery target. Running and judging: tests/fuzz_judge.py (``python tests/fuzz_judge.py`` prints the table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from abm.schema import field_specs, shock_field_specs

RESULTS = "res"  # where a case that needs a valid results folder finds it in its sandbox


@dataclass
class Case:
    kind: str
    args: list[str]
    needle: str
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # None: an empty folder
    results: bool = False                                              # copy a valid results folder to RESULTS

    @property
    def id(self) -> str:
        return f"{self.kind}: {' '.join(self.args)}"[:150]


def _bad_values(spec) -> list[str]:
    """TOML literals of the wrong type or outside the bounds for one field."""
    if spec.choices:
        return ["1", "true", '"nonsense"', f'"{str(spec.choices[0]).upper()}"']
    if spec.type is bool:
        return ["1", '"yes"', "0.0", '"true"']
    below = spec.ge - 1 if spec.type is int else spec.ge - abs(spec.ge) * 0.5 - 1
    above = spec.le + 1 if spec.type is int else spec.le * 2 + 1
    if spec.type is int:
        return ["true", f'"{spec.default}"', f"{float(spec.default)}", repr(below), repr(above), "[1]"]
    return ["true", f'"{spec.default}"', "{}", repr(float(below)), repr(float(above)), "nan", "inf"]


def _scenario_cases() -> list[Case]:
    out = []
    for path, spec in field_specs().items():
        sec, key = path.split(".")
        for lit in _bad_values(spec):
            out.append(Case("scenario file", ["check-scenario", "s.toml"], path, {"s.toml": f"[{sec}]\n{key} = {lit}\n"}))
    for path, spec in shock_field_specs().items():
        key = path.split(".")[1]
        for lit in _bad_values(spec)[:3]:
            body = f'[[shocks]]\nkind = "export_control"\n{key} = {lit}\n' if key != "kind" else f"[[shocks]]\nkind = {lit}\n"
            out.append(Case("scenario file", ["run", "-s", "s.toml", "--out", "o"], f"shocks.0.{key}", {"s.toml": body}))
    deep = "x = " + "[" * 3000 + "]" * 3000 + "\n"
    structural = [
        ({"d": None}, ["run", "-s", "d"], "scenario"),
        ({"d.toml": None}, ["check-scenario", "d.toml"], "scenario"),
        ({"s.toml": 'extends = ""\n'}, ["run", "-s", "s.toml"], "extends"),
        ({"s.toml": "extends = 5\n"}, ["run", "-s", "s.toml"], "extends"),
        ({"a/a.toml": 'extends = "../a/a.toml"\n'}, ["run", "-s", "a/a.toml"], "extends"),
        ({"a/a.toml": 'extends = "../a/./../a/a.toml"\n'}, ["check-scenario", "a/a.toml"], "extends"),
        ({"a.toml": 'extends = "b.toml"\n', "b.toml": 'extends = "a.toml"\n'}, ["run", "-s", "a.toml"], "extends"),
        ({"s.toml": deep}, ["run", "-s", "s.toml", "--out", "o"], "scenario"),
        ({"s.toml": "[policy\n"}, ["run", "-s", "s.toml"], "scenario"),
        ({"s.toml": b"\xff\xfe[policy]\n"}, ["check-scenario", "s.toml"], "scenario"),
        ({"s.toml": "[polcy]\nx = 1\n"}, ["run", "-s", "s.toml"], "polcy"),
        ({"s.toml": "policy = 5\n"}, ["run", "-s", "s.toml"], "policy"),
        ({"s.toml": "shocks = 5\n"}, ["run", "-s", "s.toml"], "shocks"),
        ({"s.toml": "shocks = [5]\n"}, ["run", "-s", "s.toml"], "shocks.0"),
        ({"s.toml": "name = 5\n"}, ["run", "-s", "s.toml"], "name"),
        ({"s.toml": "[run]\nstart_year = 2030\nend_year = 2028\n"}, ["run", "-s", "s.toml"], "end_year"),
        ({}, ["run", "-s", ""], "scenario"),
        ({}, ["run", "-s", "no-such-preset"], "scenario"),
        ({}, ["run", "-s", "missing.toml"], "scenario"),
        ({}, ["compare", "gov-led", "missing.toml", "--out", "o"], "scenario"),
    ]
    out += [Case("scenario file", args, needle, files) for files, args, needle in structural]
    return out


def _set_cases() -> list[Case]:
    out = []
    for path, spec in field_specs().items():
        for lit in _bad_values(spec)[:3]:
            out.append(Case("--set", ["run", "--set", f"{path}={lit}", "--out", "o"], path))
    deep = "[" * 3000 + "]" * 3000
    for expr, needle in (("nonsense", "--set"), ("=5", "--set"), ("policy=3", "--set"), ("a.b.c=1", "--set"),
                         ("policy.budget=1", "policy.budget"), (f"policy.adoption_subsidy_rate={deep}", "--set"),
                         ("run.seed=", "run.seed"), ("population.asean_partners=true", "population.asean_partners")):
        out.append(Case("--set", ["run", "--set", expr, "--out", "o"], needle))
        out.append(Case("--set", ["compare", "gov-led", "--set", expr, "--out", "o"], needle))
    return out


def _flag_cases() -> list[Case]:
    exp = {"e.toml": 'name = "e"\nmaster_seed = 1\n[uncertainties."environment.foreign_wage_premium"]\n'
                     '[uncertainties."environment.jpy_per_usd"]\n[design]\nkind = "sobol"\nsize = 8\n'}
    rows = [
        (["run", "--seed", "-4"], "--seed"), (["run", "--seed", "abc"], "--seed"), (["run", "--seed", "1.5"], "--seed"),
        (["run", "--bogus"], "--bogus"), (["run", "--out"], "--out"), (["run", "extra"], "run"),
        (["nope"], "COMMAND"), (["sweep"], "EXPERIMENT"), (["results"], "FOLDER"), (["discover"], "FOLDER"),
        (["compare"], "SCENARIOS"), (["show-scenario"], "NAME"), (["check-scenario"], "PATH"),
        (["sweep", "e.toml", "--workers", "0"], "--workers"), (["sweep", "e.toml", "--workers", "100000"], "--workers"),
        (["sweep", "e.toml", "--chunk-size", "0"], "--chunk-size"), (["sweep", "e.toml", "--scheduler", ""], "--scheduler"),
        (["sweep", "e.toml", "--scheduler", "localhost:8786"], "--scheduler"),
        (["sweep", "e.toml", "--scheduler", "tcp://host:99999"], "--scheduler"),
        (["compare", "gov-led", "--scheduler", " "], "--scheduler"), (["compare", "gov-led", "--replications", "0"],
                                                                      "--replications"),
        (["compare", "gov-led", "--seed", "-1"], "--seed"), (["compare", "gov-led", "--workers", "0"], "--workers"),
        (["compare", "gov-led", "--replications", "1000000", "--out", "o"], "--replications"),
        (["compare", "gov-led", "private-led", "--replications", "60000", "--out", "o"], "ceiling"),
        (["compare", "gov-led", "--futures", "-1", "--out", "o"], "--futures"),
        (["compare", "gov-led", "--futures", "two", "--out", "o"], "--futures"),
        (["compare", "gov-led", "private-led", "--futures", "5000", "--replications", "20", "--out", "o"], "ceiling"),
        (["sensitivity", "e.toml", "--scheduler", "", "--out", "o"], "--scheduler"),
        (["sensitivity", "e.toml", "--method", "", "--out", "o"], "--method"),
        (["sensitivity", "e.toml", "--method", "grid", "--out", "o"], "--method"),
        (["sensitivity", "e.toml", "--output", "", "--out", "o"], "--output"),
        (["sensitivity", "e.toml", "--output", "npv", "--out", "o"], "--output"),
        (["sensitivity", "e.toml", "--size", "0"], "--size"),
        (["calibrate", "--params", ""], "--params"), (["calibrate", "--params", ","], "--params"),
        (["calibrate", "--params", "nope.x"], "--params"), (["calibrate", "--params", "policy.role_division"],
                                                            "--params"),
        (["calibrate", "--seeds", "0"], "--seeds"), (["calibrate", "--max-evals", "1"], "--max-evals"),
        (["calibrate", "-s", "no-such-preset"], "scenario"), (["validate", "--seeds", "0"], "--seeds"),
        (["validate", "--workers", "0"], "--workers"), (["dashboard", "--port", "-1"], "--port"),
        (["dashboard", "--port", "70000"], "--port"), (["dashboard", "--assets", "nofolder"], "--assets"),
        (["--debugg", "run"], "--debugg"),
    ]
    return [Case("CLI flags", args, needle, dict(exp)) for args, needle in rows]


def _output_cases() -> list[Case]:
    user = {"user/notes.txt": "mine\n", "file": "x", "e.toml": 'name = "e"\nmaster_seed = 1\n'
            '[uncertainties."environment.foreign_wage_premium"]\n[uncertainties."environment.jpy_per_usd"]\n'
            '[design]\nkind = "morris"\nsize = 2\n'}
    rows = []
    for cmd in (["run"], ["compare", "gov-led", "--replications", "1"], ["sweep", "e.toml", "--workers", "1"],
                ["sensitivity", "e.toml"], ["calibrate"], ["validate"]):
        for out in ("user", "file", "file/sub", "", " ", "/proc/sovai-fuzz"):
            rows.append((cmd + ["--out", out], "--out"))
    rows += [(["discover", RESULTS, "--target", "npv_jpy_tn > 5", "--out", out], "--out")
             for out in ("user", "file", "file/sub", "")]
    rows += [(["results", RESULTS, "--export", out], "--export")
             for out in ("file", "", "user", "file/x.csv", "x.txt", "/proc/sovai-fuzz/x.csv")]
    rows += [(cmd + ["--export", out], "--export") for cmd in (["run"], ["compare", "gov-led", "--replications", "1"])
             for out in ("file", "", "user", "x.csv", "file/x.xlsx", "/proc/sovai-fuzz/x.xlsx")]
    return [Case("output folder", args, needle, dict(user), results="discover" in args or "results" in args)
            for args, needle in rows]


def _experiment(body: str) -> dict:
    return {"x.toml": body}


def _sweep_cases() -> list[Case]:
    head = 'name = "x"\nmaster_seed = 1\n'
    unc = '[uncertainties."environment.foreign_wage_premium"]\n[uncertainties."environment.jpy_per_usd"]\n'
    grid3 = "".join(f'[uncertainties."environment.{f}"]\nrange = [{lo}, {hi}]\nlevels = 1000\n'
                    for f, lo, hi in (("foreign_wage_premium", 0.3, 2.0), ("jpy_per_usd", 100.0, 200.0),
                                      ("electricity_price_jpy_per_kwh", 10.0, 30.0)))
    rows = [
        ('name = "x"\nmaster_seed = "7"\n', "master_seed"), ('name = "x"\nmaster_seed = true\n', "master_seed"),
        ('name = "x"\nmaster_seed = 7.0\n', "master_seed"), ('name = "x"\n', "master_seed"),
        (head + 'replications = "3"\n', "replications"), (head + "replications = 0\n", "replications"),
        (head + "replications = true\n", "replications"), (head + "replications = 2.0\n", "replications"),
        ('name = "../x"\nmaster_seed = 1\n', "name"), ("name = 5\nmaster_seed = 1\n", "name"),
        (head + '[design]\nkind = "factorial"\n', "design.kind"), (head + unc + '[design]\nkind = "lhs"\nsize = "64"\n',
                                                                   "design.size"),
        (head + "[design]\nlevels = true\n", "design.levels"), (head + "[design]\nkindd = 1\n", "design.kindd"),
        (head + unc + '[design]\nkind = "sobol"\nsize = 10\n', "design.size"),
        (head + grid3, "ceiling"), (head + "replications = 100000\n" + unc + '[design]\nkind = "lhs"\nsize = 1000000\n',
                                    "ceiling"),
        (head + '[uncertainties."environment.foreign_wage_premium"]\nrange = [true, 2]\n', "range"),
        (head + '[uncertainties."environment.foreign_wage_premium"]\nrange = ["0.3", "2.0"]\n', "range"),
        (head + '[uncertainties."environment.foreign_wage_premium"]\nrange = [0.5, 9.0]\n', "range"),
        (head + '[uncertainties."environment.foreign_wage_premium"]\nrange = [2.0, 0.5]\n', "range"),
        (head + '[levers."policy.asean_cocreation"]\nvalues = [1, 0]\n', "policy.asean_cocreation"),
        (head + '[levers."policy.role_division"]\nvalues = []\n', "values"),
        (head + '[levers."population.firms"]\nvalues = ["2000"]\n', "population.firms"),
        (head + '[uncertainties.shocks]\nvalues = ["none"]\n', "shock_sets"),
        (head + '[shock_sets]\nbad = [{ kind = "export_control", start_year = "2030" }]\n', "start_year"),
        (head + "[outputs]\ntimeseries = 5\n", "outputs.timeseries"),
        ("[levers\n", "experiment"), ("x = " + "[" * 3000 + "]" * 3000 + "\n", "experiment"),
    ]
    for path, spec in list(field_specs().items())[::4]:
        rows.append((head + f'[fixed]\n"{path}" = {_bad_values(spec)[0]}\n', f"fixed.{path}"))
    cases = [Case("sweep spec", ["sweep", "x.toml", "--out", "o", "--workers", "1"], n, _experiment(b)) for b, n in rows]
    cases += [Case("sweep spec", ["sensitivity", "x.toml", "--out", "o", "--workers", "1"], n, _experiment(b))
              for b, n in rows[:6]]
    cases += [Case("sweep spec", ["sweep", "d", "--out", "o"], "experiment", {"d": None}),
              Case("sweep spec", ["sweep", "missing.toml"], "experiment")]
    return cases


def _results_cases() -> list[Case]:
    broken = {"{}": "name", "[]": "JSON object", "null": "JSON object", '"x"': "JSON object", "{": "manifest",
              '{"name": "x", "fingerprint": "f", "model_version": "v", "design": "grid", "planned_runs": "8", '
              '"replications": 1, "master_seed": 1, "parameter_columns": []}': "planned_runs"}
    cases = []
    for text, needle in broken.items():
        files = {"r/manifest.json": text, "r/chunks": None}
        for args in (["results", "r"], ["results", "r", "--sql", "SELECT 1"], ["discover", "r", "--target", "x > 1"],
                     ["sweep", "e.toml", "--out", "r", "--workers", "1"]):
            cases.append(Case("results folder", args, needle, {**files, "e.toml": 'name = "e"\nmaster_seed = 1\n'}))
    for files, needle in (({"r": "a file"}, "manifest.json"), ({"r/manifest.json": None}, "manifest.json"),
                          ({"r": None}, "manifest.json"), ({}, "manifest.json")):
        cases.append(Case("results folder", ["results", "r"], needle, files))
    for sql in ("SELECT 1; SELECT 2", "SELECT 1; COPY runs TO 'x.csv'", "COPY runs TO 'x.csv'", "CREATE TABLE t(x INT)",
                "ATTACH 'x.db'", "", "SELEC 1", "SELECT nope FROM runs", "DROP VIEW runs", "INSTALL httpfs"):
        cases.append(Case("results folder", ["results", RESULTS, "--sql", sql], "SQL", results=True))
        cases.append(Case("results folder", ["results", RESULTS, "--sql", sql, "--export", "x.csv"], "SQL",
                          results=True))
    return cases


def _targets_cases() -> list[Case]:
    sc = '[scenarios.g]\npreset = "gov-led"\n'
    good = {"name": '"t"', "label": '"t"', "scenario": '"g"', "metric": '"npv_jpy_tn"', "value": "1.0",
            "tolerance": "0.5", "source": '"s"'}

    def target(**changes) -> str:
        fields = {**good, **changes}
        return sc + "[[target]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items() if v is not None)

    rows = [(target(value='"3.3"'), "target[0].value"), (target(value="true"), "target[0].value"),
            (target(tolerance="0"), "target[0].tolerance"), (target(tolerance='"0.5"'), "target[0].tolerance"),
            (target(weight="true"), "target[0].weight"), (target(weight="-1"), "target[0].weight"),
            (target(name=None), "target[0].name"), (target(name="5"), "target[0].name"),
            (target(extra="1"), "target[0].extra"), (target(scenario='"nope"'), "target[0].scenario"),
            (target(minus='"nope"'), "target[0].scenario"), (target(metric='"no.such"'), "target[0].metric"),
            (target(metric='"deficit_jpy_tn.2099"'), "target[0].metric"), (sc, "target"),
            ("target = 5\n" + sc, "target"), ("target = [5]\n" + sc, "target[0]"),
            ('[scenarios.g]\npreset = "nope"\n' + target()[len(sc):], "scenarios.g"),
            ('[scenarios.g]\npreset = "gov-led"\noverrides = { "population.firms" = "2000" }\n' + target()[len(sc):],
             "population.firms"),
            ('[scenarios.g]\npreset = 5\n' + target()[len(sc):], "scenarios.g"), ("scenarios = 5\n", "scenarios"),
            ("extra = 1\n" + target(), "extra"), ("[[target]\n", "--targets"),
            ("x = " + "[" * 3000 + "]" * 3000 + "\n", "--targets")]
    cases = []
    for body, needle in rows:
        cases.append(Case("targets file", ["validate", "--targets", "t.toml", "--out", "o"], needle, {"t.toml": body}))
        cases.append(Case("targets file", ["calibrate", "--targets", "t.toml", "--out", "o"], needle, {"t.toml": body}))
    cases += [Case("targets file", ["validate", "--targets", "d"], "--targets", {"d": None}),
              Case("targets file", ["validate", "--targets", "missing.toml"], "--targets")]
    return cases


def _discovery_cases() -> list[Case]:
    targets = ["", " ", "npv_jpy_tn", "'text'", "NULL", "nope > 1", "npv_jpy_tn >", "1; DROP VIEW runs",
               "true) AS x FROM runs; SELECT (1", "npv_jpy_tn > 5; COPY runs TO 'x.csv'", "count(*) > 1",
               "run_id", "environment__foreign_wage_premium + 1"]
    return [Case("discovery target", ["discover", RESULTS, "--target", t], "--target", results=True) for t in targets]


def all_cases() -> list[Case]:
    return (_scenario_cases() + _set_cases() + _flag_cases() + _output_cases() + _sweep_cases() + _results_cases()
            + _targets_cases() + _discovery_cases())


def fast_cases() -> list[Case]:
    """A spread of every kind, small enough to run on each `make test`: all hand-written cases, every 6th
    generated one."""
    return [c for i, c in enumerate(all_cases()) if i % 6 == 0 or c.kind not in ("scenario file", "--set")]
