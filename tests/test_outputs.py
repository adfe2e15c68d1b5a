"""Outputs are declared once (abm/outputs.py): the model emits exactly the declared columns and summary keys,
every declaration has both labels and a known unit, and docs/outputs.md is generated from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from abm import labels, metrics, outputs, outputs_doc
from abm.outputs import Output

ROOT = Path(__file__).resolve().parent.parent


def _paths(value, prefix: tuple) -> list[tuple]:
    """Every leaf path below a nested summary value."""
    if not isinstance(value, dict):
        return [prefix]
    return [p for k, v in value.items() for p in _paths(v, (*prefix, k))]


def test_every_column_the_model_emits_is_declared_once_and_in_order(run_cached):
    result = run_cached("gov-led")
    declared = [o.name for o in outputs.TIMESERIES]
    assert list(result.timeseries.columns) == declared
    assert len(set(declared)) == len(declared)
    assert {o.name for o in outputs.TIMESERIES if o.ledger} == set(result.model.last_row)


def test_every_reporter_function_serves_a_declared_column():
    plain = {o.name for o in outputs.TIMESERIES if not (o.ledger or o.family)}
    assert set(metrics._REPORTERS) == plain
    assert set(metrics._FAMILY_REPORTERS) == {o.family for o in outputs.TIMESERIES if o.family and not o.ledger}


def test_every_summary_key_is_declared_once_and_in_order(run_cached):
    summary = run_cached("gov-led").summary
    assert list(summary) == [o.name for o in outputs.SUMMARY]
    for o in outputs.SUMMARY:
        paths = _paths(summary[o.name], (o.name,))
        assert {len(p) - 1 for p in paths} == {len(o.axes)}, o.name
        for path in paths:
            assert outputs.label(path, "en") and outputs.label(path, "ja"), path
    leaves = outputs.leaf_paths(summary)
    assert leaves["deficit_jpy_tn"]["2040"] == ("deficit_jpy_tn", "2040") and leaves["npv_jpy_tn"] == ("npv_jpy_tn",)
    assert _paths(leaves, ()) == _paths(summary, ())


def test_every_declaration_has_both_labels_and_a_known_unit():
    for o in (*outputs.OUTPUTS.values(), *outputs.FAMILIES.values()):
        assert o.en and o.ja and o.unit in labels.UNITS, o.name
        assert o.en != o.ja, o.name
    concrete = list(outputs.OUTPUTS.values())
    assert len({o.en for o in concrete}) == len(concrete)
    assert len({o.ja for o in concrete}) == len(concrete)
    assert len(concrete) == len(outputs.TIMESERIES) + len(outputs.SUMMARY) + len(outputs.DERIVED) - 1  # one shared


def test_declarations_check_themselves():
    with pytest.raises(ValueError, match="Japanese"):
        outputs._check(Output("x_jpy_tn", "JPY tn", "X", ""))
    with pytest.raises(ValueError, match="unit"):
        outputs._check(Output("x_furlongs", "furlongs", "X", "エックス"))
    with pytest.raises(ValueError, match="axis"):
        outputs._check(Output("x", "-", "X", "エックス", axes=("colour",), member_en="{}", member_ja="{}"))
    with pytest.raises(ValueError, match="one {} per axis"):
        outputs._check(Output("x", "-", "X", "エックス", axes=("year",), member_en="X {}", member_ja="エックス"))


def test_generated_columns_compose_labels_from_category_names():
    assert outputs.label("adoption_rate_healthcare", "en") == "AI adoption, healthcare"
    assert outputs.label("adoption_rate_healthcare", "ja") == "AI導入率(医療)"
    assert outputs.label("cost_datacenter_cum_jpy_tn", "ja") == "累計費用(データセンター)"
    assert outputs.label("cost_{category}_cum_jpy_tn", "en") == "Cumulative cost by category"
    assert outputs.get("outcome_asean_cum_jpy_tn").family == "outcome_{outcome}_cum_jpy_tn"


def test_paths_into_nested_summary_keys():
    assert outputs.label("deficit_jpy_tn.2040", "ja") == "デジタル赤字(2040年)"
    assert outputs.label(("deficit_jpy_tn", "2040"), "en") == "Digital deficit 2040"
    assert outputs.label("cost_table_jpy_tn.initial_2026_2031.hardware", "en") == \
        "Programme investment, initial 2026–2031, hardware"
    assert outputs.unit("cost_table_jpy_tn.initial_2026_2031.hardware", "ja") == "兆円"
    with pytest.raises(KeyError, match="not a year"):
        outputs.label("deficit_jpy_tn.soon", "en")
    with pytest.raises(KeyError, match="axes"):
        outputs.label("cost_table_jpy_tn.initial_2026_2031", "en")
    with pytest.raises(KeyError, match="not a declared output"):
        outputs.label("deficit", "en")


def test_titles_and_units_in_both_languages():
    assert outputs.title_with_unit("digital_deficit_jpy_tn", "en") == "Digital deficit (JPY tn/yr)"
    assert outputs.title_with_unit("digital_deficit_jpy_tn", "ja") == "デジタル赤字 (兆円/年)"
    assert outputs.title_with_unit("adoption_rate", "en", percent=True) == "AI adoption (%)"
    assert outputs.title_with_unit("sovereignty_index", "en") == "Sovereignty index"  # dimensionless: no unit
    assert outputs.unit("talent_domestic", "ja") == "人"
    with pytest.raises(ValueError, match="not a share"):
        outputs.title_with_unit("digital_deficit_jpy_tn", "en", percent=True)


def test_docs_table_is_up_to_date():
    committed = (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert committed == outputs_doc.markdown(), "regenerate: python -m abm.outputs_doc > docs/outputs.md"
    for o in outputs.OUTPUTS.values():
        assert f"`{o.name}" in committed, o.name
