"""The preset policies as people see them, declared once in ``abm/data/presets.toml``: a name and a description
in English and Japanese, and one colour. The dashboard (``viz``), ``sovai run``, ``sovai compare`` and every
report read them here, so one policy has the same name and colour everywhere.

A scenario that is not a preset (a user's TOML, a custom scenario) shows its own name and takes a colour from
:data:`OTHER_COLOURS`, none of which a preset uses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from abm.vocab import load_table

FILE = "presets.toml"
OTHER_COLOURS = ("#16a085", "#f39c12", "#34495e", "#e84393", "#7f8c8d", "#a0522d")


@dataclass(frozen=True)
class Preset:
    key: str
    name: tuple[str, str]         # (English, Japanese)
    description: tuple[str, str]  # (English, Japanese)
    colour: str


@functools.cache
def declared() -> dict[str, Preset]:
    """``{key: Preset}`` in the file's order; a malformed entry raises ValueError naming it."""
    out = {}
    for key, d in load_table(FILE).items():
        try:
            name, desc, colour = tuple(d["name"]), tuple(d["description"]), d["colour"]
        except KeyError as e:
            raise ValueError(f"{FILE} [{key}]: missing {e.args[0]}") from None
        if len(name) != 2 or len(desc) != 2 or not (isinstance(colour, str) and colour.startswith("#")):
            raise ValueError(f"{FILE} [{key}]: name and description are [English, Japanese]; colour is #rrggbb")
        out[key] = Preset(key, name, desc, colour)
    return out


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ja" else pair[0]


def name(key: str, lang: str = "en") -> str:
    """A policy's display name: a preset's declared name with its key ("政府主導 (gov-led)"; the key alone when
    the name is the key), else ``key``."""
    p = declared().get(key)
    return key if p is None or _pick(p.name, lang) == key else f"{_pick(p.name, lang)} ({key})"


def description(key: str, lang: str = "en", fallback: str = "") -> str:
    """A preset's declared description in ``lang``; ``fallback`` for other scenarios."""
    p = declared().get(key)
    return _pick(p.description, lang) if p else fallback


def colour(key: str, others: list[str] | tuple[str, ...] = ()) -> str:
    """A policy's colour: a preset's declared one; another scenario takes :data:`OTHER_COLOURS` in the order of
    ``others`` (the non-preset scenarios shown together), so two custom scenarios never share a colour."""
    if key in declared():
        return declared()[key].colour
    rest = [k for k in dict.fromkeys(others) if k not in declared()]
    i = rest.index(key) if key in rest else len(rest)
    return OTHER_COLOURS[i % len(OTHER_COLOURS)]


def colours(keys) -> dict[str, str]:
    """``{key: colour}`` for the policies shown together."""
    keys = list(keys)
    return {k: colour(k, keys) for k in keys}
