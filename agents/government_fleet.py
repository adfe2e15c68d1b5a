"""The national compute fleet: the data centre, the training cluster and the serving capacity, bought in H100e.

Owned by :class:`agents.government.Government`, which holds the budget: every outlay goes through the ``draw``
callable it passes (pay up to an amount from a fund, book it, return the share paid). The rules are pure
functions in :mod:`agents.government_rules`.
"""

from __future__ import annotations

from typing import Callable

from abm import capability
from abm.vocab import JPY_PER_TN, QUARTERS_PER_YEAR, W_PER_MW, decimal_year
from agents import government_rules as rules_

Draw = Callable[[str, float, str], float]


class NationalFleet:
    """Plans the data centre and cluster for the planned run (``final_flop``), then builds and buys each quarter."""

    def __init__(self, model, final_flop: float, draw: Draw, funds: dict[str, float]):
        s = model.inputs
        c, p = s.costs, s.policy
        self.model, self._draw, self._funds = model, draw, funds
        self.ready_q = model.to_quarter_index(p.domestic_dc_ready_year, 1)
        self.plan_perf = self.perf_in(p.domestic_dc_ready_year, s)
        gpus = capability.gpus_for_run(final_flop, self.plan_perf, c.gpu_peak_flops_per_s,
                                       c.model_flops_utilisation, p.training_window_months)
        self.plan_share = self._affordable_share(gpus, model.role.public_share)
        self.planned_gpus = gpus * self.plan_share
        self.planned_mw = self.planned_gpus * rules_.gpu_it_load_w(c) / W_PER_MW
        self.build_start_q = self.ready_q - int(c.dc_lead_time_quarters)
        self.dc_capex_total = self.planned_mw * W_PER_MW * c.dc_cost_usd_per_w * s.environment.jpy_per_usd / JPY_PER_TN
        self.dc_capex_paid = 0.0
        self.dc_mw_in_service = self.dc_mw_building = 0.0
        self.gpus, self.gpu_perf = 0.0, 1.0           # training cluster
        self.pending_h100e = self.order_h100e = 0.0   # current order (initial cluster or renewal) in H100e
        self.serving_gpus, self.serving_perf = 0.0, 1.0   # capacity bought only to serve firms

    def _affordable_share(self, gpus: float, public_share: float) -> float:
        """Share of the planned cluster (and run) the compute budget can pay by the ready year: the data centre's
        watts and the GPUs at the ready year's price per H100e (no export control), against the budget's accrual
        from the start; 1 unless ``policy.budget_shortfall = "shrink"`` (then the model is on time but smaller)."""
        s = self.model.inputs
        c, p, r = s.costs, s.policy, s.rules
        mw = gpus * rules_.gpu_it_load_w(c) / W_PER_MW
        dc = mw * W_PER_MW * c.dc_cost_usd_per_w * s.environment.jpy_per_usd / JPY_PER_TN
        price = rules_.h100e_price_jpy_tn(rules_.gpu_unit_cost_jpy_tn(c, s.environment.jpy_per_usd), self.plan_perf,
                                          0.0, p.procurement_diversification_share, r.gov_export_control_price_premium,
                                          r.gov_diversification_price_premium)
        cost = dc + gpus * self.plan_perf * price
        accrued = p.compute_budget_jpy_tn_per_year / public_share * max(self.ready_q, 0) / QUARTERS_PER_YEAR
        if p.budget_shortfall == "delay" or cost <= 0:
            return 1.0
        return min(accrued / cost, 1.0)

    @staticmethod
    def perf_in(year: float, s) -> float:
        """Per-GPU performance (x H100) of hardware bought in ``year`` on the scenario's hardware path."""
        gain = s.costs.gpu_perf_gain_per_year_linear if s.policy.hardware_path == "improving" else 0.0
        return rules_.perf_in(year, gain)

    def perf_now(self) -> float:
        """Per-GPU performance of hardware bought this quarter (the cost model's path, by calendar year)."""
        return self.perf_in(decimal_year(self.model.year, self.model.quarter), self.model.inputs)

    @property
    def training_cluster_h100e(self) -> float:
        return self.gpus * self.gpu_perf

    @property
    def serving_fleet_h100e(self) -> float:
        return self.serving_gpus * self.serving_perf

    def h100e_price(self, s) -> float:
        r, env = s.rules, self.model.env
        unit = rules_.gpu_unit_cost_jpy_tn(s.costs, s.environment.jpy_per_usd)
        return rules_.h100e_price_jpy_tn(unit, self.perf_now(), env.shocks.export_control_cut,
                                         s.policy.procurement_diversification_share,
                                         r.gov_export_control_price_premium, r.gov_diversification_price_premium)

    def commitments_jpy_tn(self) -> float:
        """Compute money committed to planned purchases: the rest of the data centre and of the GPU order
        (the planned cluster's, until its data centre serves and the order is placed), and, in the year before
        the renewal year, the renewal of the cluster (so spare money does not go to serving capacity first)."""
        s, m = self.model.inputs, self.model
        unplaced = self.planned_gpus * self.plan_perf if self.dc_mw_in_service == 0 else 0.0
        if m.year == s.policy.hardware_renewal_year - 1 and self.gpus > 0:
            unplaced += self.training_cluster_h100e
        return (self.dc_capex_total - self.dc_capex_paid) + (unplaced + self.pending_h100e) * self.h100e_price(s)

    def build_datacentre(self) -> None:
        """Pay the data centre in equal instalments from the build start; it serves once paid, due and
        connected to the grid (``policy.dc_grid_strategy``: wait for connections, pay for a private one, or
        start with the watts connected and grow as connections arrive)."""
        m, s = self.model, self.model.inputs
        c, qi = s.costs, m.quarter_index
        grid = rules_.grid_allowance_mw(decimal_year(m.year, m.quarter), s.rules.grid_programme_share)
        if 0 < self.dc_mw_in_service < self.planned_mw:          # started smaller: grows with connections
            self.dc_mw_in_service = min(self.planned_mw, grid)
        if self.dc_mw_in_service > 0 or qi < max(self.build_start_q, 0):
            return
        quarters = max(self.ready_q - max(self.build_start_q, 0), 1) if int(c.dc_lead_time_quarters) > 0 else 1
        instalment = min(self.dc_capex_total / quarters, self.dc_capex_total - self.dc_capex_paid)
        if instalment > 1e-15:
            self.dc_capex_paid += self._draw("compute", instalment, "datacenter") * instalment
            self.dc_mw_building = self.planned_mw if self.dc_capex_paid > 0 else 0.0
        if qi < self.ready_q or self.dc_capex_paid < self.dc_capex_total * (1 - 1e-9):
            return
        short_mw, strategy = max(self.planned_mw - grid, 0.0), s.policy.dc_grid_strategy
        if short_mw > 0 and strategy == "premium":
            premium = short_mw * W_PER_MW * s.rules.grid_private_connection_usd_per_w * s.environment.jpy_per_usd \
                / JPY_PER_TN
            short_mw = 0.0 if self._draw("compute", premium, "datacenter") >= 1.0 - 1e-12 else short_mw
        connected = self.planned_mw - short_mw
        if short_mw > 0 and not (strategy == "start_smaller" and connected > 0):
            return                                                 # wait for the grid
        self.dc_mw_in_service, self.dc_mw_building = connected, self.planned_mw - connected
        self.pending_h100e = self.order_h100e = self.planned_gpus * self.plan_perf

    def buy_compute(self) -> None:
        """Orders in H100e: the training cluster once its data centre serves, renewed in the renewal year."""
        m, s = self.model, self.model.inputs
        if m.year == s.policy.hardware_renewal_year and m.quarter == 1 and self.gpus > 0:
            self.pending_h100e = self.order_h100e = self.gpus * self.gpu_perf   # same compute, today's price
            self.gpus = 0.0                                   # old cluster retired as the new one arrives
        if self.pending_h100e <= 0:
            return
        c, r = s.costs, s.rules
        price, perf = self.h100e_price(s), self.perf_now()
        room_gpus = self.dc_mw_in_service * W_PER_MW / rules_.gpu_it_load_w(c) - self.gpus
        can = rules_.deliverable_h100e(self.pending_h100e, self.order_h100e, m.env.shocks.export_control_cut,
                                       r.gov_delivery_quarters)
        buy = max(min(can, max(self._funds["compute"], 0.0) / price, room_gpus * perf), 0.0)
        if buy <= 0:
            return
        self._draw("compute", buy * price, "hardware")
        new_gpus = buy / perf
        self.gpu_perf = (self.gpus * self.gpu_perf + buy) / (self.gpus + new_gpus)
        self.gpus += new_gpus
        self.pending_h100e -= buy

    def expand_serving(self, utilisation: float, in_service: bool, power_reserve_jpy_tn: float) -> None:
        """Spare compute money buys serving capacity (GPUs and their data-centre watts) while utilisation is high,
        as far as the programme's grid connections allow (an export control cuts what can be delivered).
        ``power_reserve_jpy_tn``: running power kept back for the cluster."""
        m, s = self.model, self.model.inputs
        if not in_service or utilisation < s.rules.gov_serving_utilisation_threshold:
            return
        spare = self._funds["compute"] - self.commitments_jpy_tn() - power_reserve_jpy_tn
        if spare <= 0:
            return
        c, perf, load_w = s.costs, self.perf_now(), rules_.gpu_it_load_w(s.costs)
        dc_per_gpu = load_w * c.dc_cost_usd_per_w * s.environment.jpy_per_usd / JPY_PER_TN
        per_gpu = self.h100e_price(s) * perf + dc_per_gpu
        grid = rules_.grid_allowance_mw(decimal_year(m.year, m.quarter), s.rules.grid_programme_share)
        room_mw = grid - self.dc_mw_in_service - self.dc_mw_building - self.serving_gpus * load_w / W_PER_MW
        cap = max(room_mw, 0.0) * W_PER_MW / load_w * (1.0 - m.env.shocks.export_control_cut)
        gpus = min(spare / per_gpu, cap)
        if gpus <= 0:
            return
        self._draw("compute", gpus * per_gpu, "serving_compute")
        self.serving_perf = (self.serving_gpus * self.serving_perf + gpus * perf) / (self.serving_gpus + gpus)
        self.serving_gpus += gpus
