"""Scenario schema: every field declared once, with type, bounds, unit, default and source.

Sliders (viz), sweep ranges (experiments), calibration bounds and `sovai show-scenario` all read the
metadata declared here through :func:`field_specs`; nothing else declares a range.
Cost-model inputs live in ``abm/data/cost_inputs.toml`` and the coefficients of the agents' rules and outcome
formulas in ``abm/data/rule_inputs.toml`` (value, unit, bounds, source per entry); :func:`_section_from_inputs`
turns them into the ``[costs]`` and ``[rules]`` sections, so they too are declared once.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from abm.vocab import load_table


def F(default, *, unit: str, source: str, ge=None, le=None, calibratable: bool = False,
      lever: bool = False, label: str = "", mid_run: bool = False):
    """One scenario field: default, bounds, unit and the source or rationale of the default. A scenario field's
    human name (English and Japanese) is declared in ``abm/data/field_labels.toml``, not here (``label`` serves
    the role-division table, :mod:`abm.roles`).

    ``mid_run``: the model reads the field afresh every quarter, so it may change while a run is under way
    (:meth:`abm.model.SovereignAIModel.apply_policy`); every other field is read when the model is built."""
    extra = {"unit": unit, "source": source, "calibratable": calibratable, "lever": lever, "label": label,
             "mid_run": mid_run}
    return Field(default, ge=ge, le=le, description=label or source, json_schema_extra=extra)


class _Section(BaseModel):
    # strict: no coercion of true to 1, "7" to 7, 2026.0 to 2026 or 1 to true (an int is accepted as a float)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)


class RunSection(_Section):
    start_year: int = F(2026, ge=2020, le=2060, unit="year", source="reports' horizon starts 2026")
    end_year: int = F(2040, ge=2020, le=2070, unit="year", source="reports' horizon ends 2040")
    seed: int = F(42, ge=0, le=2**32 - 1, unit="-", source="default seed")


class PopulationSection(_Section):
    firms: int = F(2000, ge=20, le=200_000, unit="agents",
                   source="DESIGN §3; each agent stands for ~1,700 of Japan's 3.375 M firms (Economic Census 2021)")
    data_holders: int = F(300, ge=5, le=50_000, unit="agents", source="DESIGN §3")
    talent: int = F(3000, ge=20, le=300_000, unit="agents",
                    source="DESIGN §3; each agent is a cohort of AI specialists")
    ai_specialists_persons: float = F(30000.0, ge=100, le=10_000_000, unit="persons",
                                      source="[I] ~30k advanced AI specialists in Japan (incl. abroad); the talent "
                                             "agents split them into cohorts, so `talent` sets resolution only")
    graduates_per_year_share: float = F(0.08, ge=0, le=0.5, unit="share of initial talent/yr",
                                        source="[I] AI graduate inflow ~8% of the stock per year")
    asean_partners: int = F(5, ge=1, le=5, unit="agents", source="ASEAN-5 (mizuho outcome scope)")
    supply_network: Literal["keiretsu", "random", "ring"] = F(
        "keiretsu", unit="-",
        source="[I] keiretsu-like: preferential attachment within sectors, large firms are the hubs (abm/network.py); "
               "random and ring are structural alternatives with the same number of links per firm")


RoleDivision = Literal["gov_led", "private_led", "foreign_dependent", "full_state"]


class PolicySection(_Section):
    role_division: RoleDivision = F("gov_led", unit="-", lever=True,
                                    source="mizuho: government builds compute + base model, firms specialise")
    compute_budget_jpy_tn_per_year: float = F(
        0.45, ge=0, le=5, unit="JPY tn/yr", lever=True, mid_run=True,
        source="[I] ~1.9 tn capex over 2026-2031 (mizuho) spread over ~4 build years")
    base_model_budget_jpy_tn_per_year: float = F(
        0.22, ge=0, le=3, unit="JPY tn/yr", lever=True, mid_run=True,
        source="[I] mizuho R&D 1.0 tn over 2026-2031 (staff + power) ~0.17/yr, plus beta cloud time")
    standard_data_contracts_year: int = F(2027, ge=2020, le=2070, unit="year", lever=True, mid_run=True,
                                          source="mizuho roadmap: standard contracts in the short term (-2030)")
    privacy_framework_year: int = F(2031, ge=2020, le=2070, unit="year", lever=True, mid_run=True,
                                    source="mizuho roadmap: privacy framework extended in the mid term (2031-)")
    talent_wage_topup_share: float = F(0.1, ge=0, le=1, unit="share of wage", lever=True, mid_run=True,
                                       source="[I] programme lever")
    adoption_subsidy_rate: float = F(0.2, ge=0, le=0.9, unit="share of cost", lever=True, mid_run=True,
                                     source="IT/AI introduction subsidies (mizuho fiscal approach)")
    cloud_capex_subsidy_share: float = F(
        0.0, ge=0, le=0.9, unit="share of capex", lever=True, mid_run=True,
        source="[I] share of domestic cloud providers' new GPU capacity (servers and DC shell) paid by the state, "
               "whatever the role division; cf. METI's cloud programme under the Economic Security Promotion Act "
               "(2024 support to Japanese GPU clouds); 0 = none, as in the reports")
    programmes_budget_jpy_tn_per_year: float = F(
        1.0, ge=0, le=30, unit="JPY tn/yr", lever=True, mid_run=True,
        source="[I] ceiling of the public programmes' line (top-ups, subsidies, data platform, ASEAN co-creation, "
               "cloud capex subsidy, price support; agents/government_programmes.py): 1.0 funds the default "
               "programmes of gov-led, private-led and foreign-dependent in every quarter (their claims peak at "
               "~0.5 JPY tn/yr), so it binds only when the levers ask for more; cf. METI's IT-introduction and "
               "AI subsidies, ~0.1-0.3 JPY tn/yr")
    asean_cocreation: bool = F(True, unit="-", lever=True, mid_run=True,
                               source="Japan-ASEAN AI co-creation initiative, Oct 2025")
    financing: Literal["tax", "ai_transition_bond"] = F(
        "tax", unit="-", lever=True, source="mizuho: GX-bond analogy")
    domestic_dc_ready_year: int = F(2031, ge=2020, le=2070, unit="year", lever=True,
                                    source="mizuho: release model on domestic DC from 2031")
    dc_grid_strategy: Literal["wait", "premium", "start_smaller"] = F(
        "wait", unit="-", lever=True, mid_run=True,
        source="[I] when the grid cannot yet connect the DC's watts (abm/data/grid.toml): wait, pay for a "
               "private connection (rules.grid_private_connection_usd_per_w), or start smaller and grow")
    procurement_diversification_share: float = F(
        0.3, ge=0, le=1, unit="share of GPU supply", lever=True, mid_run=True,
        source="mizuho: diversify procurement against supply cut-offs and export controls")
    base_model_parameters: float = F(5.0e12, ge=1e9, le=1e14, unit="parameters",
                                     source="mizuho: 5 trillion-parameter base model, 2026-2031")
    training_window_months: float = F(3.0, ge=0.5, le=24, unit="months",
                                      source="mizuho: GPUs sized to finish the final run in ~3 months")
    hardware_path: Literal["flat", "improving"] = F(
        "improving", unit="-", source="mizuho: two hardware scenarios (flat / linear improvement) give the cost range")
    hardware_renewal_year: int = F(2036, ge=2020, le=2070, unit="year", source="mizuho: renewal assumed 2036")
    retraining_rule: Literal["adaptive", "fixed_year"] = F(
        "adaptive", unit="-", lever=True, mid_run=True,
        source="adaptive: a new generation once the frontier runs away (rules.gov_generation_gap_oom); "
               "fixed_year: one retraining in retraining_year (mizuho's assumption)")
    generation_sizing: Literal["plan", "budget"] = F(
        "plan", unit="-", lever=True,
        source="plan: every generation is the planned base-model run (mizuho's programme); budget: after the "
               "release each new generation trains on the whole national fleet (training cluster + the serving "
               "capacity that spare compute money bought, which pauses serving meanwhile), as large as the fleet "
               "can train in training_window_months, never less than the plan ([I] a compute-optimal lab)")
    budget_shortfall: Literal["delay", "shrink"] = F(
        "delay", unit="-",
        source="when the compute budget accrued by the DC's ready year cannot pay the planned data centre and "
               "cluster: delay (default) builds the plan as money arrives, so it is ready late; shrink plans the "
               "cluster (and run) the budget pays by then, ready on time but smaller ([I] planning rule)")
    base_model_route: Literal["from_scratch", "continued_pretraining"] = F(
        "from_scratch", unit="-", lever=True, mid_run=True,
        source="from_scratch: every generation pre-trains the planned model on the national cluster (mizuho's "
               "programme); continued_pretraining: each generation continues the pre-training of the largest open-"
               "weight base whose Japanese continued pre-training (rules.gov_cpt_tokens) fits the training fleet's "
               "window (as done for the Swallow and LLM-jp models); read when a generation starts")
    retraining_year: int = F(2036, ge=2020, le=2070, unit="year",
                             source="mizuho: retraining assumed 2036 (used by retraining_rule = fixed_year)")
    discount_rate: float = F(0.02, ge=0, le=0.2, unit="1/yr", source="[I] long JGB-like social discount rate")
    bond_interest_rate: float = F(0.015, ge=0, le=0.2, unit="1/yr", source="[I] GX transition bond coupons ~1-1.5%")
    deficit_fiscal_share: float = F(0.3, ge=0, le=1, unit="share",
                                    source="[I] share of deficit avoided counted as fiscal (tax base) for bond redemption")


class EnvironmentSection(_Section):
    foreign_wage_premium: float = F(0.8, ge=0, le=5, unit="share over domestic wage", calibratable=True,
                                    source="JP AI engineer ~JPY 6-8.6 M vs US AI $120k-324k (notes §3)")
    gpu_price_performance_doubling_years: float = F(2.5, ge=0.5, le=10, unit="years",
                                                    source="Epoch: FLOP/s per $ doubles every 2.46 yr")
    algorithmic_efficiency_per_year: float = F(3.0, ge=1, le=10, unit="x/yr", calibratable=True,
                                               source="Epoch: ~3x/yr LM algorithmic efficiency")
    frontier_compute_growth_per_year: float = F(4.5, ge=1, le=10, unit="x/yr",
                                                source="Epoch: frontier training compute 4-5x/yr")
    frontier_compute_2025_flop: float = F(5e26, ge=1e24, le=1e29, unit="FLOP",
                                          source="Epoch AI models data: largest runs ~5e26 FLOP in 2025")
    open_model_lag_years: float = F(1.0, ge=0, le=5, unit="years", source="Epoch: open models trail ~1 yr")
    electricity_price_jpy_per_kwh: float = F(20.0, ge=5, le=80, unit="JPY/kWh",
                                             source="[NV] industrial tariff ~JPY 20/kWh (notes §0)")
    electricity_inflation_per_year: float = F(0.02, ge=-0.05, le=0.2, unit="1/yr",
                                              source="mizuho: power price inflates yearly; [I] 2%")
    jpy_per_usd: float = F(150.0, ge=80, le=250, unit="JPY/USD", source="2025 average ~150")
    baseline_deficit_2025_jpy_tn: float = F(6.55, ge=0, le=30, unit="JPY tn/yr", calibratable=True,
                                            source="[I] non-AI part of the 6.7 tn 2025 digital deficit (mizuho)")
    baseline_deficit_growth_per_year: float = F(0.05, ge=-0.1, le=0.3, unit="1/yr", calibratable=True,
                                                source="[I] cloud/platform deficit trend 2014-2025 (x3 in 11 yr ~ 10%/yr), slowing")
    ai_value_share_max: float = F(0.24, ge=0, le=0.5, unit="share of value added", calibratable=True,
                                  source="[I][C] AI-addressable share of value added once AI is a foundational technology; fitted by sovai calibrate")
    ai_value_midpoint_capability: float = F(40.0, ge=26, le=45, unit="log10 effective FLOP", calibratable=True,
                                            source="[I] frontier capability at which half the addressable value is reachable")
    ai_value_width_capability: float = F(2.5, ge=0.2, le=10, unit="log10 effective FLOP",
                                         source="[I] logistic width of the task-automation curve (cf. FTM FLOP gap)")
    outpatient_spending_2025_jpy_tn: float = F(16.5, ge=1, le=60, unit="JPY tn/yr",
                                               source="MHLW national medical care expenditure, outpatient part ~35% of 47 tn")
    outpatient_spending_growth_per_year: float = F(0.034, ge=-0.05, le=0.2, unit="1/yr",
                                                   source="[I] implied by mizuho: 13 tn = 48.6% of outpatient spending in 2040")
    autonomous_driving_value_2040_jpy_tn: float = F(4.0, ge=0, le=20, unit="JPY tn/yr", calibratable=True,
                                                    source="[I][C] at-stake value of Japanese OEMs' AD-related production and ripple; fitted to the 2040 autonomous-driving outcome (3.8 -> 4.75 -> 4.0 after the base model gained data and generations)")
    asean_gdp_growth_per_year: float = F(0.05, ge=-0.05, le=0.2, unit="1/yr", source="[I] ASEAN-5 nominal growth")


class BehaviourSection(_Section):
    bass_innovation_per_year: float = F(0.03, ge=0, le=1, unit="1/yr", calibratable=True,
                                        source="Bass p ~0.03 (Sultan et al. 1990)")
    bass_imitation_per_year: float = F(0.38, ge=0, le=3, unit="1/yr", calibratable=True,
                                       source="Bass q ~0.38 (Sultan et al. 1990), on network neighbours")
    public_rollout_per_year: float = F(0.5, ge=0, le=4, unit="1/yr", calibratable=True,
                                       source="[I] roll-out of public healthcare models to providers (national system)")
    source_switch_rate_per_year: float = F(0.4, ge=0, le=4, unit="1/yr", calibratable=True,
                                           source="[I] adopters re-evaluate their model source ~every 2.5 years")
    choice_temperature: float = F(0.15, ge=0.01, le=2, unit="utility units", calibratable=True,
                                  source="[I] logit noise of model-source choice")
    japanese_fit_bonus: float = F(0.1, ge=0, le=1, unit="quality units", calibratable=True,
                                  source="daiwa: cultural/language fit of domestic models; the fit's ceiling, reached when all "
                                         "Japanese-language corpora flow (rules.firm_fit_without_corpus_share without them); "
                                         "[F] 0.08 -> 0.1 so that the 2040 deficit reduction (6.9) holds with the fit built from shared corpora")
    talent_leave_sensitivity: float = F(2.0, ge=0, le=20, unit="1/utility", calibratable=True,
                                        source="[I] brain-drain utility slope (Gursoy & Badur)")
    talent_base_leave_rate_per_year: float = F(0.03, ge=0, le=0.5, unit="1/yr", calibratable=True,
                                               source="[I] baseline emigration of AI specialists")
    talent_return_rate_per_year: float = F(0.04, ge=0, le=0.5, unit="1/yr", calibratable=True,
                                           source="[I] return migration (Biondo et al.)")
    data_trust_gain_per_use: float = F(0.05, ge=0, le=1, unit="trust/quarter", source="[I] trust grows with use")


class Shock(_Section):
    kind: Literal["export_control", "foreign_service_cutoff", "talent_poaching"] = F(
        "export_control", unit="-", source="DESIGN §5")
    start_year: int = F(2030, ge=2020, le=2070, unit="year", source="-")
    duration_quarters: int = F(8, ge=1, le=200, unit="quarters", source="-")
    severity: float = F(0.5, ge=0, le=1, unit="share", source="share of supply/access/wage gap hit")


def _load_inputs(table: str) -> dict[str, dict]:
    text = resources.files("abm.data").joinpath(table).read_text(encoding="utf-8")
    return tomllib.loads(text)["inputs"]


def _section_from_inputs(class_name: str, table: str) -> type[_Section]:
    """A section whose fields are the entries of a shipped inputs table (value, unit, min, max, source)."""
    fields = {}
    for name, spec in _load_inputs(table).items():
        typ = type(spec["value"])
        fields[name] = (typ, F(spec["value"], ge=spec.get("min"), le=spec.get("max"), unit=spec["unit"],
                               source=spec["source"], calibratable=spec.get("calibratable", False)))
    return create_model(class_name, __base__=_Section, **fields)


CostsSection = _section_from_inputs("CostsSection", "cost_inputs.toml")
RulesSection = _section_from_inputs("RulesSection", "rule_inputs.toml")


class Scenario(BaseModel):
    """A fully resolved scenario. Build it with :func:`abm.scenario.load_scenario` for files/presets."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)
    name: str = "custom"
    description: str = ""
    run: RunSection = Field(default_factory=RunSection)
    population: PopulationSection = Field(default_factory=PopulationSection)
    policy: PolicySection = Field(default_factory=PolicySection)
    environment: EnvironmentSection = Field(default_factory=EnvironmentSection)
    behaviour: BehaviourSection = Field(default_factory=BehaviourSection)
    costs: CostsSection = Field(default_factory=CostsSection)  # type: ignore[valid-type]
    rules: RulesSection = Field(default_factory=RulesSection)  # type: ignore[valid-type]
    shocks: list[Shock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _years_in_order(self):
        if self.run.end_year < self.run.start_year:
            raise ValueError(f"run.end_year ({self.run.end_year}) must be >= run.start_year ({self.run.start_year})")
        return self


SECTIONS: dict[str, type[_Section]] = {
    "run": RunSection, "population": PopulationSection, "policy": PolicySection,
    "environment": EnvironmentSection, "behaviour": BehaviourSection, "costs": CostsSection,
    "rules": RulesSection,
}


@dataclass(frozen=True)
class FieldSpec:
    """Metadata of one scalar scenario field, read from the schema (the single declaration)."""

    path: str
    type: Any
    default: Any
    ge: float | None
    le: float | None
    unit: str
    source: str
    calibratable: bool
    lever: bool
    label: str                 # its human name (abm/data/field_labels.toml; else the words of its name)
    choices: tuple | None
    mid_run: bool = False      # may change while a run is under way (read every quarter)
    label_ja: str = ""         # its name in Japanese ("" when not declared)


@functools.cache
def field_labels() -> dict[str, dict[str, str]]:
    """``{"section.field": {"en": ..., "ja": ...}}`` from ``abm/data/field_labels.toml`` (the one declaration)."""
    return load_table("field_labels.toml")["field"]


def _specs_of(prefix: str, cls: type[BaseModel]) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    names = field_labels()
    for name, info in cls.model_fields.items():
        ge = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
        le = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
        extra = info.json_schema_extra or {}
        ann = info.annotation
        choices = tuple(ann.__args__) if getattr(ann, "__origin__", None) is Literal else None
        human = names.get(f"{prefix}.{name}", {})
        out[f"{prefix}.{name}"] = FieldSpec(f"{prefix}.{name}", ann, info.default, ge, le, extra.get("unit", ""),
                                            extra.get("source", ""), extra.get("calibratable", False),
                                            extra.get("lever", False), human.get("en") or extra.get("label") or name,
                                            choices, extra.get("mid_run", False), human.get("ja", ""))
    return out


def field_specs() -> dict[str, FieldSpec]:
    """All scalar fields as ``{"section.field": FieldSpec}`` in declaration order."""
    out: dict[str, FieldSpec] = {}
    for sec, cls in SECTIONS.items():
        out.update(_specs_of(sec, cls))
    return out


def mid_run_fields() -> list[str]:
    """The fields that may change while a run is under way (``mid_run=True``); the rest need a new run."""
    return [p for p, s in field_specs().items() if s.mid_run]


def shock_field_specs() -> dict[str, FieldSpec]:
    """The fields of one ``[[shocks]]`` entry as ``{"shocks.field": FieldSpec}``."""
    return _specs_of("shocks", Shock)
