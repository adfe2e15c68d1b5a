"""Firms: adopt AI or not, and choose a foreign, open-source or sovereign base model to fine-tune.

State lives in :class:`FirmPopulation` arrays (one row per firm agent); each :class:`Firm` agent is a view of
its row, so the data collector and dashboard see agents while the quarter's arithmetic runs on arrays.
The decision rules are the pure functions below; a unit test can call them on a few rows.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm import capability
from abm import compute_market as cm
from abm.exchange import ComputeService, InForce, NationalOffer, SharedData
from abm.graph_arrays import NeighbourMean, adjacency, agent_views
from abm.network import SECTOR_NAMES, SECTORS, assign_sectors
from abm.vocab import JPY_PER_MILLION, JPY_PER_TN, QUARTERS_PER_YEAR, SOURCE_NAMES, Source, is_domestic, load_table
import agents.firm_rules as rules

NONE, FOREIGN, OPEN, SOVEREIGN = Source.NONE, Source.FOREIGN, Source.OPEN, Source.SOVEREIGN


def per_sector(key: str) -> np.ndarray:
    """A column of ``abm/data/sectors.toml``, in sector order."""
    return np.array([SECTORS[k][key] for k in SECTOR_NAMES])


SECTOR_THRESHOLDS = per_sector("usefulness_threshold")


def data_index(own, shared, sensitive_share, sensitive_allowed, saturation: float = 1.0):
    """Usable data (0..1, diminishing returns): ``1 - exp(-usable / saturation)``; sensitive data counts only
    where ``sensitive_allowed``."""
    usable = (own + shared) * (1.0 - sensitive_share) + (own + shared) * sensitive_share * sensitive_allowed
    return 1.0 - np.exp(-usable / saturation)




def choose_source(net_value, available, temperature: float, gumbel):
    """Logit choice among available sources (columns foreign, open, sovereign) -> codes 1..3."""
    score = np.where(available, net_value / temperature + gumbel, -np.inf)
    return (np.argmax(score, axis=1) + 1).astype(np.int8)


def hub_sized(sizes, sector, degree):
    """``sizes`` reassigned within each sector so that firms with more supply partners are larger (OEM hubs are
    the large firms; ties by index)."""
    out = np.empty_like(sizes)
    for k in np.unique(sector):
        m = np.flatnonzero(sector == k)
        out[m[np.lexsort((m, -degree[m]))]] = np.sort(sizes[m])[::-1]
    return out


class FirmPopulation:
    """Array state of all firms; :meth:`step` runs one quarter for all of them."""

    def __init__(self, model, graph, blocks):
        s, rng = model.inputs, model.rng_firms
        r = s.rules
        n = self.n = s.population.firms
        self.sector = assign_sectors(n)
        supply = adjacency(graph, "supply", "firm", n)
        size = hub_sized(rng.lognormal(0.0, r.firm_size_sigma, n), self.sector, np.asarray(supply.sum(axis=1)).ravel())
        va_total = load_table("sectors.toml")["business_value_added_jpy_tn"]
        self.va_jpy_tn = np.empty(n)
        for k, name in enumerate(SECTOR_NAMES):
            m = self.sector == k
            self.va_jpy_tn[m] = size[m] / size[m].sum() * va_total * SECTORS[name]["va_share"] if m.any() else 0
        self.rows_of = {name: np.flatnonzero(self.sector == k) for k, name in enumerate(SECTOR_NAMES)}  # static
        self.in_healthcare = self.sector == SECTOR_NAMES.index("healthcare")
        counts = np.bincount(self.sector, minlength=len(SECTOR_NAMES))
        real = np.array([SECTORS[k]["firm_share"] for k in SECTOR_NAMES]) * r.firm_japan_firms
        self.count_weight = (real / np.maximum(counts, 1))[self.sector]   # real firms per agent
        self.sensitive = per_sector("sensitive_data_share")[self.sector]
        self.maturity = rng.beta(r.firm_maturity_beta_a, r.firm_maturity_beta_b, n)
        self.own_data = per_sector("own_data")[self.sector] * (r.firm_own_data_base + self.maturity)
        self.shared_data = np.zeros(n)
        self.staff = np.zeros(n)
        self.quality = np.zeros(n)
        adopt0 = rng.random(n) < np.clip(r.firm_initial_adoption_scale * self.maturity / self.maturity.mean(), 0,
                                         r.firm_initial_adoption_cap)
        foreign0 = rng.random(n) < r.firm_initial_foreign_share
        self.source = np.where(adopt0, np.where(foreign0, FOREIGN, OPEN), NONE).astype(np.int8)
        self.since_q = np.full(n, -100)
        # one-off adoption cost (years of AI-addressable value), drawn once: firms differ in it for good
        self.cost_years = rules.adoption_cost_years(self.va_jpy_tn, self.sector, rng.standard_normal(n),
                                                    r.firm_adoption_cost_median_years, r.firm_adoption_cost_sigma,
                                                    r.firm_adoption_cost_size_elasticity)
        adopted = self.source != NONE
        self.peers = NeighbourMean(rules.size_weighted(supply, self.va_jpy_tn), adopted)    # awareness
        self.hubs = NeighbourMean(rules.larger_partners(supply, self.va_jpy_tn), adopted)   # larger customers' pull
        self.corpus_share = 0.0
        self.flows = {}
        self.service: ComputeService | None = None   # where last quarter's compute ran (the compute market)
        self.switch_until_q = np.full(n, -1)          # forced off a foreign service: re-integrating until then
        self.running = np.ones(n)                     # 1 if the firm's AI use is running (not re-integrating)
        self.forced = np.zeros(n, dtype=bool)         # left a foreign service during a cut-off this quarter
        self.workload = np.zeros(n)
        self._flow_source = self.source.copy()        # the source at the last recorded flows
        self._choice = None                           # (qualities, prices, subsidy) of this quarter's choice
        self.in_force: InForce | None = None      # this quarter's inputs, kept for the agent views and outcomes
        self.offer: NationalOffer | None = None
        self.agents = agent_views(model, Firm, blocks.firms, range(n))

    # -- per-quarter arithmetic -------------------------------------------------------------------------
    def qualities(self, model, rows=slice(None)) -> np.ndarray:
        """Specialised-model quality per firm and source (foreign, open, sovereign) for ``rows`` (default: all)."""
        env, offer, s, role = model.env, self.offer, model.inputs, model.role
        r = s.rules
        caps = np.array([env.frontier_cap, env.open_cap, offer.sovereign_cap])
        use_by_sector = capability.usefulness_with_frontier_tasks(           # (source, sector)
            caps[:, None], SECTOR_THRESHOLDS[None, :], env.frontier_cap, r.capability_usefulness_width,
            r.capability_frontier_task_share, r.capability_frontier_headroom_oom)
        use = use_by_sector[:, self.sector[rows]]                                          # (source, firm)
        privacy = float(self.in_force.privacy_framework)
        staff_idx = rules.staff_index(self.staff[rows], self.staff_need(model)[rows])
        own, shared, sens = self.own_data[rows], self.expected_shared_data()[rows], self.sensitive[rows]
        d_foreign = data_index(own, shared, sens, 0.0, r.capability_data_saturation)
        d_domestic = data_index(own, shared, sens, privacy, r.capability_data_saturation) if privacy else d_foreign
        h = self.hosting(model)
        d_open = h * d_domestic + (1.0 - h) * d_foreign   # sensitive data only where hosted at home
        ft = role.finetune_effectiveness
        fit = self.japanese_fit(model)
        health_bonus = r.firm_public_health_bonus * offer.public_health_models * self.in_healthcare[rows]
        uplift = r.capability_data_uplift, r.capability_staff_uplift
        return np.stack([
            capability.specialised_quality(use[0], r.firm_foreign_data_weight * d_foreign,
                                           r.firm_foreign_staff_weight * staff_idx, 0.0, *uplift),
            capability.specialised_quality(use[1], ft * d_open, ft * staff_idx, r.firm_open_fit_share * fit, *uplift),
            capability.specialised_quality(use[2], ft * d_domestic, ft * staff_idx, fit + health_bonus, *uplift),
        ], axis=1)

    def hosting(self, model) -> float:
        """Share of open-model compute served in Japan (from the compute market's last allocation)."""
        return self.service.hosting_share if self.service is not None else 0.0

    def expected_shared_data(self) -> np.ndarray:
        """Shared data each firm reckons with: its own for adopters; for non-adopters (who request none yet) at
        least what adopters receive on average, the data climate they would join."""
        adopted = self.source != NONE
        if not adopted.any():
            return self.shared_data
        climate = float(self.shared_data[adopted].mean())
        return np.where(adopted, self.shared_data, np.maximum(self.shared_data, climate))

    def japanese_fit(self, model) -> float:
        """Language/culture fit of a sovereign model now: grows with the Japanese-language corpora shared."""
        return rules.language_fit(model.inputs.behaviour.japanese_fit_bonus, self.corpus_share,
                                  model.inputs.rules.firm_fit_without_corpus_share)

    def prices(self, model) -> np.ndarray:
        """Price per unit of AI-addressable value of (foreign API, open model, sovereign model); the sovereign
        model's discount below its cost is as much as the programmes line funds (``InForce``)."""
        c = model.inputs.costs
        return np.array([c.foreign_api_price_share, c.open_model_cost_share,
                         c.sovereign_price_share * self.in_force.sovereign_price_factor])

    def staff_need(self, model) -> np.ndarray:
        """AI staff (persons) a firm could use: proportional to its AI-addressable value."""
        return self.va_jpy_tn * model.inputs.rules.firm_staff_need_persons_per_jpy_tn

    def staff_demand(self, model) -> np.ndarray:
        """AI staff (persons) each firm hires for now: its need if it fine-tunes a domestic model, 30% of it if
        it uses a foreign API, none before it adopts."""
        foreign_share = model.inputs.rules.firm_foreign_api_staff_share
        return self.staff_need(model) * (is_domestic(self.source) + foreign_share * (self.source == Source.FOREIGN))

    def opening_flows(self, model, in_force: InForce, offer: NationalOffer, service: ComputeService) -> None:
        """Flows of the initial adoption state, before any decision (the 2025 calibration anchor)."""
        self.in_force, self.offer, self.service = in_force, offer, service
        self._choice = (self.qualities(model), self.prices(model), 0.0)
        self.record_flows(model, service)

    def annual_adoption_cost(self, model) -> np.ndarray:
        """Each firm's annualised adoption cost now, per unit of its AI-addressable value (before any subsidy):
        one-off cost x annuity factor, lowered where larger supply partners already use AI."""
        r = model.inputs.rules
        return (self.cost_years * r.firm_adoption_cost_annuity_per_year
                * rules.hub_cost_factor(self.hubs.mean, r.firm_hub_pull_cost_cut))

    def step(self, model, in_force: InForce, offer: NationalOffer, shared: SharedData, staff) -> None:
        """One quarter: non-adopters may adopt, adopters review their source; then the quarter's flows.

        ``shared``: what data holders let flow this quarter (data per firm agent, Japanese-corpus share);
        ``staff``: each firm agent's AI staff (persons)."""
        self.in_force, self.offer, self.staff = in_force, offer, staff
        self.shared_data, self.corpus_share = shared.per_firm, shared.language_corpus_share
        s, env, rng = model.inputs, model.env, model.rng_firms
        b, r = s.behaviour, s.rules
        n = self.n
        q = self.qualities(model)
        price = self.prices(model)
        subsidy = in_force.adoption_subsidy_rate
        available = np.ones((n, 3), dtype=bool)
        if env.shocks.foreign_cutoff > 0:                 # a draw only while a cut-off is in force
            available[:, 0] = rng.random(n) >= env.shocks.foreign_cutoff
        available[:, 2] = offer.sovereign_available
        net = q - price
        adopted = self.source != NONE

        # non-adopters: aware through their supply partners (Bass), adopt if the best option's surplus pays
        cost = self.annual_adoption_cost(model)
        one_off = cost / r.firm_adoption_cost_annuity_per_year * self.va_jpy_tn * env.ai_value_share   # JPY tn
        cap = r.firm_adoption_subsidy_cap_jpy_m * JPY_PER_MILLION / JPY_PER_TN * self.count_weight
        paid_share = rules.subsidy_share(subsidy, one_off, cap)
        surplus = np.where(available, rules.entry_surplus(net, cost, paid_share), -np.inf)
        best = rules.row_max(surplus)
        hazard = rules.adoption_hazard(best, cost, self.peers.mean, self.hubs.mean, self.maturity,
                                       b.bass_innovation_per_year, b.bass_imitation_per_year,
                                       r.firm_hub_requirement_per_year, r.firm_adoption_logit_scale)
        # public healthcare models are rolled out to providers by the national system (mizuho: data-driven care)
        rollout = b.public_rollout_per_year * offer.public_health_models
        hazard = hazard + rollout * self.in_healthcare * (rules.row_max(np.where(available, net, -np.inf)) > 0)
        u = rng.random(n)   # one draw per firm: adoption if a non-adopter, review if an adopter (disjoint)
        new = ~adopted & (u < 1.0 - np.exp(-hazard / QUARTERS_PER_YEAR))
        # adopters re-evaluate now and then; foreign users cut off must re-choose
        cut = (self.source == FOREIGN) & ~available[:, 0]
        review = adopted & ((u < 1.0 - np.exp(-b.source_switch_rate_per_year / QUARTERS_PER_YEAR)) | cut)
        idx = np.flatnonzero(new | review)               # only choosers draw choice noise
        rev = review[idx]
        value = np.where(rev[:, None], net[idx], surplus[idx])
        cur = self.source[idx].astype(int) - 1
        value[rev, cur[rev]] += r.firm_source_inertia   # switching cost: the current source keeps a bonus
        gumbel = rng.gumbel(size=(len(idx), 3))
        self.source[idx] = choose_source(value, available[idx], b.choice_temperature, gumbel)
        self.since_q[new] = model.quarter_index
        self.peers.set(np.flatnonzero(new), 1.0)          # adopters stay adopters: only new ones change
        self.hubs.set(np.flatnonzero(new), 1.0)
        # the subsidy pays its share of the one-off adoption cost of this quarter's new domestic adopters
        paid = new & is_domestic(self.source)
        earned = float((paid_share * one_off * paid).sum()) * QUARTERS_PER_YEAR   # JPY tn/yr
        self._choice = (q, price, earned)                 # flows follow once the compute market has served

    def workloads(self, model) -> cm.Workloads:
        """This quarter's AI workloads (AI-addressable value used, JPY tn/yr) by where they may run. Firms that
        left a foreign service while a cut-off is in force re-integrate for ``rules.compute_switch_quarters``,
        their AI use lost meanwhile."""
        qi = model.quarter_index
        self.forced = (self._flow_source == FOREIGN) & (self.source != FOREIGN) & (model.env.shocks.foreign_cutoff > 0)
        self.switch_until_q[self.forced] = qi + model.inputs.rules.compute_switch_quarters
        self.running = (qi >= self.switch_until_q).astype(float)
        self.workload = self.va_jpy_tn * model.env.ai_value_share * (self.source != NONE)
        return cm.workloads(self.source, self.workload, self.sensitive, self.running)

    def _price_flows(self, model) -> None:
        """Below-cost price support and sovereign-model access income (JPY tn/yr) of this quarter's sovereign use."""
        c, role = model.inputs.costs, model.role
        value = float((self.va_jpy_tn * (self.source == SOVEREIGN)).sum() * model.env.ai_value_share)
        support, income = rules.sovereign_price_flows(value, c.sovereign_price_share, self.prices(model)[2],
                                                      c.sovereign_access_fee_share, role.public_share)
        self.flows.update(price_support_jpy_tn=support, model_access_jpy_tn=income)

    def record_flows(self, model, service: ComputeService) -> None:
        """Annualised flows of this quarter (JPY tn per year) for the ledger and metrics, from where the compute
        ran: each source's bill = services (model, platform, engineering) + compute at the price where it ran."""
        c, r = model.inputs.costs, model.inputs.rules
        q, price, subsidy = self._choice                  # subsidy: earned this quarter (JPY tn/yr)
        self.service = service
        adopted = self.source != NONE
        col = np.clip(self.source.astype(int) - 1, 0, 2)
        a, sens = self.workload * self.running, self.sensitive
        served = np.where(self.source == FOREIGN, 1.0 - sens, np.where(   # np.select's values, in 1/5 of the time
            self.source == OPEN, sens * service.captive_served_share + (1.0 - sens) * (1.0 - service.flexible_lost_share),
            np.where(self.source == SOVEREIGN, service.captive_served_share, 0.0)))
        self.quality = np.where(adopted, q[np.arange(self.n), col], 0.0)
        a_by = np.bincount(self.source, weights=a * served, minlength=4)[1:]   # served workload per source
        open_flex = float((a * (1.0 - sens) * (self.source == OPEN)).sum())
        k = r.compute_cost_share_of_value
        services = a_by * np.maximum(price - k, 0.0)
        foreign_spend = a_by[0] * price[0]
        compute_home = k * ((a_by[1] - open_flex * (1.0 - service.flexible_lost_share))
                            + open_flex * service.flexible_home_share + a_by[2]) * service.home_price_ratio
        compute_abroad = k * open_flex * service.flexible_abroad_share
        domestic_services = services[1:].sum()
        abroad = foreign_spend * c.abroad_share_foreign + c.abroad_share_model_services * domestic_services + compute_abroad
        switching = r.compute_switch_cost_share * float(
            (self.va_jpy_tn * model.env.ai_value_share * self.forced * price[col]).sum())
        spend = foreign_spend + domestic_services + compute_home + compute_abroad + switching
        # counterfactual without national compute or a sovereign model: sovereign users buy like the others
        cf_other = (foreign_spend * c.abroad_share_foreign + c.abroad_share_model_services * services[1]
                    + k * open_flex * service.counterfactual_flexible_abroad_share)
        a_other = a_by[0] + a_by[1]
        mean_cf = cf_other / a_other if a_other > 0 else price[0] * c.abroad_share_foreign
        full = self.workload * self.quality
        self.flows = {
            "ai_value_jpy_tn": float((a * served * self.quality).sum()),
            "ai_value_lost_jpy_tn": float((full - a * served * self.quality).sum()),
            "spend_jpy_tn": float(spend),
            "spend_abroad_jpy_tn": float(abroad),
            "spend_abroad_counterfactual_jpy_tn": float(cf_other + a_by[2] * mean_cf),
            "spend_domestic_jpy_tn": float(spend - abroad),
            "subsidy_jpy_tn": float(subsidy),
        }
        self._flow_source = self.source.copy()
        self._price_flows(model)


class Firm(FixedAgent):
    """One firm agent (standing for ``count_weight`` real firms, ~1,700 at the default population); a view of its row."""

    def __init__(self, model, idx: int, cell):
        super().__init__(model)
        self.idx = idx
        self.cell = cell

    @property
    def _pop(self) -> FirmPopulation:
        return self.model.firms

    @property
    def sector(self) -> str:
        return SECTOR_NAMES[self._pop.sector[self.idx]]

    @property
    def source(self) -> str:
        return SOURCE_NAMES[self._pop.source[self.idx]]

    @property
    def adopted(self) -> bool:
        return bool(self._pop.source[self.idx] != NONE)

    @property
    def ai_staff(self) -> float:
        return float(self._pop.staff[self.idx])

    @property
    def model_quality(self) -> float:
        return float(self._pop.quality[self.idx])

    def net_values(self) -> np.ndarray:
        """This firm's net value (quality - price) of the foreign, open and sovereign options."""
        return self._pop.qualities(self.model, [self.idx])[0] - self._pop.prices(self.model)
