"""Own scenarios in the dashboard: label, save as TOML, load (validated, one-line errors), round trip."""

from __future__ import annotations

from dataclasses import replace

import pytest

from abm.scenario import ScenarioError, load_scenario
from viz.scenario_io import load_uploaded, saved_toml, settings_from_scenario
from viz.session import build_scenario, file_stem, scenario_label, settings_for


def _custom():
    st = settings_for("gov-led").with_lever("policy.compute_budget_jpy_tn_per_year", 1.5)
    return replace(st, seed=7, shock="talent_poaching", extra="behaviour.choice_temperature=0.2")


def test_label_reads_custom_from_the_preset_once_changed():
    assert scenario_label(settings_for("private-led")) == "private-led"
    st = _custom()
    assert scenario_label(st) == "custom (from gov-led)" and file_stem(scenario_label(st)) == "custom-from-gov-led"
    sc = build_scenario(st)
    assert sc.name == "custom (from gov-led)" and "gov-led" in sc.description
    assert build_scenario(settings_for("gov-led")).name == "gov-led"


@pytest.mark.parametrize("preset", ["gov-led", "gov-led-export-control", "foreign-dependent"])
def test_save_load_round_trip_reproduces_the_settings_and_the_scenario(preset):
    for st in (settings_for(preset), replace(_custom(), preset=preset)):
        text = saved_toml(st)
        back = load_uploaded("saved.toml", text, len(text))
        assert back == st
        assert build_scenario(back).model_dump() == build_scenario(st).model_dump()


def test_fields_without_a_control_go_to_other_field():
    sc = load_scenario("private-led", {"environment.jpy_per_usd": 120.0, "population.talent": 500})
    st = settings_from_scenario(sc.model_copy(update={"name": "mine"}))
    assert st.preset == "gov-led"   # not a preset name, nor "custom (from …)": based on the default preset
    assert build_scenario(st).model_dump() | {"name": "x", "description": ""} == \
        sc.model_dump() | {"name": "x", "description": ""}
    assert "environment.jpy_per_usd=120.0" in st.extra and "population.talent=500" in st.extra


@pytest.mark.parametrize("text, words", [
    ("name = 'x'\n[policy\ncompute = 1", ["malformed TOML"]),
    ("[policy]\ncompute_budget_jpy_tn_per_year = 9.0", ["policy.compute_budget_jpy_tn_per_year", "[0, 5]"]),
    ("[policy]\ncompute_budgt_jpy_tn_per_year = 1.0", ["did you mean"]),
    ("extends = 'gov-led'\n[[shocks]]\nkind = 'export_control'\n[[shocks]]\nkind = 'talent_poaching'",
     ["one shock", "2"]),
])
def test_bad_files_are_refused_in_one_line(text, words):
    with pytest.raises(ScenarioError) as err:
        load_uploaded("bad.toml", text, len(text))
    msg = str(err.value)
    assert all(w in msg for w in words) and "\n" not in msg, msg


def test_oversized_file_is_refused_unread():
    with pytest.raises(ScenarioError, match="at most"):
        load_uploaded("huge.toml", None, 5_000_000)


def test_extends_a_preset():
    text = "extends = 'private-led'\nname = 'mine'\n[policy]\nadoption_subsidy_rate = 0.5\n"
    st = load_uploaded("mine.toml", text, len(text))
    assert st.levers["policy.adoption_subsidy_rate"] == 0.5
    assert st.levers["policy.role_division"] == "private_led"


def test_compare_offers_presets_the_custom_settings_and_uploaded_files():
    from abm.scenario import presets
    from viz.compare_view import choices, own_key
    from viz.scenario_io import custom_scenario, display_name, uploaded_scenario

    assert custom_scenario(settings_for("gov-led")) is None          # a preset's settings are offered as the preset
    custom = custom_scenario(_custom())
    assert custom is not None and custom.name == "custom (from gov-led)"
    text = saved_toml(_custom())
    sc = uploaded_scenario("mine.toml", text, len(text))
    offered = choices(custom, {})
    key = own_key(sc.name, "mine.toml", offered)                       # the same name as the custom settings
    assert key == "custom (from gov-led) [mine.toml]"
    offered = choices(custom, {key: sc.model_copy(update={"name": key})})
    assert list(offered)[:len(presets())] == list(presets()) and offered["gov-led"] == "gov-led"
    assert offered["custom (from gov-led)"] is custom and offered[key].name == key
    assert display_name(key, "ja") == "カスタム(gov-led から) [mine.toml]"
    assert display_name("custom (from gov-led)", "en") == "custom (from gov-led)"


def test_a_custom_scenario_compared_with_its_preset_runs_its_own_settings():
    """Paired on the same seeds, the custom scenario (adoption subsidy 0.9 instead of 0.2) ends with more
    adopters than its preset in every replication: the compare view ran the custom settings, not the preset."""
    from viz import runner
    from viz.compare_view import choices, diff_table_html

    small = {"population.firms": 300, "run.end_year": 2032}
    st = replace(settings_for("gov-led"), extra="; ".join(f"{k}={v}" for k, v in small.items()))
    base = build_scenario(st).model_copy(update={"name": "gov-led"})
    custom = build_scenario(st.with_lever("policy.adoption_subsidy_rate", 0.9))
    assert custom.name == "custom (from gov-led)"
    offered = choices(custom, {})
    res = runner.run_replications([base, offered[custom.name]], 3, base_seed=5)
    end = [[r["adoption_rate"].iloc[-1] for r in res[k]] for k in ("gov-led", custom.name)]
    diffs = [c - b for b, c in zip(*end)]
    print("adoption 2032, custom - preset per seed:", diffs)
    assert all(d > 0 for d in diffs), diffs
    assert "カスタム(gov-led から)" in diff_table_html(res, "ja")
