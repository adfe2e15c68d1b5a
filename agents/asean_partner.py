"""ASEAN partners: adopt AI, and choose co-created/Japanese models against US or Chinese offerings.

Adoption diffuses (Bass, scaled by how useful the best model is); the Japanese share among adopters moves
toward a logit share of trust, quality, local-language fit and price. Co-creation raises language fit and
trust; Japanese subsidiaries that use domestic models at home carry them abroad.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm import capability
from abm.exchange import InForce, NationalOffer
from abm.graph_arrays import agent_views, layer_pairs
from abm.vocab import JPY_TN_PER_USD_BN, QUARTERS_PER_YEAR, is_domestic, load_table

OPTIONS = ("japanese", "us", "chinese")


def option_utilities(trust_jp, quality_jp, fit_jp, quality_us, quality_cn, r):
    """Utility of the Japanese, US and Chinese offerings (columns) for each partner (rows); weights from ``r``."""
    wt, wq, wf = r.asean_trust_weight, r.asean_quality_weight, r.asean_fit_weight
    jp = wt * trust_jp + wq * quality_jp + wf * fit_jp
    us = np.full_like(jp, wt * r.asean_us_trust + wq * quality_us + wf * r.asean_us_fit + r.asean_us_lock_in)
    cn = np.full_like(jp, wt * r.asean_cn_trust + wq * quality_cn + wf * r.asean_cn_fit + r.asean_cn_price_advantage)
    return np.stack([jp, us, cn], axis=1)


def logit_shares(utilities, temperature: float):
    z = utilities / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class AseanPopulation:
    """Array state of the partner countries."""

    def __init__(self, model, graph, blocks):
        s = model.inputs
        r = s.rules
        table = list(load_table("asean.toml")["countries"].items())[: s.population.asean_partners]
        self.names = [k for k, _ in table]
        self.n = len(table)
        usd = s.environment.jpy_per_usd
        self.sector_gdp_jpy_tn = np.array([[v["gdp_usd_bn"] * sh * usd * JPY_TN_PER_USD_BN for sh in v["sector_shares"]]
                                           for _, v in table])
        self.trust = np.array([v["trust_in_japan"] for _, v in table])
        self.language = np.array([v["local_language_coverage"] for _, v in table])
        self.jp_fit = np.full(self.n, r.asean_initial_japan_fit)
        self.adoption = np.where(np.array(self.names) == "singapore", r.asean_initial_adoption_singapore,
                                 r.asean_initial_adoption)
        self.jp_share = np.full(self.n, r.asean_initial_japan_share)
        f, a = layer_pairs(graph, "subsidiary", "firm", "asean")
        self.sub_firm, self.sub_partner = f, a
        self.productivity_jpy_tn = 0.0
        self.exports_jpy_tn = 0.0
        self.agents = agent_views(model, AseanPartner, blocks.asean, range(self.n))

    def step(self, model, in_force: InForce, offer: NationalOffer, firm_source) -> None:
        """One quarter: adoption diffuses, the Japanese share moves toward its logit target."""
        env, s = model.env, model.inputs
        r = s.rules
        cocreate = s.policy.asean_cocreation
        threshold, width = r.asean_usefulness_threshold, r.capability_usefulness_width
        def use(cap: float) -> float:
            return float(capability.usefulness_with_frontier_tasks(cap, threshold, env.frontier_cap, width,
                                                                   r.capability_frontier_task_share,
                                                                   r.capability_frontier_headroom_oom))
        use_frontier, use_open = use(env.frontier_cap), use(env.open_cap)
        jp_cap = offer.sovereign_cap if offer.sovereign_available else env.open_cap - r.asean_japan_gap_without_sovereign
        use_jp = use(jp_cap)
        self.adoption += ((r.asean_bass_innovation_per_year + r.asean_bass_imitation_per_year * self.adoption)
                          * (1 - self.adoption) * use_frontier / QUARTERS_PER_YEAR)
        domestic = is_domestic(firm_source[self.sub_firm]).astype(float)
        carried = np.bincount(self.sub_partner, weights=domestic, minlength=self.n) / np.maximum(
            np.bincount(self.sub_partner, minlength=self.n), 1)
        if cocreate:
            funded = in_force.asean_cocreation_funded       # a short programmes line slows co-creation
            gain = r.asean_cocreation_fit_gain_per_year / QUARTERS_PER_YEAR * model.role.programme_scale * funded
            self.jp_fit = np.minimum(self.jp_fit + gain, self.language + r.asean_fit_cap_over_language)
            trust_gain = r.asean_cocreation_trust_gain_per_year / QUARTERS_PER_YEAR * funded
            self.trust = np.minimum(self.trust + trust_gain, 1.0)
        quality_jp = use_jp + r.asean_subsidiary_quality * carried
        utilities = option_utilities(self.trust, quality_jp, self.jp_fit, use_frontier, use_open, r)
        target = logit_shares(utilities, r.asean_logit_temperature)[:, 0]
        self.jp_share += (target - self.jp_share) * r.asean_share_adjust_per_year / QUARTERS_PER_YEAR
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
