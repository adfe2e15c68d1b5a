"""Every command that writes a report or chart does so in the language asked for (``--lang ja|en``): the page's
``lang``, labels and units from the declarations, no machine names in the visible text, one colour per policy
(the same in the compare report, the run report and the dashboard), and Japanese PNGs without missing glyphs.

The commands run as a user runs them (the console script, tiny scale). Every one runs with
``PYTHONWARNINGS=error:Glyph``, so a glyph missing from a PNG's font (matplotlib's "Glyph ... missing from
font(s)" warning) fails the command."""

from __future__ import annotations

import base64
import html
import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from abm import labels, outputs, policies
from test_experiments_analysis import HOOK, SET  # the small population to 2031; the synthetic run hook
from test_experiments_analysis import SENS as ANALYSIS_SENS
from test_experiments_support import SOVAI, TESTS, write_experiment

SENS = ANALYSIS_SENS.replace("size = 16", "size = 8")  # the synthetic response: npv = 10 x foreign_wage_premium
LEVERS_TINY = [a for k, v in {"population.firms": 100, "population.talent": 100, "population.data_holders": 10,
                               "population.asean_partners": 1, "run.end_year": 2030}.items()
               for a in ("--set", f"{k}={v}")]
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# a machine name: snake_case words (a field's path after its section, "environment.ai_value_share_max", is what
# a user types to set it and is shown beside its label; it is not matched)
MACHINE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_+[a-z0-9]+)+(?![\w.])")
KNOWN_MACHINE = ("digital_deficit_jpy_tn", "policy__compute_budget_jpy_tn_per_year", "deficit_avoided", "npv_jpy_tn",
                 "year_mean", "environment__foreign_wage_premium", "mu_star", "ci95", "payback_year")
LANGS = ("en", "ja")


def sovai(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(TESTS), "PYTHONWARNINGS": "error:Glyph"}
    env.pop("LANG", None), env.pop("LC_ALL", None), env.pop("LC_MESSAGES", None)
    r = subprocess.run([SOVAI, *map(str, args)], capture_output=True, text=True, timeout=600, env=env, cwd=cwd)
    assert r.returncode == 0, f"sovai {' '.join(map(str, args))}: {r.stderr[-2000:]}"
    return r


def visible(page: str) -> str:
    """What a reader sees: the text, and the alt and title of images (not the image data or the style sheet)."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    shown = re.findall(r'(?:alt|title)="([^"]*)"', page)
    page = re.sub(r"<[^>]+>", "\n", page)
    return html.unescape(page + "\n" + "\n".join(shown))


def check_language(text: str, lang: str, expected: list[str]) -> None:
    """``text`` is in ``lang``, shows ``expected`` and no machine names."""
    missing = [e for e in expected if e not in text]
    assert not missing, missing
    assert not MACHINE.findall(text), sorted(set(MACHINE.findall(text)))
    assert not [m for m in KNOWN_MACHINE if m in text]
    if lang == "en":
        assert not CJK.findall(text), sorted(set(CJK.findall(text)))[:20]
    else:
        assert len(CJK.findall(text)) > 20


def images(page: str) -> list[np.ndarray]:
    from matplotlib.image import imread

    return [imread(io.BytesIO(base64.b64decode(b)), format="png")
            for b in re.findall(r'src="data:image/png;base64,([^"]*)"', page)]


def pixels_of(image: np.ndarray, colour: str, tol: float = 6 / 255) -> int:
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(image[..., :3] - rgb).max(axis=-1) <= tol).sum())


def swatch(page: str, key: str) -> str:
    m = re.search(rf'data-policy="{re.escape(key)}"><span class="swatch" style="background:(#[0-9a-f]{{6}})"', page)
    assert m, f"no colour key for {key}"
    return m.group(1)


# ---- the commands, each in both languages --------------------------------------------------------------

@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """{(command, lang): report text} from one tiny run of each command per language."""
    root = tmp_path_factory.mktemp("reports")
    exp = write_experiment(root, SENS)
    sweep = write_experiment(root, SENS.replace('kind = "sobol"\nsize = 8', 'kind = "lhs"\nsize = 60'), name="s")
    sovai("sweep", sweep, "--out", "runs", "--workers", 1, "--quiet", *HOOK, cwd=root)
    out = {}
    for lang in LANGS:
        sovai("run", *SET, "--out", f"run-{lang}", "--lang", lang, "-q", cwd=root)
        out["run", lang] = (root / f"run-{lang}" / "report.html").read_text(encoding="utf-8")
        sovai("compare", "private-led", "gov-led", "--replications", 1, "--futures", 2, "--workers", 1, "-q", *SET,
              "--out", f"cmp-{lang}", "--lang", lang, cwd=root)
        out["compare", lang] = (root / f"cmp-{lang}" / "report.html").read_text(encoding="utf-8")
        sovai("validate", "--seeds", 1, "--out", f"val-{lang}", "--lang", lang, cwd=root)
        out["validate", lang] = (root / f"val-{lang}" / "validation.html").read_text(encoding="utf-8")
        sovai("sensitivity", exp, "--out", f"sens-{lang}", "--workers", 1, "--lang", lang, "-q", *HOOK, cwd=root)
        out["sensitivity", lang] = (root / f"sens-{lang}" / "sensitivity.html").read_text(encoding="utf-8")
        assert (root / f"sens-{lang}" / "sensitivity.png").stat().st_size > 1000
        sovai("levers", "--seeds", 1, "--lhs-samples", 0, "--workers", 1, "-q", *LEVERS_TINY, "--out", f"lv-{lang}",
              "--lang", lang, cwd=root)
        out["levers", lang] = (root / f"lv-{lang}" / "levers.html").read_text(encoding="utf-8")
        sovai("discover", "runs", "--target", "payback_year <= 2040", "--density", 0.9, "--out", f"disc-{lang}",
              "--lang", lang, cwd=root)
        text = (root / f"disc-{lang}" / "discovery.txt").read_text(encoding="utf-8")
        out["discover", lang] = text.split("\n", 1)[1]  # the first line repeats the user's SQL target
        assert (root / f"disc-{lang}" / "discovery.png").stat().st_size > 1000
    import test_optimize   # optimize has no run hook on the command line: the synthetic run, through the engine

    spec = test_optimize.spec_file(root, population=8, generations=2)
    for lang in LANGS:
        test_optimize.optimise(spec, root / f"opt-{lang}", lang=lang)
        out["optimize", lang] = (root / f"opt-{lang}" / "report.html").read_text(encoding="utf-8")
    return out


def _field(path: str, lang: str) -> str:
    from abm.schema import field_specs
    from experiments.report import field_title

    return field_title(field_specs()[path], lang)


def expected(command: str, lang: str) -> list[str]:
    ja = lang == "ja"
    wage = _field("environment.foreign_wage_premium", lang)
    return {
        "run": [outputs.label("digital_deficit_jpy_tn", lang), outputs.title_with_unit("deficit_jpy_tn", lang),
                policies.name("gov-led", lang), policies.description("gov-led", lang),
                labels.statistic("annual_means", lang), labels.statistic("annual_mean", lang, year=2040)],
        "compare": [policies.name("gov-led", lang), policies.name("private-led", lang),
                    outputs.title_with_unit("digital_deficit_jpy_tn", lang),
                    labels.statistic("annual_mean", lang, year=2030), labels.statistic("replications", lang),
                    outputs.title_with_unit("npv_jpy_tn", lang), _field("run.end_year", lang)],
        "validate": ["公表値との検証" if ja else "Validation against the published figures",
                     "デジタル赤字 2025年" if ja else "Digital deficit 2025", "合格" if ja else "pass",
                     labels.statistic("replication_mean", lang, n=1)],
        "sensitivity": [outputs.title_with_unit("npv_jpy_tn", lang), wage,
                        "一次感度指数 S1" if ja else "first-order index S1"],
        "discover": [wage, "被覆率" if ja else "coverage"],
        "levers": [_field("policy.compute_budget_jpy_tn_per_year", lang), _field("run.end_year", lang),
                   outputs.title_with_unit("npv_jpy_tn", lang)],
    }[command]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", ["run", "compare", "validate", "sensitivity", "discover", "levers"])
def test_report_is_in_the_language_asked_with_declared_labels(reports, command, lang):
    page = reports[command, lang]
    if command != "discover":  # discovery.txt is plain text
        assert f'<html lang="{lang}">' in page
        footer = re.search(r'<footer class="sovai-provenance"><small>(.*?)</small>', page).group(1)
        assert ("シナリオ" if lang == "ja" else "scenario") in footer  # the provenance line too
    check_language(visible(page), lang, expected(command, lang))


def test_one_policy_has_one_colour_in_compare_run_and_dashboard(reports):
    from viz import i18n

    colour = policies.colour("gov-led")
    dashboard = i18n.preset_colours(["private-led", "gov-led"])
    assert swatch(reports["compare", "en"], "gov-led") == swatch(reports["run", "ja"], "gov-led") == colour
    assert dashboard["gov-led"] == colour and dashboard["private-led"] == swatch(reports["compare", "ja"],
                                                                                 "private-led")
    assert len(set(policies.colours(policies.declared()).values())) == len(policies.declared())
    # the charts draw it: gov-led listed second still gets its colour (not the second of a palette)
    fans = images(reports["compare", "en"])
    assert pixels_of(fans[-1], colour) > 20 and pixels_of(fans[-1], policies.colour("private-led")) > 20
    assert pixels_of(fans[-1], policies.colour("full-state")) == 0
    run_deficit = re.findall(r"<svg .*?</svg>", reports["run", "en"], flags=re.S)[2]   # the run report's SVG
    assert f'stroke="{colour}"' in run_deficit and policies.colour("private-led") not in run_deficit


def test_dashboard_fan_chart_uses_the_declared_colours():
    import pandas as pd
    from matplotlib.image import imread

    from viz import charts, i18n

    t = np.arange(2026, 2031, 0.25)
    fan = pd.DataFrame({"t": t, "p5": t - 2020.0, "median": t - 2019.0, "p95": t - 2018.0})
    keys = ["my-scenario", "gov-led"]
    png = charts.fan_chart({k: fan + i for i, k in enumerate(keys)}, "t", "y", "en", "band",
                           list(i18n.preset_colours(keys).values()))
    image = imread(io.BytesIO(png), format="png")
    assert pixels_of(image, policies.colour("gov-led")) > 20
    assert pixels_of(image, policies.OTHER_COLOURS[0]) > 20  # a custom scenario: a colour no preset uses
    assert policies.OTHER_COLOURS[0] not in {p.colour for p in policies.declared().values()}


def test_dashboard_single_run_draws_the_deficit_in_the_policys_colour():
    from matplotlib.image import imread

    from abm.scenario import load_scenario
    from viz import charts
    from viz.session import Run

    small = {"population.firms": 60, "population.data_holders": 10, "population.talent": 60, "run.end_year": 2028}
    drawn = {}
    for key in ("private-led", "full-state"):
        snap = Run(load_scenario(key, small).model_copy(update={"name": key})).step(8)
        assert snap.colour == policies.colour(key)
        png = charts.render_all(snap.ts, "en", snap.start_year, snap.end_year, (), snap.colour)["deficit"]
        drawn[key] = imread(io.BytesIO(png), format="png")
    assert pixels_of(drawn["private-led"], policies.colour("private-led")) > 20
    assert pixels_of(drawn["private-led"], policies.colour("full-state")) == 0
    assert pixels_of(drawn["full-state"], policies.colour("full-state")) > 20


# ---- no English prose in Japanese reports ----------------------------------------------------------------

# ASCII words a Japanese page may show: units, acronyms, names of sources and methods, the program's name, preset
# keys (shown beside their Japanese names). Identifiers (a token with ".", "_", "/", "=", "<", ">", a digit or a
# leading "--"), numbers and text in `code` are not words.
ALLOWED_WORDS = {"sovai", "AI", "GPU", "GPUs", "H100", "H100e", "ASEAN", "JPY", "tn", "yr", "USD", "kWh", "MW", "FLOP",
                 "NPV", "LHS", "API", "GDP", "Sobol", "ST", "SRRC", "MOF", "METI", "BOJ", "Mizuho", "mizuho",
                 "Daiwa", "daiwa", "Epoch", "I", "e", "x", *policies.declared()}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def english_runs(text: str) -> list[str]:
    """Every stretch of ASCII text (between non-ASCII characters and line breaks) with 3 or more words not in
    :data:`ALLOWED_WORDS`: English prose left in a Japanese page."""
    found = []
    for chunk in re.findall(r"[ -~]+", re.sub(r"`[^`\n]*`", "\n", text)):
        words = [w for tok in chunk.split() if (w := tok.strip("()[],;:!?\"'")) and WORD.fullmatch(w)
                 and not re.search(r"[._/=<>0-9]", tok) and not tok.startswith("--")]
        if sum(w not in ALLOWED_WORDS for w in words) >= 3:
            found.append(chunk.strip())
    return found


def test_english_runs_finds_prose_and_passes_identifiers_units_and_names():
    assert english_runs("出典：mizuho: 2.8-4.8 JPY tn over 15 years; hardware scenarios\n") == [
        "mizuho: 2.8-4.8 JPY tn over 15 years; hardware scenarios"]
    assert english_runs("Foreign wage premium (国内賃金に対する上乗せ比)") == ["Foreign wage premium ("]
    assert english_runs("合わせ込み: costs.training_tokens_per_parameter, rules.compute_host_foreign_advantage") == []
    assert english_runs("sovai 0.2.0 (コミット 136f6ed72394), 2026-12-06T20:35:34Z、みずほ MOF METI GPU H100e") == []
    assert english_runs("`sovai compare --futures N` で求められます。private-led vs gov-led") == []


JAPANESE_REPORTS = ["run", "compare", "validate", "sensitivity", "levers", "discover", "optimize"]


@pytest.mark.parametrize("command", JAPANESE_REPORTS)
def test_japanese_report_has_no_english_prose(reports, command):
    """The visible text of each Japanese report (tags stripped; alt and title texts included) has no stretch of
    three or more English words outside :data:`ALLOWED_WORDS`; what is found is printed and listed."""
    page = reports[command, "ja"]
    found = english_runs(page if command == "discover" else visible(page))
    print(f"{command} (ja): {len(found)} English runs", *found, sep="\n  ")
    assert not found, found


def test_optimize_report_tables_are_headed_by_labels_in_both_languages(reports):
    """No table header of the optimisation report is a machine name (the CSV files keep those)."""
    for lang in LANGS:
        heads = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", reports["optimize", lang],
                                                                       flags=re.S)]
        machine = [h for h in heads if re.fullmatch(r"[a-z0-9_.]+", h) and ("_" in h or "." in h)]
        print(lang, heads)
        assert len(heads) > 10 and machine == [], (lang, machine)


# ---- Japanese in PNGs -----------------------------------------------------------------------------------

def _japanese_png(rc: dict | None = None) -> bytes:
    import matplotlib.pyplot as plt

    from experiments.fonts import png_bytes

    with plt.rc_context(rc or {}):
        fig, ax = plt.subplots()
        ax.set_title(outputs.label("digital_deficit_jpy_tn", "ja"))
        ax.plot([0, 1], [-1, 1], label=policies.name("gov-led", "ja"))
        ax.legend()
    return png_bytes(fig, "ja" if rc is None else "en")


def test_missing_glyph_warning_is_caught_and_japanese_pngs_have_none(run_cached):
    from experiments import run_report

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph")
        with pytest.raises(UserWarning, match="Glyph .* missing"):  # the check works: DejaVu has no kana
            _japanese_png({"font.family": ["DejaVu Sans"]})
        assert _japanese_png()[:4] == b"\x89PNG"
        r = run_cached(**{"run.end_year": 2031})
        assert len(run_report.figures(r.timeseries, "ja", "gov-led")) == 4


def test_dashboard_charts_draw_japanese_without_missing_glyphs(run_cached):
    from viz import charts

    ts = run_cached(**{"run.end_year": 2031}).timeseries
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph")
        drawn = charts.render_all(ts, "ja", 2026, 2031)
    assert len(drawn) >= 5 and all(png[:4] == b"\x89PNG" for png in drawn.values())


def test_python_warnings_setting_fails_a_process_on_a_missing_glyph():
    """The environment the commands above run under turns a missing glyph into a failure."""
    code = ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; import io\n"
            "plt.rcParams['font.family'] = ['DejaVu Sans']; f, a = plt.subplots(); a.set_title('政府主導')\n"
            "f.savefig(io.BytesIO(), format='png')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONWARNINGS": "error:Glyph"})
    assert r.returncode != 0 and "missing from font" in r.stderr


# ---- in a browser ---------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.timeout(300)
def test_japanese_report_renders_japanese_labels_in_chromium(reports, tmp_path):
    """Headless Chromium (what tests/setup_browser.sh installs) opens the Japanese run report: the page is lang=ja,
    the Japanese labels are laid out as text, every chart decodes, and the title draws ink."""
    from test_viz_browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and chromium is missing (run tests/setup_browser.sh)")
        pytest.skip("chromium not installed (run tests/setup_browser.sh)")
    from matplotlib.image import imread
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "report.html"
    page_file.write_text(reports["run", "ja"], encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_file.as_uri(), timeout=30_000)
            assert page.evaluate("document.documentElement.lang") == "ja"
            shown = page.inner_text("body")
            for label in (policies.name("gov-led", "ja"), outputs.title_with_unit("deficit_jpy_tn", "ja"),
                          labels.statistic("annual_means", "ja")):
                assert label in shown, label
            sizes = page.evaluate("[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().width)")
            assert len(sizes) == 4 and min(sizes) > 100
            chart = imread(io.BytesIO(page.locator("svg.chart").nth(2).screenshot()), format="png")
            assert (chart[..., :3].mean(axis=-1) < 0.5).sum() > 500  # axes, ticks and the Japanese labels drawn
            assert page.locator("svg.chart").nth(2).locator("text").first.text_content() == \
                outputs.label("digital_deficit_jpy_tn", "ja")
            title = imread(io.BytesIO(page.locator("h1").screenshot()), format="png")
            assert (title[..., :3].mean(axis=-1) < 0.5).sum() > 200  # the Japanese title is drawn, not blank
        finally:
            browser.close()
