"""sovai dashboard: ``solara run viz/app.py`` (or ``sovai dashboard``), bound to 127.0.0.1 by default.

Japanese is the default when the browser prefers it: the page starts from the WebSocket handshake's
Accept-Language and follows the browser's own ``navigator.languages`` once it reports them; the 日本語 / English switch changes every
label, title, table header and axis. All state is created inside :func:`Page`, so each browser session has
its own model.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `solara run viz/app.py` loads this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import solara  # noqa: E402
import solara.lab  # noqa: E402

from viz.compare_view import CompareView  # noqa: E402
from viz.components import CSS  # noqa: E402
from viz.i18n import choose_language, language_from_header, tr  # noqa: E402
from viz.single_view import SingleRunView  # noqa: E402

LANG_BUTTONS = (("ja", "日本語"), ("en", "English"))


def handshake_accept_language() -> str:
    """The Accept-Language of this session's WebSocket handshake ("" when there is none)."""
    headers = solara.lab.headers.value or {}
    return ", ".join(headers.get("accept-language", []))


@solara.component_vue("language_probe.vue")
def LanguageProbe(event_languages=None):
    """Reports the browser's ``navigator.languages`` once, when mounted."""


@solara.component
def LanguageSwitch(value: str, on_value):
    with solara.ToggleButtonsSingle(value=value, on_value=on_value, classes=["lang-switch"]):
        for code, label in LANG_BUTTONS:
            solara.Button(label, value=code, classes=[f"lang-{code}"])


@solara.component
def Page():
    header = solara.use_memo(handshake_accept_language, [])
    lang = solara.use_reactive(solara.use_memo(lambda: language_from_header(header), []))
    chosen = solara.use_ref(False)  # the user's click on the switch outranks what the browser reports

    def on_browser_languages(languages):
        if not chosen.current:
            lang.set(choose_language(languages, header))

    def on_switch(code):
        chosen.current = True
        lang.set(code)

    tab = solara.use_reactive(0)
    job = solara.use_reactive(None)  # the compare job survives tab switches
    custom = solara.use_reactive(None)  # the single-run view's settings as a Scenario when they are custom
    L = lang.value
    solara.Style(CSS)
    solara.Title(tr("title", L))
    with solara.Row(style={"align-items": "center", "justify-content": "space-between"}, classes=["app-header"]):
        with solara.Column(gap="0px"):
            solara.Text(tr("title", L), classes=["app-title"], style={"font-size": "22px", "font-weight": "600"})
            solara.Text(tr("subtitle", L), classes=["app-subtitle"], style={"font-size": "13px", "color": "#555"})
        with solara.Row(style={"align-items": "center"}):
            solara.Text(tr("language", L), style={"font-size": "13px"})
            LanguageSwitch(lang.value, on_switch)
    LanguageProbe(event_languages=on_browser_languages)
    with solara.lab.Tabs(value=tab):  # not lazy: hidden views keep their state
        with solara.lab.Tab(tr("tab_single", L), classes=["tab-single"]):
            SingleRunView(L, custom.set)
        with solara.lab.Tab(tr("tab_compare", L), classes=["tab-compare"]):
            CompareView(L, job, custom.value)


@solara.component
def Layout(children=[]):
    """No sidebar or navigation chrome: the page is the app."""
    solara.Column(style={"padding": "12px 20px", "max-width": "1600px"}, children=children)
