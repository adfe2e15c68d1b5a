"""Domestic (Japanese-operated) cloud providers: hold GPU capacity, price it from utilisation, invest and retire.

Each quarter, in this order: capacity ordered ``provider_build_lag_quarters`` ago enters service into the slot
of the vintage that reaches the end of its hardware life (retired); each provider prices from last quarter's
utilisation (:func:`abm.compute_market.price_from_utilisation`); firms' workloads are allocated to the national
cluster's serving capacity, then to the providers (pro rata to capacity), the rest spills to foreign
hyperscalers or, if it may not leave Japan, goes unserved (:func:`abm.compute_market.allocate`); each provider
orders its share of the gap between the demand it expects at delivery and its capacity, if its price covers the
unit cost of new capacity at its hurdle rate. The capex is reported to the market (``ComputeService``) with the
capex subsidy asked at the rate in force (``policy.cloud_capex_subsidy_share`` x the programmes line's grant
share); the government pays the grant from what its programmes line has left once the quarter's entitlements
are paid, and the providers bear the rest (``Government.settle_programmes``). The subsidy lowers the providers'
unit cost, hence their price against the foreign one.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm import compute_market as cm
from abm.exchange import ComputeService
from abm.graph_arrays import agent_views
from abm.network import CLOUD_PROVIDERS
from abm.vocab import JPY_PER_TN, QUARTERS_PER_YEAR

GROWTH_WINDOW = 4   # quarters of provider demand over which growth is measured


class CloudProviderPopulation:
    """Array state of the domestic cloud providers (one row each, from ``abm/data/cloud_providers.toml``)."""

    def __init__(self, model, graph, blocks):
        r = model.inputs.rules
        self.names = list(CLOUD_PROVIDERS)
        self.n = len(self.names)
        share = np.array([CLOUD_PROVIDERS[k]["capacity_share"] for k in self.names], dtype=float)
        self.initial_share = share / share.sum()
        self.cost_factor = np.array([CLOUD_PROVIDERS[k]["cost_factor"] for k in self.names], dtype=float)
        self.life_q = max(int(round(r.provider_hardware_life_years * QUARTERS_PER_YEAR)), 1)
        self.lag_q = max(int(r.provider_build_lag_quarters), 1)
        # capacity by delivery slot (quarter index mod hardware life): the 2025 stock has spread-out ages
        self.vintage = np.tile((r.provider_initial_capacity_h100e * self.initial_share / self.life_q)[:, None],
                               (1, self.life_q))
        self.on_order = np.zeros((self.n, self.lag_q))   # by delivery quarter mod lag
        self.utilisation = np.full(self.n, r.provider_target_utilisation)
        self.price = np.zeros(self.n)
        self.markup = np.ones(self.n)                    # price / unit cost; priced at cost in 2025
        self.unit_cost = np.zeros(self.n)
        self.served = np.zeros(self.n)
        self.ordered = np.zeros(self.n)
        self.demand_history: list[float] = []
        self.capex_jpy_tn = 0.0
        self.agents = agent_views(model, CloudProvider, blocks.providers, range(self.n))

    @property
    def capacity(self) -> np.ndarray:
        return self.vintage.sum(axis=1)

    def step(self, model, loads: cm.Workloads, national_h100e: float, cutoff: float, subsidy: float = 0.0,
             invest: bool = True) -> ComputeService:
        """One quarter of the domestic compute market for firms' ``loads`` (JPY tn/yr of workload by kind),
        with ``national_h100e`` of national compute free to serve, a foreign-service cut-off of severity
        ``cutoff`` and the state offering to pay the ``subsidy`` share of new capacity. ``invest=False`` (the
        opening state): allocate and price only."""
        s, env = model.inputs, model.env
        r, c = s.rules, s.costs
        qi = model.quarter_index
        if invest:
            self._deliver_and_retire(qi)
        p_f = env.cloud_jpy_per_gpu_hour
        price_perf = p_f / (c.cloud_price_usd_per_gpu_hour * s.environment.jpy_per_usd)
        unit, capex_per_h100e = cm.unit_cost_jpy_per_h100e_hour(c, r, s.environment.jpy_per_usd,
                                                                env.electricity_jpy_per_kwh, price_perf, subsidy)
        power = cm.power_jpy_per_h100e_hour(c, env.electricity_jpy_per_kwh, price_perf)
        self.unit_cost = unit * self.cost_factor
        target = cm.price_from_utilisation(self.unit_cost, power * self.cost_factor, self.utilisation, r) / self.unit_cost
        if invest:                                       # markups follow utilisation with inertia (contracts)
            self.markup = self.markup + r.provider_price_adjust_per_quarter * (target - self.markup)
        self.price = self.unit_cost * self.markup
        cap = self.capacity
        k_total = float(cap.sum())
        p_prov = float((self.price * cap).sum() / k_total) if k_total > 0 else float(self.price.mean())
        p_nat = model.role.national_compute_price_factor * p_f
        nat = max(national_h100e, 0.0)

        per = cm.h100e_per_workload(r, p_f)
        captive, flex = loads.captive * per, loads.open_flexible * per
        home_cap = nat + k_total
        p_home = (nat * p_nat + k_total * p_prov) / home_cap if home_cap > 0 else p_prov
        want = cm.home_share(p_home / p_f, r.compute_host_foreign_advantage, r.compute_host_choice_temperature) \
            if home_cap > 0 else 0.0
        abroad_bound = (1.0 - want) * flex
        stranded = cutoff * abroad_bound                 # foreign hyperscalers cut: only home capacity is left
        a = cm.allocate(captive, stranded, want * flex, nat, k_total)
        flex_home = a.stranded_served + a.wanted_served
        flex_abroad = (abroad_bound - stranded) + a.spilled * (1.0 - cutoff)
        flex_lost = (stranded - a.stranded_served) + a.spilled * cutoff

        self.served = a.provider * (cap / k_total if k_total > 0 else self.initial_share)
        self.capex_jpy_tn = 0.0
        if invest:
            self.utilisation = np.where(cap > 0, self.served / np.maximum(cap, 1e-12),
                                        np.where(captive + want * flex > nat, 1.0, 0.0))
            self._invest(model, qi, max(captive + stranded + want * flex - nat, 0.0), capex_per_h100e)

        # counterfactual without the national programme: no national compute, and providers price without the
        # capex subsidy (the same markups); alone they take captive open + wanted flexible
        p_cf = p_prov if subsidy == 0 else p_prov * cm.unit_cost_jpy_per_h100e_hour(
            c, r, s.environment.jpy_per_usd, env.electricity_jpy_per_kwh, price_perf)[0] / unit
        cf_want = cm.home_share(p_cf / p_f, r.compute_host_foreign_advantage, r.compute_host_choice_temperature) \
            if k_total > 0 else 0.0
        cf = cm.allocate(loads.open_sensitive * per, 0.0, cf_want * flex, 0.0, k_total)
        cf_abroad = ((1.0 - cf_want) * flex + cf.spilled) * (1.0 - cutoff) / flex if flex > 0 else 1.0 - cutoff

        home_paid = a.national * p_nat + a.provider * p_prov
        served_home = a.national + a.provider
        sens_home = loads.open_sensitive * per * (a.captive_served / captive if captive > 0 else 1.0)
        open_home = sens_home + flex_home
        open_total = (loads.open_sensitive + loads.open_flexible) * per   # lost work counts: it did not run at home
        return ComputeService(
            demand_h100e=loads.total * per, captive_h100e=captive, sensitive_home_h100e=sens_home,
            abroad_h100e=loads.foreign * per + flex_abroad, abroad_eligible_h100e=(loads.foreign + loads.open_flexible) * per,
            national_served_h100e=a.national, provider_served_h100e=a.provider, provider_capacity_h100e=k_total,
            provider_utilisation=a.provider / k_total if k_total > 0 else 0.0, spilled_h100e=a.spilled,
            unserved_h100e=a.unserved, captive_served_share=a.captive_served / captive if captive > 0 else 1.0,
            flexible_home_share=flex_home / flex if flex > 0 else 0.0,
            flexible_abroad_share=flex_abroad / flex if flex > 0 else 1.0,
            flexible_lost_share=flex_lost / flex if flex > 0 else 0.0,
            hosting_share=open_home / open_total if open_total > 0 else 0.0,
            home_price_ratio=home_paid / served_home / p_f if served_home > 0 else p_home / p_f,
            provider_price_jpy_per_h100e_hour=p_prov, foreign_price_jpy_per_h100e_hour=p_f,
            national_price_jpy_per_h100e_hour=p_nat, counterfactual_flexible_abroad_share=cf_abroad,
            provider_capex_jpy_tn=self.capex_jpy_tn, capex_subsidy_asked_jpy_tn=subsidy * self.capex_jpy_tn)

    def _deliver_and_retire(self, qi: int) -> None:
        """Orders due now enter service in the slot of the vintage that reaches the end of its life."""
        slot, due = qi % self.life_q, qi % self.lag_q
        self.vintage[:, slot] = self.on_order[:, due]
        self.on_order[:, due] = 0.0

    def _invest(self, model, qi: int, demand_h100e: float, capex_per_h100e: float) -> None:
        """Each provider orders its market share of the gap between the demand expected at delivery (this
        quarter's, grown at last year's rate) and capacity in service + on order - retiring before then, if its
        price covers its unit cost (its capex, ``ComputeService.provider_capex_jpy_tn``, is booked when the
        programmes line has paid the grant: ``Government.settle_programmes``)."""
        r = model.inputs.rules
        self.demand_history = (self.demand_history + [demand_h100e])[-(GROWTH_WINDOW + 1):]
        past = self.demand_history[0]
        growth = (demand_h100e / past) ** (1.0 / (len(self.demand_history) - 1)) - 1.0 \
            if past > 0 and len(self.demand_history) > 1 else 0.0
        growth = float(np.clip(growth, 0.0, r.provider_max_growth_per_quarter))
        expected = demand_h100e * (1.0 + growth) ** self.lag_q / r.provider_target_utilisation
        retiring = self.vintage[:, [(qi + j) % self.life_q for j in range(1, self.lag_q + 1)]].sum()
        gap = expected - (self.capacity.sum() + self.on_order.sum() - retiring)
        cap = self.capacity
        share = cap / cap.sum() if cap.sum() > 0 else self.initial_share
        covers = self.price >= self.unit_cost
        self.ordered = max(gap, 0.0) * r.provider_order_share_per_quarter * share * covers
        self.on_order[:, qi % self.lag_q] += self.ordered
        self.capex_jpy_tn = float((self.ordered * capex_per_h100e * self.cost_factor).sum() / JPY_PER_TN)


class CloudProvider(FixedAgent):
    """One domestic cloud provider; a view of its row."""

    def __init__(self, model, idx: int, cell):
        super().__init__(model)
        self.idx = idx
        self.cell = cell

    @property
    def _pop(self) -> CloudProviderPopulation:
        return self.model.providers

    @property
    def name(self) -> str:
        return self._pop.names[self.idx]

    @property
    def capacity_h100e(self) -> float:
        return float(self._pop.capacity[self.idx])

    @property
    def price_jpy_per_h100e_hour(self) -> float:
        return float(self._pop.price[self.idx])

    @property
    def utilisation(self) -> float:
        return float(self._pop.utilisation[self.idx])
