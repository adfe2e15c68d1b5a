"""The government (with, under a private-led split, the consortium it co-funds): the national compute and
base-model programme and the public programmes.

Budgets bind. Two budget lines accrue each quarter into funds: the **compute** line pays data centres, GPUs
and the cluster's running power; the **base-model** line pays the lab's staff, beta training on foreign cloud
and training power. Every outlay is drawn from its fund; a short fund delays or shrinks what is built (a data
centre is ready only once paid; GPUs are bought as money arrives; a lab without pay has no staff, and a lab
without staff trains nothing). Funds committed to planned purchases carry over; what is neither committed nor
within the carry-over allowance lapses at each year's end and is reported. Spare compute money, once the
national cluster serves, buys serving capacity for firms while last quarter's serving utilisation justifies it.
A third line, the **programmes** line (a ceiling, public money only), pays the public programmes and any price
support; when it is short, the next quarter's programme rates are scaled down (:mod:`agents.government_programmes`).

Costs are *booked* in the ledger (``model.ledger``), never kept here; the rules are in :mod:`agents.government_rules`;
the data centre, the cluster and the serving capacity are bought by its :class:`agents.government_fleet.NationalFleet`.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa

from abm import capability
from abm.exchange import ComputeService, InForce, NationalOffer
from abm.vocab import (JPY_PER_MILLION, JPY_PER_TN, QUARTERS_PER_YEAR, SECONDS_PER_QUARTER,
                       decimal_year)
from agents import government_rules as rules_
from agents.government_budget import Budget
from agents.government_programmes import ProgrammeFund, programme_dues_jpy_tn
from agents.government_fleet import NationalFleet


@dataclass
class Generation:
    name: str
    year: float
    flop: float
    capability: float


class Government(mesa.Agent):
    """Plans the national cluster from the base-model size, then acts once per quarter via :meth:`act`."""

    def __init__(self, model):
        super().__init__(model)
        s = model.inputs
        self.role = model.role
        c, p = s.costs, s.policy
        self.final_flop = capability.training_compute_flop(p.base_model_parameters, c.training_tokens_per_parameter) \
            * self.role.compute_scale
        self.budget = Budget(self.role.public_share)
        self.programmes = ProgrammeFund(s.policy.programmes_budget_jpy_tn_per_year)
        self.fleet = NationalFleet(model, self.final_flop, self._draw, self.budget.funds)
        self.final_flop *= self.fleet.plan_share   # a budget too small for the plan shrinks the run, not delays it
        self.generations: list[Generation] = []
        self.beta_flop_done = 0.0
        self.training_flop_done = self.training_target = 0.0
        self.training_name = ""
        self.training_base: tuple[float, float] | None = None   # (open base FLOP, year) of a continued pre-training
        self.gap_at_release = None
        self.specialised_done = False
        self.public_health_models = 0
        self.staff_persons = self.headcount_target = 0.0
        self.in_service = False

    # -- derived state -------------------------------------------------------------------------------------
    @property
    def planned_gpus(self) -> float:
        return self.fleet.planned_gpus

    @property
    def dc_mw_in_service(self) -> float:
        return self.fleet.dc_mw_in_service

    @property
    def sovereign_available(self) -> bool:
        return self.role.sovereign_model and any(g.name != "beta" for g in self.generations)

    @property
    def sovereign_cap(self) -> float:
        released = [g.capability for g in self.generations if g.name != "beta"]
        return max(released) if released and self.role.sovereign_model else 0.0

    @property
    def compute_in_service_h100e(self) -> float:
        return self.fleet.training_cluster_h100e + self.fleet.serving_fleet_h100e

    @property
    def training_cluster_h100e(self) -> float:
        return self.fleet.training_cluster_h100e

    @property
    def serving_h100e(self) -> float:
        """National compute free to serve firms now: the serving capacity, plus the cluster when not training."""
        if not self.in_service:
            return 0.0
        if self.training_target > 0:
            return 0.0 if self._fleet_trains else self.fleet.serving_fleet_h100e
        return self.compute_in_service_h100e

    @property
    def funds_jpy_tn(self) -> float:
        return self.budget.total_jpy_tn

    @property
    def lapsed_jpy_tn(self) -> float:
        return self.budget.lapsed_public_jpy_tn

    @property
    def programmes_funded_share(self) -> float:
        """Share of the programme rates the programmes line funds in the coming quarter (``policy_in_force``)."""
        return self.programmes.funded_share

    @property
    def programmes_grant_share(self) -> float:
        """Share of the cloud capex grant's rate the programmes line funds in the coming quarter, from what the
        entitlements leave (``policy_in_force``)."""
        return self.programmes.grant_share

    def commitments_jpy_tn(self) -> float:
        return self.fleet.commitments_jpy_tn()

    def offer(self) -> NationalOffer:
        """What the programme offers firms, talent and partners now."""
        return NationalOffer(self.sovereign_available, self.sovereign_cap, self.public_health_models,
                             self.compute_in_service_h100e, self.headcount_target, self.serving_h100e)

    def take_staff(self, persons: float) -> None:
        """The lab's staff after the talent market has matched this quarter (paid from next quarter)."""
        self.staff_persons = persons

    # -- the quarter ------------------------------------------------------------------------------------------
    def act(self, in_force: InForce, persons_at_home: float, subsidy_due_jpy_tn: float,
            language_corpus_share: float, serving_utilisation: float) -> NationalOffer:
        """One quarter of decisions; returns the programme's offer after them.

        The caller guarantees: environment advanced; ledger open for this quarter. ``persons_at_home``: AI
        specialists in Japan before this quarter's moves (wage top-ups); ``subsidy_due_jpy_tn``: the adoption
        subsidy (JPY tn/yr) firms' new domestic adoptions earned last quarter; ``language_corpus_share``: share
        of Japanese-language corpora flowing last quarter (training data); ``serving_utilisation``: last
        quarter's use of national serving capacity (0..1).
        """
        if self.role.compute_scale > 0:
            p = self.model.inputs.policy
            self.budget.accrue({"compute": p.compute_budget_jpy_tn_per_year,
                                "model": p.base_model_budget_jpy_tn_per_year})
            self.fleet.build_datacentre()
            self.fleet.buy_compute()
            reserve = self.model.inputs.rules.gov_power_reserve_quarters * self._ops_power()
            self.fleet.expand_serving(serving_utilisation, self.in_service, reserve)
            self._train(language_corpus_share)
            self._pay_staff_and_power()
            self._lapse_at_year_end()
        self.programmes.open(self.model.inputs.policy.programmes_budget_jpy_tn_per_year, self.model.quarter)
        self.model.ledger.book("programmes", self.programmes.pay(programme_dues_jpy_tn(
            self.model, self.role, in_force, persons_at_home, subsidy_due_jpy_tn)), "government")
        return self.offer()

    def settle_programmes(self, service: ComputeService, compute_support_jpy_tn: float,
                          model_support_jpy_tn: float) -> None:
        """The quarter's last claims on the programmes line (JPY tn, the public share): first the entitlements,
        national compute sold below its power cost and the sovereign model sold below its cost-based price; then
        the capex grant the cloud providers asked on the capacity they ordered (``service``), paid from what the
        allotment still holds, the providers bearing the rest. Books them, then closes the line for the quarter.

        The caller guarantees: called once per quarter, after the compute market and the firms' flows."""
        ledger, fund = self.model.ledger, self.programmes
        if compute_support_jpy_tn > 0:
            ledger.book("price_support", fund.pay(compute_support_jpy_tn), "government")
        ledger.book("price_support", fund.pay(model_support_jpy_tn), "government")
        capex = service.provider_capex_jpy_tn
        granted = fund.grant(service.capex_subsidy_asked_jpy_tn,
                             self.model.inputs.policy.cloud_capex_subsidy_share * capex)
        if granted > 0:
            ledger.book("provider_capex", granted, "government")
        if capex > 0:
            ledger.book("provider_capex", capex - granted, "private")
        fund.close(self.model.inputs.policy.programmes_budget_jpy_tn_per_year, self.model.quarter)

    def _book(self, category: str, jpy_tn: float) -> None:
        share = self.role.public_share
        self.model.ledger.book(category, jpy_tn * share, "government")
        self.model.ledger.book(category, jpy_tn * (1 - share), "private")

    def _draw(self, fund: str, wanted_jpy_tn: float, category: str) -> float:
        """Pay up to ``wanted`` from ``fund`` ("compute" or "model"), book it; returns the paid share."""
        paid = self.budget.draw(fund, wanted_jpy_tn)
        if paid > 0:
            self._book(category, paid)
        return paid / wanted_jpy_tn if wanted_jpy_tn > 0 else 1.0

    @property
    def _fleet_trains(self) -> bool:
        """``policy.generation_sizing = "budget"``: new generations train on the whole national fleet (the
        serving capacity pauses serving while it trains)."""
        return self.model.inputs.policy.generation_sizing == "budget" and \
            any(g.name == "release" for g in self.generations)

    def _training_h100e(self) -> float:
        return self.training_cluster_h100e + (self.fleet.serving_fleet_h100e if self._fleet_trains else 0.0)

    def _next_generation_flop(self) -> float:
        """The next generation's training compute: the planned base-model run, or (``generation_sizing =
        "budget"``) what the whole national fleet can train in the training window, never less than the plan."""
        if not self._fleet_trains:
            return self.final_flop
        c, p = self.model.inputs.costs, self.model.inputs.policy
        return max(self.final_flop, rules_.window_flop(self._training_h100e(), c.gpu_peak_flops_per_s,
                                                       c.model_flops_utilisation, p.training_window_months))

    def _train(self, language_share: float) -> None:
        m, s = self.model, self.model.inputs
        c, p, r = s.costs, s.policy, s.rules
        year = decimal_year(m.year, m.quarter)
        data_x = rules_.data_multiplier(language_share, r.gov_data_compute_gain)
        plan = (c.staff_headcount_running if self.in_service else c.staff_headcount_development) * \
            self.role.compute_scale
        speed = rules_.staff_factor(self.staff_persons, plan, r.gov_training_staff_elasticity)
        algo = s.environment.algorithmic_efficiency_per_year
        # beta generation on foreign cloud while the domestic DC is not ready (needs staff and base-model money)
        beta_due = self.role.sovereign_model and not self.generations and self.dc_mw_in_service == 0
        if beta_due and p.compute_budget_jpy_tn_per_year > 0:
            beta_flop, beta_base = self._run_plan(c.beta_compute_share * self.final_flop, year)
            per_q = beta_flop / max(self.fleet.ready_q, 1) * speed
            gpu_hours = per_q / (c.gpu_peak_flops_per_s * c.model_flops_utilisation) / 3600.0
            cost = gpu_hours * m.env.cloud_jpy_per_gpu_hour / JPY_PER_TN
            paid = self._draw("model", cost, "cloud")
            m.ledger.pay_abroad(paid * cost)
            self.beta_flop_done += paid * per_q
            if self.beta_flop_done >= beta_flop * r.gov_training_done_share:
                self.generations.append(Generation("beta", year, beta_flop, capability.effective_capability(
                    (beta_base[0] if beta_base else beta_flop) * data_x, year, algo)))
        # generations on the national cluster: the release, then new ones when the frontier runs away
        if self.training_target == 0 and self.fleet.gpus > 0:
            if not any(g.name == "release" for g in self.generations):
                self.training_name = "release"
                self.training_target, self.training_base = self._run_plan(self.final_flop, year)
            elif self.in_service and self._wants_generation(m.year):
                self.training_name = f"gen{len(self.generations)}"
                self.training_target, self.training_base = self._run_plan(self._next_generation_flop(), year)
        if self.training_target > 0:
            flop = self._training_h100e() * c.gpu_peak_flops_per_s * c.model_flops_utilisation * \
                SECONDS_PER_QUARTER * speed
            step = min(flop, self.training_target - self.training_flop_done)
            step *= self._pay_training_power(step * c.experiment_compute_multiplier)
            self.training_flop_done += step
            if self.training_flop_done >= self.training_target * r.gov_training_done_share:
                base, when = self.training_base or (self.training_target, year)
                self.generations.append(Generation(self.training_name, year, self.training_target,
                                                   capability.effective_capability(base * data_x, when, algo)))
                self.training_target = self.training_flop_done = 0.0
                self.gap_at_release = m.env.open_cap - self.sovereign_cap
                self.in_service = True
        elif self.in_service and self.role.public_specialised and not self.specialised_done:
            domain = c.domain_models_count * c.domain_model_compute_share
            task = c.task_models_count * c.task_model_compute_share
            if self._pay_training_power((domain + task) * self.final_flop) >= 1.0 - 1e-12:
                self.specialised_done = True
                self.public_health_models = 1

    def _run_plan(self, scratch_flop: float, year: float) -> tuple[float, tuple[float, float] | None]:
        """(training FLOP, None) of a from-scratch run of ``scratch_flop``; or, with ``policy.base_model_route =
        continued_pretraining``, (FLOP of the continued pre-training, (the open base's pre-training FLOP, year))
        for the largest open base whose continued pre-training fits the same compute."""
        s = self.model.inputs
        if s.policy.base_model_route == "from_scratch":
            return scratch_flop, None
        r, algo = s.rules, s.environment.algorithmic_efficiency_per_year
        newest = capability.physical_flop(self.model.env.open_cap, year, algo)
        base = rules_.cpt_base_flop(scratch_flop, r.gov_cpt_tokens, r.gov_open_base_tokens_per_parameter, newest)
        return rules_.cpt_run_flop(base, r.gov_cpt_tokens, r.gov_open_base_tokens_per_parameter), (base, year)

    def _wants_generation(self, year: int) -> bool:
        s = self.model.inputs
        fixed = s.policy.retraining_year if s.policy.retraining_rule == "fixed_year" else None
        if fixed is not None and any(g.name.startswith("gen") for g in self.generations):
            return False
        widened = (self.model.env.open_cap - self.sovereign_cap) - (self.gap_at_release or 0.0)
        return rules_.wants_new_generation(widened, s.rules.gov_generation_gap_oom, fixed, year)

    def _pay_training_power(self, flop: float) -> float:
        """Pay the power of ``flop`` of training from the base-model fund; returns the share that was paid."""
        c, price = self.model.inputs.costs, self.model.env.electricity_jpy_per_kwh
        return self._draw("model", rules_.training_power_jpy_tn(flop, self.fleet.gpu_perf, c, price), "power")

    def _ops_power(self) -> float:
        """Quarter's running power of the training cluster while it serves (JPY tn), by the report's method."""
        idle = self.in_service and self.training_target == 0
        c, price = self.model.inputs.costs, self.model.env.electricity_jpy_per_kwh
        return rules_.cluster_ops_power_jpy_tn(self.fleet.gpus, c, price) if idle else 0.0

    def _pay_staff_and_power(self) -> None:
        m, c = self.model, self.model.inputs.costs
        # a lab works only on a programme with compute: beta while the cluster is funded, then on the cluster
        planned = m.inputs.policy.compute_budget_jpy_tn_per_year > 0
        active = self.in_service or self.training_target > 0 or self.fleet.dc_capex_paid > 0 or \
            (planned and self.role.sovereign_model and not self.generations and self.budget.funds["model"] > 0)
        plan = (c.staff_headcount_running if self.in_service else c.staff_headcount_development) * \
            self.role.compute_scale * active
        budget = m.inputs.policy.base_model_budget_jpy_tn_per_year / self.role.public_share
        per_head = c.staff_cost_jpy_m_per_head * JPY_PER_MILLION / JPY_PER_TN
        self.headcount_target = min(plan, budget / per_head)
        self._draw("model", min(self.staff_persons, self.headcount_target) * per_head / QUARTERS_PER_YEAR,
                   "staff")
        self._draw("compute", self._ops_power(), "power")   # serving capacity's power is netted from its sales

    def _lapse_at_year_end(self) -> None:
        """At Q4, money neither committed nor within the carry-over allowance returns to the treasury."""
        m = self.model
        if m.quarter != 4:
            return
        p, r, share = m.inputs.policy, m.inputs.rules, self.role.public_share
        self.budget.lapse({
            "compute": rules_.carry_over_limit(p.compute_budget_jpy_tn_per_year / share, self.commitments_jpy_tn(),
                                               r.gov_budget_carryover_share),
            "model": rules_.carry_over_limit(p.base_model_budget_jpy_tn_per_year / share, 0.0,
                                             r.gov_budget_carryover_share)})
