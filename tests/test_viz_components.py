"""Dashboard components without a browser: solara.render + rc.find on the widget tree."""

from __future__ import annotations

import time

import ipyvuetify as v
import pandas as pd
import pytest

solara = pytest.importorskip("solara")
import solara.server.app  # noqa: E402,F401  (patches widgets to live per virtual kernel)
from solara.server import kernel, kernel_context  # noqa: E402

from abm.schema import field_specs  # noqa: E402
from viz import i18n  # noqa: E402
from viz.session import Settings, check, lever_specs, settings_for  # noqa: E402


@pytest.fixture
def kernel_ctx():
    """A fresh virtual kernel per test, so reactive state never leaks between tests."""
    ctx = kernel_context.VirtualKernelContext(id="sovai-test", kernel=kernel.Kernel(), session_id="session-1")
    try:
        with ctx:
            yield ctx
    finally:
        with ctx:
            ctx.close()


def render_single(lang="en"):
    from viz.single_view import SingleRunView

    box, rc = solara.render(solara.AppLayout(children=[SingleRunView(lang)]), handle_error=False)
    return rc


def walk(widget):
    """Every widget below ``widget`` (reacton's find stops descending at a match)."""
    yield widget
    for child in getattr(widget, "children", None) or []:
        if hasattr(child, "keys"):
            yield from walk(child)


def settle(rc, timeout_s: float = 30.0) -> None:
    """Wait until no render is running or pending. The network worker's thread re-renders the view when a drawing
    is done; a change made meanwhile (a click, a new slider value) is rendered by that thread after its own pass
    (reacton never waits for its render lock), so the widgets show it a moment later, not on return."""
    deadline = time.monotonic() + timeout_s
    while rc._rerender_needed or rc._lock_thread is not None:
        assert time.monotonic() < deadline, "the view kept re-rendering"
        time.sleep(0.01)


def by_class(rc, widget_class, css: str) -> list:
    """Widgets of ``widget_class`` whose CSS classes include ``css`` (once the view has settled)."""
    settle(rc)
    return [w for root in [rc.container] for w in walk(root)
            if isinstance(w, widget_class) and css in (getattr(w, "class_", None) or "").split()]


def button(rc, text: str):
    """The one button whose children include ``text`` (icon buttons have an Icon child too)."""
    settle(rc)
    (btn,) = [w for w in walk(rc.container) if isinstance(w, v.Btn) and text in w.children]
    return btn


def kpi(rc, css: str) -> str:
    """The value text of one headline box."""
    (box,) = by_class(rc, v.Html, css)
    return box.children[1].children[0]


def expect_year(rc, text: str) -> None:
    """The headline's quarter reaches ``text`` (a re-render started by the chart worker's thread may finish a
    click's update a moment later)."""
    wait_for(lambda: kpi(rc, "kpi-year") == text, 30.0)


def test_sliders_carry_schema_bounds(kernel_ctx):
    rc = render_single()
    specs = [s for s in lever_specs() if s.ge is not None and not s.choices]
    assert len(specs) >= 8
    sliders = [w for w in walk(rc.container) if isinstance(w, v.Slider)]
    for spec in specs:
        (slider,) = [w for w in sliders if w.label.startswith(i18n.field_label(spec, "en") + ":")]
        assert (slider.min, slider.max) == (spec.ge, spec.le), spec.path
        assert slider.v_model == settings_for("gov-led").levers[spec.path]
    switch = rc.find(v.Switch, label=i18n.field_label(field_specs()["policy.asean_cocreation"], "en")).widget
    assert switch.v_model is True
    role = rc.find(v.Select, label=i18n.field_label(field_specs()["policy.role_division"], "en")).widget
    assert [it["value"] for it in role.items] == list(field_specs()["policy.role_division"].choices)


def wait_for(condition, timeout_s: float = 60.0):
    """Poll ``condition()`` until it returns something truthy (the charts are drawn by a worker thread)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout_s} s")


def chart_src(rc) -> str | None:
    """The first chart's inline SVG."""
    svgs = [w for w in rc.find(solara.widgets.HTML).widgets if "chart-svg" in w.attributes.get("class", "")]
    return svgs[0].unsafe_innerHTML if svgs else None


def test_step_advances_model_headline_and_charts_at_once(kernel_ctx):
    rc = render_single()
    expect_year(rc, "2026 Q1 (start)")
    before = chart_src(rc)
    assert "▶ Step" in before and 'Z" fill=' not in before          # no areas yet
    t0 = time.perf_counter()
    for _ in range(4):
        rc.find(v.Btn, children=["Step"]).widget.click()
    per_step = (time.perf_counter() - t0) / 4
    print(f"step with headline and charts: {1000 * per_step:.0f} ms")
    wait_for(lambda: kpi(rc, "kpi-year") == "2026 Q4")   # a re-render the network worker started may finish first
    assert kpi(rc, "kpi-adoption").endswith("%")
    (table,) = [w for w in rc.find(solara.widgets.HTML).widgets if "cost-table" in w.attributes.get("class", "")]
    assert "datacenter" not in table.unsafe_innerHTML and "data centres" in table.unsafe_innerHTML
    after = chart_src(rc)     # drawn in the click's own update: no waiting
    assert "▶ Step" not in after and after.count('Z" fill=') == 3   # sovereign, open, foreign


def note(rc, key: str) -> tuple[str, str] | None:
    """(kind, text) of the message under control ``key``, or None."""
    from viz.components import note_class

    found = by_class(rc, v.Alert, note_class(key))
    assert len(found) <= 1
    if not found:
        return None
    kind = next(k for k in ("error", "warning", "info") if f"note-{k}" in found[0].class_.split())
    return kind, str(found[0].children)


def test_bad_seed_is_refused_next_to_its_box_and_goes_once_fixed(kernel_ctx):
    rc = render_single()
    button(rc, "Step").click()
    seed = rc.find(v.TextField, label="Random seed").widget
    seed.v_model = "-1"
    seed.fire_event("focusout")
    kind, text = note(rc, "seed")
    assert kind == "error" and "run.seed" in text and "Traceback" not in text
    assert button(rc, "Step").disabled and button(rc, "Reset").disabled
    expect_year(rc, "2026 Q1")  # the refused settings left the running model alone
    seed = rc.find(v.TextField, label="Random seed").widget
    seed.v_model = "7"
    seed.fire_event("focusout")
    kind, text = note(rc, "seed")  # fixed: the refusal is gone; the seed needs a new run
    assert kind == "warning" and text.find(i18n.tr("needs_reset", "en")) >= 0
    assert button(rc, "Step").disabled and not button(rc, "Reset").disabled
    button(rc, "Reset").click()
    assert note(rc, "seed") is None and not button(rc, "Step").disabled
    expect_year(rc, "2026 Q1 (start)")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_free_field_input_refuses_out_of_range_and_the_seed(kernel_ctx, lang):
    rc = render_single(lang)
    box = rc.find(v.TextField, label=i18n.tr("advanced", lang)).widget
    box.v_model = "behaviour.choice_temperature=99"
    box.fire_event("focusout")
    kind, msg = note(rc, "extra")
    assert kind == "error" and "behaviour.choice_temperature" in msg and "2" in msg and "\n" not in msg
    assert ("を指定してください" in msg) == (lang == "ja")
    assert button(rc, i18n.tr("step", lang)).disabled
    box = rc.find(v.TextField, label=i18n.tr("advanced", lang)).widget
    box.v_model = "run.seed=7"   # the seed has one home: its box
    box.fire_event("focusout")
    kind, msg = note(rc, "extra")
    assert kind == "error" and "run.seed" in msg and i18n.field_name("run.seed", lang) in msg
    box = rc.find(v.TextField, label=i18n.tr("advanced", lang)).widget
    box.v_model = "behaviour.choice_temperature=0.2"
    box.fire_event("focusout")
    assert note(rc, "extra") is None and not button(rc, i18n.tr("step", lang)).disabled


def test_language_switch_changes_labels(kernel_ctx):
    from viz.app import Page

    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    rc.find(v.Btn, children=["Step"]).assert_single()
    assert rc.find(v.Html, children=[i18n.tr("title", "en")]).widgets
    by_class(rc, v.BtnToggle, "lang-switch")[0].v_model = 0  # the 日本語 button
    assert rc.find(v.Btn, children=["日本語"]).widgets
    rc.find(v.Btn, children=["1期進める"]).assert_single()
    assert rc.find(v.Btn, children=["Step"]).widgets == []
    assert rc.find(v.Html, children=[i18n.tr("title", "ja")]).widgets
    spec = field_specs()["policy.compute_budget_jpy_tn_per_year"]
    labels = [w.label for w in walk(rc.container) if isinstance(w, v.Slider)]
    assert f"計算基盤予算 (兆円/年): {spec.default:g}" in labels
    html = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if "cost-table" in w.attributes.get("class", "")]
    assert "費目" in html[0] and "データセンター" in html[0]


def _report_browser_languages(rc, languages):
    probes = [w for w in walk(rc.container) if hasattr(w, "vue_event_languages")]
    assert len(probes) == 1, probes
    probes[0].vue_event_languages(languages)


def test_browser_language_list_outranks_the_handshake_until_the_user_chooses(kernel_ctx):
    from viz.app import Page

    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    assert rc.find(v.Html, children=[i18n.tr("title", "en")]).widgets  # no handshake header: English
    _report_browser_languages(rc, ["ja-JP", "ja", "en-US"])  # what a Japanese browser's navigator says
    rc.find(v.Btn, children=["1期進める"]).assert_single()
    by_class(rc, v.BtnToggle, "lang-switch")[0].v_model = 1  # the user picks English
    rc.find(v.Btn, children=["Step"]).assert_single()
    _report_browser_languages(rc, ["ja-JP"])  # a late report does not undo the user's choice
    rc.find(v.Btn, children=["Step"]).assert_single()


def test_choose_language_prefers_the_browser_list():
    assert i18n.choose_language(["ja-JP", "en-US"], "en-US,en;q=0.9") == "ja"
    assert i18n.choose_language(["en-GB", "ja"], "ja-JP") == "en"
    assert i18n.choose_language(["fr-FR", "de"], "ja-JP,ja") == "ja"  # list silent on ja/en: the header decides
    assert i18n.choose_language([], "ja-JP") == "ja"
    assert i18n.choose_language(None, None) == "en"


def test_accept_language_picks_default():
    assert i18n.language_from_header("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7") == "ja"
    assert i18n.language_from_header("en-US,en;q=0.9,ja;q=0.8") == "en"
    assert i18n.language_from_header(None) == "en"
    assert i18n.language_from_header("fr-FR") == "en"


def test_every_ui_string_has_japanese():
    for key, (en, ja) in i18n.UI.items():
        assert en and ja, key
    for spec in lever_specs():
        assert spec.label_ja and spec.label != spec.path.split(".")[-1], spec.path
        for c in spec.choices or ():
            assert c in i18n.CHOICES, c


def test_settings_check_is_one_line():
    bad = Settings("gov-led", settings_for("gov-led").levers, firms=5)
    scenario, error = check(bad)
    assert scenario is None and "population.firms" in error and "\n" not in error


def test_compare_runner_seeds_and_fans():
    from viz import runner

    seeds = runner.replication_seeds(7, 3)
    assert seeds == runner.replication_seeds(7, 3) and len(set(seeds)) == 3
    small = {"population.firms": 60, "population.data_holders": 10, "population.talent": 60,
             "run.end_year": 2028}
    from abm.scenario import load_scenario

    scs = [load_scenario(p, small).model_copy(update={"name": p}) for p in ("gov-led", "foreign-dependent")]
    t0 = time.perf_counter()
    res = runner.run_replications(scs, 2, base_seed=1)
    assert time.perf_counter() - t0 < 30
    fan = runner.fan_chart_data(res["gov-led"], "digital_deficit_jpy_tn")
    assert (fan["p5"] <= fan["median"]).all() and (fan["median"] <= fan["p95"]).all()
    rows = runner.difference_table(res, 2028)
    assert {r["metric"] for r in rows} == set(runner.FAN_METRICS)
    from viz.compare_view import diff_table_html, metric_title

    table = diff_table_html(res, "ja")
    assert all(metric_title(key, "ja") in table for key in runner.FAN_METRICS)
    assert not {n for n in _machine_names() if n in table}
    import threading

    ev = threading.Event()
    ev.set()
    with pytest.raises(runner.Cancelled):
        runner.run_replications(scs, 1, cancel=ev)


def _slider(rc, path: str):
    spec = field_specs()[path]
    (slider,) = [w for w in walk(rc.container) if isinstance(w, v.Slider) and w.label.startswith(spec.label + " (")]
    return slider


def test_mid_run_lever_applies_from_the_next_step_and_is_logged(kernel_ctx):
    rc = render_single()
    button(rc, "Step").click()
    button(rc, "Step").click()
    _slider(rc, "policy.compute_budget_jpy_tn_per_year").v_model = 1.5
    kind, text = note(rc, "policy.compute_budget_jpy_tn_per_year")
    assert kind == "info" and i18n.tr("applies_next", "en") in text and not button(rc, "Step").disabled
    assert by_class(rc, v.Html, "change-log") == []
    button(rc, "Step").click()
    expect_year(rc, "2026 Q3")
    assert note(rc, "policy.compute_budget_jpy_tn_per_year") is None
    (log,) = by_class(rc, v.Html, "change-log")
    assert log.children[0] == "Changed during this run: Compute budget 0.45 → 1.5 (2026 Q3)"


def test_construction_only_lever_blocks_stepping_until_reset(kernel_ctx):
    rc = render_single()
    button(rc, "Step").click()
    (role,) = by_class(rc, v.Select, "lever-role-division")
    role.v_model = "full_state"
    assert note(rc, "policy.role_division")[0] == "warning"
    assert button(rc, "Step").disabled and button(rc, "Play").disabled and button(rc, "Run to end").disabled
    assert len(by_class(rc, v.Alert, "blocked-note")) == 1
    button(rc, "Reset").click()
    assert note(rc, "policy.role_division") is None and not button(rc, "Step").disabled
    expect_year(rc, "2026 Q1 (start)")


def test_any_change_before_the_first_step_rebuilds_the_run(kernel_ctx):
    rc = render_single()
    (role,) = by_class(rc, v.Select, "lever-role-division")
    role.v_model = "full_state"
    assert note(rc, "policy.role_division") is None and not button(rc, "Step").disabled
    button(rc, "Step").click()
    expect_year(rc, "2026 Q1")
    assert by_class(rc, v.Html, "change-log") == []


def test_sessions_do_not_share_a_model():
    from viz.single_view import SingleRunView

    years = []
    for sid in ("a", "b"):
        ctx = kernel_context.VirtualKernelContext(id=f"k-{sid}", kernel=kernel.Kernel(), session_id=sid)
        try:
            with ctx:
                box, rc = solara.render(solara.AppLayout(children=[SingleRunView("en")]), handle_error=False)
                if sid == "a":
                    button(rc, "Step").click()
                    button(rc, "Step").click()
                    expect_year(rc, "2026 Q2")
                years.append(kpi(rc, "kpi-year"))
        finally:
            with ctx:
                ctx.close()
    assert years == ["2026 Q2", "2026 Q1 (start)"]


def test_dashboard_command_binds_loopback_and_stays_light():
    import subprocess
    import sys
    from pathlib import Path

    from experiments import dashboard_cli

    assert dashboard_cli.app_path().is_file()
    cmd = dashboard_cli.command("127.0.0.1", 8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "--production" in cmd
    env = dashboard_cli.dashboard_env(base={})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    code = ("import sys, experiments.cli; from typer.testing import CliRunner; "
            "r = CliRunner().invoke(experiments.cli.app, ['dashboard', '--help']); "
            "assert r.exit_code == 0 and '127.0.0.1' in r.output, r.output; "
            "assert 'solara' not in sys.modules and 'viz' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent, timeout=120)


def test_compare_job_runs_in_background_and_cancels():
    from viz.compare_view import Job

    job = Job(["gov-led", "foreign-dependent"], 50, 1).start()
    deadline = time.monotonic() + 60
    while job.done < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not job.finished  # the caller was never blocked
    job.cancel()
    job.thread.join(timeout=30)
    assert job.finished and job.cancelled and job.results is None and 1 <= job.done < job.total


def test_preset_picker_loads_shock_controls(kernel_ctx):
    from viz.session import shock_spec

    rc = render_single()
    (preset,) = by_class(rc, v.Select, "preset-select")
    preset.v_model = "gov-led-export-control"
    (shock,) = by_class(rc, v.Select, "shock-select")
    assert shock.v_model == "export_control"
    (severity,) = by_class(rc, v.Slider, "shock-severity")
    spec = shock_spec("severity")
    assert (severity.min, severity.max, severity.v_model) == (spec.ge, spec.le, 0.7)
    button(rc, "Step").click()   # the new preset runs: a shock change now needs Reset
    (shock,) = by_class(rc, v.Select, "shock-select")
    shock.v_model = "none"
    assert note(rc, "shock")[0] == "warning" and button(rc, "Step").disabled
    button(rc, "Reset").click()
    assert note(rc, "shock") is None


def _machine_names() -> set[str]:
    """Every declared output and family name that is not also a word ("year", "seed"): none may show in the UI
    (the CSV export keeps them)."""
    from abm import outputs

    return {n for n in (*outputs.OUTPUTS, *outputs.FAMILIES) if "_" in n}


def _shown_strings(rc) -> list[str]:
    """The texts a person sees: widget labels, text children and HTML blocks."""
    out = []
    for w in walk(rc.container):
        for attr in ("label", "unsafe_innerHTML", "messages"):
            if isinstance(getattr(w, attr, None), str):
                out.append(getattr(w, attr))
        out += [c for c in getattr(w, "children", None) or [] if isinstance(c, str)]
    return out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_headline_labels_and_units_are_the_declarations(kernel_ctx, lang):
    from abm import outputs
    from viz.single_view import SingleRunView

    box, rc = solara.render(solara.AppLayout(children=[SingleRunView(lang)]), handle_error=False)
    button(rc, i18n.tr("step", lang)).click()
    (adoption,) = by_class(rc, v.Html, "kpi-adoption")
    assert adoption.children[0].children[0] == outputs.label("adoption_rate", lang)
    (deficit,) = by_class(rc, v.Html, "kpi-deficit")
    assert deficit.children[0].children[0] == outputs.label("digital_deficit_jpy_tn", lang)
    assert deficit.children[1].children[0].endswith(" " + outputs.unit("digital_deficit_jpy_tn", lang))
    (cost,) = by_class(rc, v.Html, "kpi-cost-outcomes")
    assert cost.children[0].children[0] == (f"{outputs.label('public_cost_cum_jpy_tn', lang)} / "
                                            f"{outputs.label('outcomes_cum_jpy_tn', lang)}")
    shown = _shown_strings(rc)
    caption = i18n.tr("cost_table", lang, unit=outputs.unit("cost_{category}_cum_jpy_tn", lang))
    assert any(caption in s for s in shown)
    leaked = {n for n in _machine_names() for s in shown if n in s}
    assert leaked == set()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_charts_take_titles_axes_and_legends_from_the_declarations(run_cached, lang):
    import html

    from abm import outputs
    from abm.labels import name
    from viz import chart_specs, charts

    ts = run_cached("gov-led").timeseries
    titles = {"adoption_source": "adoption_share_{source}", "adoption_sector": "adoption_rate_{sector}",
              "talent": "talent_{location}", "deficit": "digital_deficit_jpy_tn",
              "cost": "cost_{category}_cum_jpy_tn", "outcomes": "outcome_{outcome}_cum_jpy_tn"}
    declared = chart_specs.charts(ts, lang, 2026, 2040)
    assert set(titles) == set(declared)
    for key, c in declared.items():
        texts = [c.title, c.xlabel, c.ylabel, *c.labels()]
        assert c.title == outputs.label(titles[key], lang), key
        assert c.xlabel == outputs.label("year", lang)
        unit = "%" if outputs.get(titles[key]).unit == "share" else outputs.unit(titles[key], lang)
        assert unit in c.ylabel, key
        assert not {n for n in _machine_names() for t in texts if n in t}, key
        svg = chart_specs.svg(c)     # what the page shows, and the PNG download, carry the same words
        assert all(f">{html.escape(t)}</text>" in svg for t in [c.title, c.ylabel, *c.labels()]), key
        fig = charts.figure(c)
        assert sorted(t.get_text() for t in fig.legends[0].get_texts()) == sorted(c.labels()), key
        assert fig.axes[0].get_title() == c.title and fig.axes[0].get_xlabel() == c.xlabel
    assert declared["cost"].labels() == [name(o.member, lang) for o in outputs.columns("cost_{category}_cum_jpy_tn")]
    wanted = declared["talent"].overlay        # the shortage shows: specialists wanted against those in Japan
    assert [s.label for s in wanted] == [outputs.label("talent_demand_persons", lang)]
    assert (wanted[0].y[-4:] > ts["talent_domestic"].to_numpy()[-4:]).all()


def test_compare_titles_come_from_the_declarations():
    from abm import outputs
    from viz import compare_view, runner

    assert compare_view.metric_title("fan_adoption", "ja") == "AI導入率 (%)"
    assert compare_view.metric_title("fan_deficit", "en") == outputs.title_with_unit("digital_deficit_jpy_tn", "en")
    derived = set(runner.add_derived(pd.DataFrame({c: [1.0] for c in (
        "year", "quarter", "outcomes_direct_cum_jpy_tn", "public_cost_cum_jpy_tn", "bond_interest_cum_jpy_tn")})))
    assert derived - {"t", "year", "quarter", "outcomes_direct_cum_jpy_tn", "public_cost_cum_jpy_tn",
                      "bond_interest_cum_jpy_tn"} == {"net_fiscal_cum_jpy_tn"}
    assert outputs.get("net_fiscal_cum_jpy_tn").kind == "derived"
    for col, _ in runner.FAN_METRICS.values():
        assert outputs.label(col, "ja") != outputs.label(col, "en")


def test_a_pareto_policy_of_an_optimisation_goes_to_the_single_run_view(kernel_ctx, tmp_path, monkeypatch):
    """`sovai dashboard --optimization DIR`: the Pareto policies are listed; choosing one sets its levers."""
    import pandas as pd

    from experiments.dashboard_cli import OPTIMIZATION_ENV
    from experiments.optimize_cli import optimize_folder
    from test_optimize import RUN_FN, spec_file

    folder, _ = optimize_folder(str(spec_file(tmp_path, population=6, generations=2, third="npv_jpy_tn")),
                                str(tmp_path / "o"), workers=1, run_fn=RUN_FN)
    front = pd.read_csv(folder / "pareto.csv")
    row = front.iloc[-1]
    monkeypatch.setenv(OPTIMIZATION_ENV, str(folder))
    rc = render_single()
    picker = rc.find(v.Select, label=i18n.tr("pareto_policy", "en")).widget
    assert [it["value"] for it in picker.items] == list(front["policy"])
    picker.v_model = int(row["policy"])
    role = rc.find(v.Select, label=i18n.field_label(field_specs()["policy.role_division"], "en")).widget
    wait_for(lambda: role.v_model == row["policy.role_division"], 10.0)
    spec = field_specs()["policy.compute_budget_jpy_tn_per_year"]
    (slider,) = [w for w in walk(rc.container) if isinstance(w, v.Slider)
                 and w.label.startswith(i18n.field_label(spec, "en") + ":")]
    assert slider.v_model == pytest.approx(row["policy.compute_budget_jpy_tn_per_year"])


def test_without_an_optimisation_there_is_no_pareto_picker(kernel_ctx, monkeypatch):
    from experiments.dashboard_cli import OPTIMIZATION_ENV

    monkeypatch.delenv(OPTIMIZATION_ENV, raising=False)
    rc = render_single()
    assert rc.find(v.Select, label=i18n.tr("pareto_policy", "en")).widgets == []


def test_pareto_policies_are_offered_and_run_in_the_compare_view(kernel_ctx, tmp_path, monkeypatch):
    from experiments.dashboard_cli import OPTIMIZATION_ENV
    from experiments.optimize_cli import optimize_folder
    from test_optimize import RUN_FN, spec_file
    from viz.compare_view import CompareView

    spec = spec_file(tmp_path, population=6, generations=2, third="npv_jpy_tn")
    spec.write_text(spec.read_text() + '[set]\n"population.firms" = 60\n"population.talent" = 60\n'
                    '"population.data_holders" = 10\n"run.end_year" = 2028\n', encoding="utf-8")
    folder, _ = optimize_folder(str(spec), str(tmp_path / "o"), workers=1, run_fn=RUN_FN)
    monkeypatch.setenv(OPTIMIZATION_ENV, str(folder))
    job = solara.reactive(None)
    _box, rc = solara.render(CompareView("en", job), handle_error=False)
    (pick_a,) = by_class(rc, v.Select, "compare-pick-a")
    policy = str(folder / "policy-01.toml")
    assert policy in [it["value"] for it in pick_a.items]
    pick_a.v_model = policy
    (reps,) = [w for w in walk(rc.container) if isinstance(w, v.TextField) and "input-reps" in (w.class_ or "")]
    reps.v_model = "2"
    button(rc, "Run comparison").click()
    wait_for(lambda: job.value is not None and job.value.finished, 60.0)
    assert job.value.error is None and set(job.value.results) == {"synthetic-policy-01", "foreign-dependent"}
    rc.close()


def test_a_slider_ignores_the_browsers_snap_to_its_grid_but_not_a_move(kernel_ctx):
    """A value off the slider's 0.01 grid (a Pareto policy's 2.78333) comes back from the browser rounded to the
    grid; that is not a change of the setting. A move of a step or more is."""
    from viz.components import moved

    assert not moved(2.78, 2.78333, 0.01) and moved(2.79, 2.78333, 0.01) and moved(2, 3, 1)
    rc = render_single()
    label = by_class(rc, v.Html, "scenario-label")[0]
    preset_label = label.children[0]
    _slider(rc, "policy.compute_budget_jpy_tn_per_year").v_model = 0.4533     # what a snap looks like
    settle(rc)
    assert _slider(rc, "policy.compute_budget_jpy_tn_per_year").label.endswith(": 0.45")
    assert by_class(rc, v.Html, "scenario-label")[0].children[0] == preset_label
    _slider(rc, "policy.compute_budget_jpy_tn_per_year").v_model = 0.47        # a move
    settle(rc)
    assert _slider(rc, "policy.compute_budget_jpy_tn_per_year").label.endswith(": 0.47")
    assert by_class(rc, v.Html, "scenario-label")[0].children[0] != preset_label
