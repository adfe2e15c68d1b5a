"""The model's shared vocabulary, on the ground floor: every other module may import it; it imports no model code.

- :class:`Source` — which base model a firm fine-tunes (and :func:`is_domestic`, the sources that run at home);
- :class:`Status` — where a talent cohort is;
- the clock: quarter index, decimal year and years since a reference date, from (year, quarter);
- unit factors (per quarter, JPY trillions, W/MW, ...), so a conversion is named where it happens;
- :func:`load_table`, the one reader of the shipped TOML tables in ``abm/data``.
"""

from __future__ import annotations

import tomllib
from enum import IntEnum
from importlib import resources

import numpy as np


class Source(IntEnum):
    """A firm's AI source (stored as int8 codes in arrays)."""

    NONE = 0
    FOREIGN = 1      # a foreign frontier API
    OPEN = 2         # an open-weight model, fine-tuned and hosted at home or on foreign clouds
    SOVEREIGN = 3    # the national base model


SOURCE_NAMES = tuple(s.name.lower() for s in Source)            # ("none", "foreign", "open", "sovereign")
MODEL_SOURCES = (Source.FOREIGN, Source.OPEN, Source.SOVEREIGN)  # the choice set, in column order
DOMESTIC_SOURCES = (Source.OPEN, Source.SOVEREIGN)              # fine-tuned by the firm on models it can host


def is_domestic(source):
    """True where a firm fine-tunes a domestic (open or sovereign) model: array in, bool array out."""
    source = np.asarray(source)
    return (source == Source.OPEN) | (source == Source.SOVEREIGN)


class Status(IntEnum):
    """Where a talent cohort is."""

    PENDING = 0      # a future graduate cohort, not yet in the labour market
    HOME = 1
    ABROAD = 2
    RETIRED = 3


STATUS_NAMES = tuple(s.name.lower() for s in Status)

# -- units ------------------------------------------------------------------------------------------------------
QUARTERS_PER_YEAR = 4.0
JPY_PER_TN = 1e12            # yen per trillion yen
JPY_PER_MILLION = 1e6
JPY_TN_PER_USD_BN = 1e9 / 1e12
W_PER_MW = 1e6
WH_PER_KWH = 1000.0
SECONDS_PER_QUARTER = 365.25 * 86400.0 / 4.0
HOURS_PER_QUARTER = 8766.0 / 4.0
SECONDS_PER_YEAR = 365.25 * 86400.0

# -- the clock --------------------------------------------------------------------------------------------------
# Two reference dates, each where its inputs are dated (both are kept so results stay as calibrated):
START_2025 = 2025.0      # start of 2025: GPU performance per unit (H100 = 1) on the cost model's hardware path
MID_2025 = 2025.5        # mid-2025: frontier compute, prices and trends quoted as 2025 annual values


def quarter_index(year: int, quarter: int, start_year: int) -> int:
    """Steps from ``start_year`` Q1 (= 0) to ``year`` Q``quarter``."""
    return (year - start_year) * 4 + quarter - 1


def decimal_year(year, quarter):
    """The start of a quarter as a decimal year (2026 Q3 -> 2026.5); scalars or arrays."""
    return year + (quarter - 1) / QUARTERS_PER_YEAR


def mid_quarter_years_since(year, quarter, reference: float):
    """Years from ``reference`` to the middle of the quarter (mid-2025 reference, 2025 Q3 -> 0.125)."""
    return year + (quarter - 0.5) / QUARTERS_PER_YEAR - reference


def load_table(name: str) -> dict:
    """A shipped data table, ``abm/data/<name>``, as a dict."""
    return tomllib.loads(resources.files("abm.data").joinpath(name).read_text(encoding="utf-8"))
