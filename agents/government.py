"""The government (with, under a private-led split, the consortium it co-funds): the national compute and
base-model programme and the public programmes.

Each quarter, in this order: accrue budgets; build data centres (with a lead time); buy GPUs (supply cut by
export controls, price per FLOP falling on the improving hardware path); train base-model generations (beta on
foreign cloud, release on domestic data centres, retraining); train public specialised models; pay staff and
power; fund the data platform, talent programmes, adoption subsidies and ASEAN co-creation.
Costs are *booked* in the ledger (``model.ledger``), never kept here.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa

from abm import capability
from abm.exchange import InForce, NationalOffer
from abm.vocab import (HOURS_PER_QUARTER, JPY_PER_MILLION, JPY_PER_TN, QUARTERS_PER_YEAR, SECONDS_PER_QUARTER,
                       START_2025, W_PER_MW, WH_PER_KWH, decimal_year)


@dataclass
class Generation:
    name: str
    year: float
    flop: float
    capability: float


def gpu_unit_cost_jpy_tn(costs, jpy_per_usd: float) -> float:
    """Hardware + network cost of one GPU (JPY tn): server price x (1 + network share)."""
    return costs.gpu_server_price_usd * jpy_per_usd * (1.0 + costs.network_share_of_hardware) / JPY_PER_TN


def gpu_it_load_w(costs) -> float:
    """IT load of one GPU with its server share (W): TDP x server overhead."""
    return costs.gpu_tdp_w * costs.server_overhead_factor


def energy_kwh(gpu_hours: float, costs) -> float:
    """Energy at the meter for GPU-hours of work: IT load x average draw x PUE."""
    return gpu_hours * gpu_it_load_w(costs) * costs.average_power_draw_share * costs.pue / WH_PER_KWH


class Government(mesa.Agent):
    """Plans the national cluster from the base-model size, then acts once per quarter via :meth:`act`."""

    def __init__(self, model):
        super().__init__(model)
        s = model.inputs
        self.role = model.role
        c, p = s.costs, s.policy
        self.final_flop = capability.training_compute_flop(p.base_model_parameters, c.training_tokens_per_parameter) \
            * self.role.compute_scale
        self.ready_q = model.to_quarter_index(p.domestic_dc_ready_year, 1)
        self.plan_perf = self.perf_in(p.domestic_dc_ready_year, s)
        self.planned_gpus = capability.gpus_for_run(self.final_flop, self.plan_perf, c.gpu_peak_flops_per_s,
                                                    c.model_flops_utilisation, p.training_window_months)
        self.planned_mw = self.planned_gpus * gpu_it_load_w(c) / W_PER_MW
        self.build_start_q = self.ready_q - int(c.dc_lead_time_quarters)
        self.fund_jpy_tn = 0.0
        self.dc_mw_in_service = 0.0
        self.dc_mw_building = 0.0
        self.gpus = 0.0
        self.gpu_perf = 1.0
        self.pending_gpus = 0.0
        self.order_gpus = 0.0          # size of the current order (initial cluster or renewal)
        self.generations: list[Generation] = []
        self.training_flop_done = 0.0
        self.training_target = 0.0
        self.training_name = ""
        self.specialised_done = False
        self.public_health_models = 0
        self.staff_persons = 0.0
        self.headcount_target = 0.0
        self.in_service = False

    # -- derived state -------------------------------------------------------------------------------------
    @staticmethod
    def perf_in(year: float, s) -> float:
        """Per-GPU performance (x H100) of hardware bought in ``year`` on the scenario's hardware path."""
        gain = s.costs.gpu_perf_gain_per_year_linear if s.policy.hardware_path == "improving" else 0.0
        return 1.0 + gain * max(year - START_2025, 0.0)

    @property
    def sovereign_available(self) -> bool:
        return self.role.sovereign_model and any(g.name != "beta" for g in self.generations)

    @property
    def sovereign_cap(self) -> float:
        released = [g.capability for g in self.generations if g.name != "beta"]
        return max(released) if released and self.role.sovereign_model else 0.0

    @property
    def compute_in_service_h100e(self) -> float:
        return self.gpus * self.gpu_perf

    def offer(self) -> NationalOffer:
        """What the programme offers firms, talent and partners now."""
        serving = 0.0 if self.training_target > 0 else self.compute_in_service_h100e
        return NationalOffer(self.sovereign_available, self.sovereign_cap, self.public_health_models,
                             self.compute_in_service_h100e, self.headcount_target, serving)

    def take_staff(self, persons: float) -> None:
        """The lab's staff after the talent market has matched this quarter (paid from next quarter)."""
        self.staff_persons = persons

    # -- the quarter ------------------------------------------------------------------------------------------
    def act(self, in_force: InForce, persons_at_home: float, subsidy_due_jpy_tn: float) -> NationalOffer:
        """One quarter of decisions; returns the programme's offer after them.

        The caller guarantees: environment advanced; ledger open for this quarter. ``persons_at_home``: AI
        specialists in Japan before this quarter's moves (wage top-ups); ``subsidy_due_jpy_tn``: the adoption
        subsidy (JPY tn/yr) that firms' new domestic adoptions earned last quarter.
        """
        m = self.model
        if self.role.compute_scale <= 0:
            self._programmes(in_force, persons_at_home, subsidy_due_jpy_tn)
            return self.offer()
        share = self.role.public_share
        self.fund_jpy_tn += m.inputs.policy.compute_budget_jpy_tn_per_year / QUARTERS_PER_YEAR / share
        self._build_datacentre()
        self._buy_gpus()
        self._train()
        self._pay_staff_and_power()
        self._programmes(in_force, persons_at_home, subsidy_due_jpy_tn)
        return self.offer()

    def _book(self, category: str, jpy_tn: float) -> None:
        share = self.role.public_share
        self.model.ledger.book(category, jpy_tn * share, "government")
        self.model.ledger.book(category, jpy_tn * (1 - share), "private")

    def _build_datacentre(self) -> None:
        m, c = self.model, self.model.inputs.costs
        qi = m.quarter_index
        lead = int(c.dc_lead_time_quarters)
        if max(self.build_start_q, 0) <= qi < self.ready_q and self.dc_mw_in_service + self.dc_mw_building == 0:
            self.dc_mw_building = self.planned_mw
        if self.dc_mw_building > 0 and qi < self.ready_q:
            quarters = max(self.ready_q - max(self.build_start_q, 0), 1) if lead > 0 else 1
            capex = self.planned_mw * W_PER_MW * c.dc_cost_usd_per_w * m.inputs.environment.jpy_per_usd / JPY_PER_TN / quarters
            self.fund_jpy_tn -= capex
            self._book("datacenter", capex)
        if qi >= self.ready_q and self.dc_mw_building > 0:
            self.dc_mw_in_service += self.dc_mw_building
            self.dc_mw_building = 0.0
            self.pending_gpus = self.order_gpus = self.planned_gpus

    def _buy_gpus(self) -> None:
        m, s = self.model, self.model.inputs
        if m.year == s.policy.hardware_renewal_year and m.quarter == 1 and self.gpus > 0:
            perf = self.perf_in(m.year, s)
            self.pending_gpus = self.order_gpus = self.gpus * self.gpu_perf / perf   # same compute, today's perf
            self.gpus, self.gpu_perf = 0.0, perf                   # old cluster retired as the new one arrives
        if self.pending_gpus <= 0:
            return
        unit = gpu_unit_cost_jpy_tn(s.costs, s.environment.jpy_per_usd)
        # export controls: while in force, only (1 - cut) of the order can be delivered in total
        delivered = self.order_gpus - self.pending_gpus
        supply = max(self.order_gpus * (1.0 - m.env.shocks.export_control_cut) - delivered, 0.0)
        room = self.dc_mw_in_service * W_PER_MW / gpu_it_load_w(s.costs) - self.gpus
        buy = max(min(supply, max(self.fund_jpy_tn, 0.0) / unit, room), 0.0)
        if buy <= 0:
            return
        perf = self.perf_in(m.year, s)
        self.gpu_perf = (self.gpus * self.gpu_perf + buy * perf) / (self.gpus + buy)
        self.gpus += buy
        self.pending_gpus -= buy
        self.fund_jpy_tn -= buy * unit
        self._book("hardware", buy * unit)

    def _train(self) -> None:
        m, s = self.model, self.model.inputs
        c, p, env = s.costs, s.policy, m.env
        year = decimal_year(m.year, m.quarter)
        # beta generation on foreign cloud until the domestic DC is ready
        if self.role.sovereign_model and m.quarter_index < self.ready_q and not self.generations:
            beta_flop = c.beta_compute_share * self.final_flop
            quarters = max(self.ready_q, 1)
            gpu_hours = beta_flop / quarters / (c.gpu_peak_flops_per_s * c.model_flops_utilisation) / 3600.0
            cost = gpu_hours * env.cloud_jpy_per_gpu_hour / JPY_PER_TN
            self._book("cloud", cost)
            m.ledger.pay_abroad(cost)
            if m.quarter_index == self.ready_q - 1:
                self.generations.append(Generation("beta", year, beta_flop, capability.effective_capability(
                    beta_flop, year, s.environment.algorithmic_efficiency_per_year)))
        # release run once the cluster is installed; retraining in the retraining year
        if self.training_target == 0 and self.gpus > 0:
            if not any(g.name == "release" for g in self.generations):
                self.training_target, self.training_name = self.final_flop, "release"
            elif m.year == p.retraining_year and not any(g.name == "retrain" for g in self.generations):
                self.training_target, self.training_name = self.final_flop, "retrain"
        if self.training_target > 0:
            flop = self.gpus * self.gpu_perf * c.gpu_peak_flops_per_s * c.model_flops_utilisation * SECONDS_PER_QUARTER
            step = min(flop, self.training_target - self.training_flop_done)
            self._pay_training_power(step * c.experiment_compute_multiplier)
            self.training_flop_done += step
            if self.training_flop_done >= self.training_target * s.rules.gov_training_done_share:
                self.generations.append(Generation(self.training_name, year, self.training_target,
                                                   capability.effective_capability(
                                                       self.training_target, year,
                                                       s.environment.algorithmic_efficiency_per_year)))
                self.training_target = self.training_flop_done = 0.0
                self.in_service = True
        elif self.in_service and self.role.public_specialised and not self.specialised_done:
            domain = c.domain_models_count * c.domain_model_compute_share
            task = c.task_models_count * c.task_model_compute_share
            self._pay_training_power((domain + task) * self.final_flop)
            self.specialised_done = True
            self.public_health_models = 1

    def _pay_training_power(self, flop: float) -> None:
        c, env = self.model.inputs.costs, self.model.env
        gpu_hours = flop / (self.gpu_perf * c.gpu_peak_flops_per_s * c.model_flops_utilisation) / 3600.0
        self._book("power", energy_kwh(gpu_hours, c) * env.electricity_jpy_per_kwh / JPY_PER_TN)

    def _pay_staff_and_power(self) -> None:
        m, c = self.model, self.model.inputs.costs
        plan = c.staff_headcount_running if self.in_service else c.staff_headcount_development
        budget = m.inputs.policy.base_model_budget_jpy_tn_per_year / self.role.public_share
        affordable = budget * JPY_PER_TN / (c.staff_cost_jpy_m_per_head * JPY_PER_MILLION)
        self.headcount_target = min(plan * self.role.compute_scale, affordable)
        self._book("staff", min(self.staff_persons, self.headcount_target) * c.staff_cost_jpy_m_per_head * JPY_PER_MILLION / QUARTERS_PER_YEAR / JPY_PER_TN)
        if self.in_service and self.training_target == 0:
            gpu_hours = self.gpus * HOURS_PER_QUARTER * c.running_utilisation * c.ops_power_share_of_cluster
            kwh = gpu_hours * gpu_it_load_w(c) * c.pue / WH_PER_KWH
            self._book("power", kwh * m.env.electricity_jpy_per_kwh / JPY_PER_TN)

    def _programmes(self, in_force: InForce, persons_home: float, subsidy_due_jpy_tn: float) -> None:
        """Public programmes: talent top-ups, adoption subsidies, data platform, ASEAN co-creation."""
        m, p = self.model, self.model.inputs.policy
        scale = self.role.programme_scale
        c = m.inputs.costs
        topup = (in_force.wage_topup_share * c.domestic_ai_wage_jpy_m * JPY_PER_MILLION * persons_home
                 / QUARTERS_PER_YEAR / JPY_PER_TN)
        r = m.inputs.rules
        platform = (r.gov_data_platform_cost_jpy_tn_per_year / QUARTERS_PER_YEAR * self.role.data_platform_scale
                    * in_force.data_contracts)
        asean = r.gov_asean_cocreation_cost_jpy_tn_per_year / QUARTERS_PER_YEAR * scale * p.asean_cocreation
        subsidy = subsidy_due_jpy_tn / QUARTERS_PER_YEAR
        m.ledger.book("programmes", topup + platform + asean + subsidy, "government")
