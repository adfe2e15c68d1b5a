"""The programme's budget lines: money accrues each quarter, every outlay is drawn from its line, what is
neither committed nor within the carry-over allowance lapses at a year's end (and is reported).

Amounts are programme money (JPY tn): under a co-funded split the private partners' share is included, and
only ``public_share`` of a lapse is public money returned.
"""

from __future__ import annotations

from abm.vocab import QUARTERS_PER_YEAR

LINES = ("compute", "model")   # data centres, GPUs, running power | lab staff, beta cloud time, training power


class Budget:
    """Funds on hand per budget line; :meth:`draw` never pays more than a line holds."""

    def __init__(self, public_share: float):
        self.public_share = public_share
        self.funds = dict.fromkeys(LINES, 0.0)
        self.lapsed_public_jpy_tn = 0.0

    @property
    def total_jpy_tn(self) -> float:
        return sum(self.funds.values())

    def accrue(self, per_year_public: dict[str, float]) -> None:
        """A quarter of each line's yearly public appropriation, plus the partners' co-funding."""
        for line, amount in per_year_public.items():
            self.funds[line] += amount / QUARTERS_PER_YEAR / self.public_share

    def draw(self, line: str, wanted_jpy_tn: float) -> float:
        """Pay up to ``wanted`` from ``line``; returns what was paid."""
        paid = min(max(wanted_jpy_tn, 0.0), max(self.funds[line], 0.0))
        self.funds[line] -= paid
        return paid

    def lapse(self, keep: dict[str, float]) -> None:
        """Year end: each line keeps at most ``keep[line]``; the rest returns to the treasury."""
        for line, limit in keep.items():
            gone = max(self.funds[line] - limit, 0.0)
            self.funds[line] -= gone
            self.lapsed_public_jpy_tn += gone * self.public_share
