"""The one place sovai chooses matplotlib's fonts, for every PNG it writes: the run, compare, sensitivity and
discovery reports and the dashboard's charts (``viz.charts``).

Japanese text is drawn in IPAexGothic, which the matplotlib-fontja dependency ships (no system font needed);
DejaVu Sans (matplotlib's own) follows it in the family list so a glyph IPAexGothic lacks still draws. English
keeps matplotlib's default family. IPAexGothic has no U+2212 minus sign, so minus signs are drawn as "-".
"""

from __future__ import annotations

import functools
import importlib.util
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")   # files only, never a window: every PNG writer imports this module

JAPANESE_FAMILY = "IPAexGothic"
RC = {"font.family": [JAPANESE_FAMILY, "DejaVu Sans"], "axes.unicode_minus": False}


@functools.cache
def register() -> None:
    """Register matplotlib-fontja's IPAexGothic with matplotlib, without making it the default family (importing
    matplotlib_fontja would)."""
    from matplotlib import font_manager

    package = importlib.util.find_spec("matplotlib_fontja").submodule_search_locations[0]
    font_manager.fontManager.addfont(str(Path(package) / "fonts" / "ipaexg.ttf"))


def use_everywhere() -> None:
    """Make :data:`RC` the process's default (the dashboard, whose charts switch language at any time)."""
    register()
    matplotlib.rcParams.update(RC)


def font_context(lang: str):
    """A matplotlib rc context whose fonts can draw ``lang`` ("ja": :data:`RC`; "en": matplotlib's defaults)."""
    import matplotlib.pyplot as plt

    if lang != "ja":
        return plt.rc_context({})
    register()
    return plt.rc_context(RC)


def png_bytes(fig, lang: str, dpi: int = 90) -> bytes:
    """``fig`` as PNG bytes drawn with ``lang``'s fonts (tick labels are laid out when drawn, so a figure built in
    :func:`font_context` is saved in it too); the figure is closed."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    with font_context(lang):
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
