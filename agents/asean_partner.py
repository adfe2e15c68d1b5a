"""ASEAN partners: adopt AI, and choose co-created/Japanese models against US or Chinese offerings.

Adoption diffuses (Bass, scaled by how useful the best model is); the Japanese share among adopters moves
toward a logit share of trust, quality, local-language fit and price. Co-creation raises language fit and
trust; Japanese subsidiaries that use domestic models at home carry them abroad.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm import capability
from abm.exchange import NationalOffer
from abm.graph_arrays import layer_pairs
from abm.vocab import JPY_TN_PER_USD_BN, QUARTERS_PER_YEAR, is_domestic, load_table

OPTIONS = ("japanese", "us", "chinese")


def option_utilities(trust_jp, quality_jp, fit_jp, quality_us, quality_cn):
    """Utility of the Japanese, US and Chinese offerings (columns) for each partner (rows)."""
    jp = 0.6 * trust_jp + 0.8 * quality_jp + 0.4 * fit_jp
    us = np.full_like(jp, 0.6 * 0.5 + 0.8 * quality_us + 0.4 * 0.6 + 0.45)   # + ecosystem lock-in
    cn = np.full_like(jp, 0.6 * 0.3 + 0.8 * quality_cn + 0.4 * 0.5 + 0.40)   # + price
    return np.stack([jp, us, cn], axis=1)


def logit_shares(utilities, temperature: float = 0.25):
    z = utilities / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class AseanPopulation:
    """Array state of the partner countries."""

    def __init__(self, model, graph, blocks):
        s = model.scenario
        table = list(load_table("asean.toml")["countries"].items())[: s.population.asean_partners]
        self.names = [k for k, _ in table]
        self.n = len(table)
        usd = s.environment.jpy_per_usd
        self.sector_gdp_jpy_tn = np.array([[v["gdp_usd_bn"] * sh * usd * JPY_TN_PER_USD_BN for sh in v["sector_shares"]]
                                           for _, v in table])
        self.trust = np.array([v["trust_in_japan"] for _, v in table])
        self.language = np.array([v["local_language_coverage"] for _, v in table])
        self.jp_fit = np.full(self.n, 0.2)
        self.adoption = np.where(np.array(self.names) == "singapore", 0.25, 0.1)
        self.jp_share = np.full(self.n, 0.05)
        f, a = layer_pairs(graph, "subsidiary", "firm", "asean")
        self.sub_firm, self.sub_partner = f, a
        self.productivity_jpy_tn = 0.0
        self.exports_jpy_tn = 0.0
        self.agents = [AseanPartner(model, i, model.space[blocks.asean + i]) for i in range(self.n)]

    def step(self, model, offer: NationalOffer, firm_source) -> None:
        """One quarter: adoption diffuses, the Japanese share moves toward its logit target."""
        env, s = model.env, model.scenario
        cocreate = s.policy.asean_cocreation
        use_frontier = float(capability.usefulness(env.frontier_cap, 28.0))
        use_open = float(capability.usefulness(env.open_cap, 28.0))
        jp_cap = offer.sovereign_cap if offer.sovereign_available else env.open_cap - 1.0
        use_jp = float(capability.usefulness(jp_cap, 28.0))
        self.adoption += (0.03 + 0.4 * self.adoption) * (1 - self.adoption) * use_frontier / QUARTERS_PER_YEAR
        domestic = is_domestic(firm_source[self.sub_firm]).astype(float)
        carried = np.bincount(self.sub_partner, weights=domestic, minlength=self.n) / np.maximum(
            np.bincount(self.sub_partner, minlength=self.n), 1)
        if cocreate:
            self.jp_fit = np.minimum(self.jp_fit + 0.05 / QUARTERS_PER_YEAR * model.role["programme_scale"], self.language + 0.5)
            self.trust = np.minimum(self.trust + 0.01 / QUARTERS_PER_YEAR, 1.0)
        quality_jp = use_jp + 0.2 * carried
        target = logit_shares(option_utilities(self.trust, quality_jp, self.jp_fit, use_frontier, use_open))[:, 0]
        self.jp_share += (target - self.jp_share) * 0.3 / QUARTERS_PER_YEAR
        gdp = self.sector_gdp_jpy_tn.sum(axis=1) * env.asean_gdp_factor
        gain = gdp * self.adoption * self.jp_share * s.costs.asean_productivity_uplift
        self.productivity_jpy_tn = float(gain.sum())
        self.exports_jpy_tn = self.productivity_jpy_tn * s.costs.asean_license_fee_share


class AseanPartner(FixedAgent):
    """One ASEAN-5 country; a view of its row."""

    def __init__(self, model, idx: int, cell):
        super().__init__(model)
        self.idx = idx
        self.cell = cell

    @property
    def country(self) -> str:
        return self.model.asean.names[self.idx]

    @property
    def ai_adoption(self) -> float:
        return float(self.model.asean.adoption[self.idx])

    @property
    def japanese_share(self) -> float:
        return float(self.model.asean.jp_share[self.idx])
