"""Data holders: decide which requesting firms get their data, under which rules.

Standard contracts lower the cost of sharing; a privacy framework lets sensitive data flow, but only to firms
fine-tuning domestic (open or sovereign) models; sensitive data never reaches foreign-hosted models.
Trust grows with each quarter of use. Contracts are the firm-data holder edges of the network.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm.exchange import InForce, SharedData
from abm.graph_arrays import agent_views, layer_pairs
from abm.vocab import Source, is_domestic

DOMAINS = ("health", "manufacturing", "public_administration", "language_corpora", "finance")


def domain_sensitivity(rules) -> np.ndarray:
    """Share of sensitive records by domain, in ``DOMAINS`` order."""
    return np.array([getattr(rules, f"data_sensitive_share_{d}") for d in DOMAINS])


def share_probability(trust, contracts_on, platform_scale: float, rules):
    """Quarterly probability that a holder accepts a new request: trust x ease of contracting."""
    ease = rules.data_base_acceptance + rules.data_contract_acceptance * contracts_on * platform_scale
    return np.clip(trust * ease, 0.0, 1.0)


def lapse_probability(contracts_on, platform_scale: float, rules):
    """Quarterly probability that a bespoke contract lapses; standard contracts make sharing stick."""
    return rules.data_base_lapse + rules.data_bespoke_lapse * (1.0 - contracts_on * platform_scale)


def shareable_volume(volume, sensitivity, privacy_on, requester_domestic):
    """Volume a contract carries: the non-sensitive part, plus the sensitive part if allowed."""
    return volume * ((1.0 - sensitivity) + sensitivity * privacy_on * requester_domestic)


class DataHolderPopulation:
    """Array state of all data holders and of the firm-holder contract edges."""

    def __init__(self, model, graph, blocks):
        rng, n, r = model.rng_data_holders, model.inputs.population.data_holders, model.inputs.rules
        self.n = n
        self.domain = rng.integers(0, len(DOMAINS), n)
        self.sensitivity = domain_sensitivity(r)[self.domain]
        self.volume = rng.lognormal(0.0, r.data_volume_sigma, n)
        self.trust = rng.uniform(r.data_trust_initial_min, r.data_trust_initial_max, n)
        self.e_firm, self.e_holder = layer_pairs(graph, "data", "firm", "data_holder")
        self.volume_e, self.sensitivity_e = self.volume[self.e_holder], self.sensitivity[self.e_holder]  # static
        self.potential_volume = self.volume_e.sum()
        self.active = np.zeros(len(self.e_firm), dtype=bool)
        self.carried = np.zeros(len(self.e_firm))
        self.agents = agent_views(model, DataHolder, blocks.holders, range(n))

    def step(self, model, in_force: InForce, firm_source) -> SharedData:
        """One quarter of requests, acceptances and lapses; returns the data each firm agent receives (index)
        and the share of Japanese-language corpora flowing to domestic model builders."""
        s, rng = model.inputs, model.rng_data_holders
        r = s.rules
        contracts_on = float(in_force.data_contracts)
        privacy_on = float(in_force.privacy_framework)
        scale = in_force.data_platform_scale
        source = firm_source[self.e_firm]
        req = np.flatnonzero((source != Source.NONE) & ~self.active)   # draws only for requests and for live contracts
        accept = req[rng.random(len(req)) < share_probability(self.trust[self.e_holder[req]], contracts_on, scale, r)]
        live = np.flatnonzero(self.active)
        lapse = live[rng.random(len(live)) < lapse_probability(contracts_on, scale, r)]
        self.active[lapse] = False
        self.active[accept] = True
        self.active &= source != Source.NONE  # a firm that stopped using AI ends its contracts
        live = np.flatnonzero(self.active)
        self.carried = np.zeros(len(self.active))
        self.carried[live] = shareable_volume(self.volume_e[live], self.sensitivity_e[live], privacy_on,
                                              is_domestic(source[live]))
        use = np.bincount(self.e_holder[live], minlength=self.n) > 0
        self.trust = np.clip(self.trust + s.behaviour.data_trust_gain_per_use * use, 0.0, 1.0)
        # public machine-readable data from the government platform reaches every adopter once contracts exist
        public = r.data_public_platform_volume * contracts_on * scale
        carried = np.bincount(self.e_firm, weights=self.carried, minlength=len(firm_source))
        return SharedData(carried * r.data_contract_volume_weight + public, self.language_corpus_share())

    def language_corpus_share(self) -> float:
        """Share of the Japanese-language corpus volume on contract edges that flows now (0..1)."""
        corpus = self.domain[self.e_holder] == DOMAINS.index("language_corpora")
        potential = self.volume_e[corpus].sum()
        return float(self.carried[corpus].sum() / potential) if potential > 0 else 0.0

    @property
    def shared_index(self) -> float:
        """Share of the potential contract volume that is actually flowing (0..1)."""
        potential = self.potential_volume
        return float(self.carried.sum() / potential) if potential > 0 else 0.0


class DataHolder(FixedAgent):
    """One data holder (hospital group, manufacturer, ministry, corpus owner, bank); a view of its row."""

    def __init__(self, model, idx: int, cell):
        super().__init__(model)
        self.idx = idx
        self.cell = cell

    @property
    def domain(self) -> str:
        return DOMAINS[self.model.data_holders.domain[self.idx]]

    @property
    def trust(self) -> float:
        return float(self.model.data_holders.trust[self.idx])

    @property
    def contracts(self) -> int:
        dh = self.model.data_holders
        return int((dh.active & (dh.e_holder == self.idx)).sum())
