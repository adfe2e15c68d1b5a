"""Scenario schema and loader: every kind of bad input gives one clear line naming the field."""

from __future__ import annotations

import pytest

from abm.scenario import ScenarioError, load_scenario, parse_set, presets, to_toml
from abm.schema import SECTIONS, Scenario, field_specs


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_of(source, overrides=None) -> str:
    with pytest.raises(ScenarioError) as e:
        load_scenario(source, overrides)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_presets_all_validate_and_default_is_gov_led():
    names = presets()
    assert {"gov-led", "private-led", "foreign-dependent", "full-state", "gov-led-export-control"} <= set(names)
    assert all(desc for desc in names.values())
    for name in names:
        assert load_scenario(name).name == name
    assert load_scenario().policy.role_division == "gov_led"


def test_unknown_key_suggests_nearest(tmp_path):
    msg = error_of(write(tmp_path, "[policy]\ncompute_budget = 1\n"))
    assert "policy.compute_budget" in msg and "compute_budget_jpy_tn_per_year" in msg


def test_unknown_section_suggests(tmp_path):
    msg = error_of(write(tmp_path, "[polcy]\nx = 1\n"))
    assert "polcy" in msg and "policy" in msg


def test_wrong_type(tmp_path):
    msg = error_of(write(tmp_path, '[policy]\nasean_cocreation = "maybe"\n'))
    assert "policy.asean_cocreation" in msg and "maybe" in msg


def test_out_of_range_names_bounds(tmp_path):
    msg = error_of(write(tmp_path, "[policy]\nadoption_subsidy_rate = 1.5\n"))
    assert "policy.adoption_subsidy_rate" in msg and "0.9" in msg


def test_bad_choice_lists_allowed(tmp_path):
    msg = error_of(write(tmp_path, '[policy]\nrole_division = "market"\n'))
    assert "gov_led" in msg and "private_led" in msg


def test_end_before_start(tmp_path):
    msg = error_of(write(tmp_path, "[run]\nstart_year = 2030\nend_year = 2028\n"))
    assert "end_year" in msg and "start_year" in msg


def test_unknown_preset_and_missing_file():
    assert "unknown preset" in error_of("gov-lead")
    assert "not found" in error_of("/nonexistent/x.toml")


def test_malformed_toml(tmp_path):
    assert "malformed TOML" in error_of(write(tmp_path, "[policy\n"))


def test_shock_validation(tmp_path):
    msg = error_of(write(tmp_path, '[[shocks]]\nkind = "earthquake"\nstart_year = 2030\n'))
    assert "shocks.0.kind" in msg
    msg = error_of(write(tmp_path, '[[shocks]]\nkind = "export_control"\nseverity = 2\n'))
    assert "severity" in msg


def test_extends_merges_and_resolves_relative(tmp_path):
    write(tmp_path, 'extends = "foreign-dependent"\n[policy]\nprivacy_framework_year = 2033\n', "base.toml")
    child = write(tmp_path, 'extends = "base.toml"\n[run]\nend_year = 2035\n', "child.toml")
    s = load_scenario(child)
    assert s.policy.role_division == "foreign_dependent"
    assert s.policy.privacy_framework_year == 2033 and s.run.end_year == 2035
    assert s.name == "child"


def test_extends_cycle(tmp_path):
    write(tmp_path, 'extends = "b.toml"\n', "a.toml")
    write(tmp_path, 'extends = "a.toml"\n', "b.toml")
    assert "cycle" in error_of(tmp_path / "a.toml")


def test_overrides_and_set_parsing():
    key, value = parse_set("policy.compute_budget_jpy_tn_per_year=0.7")
    assert (key, value) == ("policy.compute_budget_jpy_tn_per_year", 0.7)
    assert parse_set("policy.role_division=private_led")[1] == "private_led"
    assert parse_set("policy.asean_cocreation=false")[1] is False
    s = load_scenario("gov-led", {key: value})
    assert s.policy.compute_budget_jpy_tn_per_year == 0.7
    assert "unknown key" in error_of("gov-led", {"policy.budget": 1})
    with pytest.raises(ScenarioError):
        parse_set("no-equals-sign")


def test_field_specs_declared_once_with_units_and_sources():
    specs = field_specs()
    assert set(p.split(".")[0] for p in specs) == set(SECTIONS)
    for path, spec in specs.items():
        assert spec.unit, path
        assert spec.source, path
        if spec.type in (int, float):
            assert spec.ge is not None and spec.le is not None, f"{path} has no bounds"
            assert spec.ge <= spec.default <= spec.le, path
    levers = [p for p, s in specs.items() if s.lever]
    assert "policy.role_division" in levers and "policy.compute_budget_jpy_tn_per_year" in levers
    assert any(s.calibratable for s in specs.values())


def test_show_scenario_round_trips(tmp_path):
    s = load_scenario("gov-led-export-control")
    text = to_toml(s)
    assert "JPY tn/yr" in text and "[[shocks]]" in text
    again = load_scenario(write(tmp_path, text))
    assert again.model_dump(exclude={"name"}) == s.model_dump(exclude={"name"})
    assert Scenario.model_validate(s.model_dump()) == s


def test_role_divisions_are_validated_records():
    from abm.roles import ROLE_DIVISIONS, load_role_divisions
    from abm.vocab import load_table

    assert set(ROLE_DIVISIONS) == {"gov_led", "private_led", "foreign_dependent", "full_state"}
    assert ROLE_DIVISIONS["private_led"].public_share == 0.3
    table = load_table("role_divisions.toml")
    with pytest.raises(ValueError, match="role divisions must be exactly"):
        load_role_divisions({k: v for k, v in table.items() if k != "full_state"})
    for bad, needle in (({"programme_scale": "high"}, "gov_led.programme_scale"),
                        ({"public_share": 0.0}, "gov_led.public_share"),
                        ({"sovereign_model": 1}, "gov_led.sovereign_model"),
                        ({"surprise": 1.0}, "gov_led.surprise")):
        with pytest.raises(ValueError, match=needle):
            load_role_divisions(table | {"gov_led": table["gov_led"] | bad})


def test_every_rule_coefficient_is_a_declared_field():
    from abm.schema import field_specs

    rules = {p: s for p, s in field_specs().items() if p.startswith("rules.")}
    assert len(rules) >= 65
    for path, spec in rules.items():
        assert spec.unit and spec.source, path
        assert spec.ge is not None and spec.le is not None and spec.ge <= spec.default <= spec.le, path


def test_field_labels_are_declared_once_for_every_field_in_both_languages():
    """``abm/data/field_labels.toml`` names every schema field (any may be shown: swept in a sensitivity or
    discovery table, set with --set or the dashboard's "Other field"), only schema fields, each in English and
    Japanese, and every unit has its Japanese (:data:`abm.labels.UNITS`); no scenario field declares a label in the
    schema itself, and no two fields share a name."""
    from abm.labels import UNITS
    from abm.schema import field_labels, shock_field_specs

    specs, labels = field_specs(), field_labels()
    assert not set(labels) - set(specs), sorted(set(labels) - set(specs))
    assert all(set(v) == {"en", "ja"} and v["en"] and v["ja"] for v in labels.values())
    missing = sorted(p for p, spec in specs.items()
                     if not (spec.label_ja and spec.label == labels.get(p, {}).get("en")))
    assert not missing, missing
    units = {spec.unit for spec in [*specs.values(), *shock_field_specs().values()]}
    assert not units - set(UNITS), sorted(units - set(UNITS))
    for sec, cls in SECTIONS.items():
        assert not [n for n, i in cls.model_fields.items() if (i.json_schema_extra or {}).get("label")], sec
    for lang in ("en", "ja"):
        names = [v[lang] for v in labels.values()]
        assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
