"""Every output declared once: each time-series column and summary key with unit, English and Japanese label.

- :data:`TIMESERIES` — the columns of ``timeseries.parquet`` in output order; :func:`abm.metrics.model_reporters`
  is built from it. Families (``adoption_rate_{sector}``, ``cost_{category}_jpy_tn``, ...) are declared once
  and expanded over their axis; a generated column's label is the family's member label with the member's name
  from :data:`abm.labels.NAMES`.
- :data:`SUMMARY` — the keys of ``summary.json`` in order; a nested key (``deficit_jpy_tn`` by year) is a family
  whose members are addressed by path: ``"deficit_jpy_tn.2040"`` or ``("deficit_jpy_tn", "2040")``.
- :data:`DERIVED` — quantities that analysis surfaces compute from the columns (compare, dashboard).

Surfaces call :func:`label`, :func:`unit`, :func:`title_with_unit` and :func:`description` (and :func:`columns`
for a family's columns, :func:`leaf_paths` to name the leaves of a summary); ``docs/outputs.md`` is generated
from here by :mod:`abm.outputs_doc`. Declarations check themselves on import.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from abm.accounting import CATEGORIES, INVESTMENT, OUTCOMES, PAYERS, PERIODS
from abm.labels import NAMES, UNITS, name, unit_text
from abm.network import SECTOR_NAMES

AXES = {  # axis -> its members, in column order (None: any year, "2040")
    "sector": tuple(SECTOR_NAMES), "source": ("sovereign", "foreign", "open"),
    "location": ("domestic", "abroad", "retired"), "category": CATEGORIES, "investment": INVESTMENT,
    "outcome": OUTCOMES, "period": PERIODS, "payer": PAYERS, "year": None,
}


@dataclass(frozen=True)
class Output:
    name: str              # column or summary key; a family's name shows its axes: "adoption_rate_{sector}"
    unit: str
    en: str                # English label (a family's: its title)
    ja: str                # Japanese label
    description: str = ""
    kind: str = "timeseries"          # "timeseries" | "summary" | "derived"
    axes: tuple[str, ...] = ()         # a family's axes
    member_en: str = ""                # a family's label of one member, "{}" per axis
    member_ja: str = ""
    family: str = ""                   # a generated column: the family it belongs to, and its member
    member: str = ""
    ledger: bool = False               # a column the ledger writes when it closes the quarter


FAMILIES: dict[str, Output] = {}


def _ts(name, unit, en, ja, description="", ledger=False):
    return [Output(name, unit, en, ja, description, ledger=ledger)]


def _family(template, axis, unit, en, ja, member, description="", ledger=False):
    """A family of time-series columns, one per member of ``axis``: declared once, expanded here."""
    fam = Output(template, unit, en, ja, description, axes=(axis,), member_en=member[0], member_ja=member[1],
                 ledger=ledger)
    FAMILIES[template] = fam
    return [replace(fam, name=template.replace(f"{{{axis}}}", m), en=member[0].format(name(m, "en")),
                    ja=member[1].format(name(m, "ja")), axes=(), member_en="", member_ja="", family=template,
                    member=m) for m in AXES[axis]]


def _summary(name, unit, en, ja, description="", axes=(), member=("", "")):
    return Output(name, unit, en, ja, description, kind="summary", axes=axes, member_en=member[0],
                  member_ja=member[1])


_COLUMNS = [
    *_ts("year", "year", "Year", "年", "calendar year of the quarter"),
    *_ts("quarter", "-", "Quarter", "四半期", "quarter of the year (1–4)"),
    *_ts("adoption_rate", "share", "AI adoption", "AI導入率",
         "share of Japan's firms using AI (agents weighted by the real firms they stand for)"),
    *_ts("adoption_rate_value_weighted", "share", "AI adoption, value-weighted", "AI導入率(付加価値加重)",
         "share of value added in firms using AI"),
    *_family("adoption_share_{source}", "source", "share", "AI adopters by model source",
             "AI導入企業のモデル調達元", ("Adopter share, {}", "{}の導入企業シェア"),
             "share of AI-using firms (weighted) on this model source"),
    *_ts("adoption_share_domestic", "share", "Adopter share, domestic models", "導入企業の国内モデルシェア",
         "share of AI-using firms (weighted) on a domestic model: open-source fine-tuned at home or sovereign"),
    *_ts("firm_model_quality", "-", "Firms' specialised-model quality", "企業の特化モデル品質",
         "mean quality of adopters' fine-tuned models (value-weighted): usefulness x (1 + data and staff uplift) "
         "+ language fit"),
    *_ts("japanese_fit", "-", "Japanese fit of domestic models", "国産モデルの日本語・文化適合度",
         "language/culture fit of the sovereign model, growing with the Japanese-language corpora shared"),
    *_family("talent_{location}", "location", "persons", "AI specialists by location", "AI専門人材の所在",
             ("AI specialists, {}", "AI専門人材({})"), "specialists working in Japan, working abroad, or retired"),
    *_ts("talent_entered", "persons", "AI specialists ever active", "累計参入AI専門人材",
         "the initial stock plus all graduates so far"),
    *_ts("talent_retention_rate", "share", "Talent retention", "人材定着率",
         "share of active (not retired) specialists who work in Japan"),
    *_ts("talent_demand_persons", "persons", "AI specialists wanted", "AI専門人材の需要",
         "firms' demand for AI staff (their need if they fine-tune a domestic model, a share of it on a foreign "
         "API) + the government lab's headcount target"),
    *_ts("talent_fill_ratio", "-", "AI specialists in Japan / wanted", "AI専門人材の充足率",
         "specialists working in Japan / specialists wanted; below 1 is a shortage (METI projects 57 % for "
         "AI and robotics specialists in 2040)"),
    *_ts("digital_deficit_jpy_tn", "JPY tn/yr", "Digital deficit", "デジタル赤字",
         "baseline non-AI deficit + AI payments abroad − AI exports (annual rate)"),
    *_ts("payments_abroad_jpy_tn", "JPY tn/yr", "AI payments abroad", "海外へのAI支払い",
         "firms' and the government's AI spending paid to foreign providers (annual rate)"),
    *_ts("compute_in_service_h100e", "H100e", "National compute in service", "稼働中の国の計算資源",
         "the government's GPUs in service (training cluster + serving capacity), in H100 equivalents"),
    *_ts("training_cluster_h100e", "H100e", "National training cluster", "国の学習用クラスター",
         "the base-model cluster's GPUs in service, in H100 equivalents"),
    *_ts("serving_compute_h100e", "H100e", "National compute available to firms", "企業に提供可能な国の計算資源",
         "serving capacity bought for firms, plus the training cluster while it is not training"),
    *_ts("programme_funds_jpy_tn", "JPY tn", "Programme funds on hand", "計画の手元資金",
         "compute and base-model money received and not yet spent (incl. private co-funding)"),
    *_ts("programme_commitments_jpy_tn", "JPY tn", "Programme commitments", "計画の確約額",
         "compute money committed to the rest of the data centre and of the GPU order"),
    *_ts("budget_lapsed_cum_jpy_tn", "JPY tn", "Budget lapsed unspent, cumulative", "未執行で失効した予算(累計)",
         "public money neither committed nor within the carry-over allowance at a year's end (compute and "
         "base-model lines)"),
    *_ts("programmes_paid_jpy_tn", "JPY tn/yr", "Public programmes paid", "政策プログラムの支払額",
         "top-ups, subsidies (adoption, cloud capex), data platform, ASEAN co-creation and price support paid "
         "from the programmes line this quarter (annual rate)"),
    *_ts("programmes_unused_cum_jpy_tn", "JPY tn", "Programmes ceiling unused, cumulative", "政策プログラム予算の未使用額(累計)",
         "what each year left of the programmes line's ceiling: the programmes did not claim it, so it was never "
         "drawn from the treasury"),
    *_ts("programmes_overdraft_jpy_tn", "JPY tn", "Programmes line overdrawn", "政策プログラム予算の超過額",
         "claims the rates in force incurred beyond the quarter's allotment (a year's overdraft comes first out "
         "of the next year's ceiling)"),
    *_ts("programmes_funded_share", "share", "Programme rates funded", "政策プログラムの資金充足率",
         "share of every entitlement rate in force this quarter (top-ups, adoption subsidy, platform, co-creation, "
         "price support): funds available / cost at full rates, at most 1"),
    *_ts("programmes_grant_share", "share", "Cloud capex grant rate funded", "クラウド設備投資補助の資金充足率",
         "share of the cloud capex subsidy's rate in force this quarter: what the line leaves after the "
         "entitlements / the grant at the full rate, at most 1"),
    *_ts("ai_value_jpy_tn", "JPY tn/yr", "AI value created", "AI創出価値",
         "AI-addressable value used x specialised-model quality, for the workloads that ran (annual rate)"),
    *_ts("ai_value_lost_jpy_tn", "JPY tn/yr", "AI value lost to missing compute", "計算資源不足で失われたAI価値",
         "value of workloads that could not run: sensitive work a foreign API may not take, domestic-only work "
         "without domestic capacity, work stranded by a cut-off, firms re-integrating after a forced switch"),
    *_ts("compute_demand_h100e", "H100e", "Firms' compute demand", "企業の計算資源需要",
         "inference and fine-tuning compute of all firms' AI use, foreign APIs included"),
    *_ts("compute_hosting_share", "share", "Open-model compute hosted in Japan", "オープンモデル計算の国内ホスティング比率",
         "share of open-model compute demand served on national or domestic-provider capacity "
         "(work that could not run counts as not hosted)"),
    *_ts("compute_national_serving_h100e", "H100e", "National compute serving firms", "企業向けに提供された国の計算資源",
         "national cluster capacity not training, sold to firms this quarter"),
    *_ts("compute_provider_capacity_h100e", "H100e", "Domestic cloud providers' capacity", "国内クラウド事業者の計算資源容量",
         "GPU capacity of the Japanese-operated cloud providers in service"),
    *_ts("compute_provider_utilisation", "share", "Domestic cloud utilisation", "国内クラウドの稼働率",
         "share of the domestic providers' capacity serving firms"),
    *_ts("compute_price_jpy_per_h100e_hour", "JPY/H100e-hour", "Domestic compute price", "国内計算資源の価格",
         "domestic providers' mean price per H100e-hour"),
    *_ts("compute_price_vs_foreign", "-", "Domestic compute price relative to foreign", "国内計算資源価格(海外比)",
         "domestic providers' mean price / foreign hyperscalers' price"),
    *_ts("compute_spilled_abroad_h100e", "H100e", "Compute spilled abroad", "海外へ流出した計算需要",
         "open-model compute that wanted domestic hosting but found no capacity and ran on foreign hyperscalers"),
    *_ts("compute_unserved_h100e", "H100e", "Domestic-only compute unserved", "処理できなかった国内限定の計算需要",
         "sensitive, sovereign-model and cut-off-stranded compute with no domestic capacity (queued, lost this quarter)"),
    *_ts("datacenter_in_service_mw", "MW", "Data-centre capacity in service", "稼働中のデータセンター容量",
         "national data-centre capacity in service"),
    *_ts("base_model_quality", "log10 effective FLOP", "Sovereign base-model capability", "国産基盤モデルの能力",
         "best released sovereign base model (0 before the first release)"),
    *_ts("frontier_capability", "log10 effective FLOP", "Foreign frontier capability", "海外フロンティアモデルの能力",
         "the best foreign model (exogenous path)"),
    *_ts("data_shared_index", "share", "Data shared", "データ共有度",
         "share of the potential data-contract volume that is actually flowing"),
    *_ts("sovereignty_index", "-", "Sovereignty index", "主権指数",
         "mean of the domestic share of AI spend and the share of sensitive AI work on domestic models (0–1)"),
    *_ts("asean_japanese_share", "share", "Japanese share of ASEAN AI", "ASEANのAIに占める日本のシェア",
         "adoption-weighted share of ASEAN partners' AI on Japanese offerings"),
    *_ts("outpatient_visits_per_capita", "visits/person/yr", "Outpatient visits per person", "一人当たり外来受診回数",
         "moves toward the G7 level as healthcare providers use domestically hosted AI"),
    *_family("adoption_rate_{sector}", "sector", "share", "AI adoption by sector", "業種別のAI導入率",
             ("AI adoption, {}", "AI導入率({})"), "share of the sector's firm agents using AI"),
    *_family("cost_{category}_jpy_tn", "category", "JPY tn/quarter", "Cost by category, per quarter",
             "費目別の費用(四半期)", ("Cost per quarter, {}", "費用({}・四半期)"),
             "public and private cost booked in the quarter", ledger=True),
    *_family("cost_{category}_cum_jpy_tn", "category", "JPY tn", "Cumulative cost by category", "費目別の累計費用",
             ("Cumulative cost, {}", "累計費用({})"), ledger=True),
    *_ts("public_cost_jpy_tn", "JPY tn/quarter", "Public cost per quarter", "公的費用(四半期)", ledger=True),
    *_ts("private_cost_jpy_tn", "JPY tn/quarter", "Private cost per quarter", "民間費用(四半期)", ledger=True),
    *_ts("public_income_jpy_tn", "JPY tn/quarter", "Public income per quarter", "公的収入(四半期)",
         "national compute and sovereign-model access sold", ledger=True),
    *_ts("public_income_cum_jpy_tn", "JPY tn", "Public income, cumulative", "公的収入(累計)", ledger=True),
    *_ts("public_investment_cum_jpy_tn", "JPY tn", "Public investment, cumulative", "公的投資(累計)",
         "the government's part of the compute and base-model programme", ledger=True),
    *_ts("private_investment_cum_jpy_tn", "JPY tn", "Private investment, cumulative", "民間投資(累計)",
         "the private part of the programme + the fine-tuning part of firms' domestic AI spending", ledger=True),
    *_ts("private_ai_spend_domestic_cum_jpy_tn", "JPY tn", "Firms' domestic AI spending, cumulative",
         "企業の国内AI支出(累計)", ledger=True),
    *_ts("investment_cum_jpy_tn", "JPY tn", "Programme investment, cumulative", "計画投資額(累計)",
         "data centres, hardware, staff, power and cloud, public and private", ledger=True),
    *_ts("public_cost_cum_jpy_tn", "JPY tn", "Public cost, cumulative", "公的費用(累計)",
         "all categories, programmes included", ledger=True),
    *_family("outcome_{outcome}_jpy_tn_per_year", "outcome", "JPY tn/yr", "Outcomes by category", "分野別の成果",
             ("Outcome, {}", "成果({})"), "annual rate in the quarter", ledger=True),
    *_family("outcome_{outcome}_cum_jpy_tn", "outcome", "JPY tn", "Cumulative outcomes by category",
             "分野別の累計成果", ("Cumulative outcome, {}", "累計成果({})"), ledger=True),
    *_ts("outcomes_direct_jpy_tn_per_year", "JPY tn/yr", "Direct (fiscal) outcomes", "直接(財政)成果",
         "healthcare + the fiscal share of the deficit avoided", ledger=True),
    *_ts("outcomes_indirect_jpy_tn_per_year", "JPY tn/yr", "Indirect outcomes", "間接成果",
         "all outcomes − direct outcomes", ledger=True),
    *_ts("outcomes_direct_cum_jpy_tn", "JPY tn", "Direct outcomes, cumulative", "直接成果(累計)", ledger=True),
    *_ts("outcomes_cum_jpy_tn", "JPY tn", "Outcomes, cumulative", "成果(累計)",
         "direct + indirect (in the summary: the last quarter's value)", ledger=True),
    *_ts("bond_balance_jpy_tn", "JPY tn", "Bond balance", "債券残高",
         "AI transition bonds outstanding (0 under tax financing)", ledger=True),
    *_ts("bond_interest_jpy_tn", "JPY tn/quarter", "Bond interest per quarter", "債券利払い(四半期)", ledger=True),
    *_ts("bond_redeemed_jpy_tn", "JPY tn/quarter", "Bonds redeemed per quarter", "債券償還(四半期)",
         "redeemed from direct outcomes", ledger=True),
    *_ts("bond_interest_cum_jpy_tn", "JPY tn", "Bond interest, cumulative", "債券利払い(累計)", ledger=True),
    *_ts("bond_redeemed_cum_jpy_tn", "JPY tn", "Bonds redeemed, cumulative", "債券償還(累計)", ledger=True),
]
TIMESERIES: tuple[Output, ...] = tuple(_COLUMNS)
_BY_COLUMN = {o.name: o for o in TIMESERIES}

SUMMARY: tuple[Output, ...] = (
    _summary("scenario", "-", "Scenario", "シナリオ", "the scenario's name"),
    _summary("seed", "-", "Random seed", "乱数シード", "the run's seed"),
    _summary("role_division", "-", "Role division", "役割分担", "policy.role_division"),
    _summary("hardware_path", "-", "Hardware path", "ハードウェア性能の推移", "policy.hardware_path: flat or improving"),
    _summary("financing", "-", "Financing", "財源", "policy.financing: tax or AI transition bond"),
    _summary("investment_total_jpy_tn", "JPY tn", "Programme investment, total", "計画投資額(合計)",
             "data centres, hardware, staff, power and cloud over the horizon"),
    _summary("investment_by_category_jpy_tn", "JPY tn", "Programme investment by category", "費目別の計画投資額",
             axes=("investment",), member=("Programme investment, {}", "計画投資額({})")),
    _summary("investment_by_period_jpy_tn", "JPY tn", "Programme investment by period", "期間別の計画投資額",
             axes=("period",), member=("Programme investment, {}", "計画投資額({})")),
    _summary("investment_capex_2026_2031_jpy_tn", "JPY tn", "Capital expenditure 2026–2031", "設備投資 2026–2031",
             "data centres + hardware in the initial period"),
    _summary("investment_rnd_2026_2031_jpy_tn", "JPY tn", "R&D 2026–2031", "研究開発費 2026–2031",
             "staff + power + cloud in the initial period"),
    _summary("cost_table_jpy_tn", "JPY tn", "Programme investment by period and category", "期間・費目別の計画投資額",
             axes=("period", "investment"), member=("Programme investment, {}, {}", "計画投資額({}・{})")),
    _summary("investment_by_payer_jpy_tn", "JPY tn", "Programme investment by payer", "負担者別の計画投資額",
             axes=("payer",), member=("Programme investment paid by {}", "計画投資額({}負担)")),
    _summary("public_programmes_jpy_tn", "JPY tn", "Public programmes, total", "政策プログラム費(合計)",
             "talent, subsidies, data platform, ASEAN"),
    _summary("programmes_line_paid_jpy_tn", "JPY tn", "Paid from the programmes line, total", "政策プログラム予算の支払額(合計)",
             "public programmes + the cloud capex grant + price support: every public yen the programmes line paid"),
    _summary("programmes_funded_share_min", "share", "Programme rates funded, lowest quarter", "政策プログラムの資金充足率(最低四半期)",
             "1 = the programmes line funded full rates throughout; below 1 it bound and scaled every programme"),
    _summary("gpus_planned", "GPUs", "GPUs planned", "計画GPU数",
             "GPUs of the domestic-DC year's generation needed to train the final base model in the window"),
    _summary("deficit_jpy_tn", "JPY tn/yr", "Digital deficit by year", "年別のデジタル赤字",
             "2025: the initial value; later years: mean of the year's quarters",
             axes=("year",), member=("Digital deficit {}", "デジタル赤字({})")),
    _summary("outcomes_2040_jpy_tn_per_year", "JPY tn/yr", "Outcomes in 2040 by category", "2040年の分野別成果",
             axes=("outcome",), member=("Outcome 2040, {}", "2040年の成果({})")),
    _summary("adoption_rate_2040", "share", "AI adoption 2040", "AI導入率(2040年)"),
    _summary("adoption_rate_by_year", "share", "AI adoption by year", "年別のAI導入率",
             axes=("year",), member=("AI adoption {}", "AI導入率({})")),
    _summary("talent_retention_rate_by_year", "share", "Talent retention by year", "年別の人材定着率",
             axes=("year",), member=("Talent retention {}", "人材定着率({})")),
    _summary("adoption_share_sovereign_2040", "share", "Adopter share, sovereign model, 2040",
             "国産モデルの導入企業シェア(2040年)"),
    _summary("talent_retention_rate_2040", "share", "Talent retention 2040", "人材定着率(2040年)"),
    _summary("talent_fill_ratio_2040", "-", "AI specialists in Japan / wanted, 2040", "AI専門人材の充足率(2040年)"),
    _summary("sovereignty_index_2040", "-", "Sovereignty index 2040", "主権指数(2040年)"),
    _BY_COLUMN["outcomes_cum_jpy_tn"],  # its last value
    _summary("final_year", "year", "Final year", "最終年", "the last simulated year"),
    _summary("report_method_payback_year", "year", "Payback year, report method", "投資回収年(報告書の方式)",
             "gross, as the Mizuho report counts: first year-end at which cumulative direct outcomes cover public "
             "cost + bond interest (none: never)"),
    _summary("report_method_npv_jpy_tn", "JPY tn", "Net present value, report method", "正味現在価値(報告書の方式)",
             "gross: direct outcomes − public cost net of income − bond interest, discounted to the start year"),
    _summary("report_method_benefit_cost_ratio_direct", "-", "Benefit-cost ratio, direct, report method",
             "費用便益比(直接・報告書の方式)", "gross present value of direct outcomes / of public cost + bond interest"),
    _summary("report_method_benefit_cost_ratio_total", "-", "Benefit-cost ratio, total, report method",
             "費用便益比(総合・報告書の方式)", "gross present value of all outcomes / of public cost + bond interest"),
    _summary("payback_year", "year", "Payback year (attributable, fiscal)", "投資回収年(帰属・財政)",
             "first year-end at which the programme's attributable fiscal benefit covers its attributable public "
             "cost with financing (none: never; against the paired run without the programme)"),
    _summary("npv_jpy_tn", "JPY tn", "Net present value (attributable, fiscal)", "正味現在価値(帰属・財政)",
             "attributable fiscal benefit − attributable public cost (× (1 + marginal cost of public funds) under "
             "tax, + coupons under bonds), discounted"),
    _summary("npv_economic_jpy_tn", "JPY tn", "Net present value (attributable, economic)",
             "正味現在価値(帰属・経済)", "all attributable outcomes − the same financed cost, discounted"),
    _summary("benefit_cost_ratio_fiscal", "-", "Benefit-cost ratio (attributable, fiscal)", "費用便益比(帰属・財政)",
             "present value of attributable fiscal benefit / of financed attributable cost (none without cost)"),
    _summary("benefit_cost_ratio_economic", "-", "Benefit-cost ratio (attributable, economic)",
             "費用便益比(帰属・経済)", "present value of all attributable outcomes / of financed attributable cost"),
    _summary("bond_outstanding_jpy_tn", "JPY tn", "AI-transition bonds outstanding at the horizon",
             "期末のAI移行債残高", "borrowed attributable cost + coupons not yet redeemed from attributable fiscal "
             "benefit (0 under tax finance)"),
    _summary("attributable_public_cost_jpy_tn", "JPY tn", "Attributable public cost", "帰属する公的費用",
             "public cost net of public income, minus the paired run's without the programme"),
    _summary("attributable_outcomes_cum_jpy_tn", "JPY tn", "Attributable outcomes, cumulative", "帰属する累計成果",
             "scenario − paired run without the programme, per outcome line (deficit avoided: the paired "
             "run's deficit − the scenario's)", axes=("outcome",),
             member=("Attributable outcome, {}", "帰属する成果({})")),
    _summary("attributable_outcomes_2040_jpy_tn_per_year", "JPY tn/yr", "Attributable outcomes in 2040",
             "2040年の帰属する成果", "mean of 2040's quarters, scenario − paired run without the programme",
             axes=("outcome",), member=("Attributable outcome 2040, {}", "2040年の帰属する成果({})")),
)

DERIVED: tuple[Output, ...] = (
    Output("net_fiscal_cum_jpy_tn", "JPY tn", "Net fiscal effect, cumulative", "純財政効果(累計)",
           "cumulative direct outcomes − public cost − bond interest", kind="derived"),
    Output("outcomes_total_jpy_tn_per_year", "JPY tn/yr", "Outcomes, direct + indirect", "成果(直接+間接)",
           kind="derived"),
)

OUTPUTS: dict[str, Output] = {}
for _o in (*TIMESERIES, *SUMMARY, *DERIVED):
    if OUTPUTS.setdefault(_o.name, _o) is not _o:
        raise ValueError(f"output {_o.name!r} is declared twice")


def _check(o: Output) -> None:
    if not (o.en and o.ja and o.unit in UNITS):
        raise ValueError(f"output {o.name!r}: needs an English and a Japanese label and a unit from abm.labels.UNITS")
    for axis in o.axes:
        if axis not in AXES or (AXES[axis] is not None and not set(AXES[axis]) <= set(NAMES)):
            raise ValueError(f"output {o.name!r}: axis {axis!r} is not declared or has members without names")
    if (o.member_en.count("{}"), o.member_ja.count("{}")) != (len(o.axes), len(o.axes)):
        raise ValueError(f"output {o.name!r}: member labels need one {{}} per axis")


for _o in (*OUTPUTS.values(), *FAMILIES.values()):
    _check(_o)


def _split(key) -> tuple[str, tuple[str, ...]]:
    parts = tuple(key.split(".")) if isinstance(key, str) else tuple(str(k) for k in key)
    return parts[0], parts[1:]


def get(key) -> Output:
    """The declaration of a column, summary key, derived quantity or family (a path gives its family)."""
    head, _ = _split(key)
    if head in OUTPUTS:
        return OUTPUTS[head]
    if head in FAMILIES:
        return FAMILIES[head]
    raise KeyError(f"{head!r} is not a declared output (see abm/outputs.py)")


def columns(family: str) -> tuple[Output, ...]:
    """The generated columns of a time-series family, in column order (``.member`` is each one's member key)."""
    if family not in FAMILIES:
        raise KeyError(f"{family!r} is not a declared family of columns")
    return tuple(o for o in TIMESERIES if o.family == family)


def label(key, lang: str) -> str:
    """The label of an output in ``lang`` ("en" or "ja"); a path into a nested summary key names its members:
    ``label("deficit_jpy_tn.2040", "ja")`` -> "デジタル赤字(2040年)"."""
    o = get(key)
    _, members = _split(key)
    if not members:
        return o.ja if lang == "ja" else o.en
    if len(members) != len(o.axes):
        raise KeyError(f"{key!r}: {o.name} has the axes {o.axes}")
    for axis, m in zip(o.axes, members):
        if not (m.isdigit() if AXES[axis] is None else m in AXES[axis]):
            raise KeyError(f"{key!r}: {m!r} is not a {axis}")
    return (o.member_ja if lang == "ja" else o.member_en).format(*(name(m, lang) for m in members))


def unit(key, lang: str) -> str:
    """The unit of an output as shown in ``lang`` ("" when dimensionless)."""
    return unit_text(get(key).unit, lang)


def title_with_unit(key, lang: str, percent: bool = False) -> str:
    """"Digital deficit (JPY tn/yr)"; ``percent=True`` shows a share as "%"."""
    u = get(key).unit
    if percent and u != "share":
        raise ValueError(f"{key!r} is in {u!r}, not a share")
    shown = unit_text("%" if percent else u, lang)
    return f"{label(key, lang)} ({shown})" if shown else label(key, lang)


def description(key) -> str:
    return get(key).description


def leaf_paths(summary: dict, prefix: tuple = ()) -> dict:
    """The summary's shape with each leaf replaced by its path, ``("deficit_jpy_tn", "2040")``: flattened the way a
    surface flattens the summary, it maps each flat column name to the path that :func:`label` takes."""
    return {k: leaf_paths(v, (*prefix, k)) if isinstance(v, dict) else (*prefix, k) for k, v in summary.items()}
