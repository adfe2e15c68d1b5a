"""English and Japanese names of the model's words: categories (sectors, model sources, cost categories,
outcomes, periods, payers, talent locations), units and the statistic qualifiers that say what a headline
figure is (Q4 value, annual mean, mean over replications with its interval). The one place these are translated.

:mod:`abm.outputs` composes the labels of generated output columns from :data:`NAMES`; the dashboard
(``viz.i18n``) and the reports read names and units through :func:`name` and :func:`unit_text`.
"""

from __future__ import annotations

NAMES = {  # member key -> (English, Japanese)
    "auto": ("automotive", "自動車"), "manufacturing": ("manufacturing", "製造業"),
    "healthcare": ("healthcare", "医療"), "finance": ("finance", "金融"),
    "retail_wholesale": ("retail & wholesale", "卸売・小売"), "ict": ("ICT", "情報通信"),
    "public_services": ("public services", "公共サービス"), "other_services": ("other services", "その他サービス"),
    "sovereign": ("sovereign model", "国産モデル"), "open": ("open-weight model", "オープンモデル"),
    "foreign": ("foreign model", "海外モデル"), "no_ai": ("no AI", "AI未導入"),
    "datacenter": ("data centres", "データセンター"), "hardware": ("hardware", "ハードウェア"),
    "staff": ("staff", "人件費"), "power": ("power", "電力"), "cloud": ("cloud", "クラウド"),
    "programmes": ("programmes", "政策プログラム"), "price_support": ("price support", "価格支援"),
    "serving_compute": ("serving compute", "提供用計算資源"),
    "provider_capex": ("domestic cloud capacity", "国内クラウド設備投資"),
    "compute_sales": ("national compute sold", "国の計算資源の販売"),
    "model_access": ("sovereign-model access sold", "国産モデル利用料"),
    "deficit_avoided": ("deficit avoided", "回避した赤字"), "autonomous_driving": ("autonomous driving", "自動運転"),
    "asean": ("ASEAN", "ASEAN"),
    "initial_2026_2031": ("initial 2026–2031", "初期 2026–2031"),
    "running_2031_2040": ("running 2031–2040", "運用 2031–2040"),
    "government": ("government", "政府"), "private": ("private sector", "民間"),
    "domestic": ("in Japan", "国内"), "abroad": ("abroad", "海外"), "retired": ("retired", "引退"),
}

UNITS = {  # English unit -> Japanese ("-" is dimensionless and shows as nothing)
    "JPY tn/yr": "兆円/年", "JPY tn/quarter": "兆円/四半期", "JPY tn": "兆円", "year": "年", "quarters": "四半期",
    "share": "割合", "share of wage": "賃金比", "share of cost": "費用比", "share of GPU supply": "GPU供給比",
    "%": "%", "persons": "人", "agents": "体", "H100e": "H100換算", "JPY/H100e-hour": "円/H100換算時間", "GPUs": "基", "MW": "MW",
    "log10 effective FLOP": "log10 実効FLOP", "visits/person/yr": "回/人/年", "-": "",
    "JPY/USD": "円/ドル", "JPY/kWh": "円/kWh", "1/yr": "1/年", "x/yr": "倍/年",
    "share of value added": "付加価値比", "share over domestic wage": "国内賃金に対する上乗せ比",
    "share of AI-addressable tasks": "AIが担えるタスクの割合", "utility units": "効用単位", "quality units": "品質単位",
    "years": "年", "months": "か月", "parameters": "パラメータ", "FLOP": "FLOP", "1/utility": "1/効用",
    "trust/quarter": "信頼/四半期", "share of initial talent/yr": "初期人材比/年", "tokens/parameter": "トークン/パラメータ",
    "x 2025 performance per year": "2025年性能比/年", "share of the foreign price": "海外価格比",
    "years of AI-addressable value": "AIが担える価値の年数",
    "share of the non-compute part of open/sovereign spend": "オープン・国産モデル支出のうち計算資源以外の部分に対する割合",
    "JPY of compute (at the foreign cloud price) per JPY of AI-addressable value used":
        "利用するAI対象価値1円当たりの計算資源費用(海外クラウド価格での円)",
}


STATISTICS = {  # what a headline figure is, in English and Japanese ({year}, {n}: filled in by the surface)
    "quarter": ("value in the quarter shown", "表示中の四半期の値"),
    "q4": ("value in Q4 {year}", "{year}年第4四半期の値"),
    "annual_mean": ("annual mean of {year} quarters", "{year}年の四半期平均"),
    "annual_means": ("annual means of each year's quarters (2025: the starting value)",
                     "各年の四半期平均(2025年は初期値)"),
    "year_end": ("value at the end of {year}", "{year}年末の値"),
    "run_end": ("value at the end of the run", "期末の値"),
    "per_run": ("one value per run", "実行ごとの値"),
    "one_seed": ("one seed, one future", "1シード・1つの将来"),
    "replication_mean": ("mean [5%, 95%] over {n} runs", "{n}回の実行の平均 [5%, 95%]"),
    "replications": ("mean [5%, 95%] over replications (and futures)", "反復実行(と将来シナリオ)の平均 [5%, 95%]"),
    "median_band": ("median, 5-95% band", "中央値・5〜95%帯"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ja" else pair[0]


def name(key: str, lang: str) -> str:
    """Display name of a category member; a year ("2040") reads "2040年" in Japanese."""
    if key in NAMES:
        return _pick(NAMES[key], lang)
    if key.isdigit():
        return f"{key}年" if lang == "ja" else key
    return key.replace("_", " ")


def statistic(key: str, lang: str, **fmt) -> str:
    """What a headline figure is (:data:`STATISTICS`): ``statistic("annual_mean", "ja", year=2040)``."""
    return _pick(STATISTICS[key], lang).format(**fmt)


def unit_text(unit: str, lang: str) -> str:
    """A unit as shown: Japanese from :data:`UNITS` (unknown units stay as written); "-" shows as ""."""
    if unit == "-":
        return ""
    return UNITS.get(unit, unit) if lang == "ja" else unit
