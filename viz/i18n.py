"""English / Japanese strings of the dashboard: UI text, schema field labels and choices.

English field labels come from the schema (``FieldSpec.label``); only their Japanese is written here. Names of
categories (sectors, sources, cost categories, outcomes, periods) and units are translated in :mod:`abm.labels`,
the labels and units of outputs are declared in :mod:`abm.outputs`, preset names, descriptions and colours in
:mod:`abm.policies`; ``name``, ``unit_text`` and the ``preset_*`` functions are re-exported.
``tr(key, lang)`` falls back to English, then to the key itself, so a missing entry never breaks the page.
"""

from __future__ import annotations

from abm.labels import name, unit_text  # noqa: F401  (re-exported for the views)
from abm.policies import colour as preset_colour, colours as preset_colours  # noqa: F401  (re-exported)
from abm.policies import description as preset_description, name as preset_name  # noqa: F401  (re-exported)

LANGS = ("ja", "en")

UI = {
    "title": ("sovai — Japan sovereign-AI ecosystem 2026–2040", "sovai — 日本のソブリンAIエコシステム 2026–2040"),
    "subtitle": ("Agent-based simulation: one step = one quarter",
                 "エージェントベース・シミュレーション(1ステップ = 1四半期)"),
    "tab_single": ("Single run", "単一実行"),
    "tab_compare": ("Compare", "比較"),
    "language": ("Language", "言語"),
    "preset": ("Scenario preset", "シナリオ"),
    "levers": ("Policy levers", "政策レバー"),
    "shock": ("Shock", "ショック"),
    "shock_start": ("Shock start (year)", "ショック開始年"),
    "shock_severity": ("Shock severity (share hit)", "ショックの強さ(影響割合)"),
    "shock_quarters": ("Shock duration (quarters)", "ショック期間(四半期)"),
    "seed": ("Random seed", "乱数シード"),
    "firms": ("Firm agents", "企業エージェント数"),
    "advanced": ("Other field (section.field=value)", "その他の項目 (section.field=値)"),
    "advanced_hint": ("e.g. behaviour.choice_temperature=0.2", "例: behaviour.choice_temperature=0.2"),
    "step": ("Step", "1期進める"),
    "play": ("Play", "再生"),
    "pause": ("Pause", "一時停止"),
    "reset": ("Reset", "リセット"),
    "to_end": ("Run to end", "最後まで実行"),
    "pending": ("Changed settings apply on Reset", "変更した設定はリセットで反映されます"),
    "needs_reset": ("Cannot change during a run: press Reset to start again with it (stepping is off until then)",
                    "実行中は変更できません。リセットで最初から反映されます(それまで進められません)"),
    "applies_next": ("Applies from the next quarter simulated", "次に進める四半期から反映されます"),
    "must_be": ("must be {what}", "{what}を指定してください"),
    "got": ("got", "入力値"),
    "unknown_field": ("unknown field", "不明な項目です"),
    "use_box": ("set it in the “{box}” box", "「{box}」欄で設定してください"),
    "scenario": ("Scenario", "シナリオ"),
    "custom_label": ("custom (from {preset})", "カスタム({preset} から)"),
    "save_toml": ("Save scenario (TOML)", "シナリオを保存 (TOML)"),
    "load_toml": ("Load scenario (TOML)", "シナリオを読み込む (TOML)"),
    "pareto_policy": ("Pareto policy (sovai optimize)", "パレート最適な政策(sovai optimize)"),
    "changed": ("Changed during this run: ", "実行中の変更: "),
    "speed": ("Speed (quarters/s)", "速度(四半期/秒)"),
    "blocked": ("Stepping is off: a setting marked below needs a fix or Reset",
                "進められません:下に示した設定を修正するか、リセットしてください"),
    "refused": ("Refused", "受け付けられません"),
    "finished": ("End of horizon reached", "最終年に到達しました"),
    "kpi_year": ("Quarter shown", "表示中の四半期"),
    "not_started": ("(start)", "(開始前)"),
    "model": ("model", "モデル"),
    "published": ("published (2025 MOF, 2035 METI, 2040 Mizuho risk)",
                  "公表値(2025 財務省、2035 経産省、2040 みずほリスク)"),
    "network": ("Ecosystem network", "エコシステム・ネットワーク"),
    "net_sample": ("Sample of {shown:,} of {total:,} firm, data-holder, ASEAN and government nodes; "
                   "{talent:,} talent nodes not drawn",
                   "企業・データ保有者・ASEAN・政府の {total:,} ノードのうち {shown:,} を抽出表示"
                   "(人材ノード {talent:,} は非表示)"),
    "net_all": ("All {shown:,} firm, data-holder, ASEAN and government nodes; {talent:,} talent nodes not drawn",
                "企業・データ保有者・ASEAN・政府の全 {shown:,} ノード(人材ノード {talent:,} は非表示)"),
    "data_edges": ("active data-sharing contract", "データ共有契約(有効)"),
    "data_holder": ("data holder", "データ保有者"),
    "asean": ("ASEAN partner", "ASEANパートナー"),
    "cost_table": ("Investment by period ({unit}, live)", "期間別投資額({unit}、実行中)"),
    "category": ("Category", "費目"),
    "total": ("Total", "合計"),
    "export": ("Export", "エクスポート"),
    "csv": ("Time series (CSV)", "時系列 (CSV)"),
    "png": ("PNG", "PNG"),
    "all_png": ("All charts (PNG)", "全グラフ (PNG)"),
    "cmp_scenario": ("Scenario {letter}", "シナリオ {letter}"),
    "cmp_none": ("(none)", "(なし)"),
    "cmp_load": ("Add a scenario file (TOML)", "シナリオファイルを追加 (TOML)"),
    "cmp_gone": ("{name} is no longer the single-run view's settings: pick it again",
                 "{name} は単一実行ビューの現在の設定ではありません。選び直してください"),
    "cmp_reps": ("Replications per scenario", "シナリオごとの反復回数"),
    "cmp_seed": ("Base seed", "基準シード"),
    "cmp_run": ("Run comparison", "比較を実行"),
    "cmp_cancel": ("Cancel", "中止"),
    "cmp_progress": ("{done} of {total} runs", "{total} 回中 {done} 回完了"),
    "cmp_cancelled": ("Cancelled", "中止しました"),
    "cmp_need_two": ("Pick at least two different scenarios", "異なるシナリオを2つ以上選んでください"),
    "cmp_band": ("median and 5–95% band of {n} runs", "{n} 回の中央値と5–95%帯"),
    "cmp_diff": ("Differences in {year} (median of paired runs)", "{year}年の差(同一シード対の中央値)"),
    "cmp_appraisal": ("Appraisal over {n} seeds: median [5%, 95%] and probability of payback (seeds only; "
                      "`sovai compare --futures N` also varies the uncertain inputs)",
                      "{n}シードでの評価:中央値 [5%, 95%] と回収確率(シードのみ。不確実な入力も変えるには "
                      "`sovai compare --futures N`)"),
    "metric": ("Metric", "指標"),
    "cmp_intro": ("Runs every scenario with the same seeds (from one SeedSequence) in the background.",
                  "全シナリオを同じシード(1つのSeedSequenceから生成)でバックグラウンド実行します。"),
}

FIELD_JA = {
    "policy.role_division": "役割分担",
    "policy.compute_budget_jpy_tn_per_year": "計算基盤予算",
    "policy.base_model_budget_jpy_tn_per_year": "基盤モデル予算",
    "policy.standard_data_contracts_year": "標準データ契約の開始年",
    "policy.privacy_framework_year": "プライバシー枠組みの開始年",
    "policy.talent_wage_topup_share": "人材の賃金上乗せ",
    "policy.adoption_subsidy_rate": "導入補助率",
    "policy.asean_cocreation": "ASEAN共創",
    "policy.cloud_capex_subsidy_share": "国内クラウド設備投資の補助率",
    "policy.financing": "財源",
    "policy.domestic_dc_ready_year": "国内データセンター稼働年",
    "policy.procurement_diversification_share": "調達先の分散",
    "policy.retraining_rule": "再学習のルール",
    "policy.generation_sizing": "世代のモデル規模",
    "policy.base_model_route": "基盤モデルの構築方法",
    "policy.budget_shortfall": "予算不足時の対応",
    "policy.dc_grid_strategy": "データセンターの系統接続",
    "policy.hardware_path": "ハードウェア性能の推移",
}

CHOICES = {
    "gov_led": ("government-led", "政府主導"), "private_led": ("private-led", "民間主導"),
    "foreign_dependent": ("foreign-dependent", "海外依存"), "full_state": ("full state", "完全国営"),
    "flat": ("flat", "横ばい"), "improving": ("improving", "改善"),
    "tax": ("tax", "税財源"), "ai_transition_bond": ("AI transition bond", "AI移行債"),
    "none": ("none", "なし"), "export_control": ("GPU export control", "GPU輸出規制"),
    "foreign_service_cutoff": ("foreign service cut-off", "海外サービス遮断"),
    "talent_poaching": ("talent poaching", "人材引き抜き"),
    "adaptive": ("adaptive (when the frontier runs away)", "適応的(フロンティアとの差が開いたら)"),
    "fixed_year": ("fixed year", "固定年"),
    "plan": ("the planned run", "計画どおりの規模"), "budget": ("what the budget's cluster can train", "予算で拡張した計算基盤で学習できる規模"),
    "wait": ("wait for the grid", "系統接続を待つ"), "premium": ("private connection (premium)", "自営線(割増)"),
    "start_smaller": ("start smaller", "小規模で開始"),
    "delay": ("delay until paid", "資金が揃うまで延期"), "shrink": ("shrink to the budget", "予算に合わせて縮小"),
    "from_scratch": ("pre-trained from scratch", "ゼロから事前学習"),
    "continued_pretraining": ("continued pre-training of an open model", "オープンモデルの継続事前学習"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ja" else pair[0]


def tr(key: str, lang: str, **fmt) -> str:
    """UI string ``key`` in ``lang`` ("en" or "ja"), formatted with ``fmt``."""
    text = _pick(UI[key], lang) if key in UI else key
    return text.format(**fmt) if fmt else text


def choice(value, lang: str) -> str:
    """Display name of a Literal choice (role division, financing, shock kind)."""
    return _pick(CHOICES[value], lang) if value in CHOICES else str(value)


def shown(value, lang: str) -> str:
    """A setting's value as the controls show it (choices translated, numbers with :g)."""
    if isinstance(value, bool):
        return {True: ("on", "オン"), False: ("off", "オフ")}[value][lang == "ja"]
    return f"{value:g}" if isinstance(value, float) else choice(value, lang)


def field_name(path: str, lang: str) -> str:
    """A schema field's name without its unit ("Compute budget"), e.g. for marks on charts."""
    from abm.schema import field_specs

    spec = field_specs()[path]
    return FIELD_JA.get(path, spec.label) if lang == "ja" else spec.label


def field_label(spec, lang: str) -> str:
    """A schema field's label with its unit: "Compute budget (JPY tn/yr)"."""
    base = FIELD_JA.get(spec.path, spec.label) if lang == "ja" else spec.label
    u = unit_text(spec.unit, lang)
    return f"{base} ({u})" if u and spec.type is not bool and not spec.choices else base


def language_from_list(languages: list[str] | None) -> str | None:
    """"ja" or "en", whichever comes first in the browser's ``navigator.languages``; None when neither is listed."""
    for tag in languages or []:
        code = str(tag).split("-")[0].lower()
        if code in LANGS:
            return code
    return None


def choose_language(navigator_languages: list[str] | None, accept_language: str | None) -> str:
    """The page language from the best evidence: the browser's own list when it names ja or en, else the header.

    ``navigator.languages`` is what the user configured; the WebSocket handshake's Accept-Language can differ
    (Chromium < 151 under locale emulation sends en-US there), so it only decides when the list is silent.
    """
    return language_from_list(navigator_languages) or language_from_header(accept_language)


def language_from_header(accept_language: str | None) -> str:
    """"ja" when the browser's Accept-Language ranks Japanese above English, else "en"."""
    best: dict[str, float] = {}
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.split("-")[0].lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if code in LANGS and code not in best:
            best[code] = weight
    return "ja" if best.get("ja", -1) > best.get("en", -1) and "ja" in best else "en"
