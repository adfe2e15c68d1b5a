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
    "1/quarter": "1/四半期", "1/quarter at full trust": "1/四半期(完全な信頼時)",
    "FLOP/s per H100e (BF16 dense)": "FLOP/秒/H100換算(BF16密)", "JPY m per firm": "百万円/社",
    "JPY m per person-year": "百万円/人年", "JPY per JPY raised": "調達1円当たりの円",
    "USD per H100e (server share)": "ドル/H100換算(サーバー按分)", "USD per H100e-hour (2025)": "ドル/H100換算時間(2025年)",
    "USD per IT watt": "ドル/IT電力W", "USD per W": "ドル/W", "W per GPU": "W/GPU", "data index": "データ指標",
    "data index per unit volume": "データ指標/契約量", "firms": "社", "fit": "適合度", "fit/yr": "適合度/年",
    "log-sd": "対数標準偏差", "models": "モデル", "orders of magnitude": "桁",
    "persons per JPY tn of value added": "人/付加価値1兆円", "price share per utilisation share": "価格比/稼働率",
    "quality units per public model": "品質単位/公的モデル", "quarters of running power": "運用電力の四半期分",
    "share of 2025 adopters": "2025年の導入企業比", "share of AI value created": "創出したAI価値比",
    "share of Japanese fit": "日本語適合比", "share of a year's budget": "年間予算比", "share of adopters": "導入者比",
    "share of adoption cost": "導入費用比", "share of annualised adoption cost": "年換算導入費用比",
    "share of cluster power": "クラスター電力比", "share of firms' domestic AI spend": "企業の国内AI支出比",
    "share of japanese_fit_bonus": "日本語適合ボーナス比", "share of need": "必要数比",
    "share of new connections": "新規接続比", "share of peak": "ピーク比", "share of productivity gain": "生産性向上比",
    "share of sector value added": "産業の付加価値比", "share of sovereign-model users' AI spend": "国産モデル利用者のAI支出比",
    "share of spend paid abroad": "海外への支払比", "share of target FLOP": "目標FLOP比",
    "share of the capacity gap": "能力不足分の割合", "share of the firm's annual AI spend": "企業の年間AI支出比",
    "share of the gap per quarter": "差の割合/四半期", "share of unit cost": "単位費用比",
    "share of usefulness": "有用性比", "share of year": "年間比", "share per unit of diversified supply": "分散調達1単位当たりの割合",
    "share per unit of supply cut": "供給削減1単位当たりの割合", "tokens": "トークン", "trust": "信頼度",
    "trust/yr": "信頼度/年", "usefulness": "有用性", "utility": "効用", "utility per fit": "効用/適合度",
    "utility per log(H100e per person)": "効用/log(1人当たりH100換算)", "utility per trust": "効用/信頼度",
    "utility per usefulness": "効用/有用性", "vacancies per person at home": "国内1人当たり求人数",
    "x TDP": "×TDP", "x base-model final run": "×基盤モデル本番学習", "x effective compute": "×実効計算量",
    "x final-run compute": "×本番学習の計算量", "x hardware cost": "×ハードウェア費用", "x release final run": "×公開版の本番学習",
    "x sector own data": "×産業の自社データ", "years from mid-2025": "年(2025年央から)",
    "share of capex": "設備投資比",
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
