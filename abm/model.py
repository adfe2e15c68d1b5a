"""SovereignAIModel: Japan's sovereign-AI ecosystem, one step per quarter.

Construct it with a preset name, a TOML path or a Scenario, plus any scenario field as a keyword argument
named by its path with ``__`` for the dot (``policy__compute_budget_jpy_tn_per_year=0.6``). Every argument
has a default, so ``mesa.batch_run`` and SolaraViz can build it. The resolved scenario is ``model.inputs``
(Mesa's own ``model.scenario`` is left to Mesa). Call :meth:`step` until ``running`` is False
(after end_year Q4), then read ``datacollector.get_model_vars_dataframe()`` or use :mod:`abm.report`.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa

from abm import compute_market, metrics, network_memo, outcomes
from abm.collector import Collector
from abm.accounting import PERIODS, Ledger
from abm.environment import Environment
from abm.exchange import SharedData, policy_in_force
from abm.graph_arrays import EcosystemSpace, gc_paused
from abm.network import Blocks
from abm.scenario import ScenarioError, load_scenario
from abm.schema import mid_run_fields
from abm.roles import ROLE_DIVISIONS
from abm.vocab import QUARTERS_PER_YEAR, quarter_index
from agents.asean_partner import AseanPartner, AseanPopulation
from agents.cloud_provider import CloudProvider, CloudProviderPopulation
from agents.data_holder import DataHolder, DataHolderPopulation
from agents.firm import Firm, FirmPopulation
from agents.government import Government
from agents.talent import Talent, TalentPopulation

def overrides_from_kwargs(kwargs: dict) -> dict:
    """``{"policy__x": v}`` -> ``{"policy.x": v}``; anything else is an error naming the argument."""
    out = {}
    for key, value in kwargs.items():
        if "__" not in key:
            raise TypeError(f"unknown argument {key!r}: use scenario=..., rng=... or section__field=value")
        out[key.replace("__", ".", 1)] = value
    return out


@dataclass(frozen=True)
class PolicyChange:
    """A lever changed during a run: in force from ``year`` Q``quarter`` on."""

    year: int
    quarter: int
    path: str
    old: object
    new: object


class SovereignAIModel(mesa.Model):
    """Agents: one Government, firms, data holders, talent cohorts and ASEAN partners on one network."""

    def __init__(self, scenario=None, rng=None, collect_agents: bool = False, network=None,
                 agent_views: bool = True, **fields):
        """``agent_views=False`` builds no Mesa space and no agent other than the government: the populations'
        rules work on their arrays only, so every output is the same, for less work (a sweep's runs and a
        paired counterfactual, where nobody inspects an agent). ``collect_agents`` needs the views."""
        if collect_agents and not agent_views:
            raise ValueError("collect_agents=True needs agent_views=True (agent data is read from the agents)")
        resolved = load_scenario(scenario, overrides_from_kwargs(fields))
        super().__init__(rng=resolved.run.seed if rng is None else rng)
        with gc_paused():   # one pause for the whole build: the collector's passes would find nothing to free
            self._build(resolved, network, collect_agents, agent_views)

    def _build(self, resolved, network, collect_agents: bool, views: bool) -> None:
        """Network, space, populations and books, in that order (each population reads the network's edge table)."""
        self.inputs = resolved   # the resolved sovai Scenario (Mesa keeps its own `scenario` attribute)
        self.role = ROLE_DIVISIONS[resolved.policy.role_division]
        self.year, self.quarter = resolved.run.start_year, 1
        self.quarter_index = 0
        self.blocks = Blocks.of(resolved)
        if network is not None:
            self.graph = edges = network   # the populations read its edge table
        else:   # without views, no networkx graph either (model.graph is None): the populations read arrays
            self.graph, edges = network_memo.remembered(resolved, self.rng, graph=views)
        self.space = EcosystemSpace(self.graph, random=self.random) if views else None
        self.env = Environment(resolved)
        # one random stream per population that draws, spawned from the model's rng (state-independent): a lever
        # that changes how many draws one population makes (how many specialists move) leaves the others' draws
        # alone, so paired runs on the same seed differ by the lever's mechanism, not by shifted streams
        self.rng_data_holders, self.rng_talent, self.rng_firms = self.rng.spawn(3)
        self.in_force = policy_in_force(resolved, self.role, self.year)
        self.ledger = Ledger(resolved)
        self.outcomes = outcomes.Outcomes()
        self.government = Government(self)
        self.government.cell = None
        self.data_holders = DataHolderPopulation(self, edges, self.blocks)
        self.talent = TalentPopulation(self, edges, self.blocks)
        self.firms = FirmPopulation(self, edges, self.blocks)
        self.asean = AseanPopulation(self, edges, self.blocks)
        self.providers = CloudProviderPopulation(self, edges, self.blocks)
        self.shared = SharedData(self.firms.shared_data, 0.0)   # last quarter's data flows (none before the start)
        self.serving_utilisation = 0.0   # last quarter's use of national serving capacity (compute market, 5b)
        self.last_abroad = 0.0
        self.initial_deficit_jpy_tn = self._initial_deficit()
        agent_reporters = {}
        if collect_agents:
            agent_reporters = {Firm: metrics.AGENT_REPORTERS["Firm"], Talent: metrics.AGENT_REPORTERS["Talent"]}
        self.datacollector = Collector(model_reporters=metrics.model_reporters(),
                                        agenttype_reporters=agent_reporters)
        self.period = PERIODS[0]
        self.tally = metrics.tally(self)
        self.policy_changes: list[PolicyChange] = []   # applied mid-run, in order (apply_policy)
        self.running = True

    def apply_policy(self, changes: dict) -> list[PolicyChange]:
        """Change policy levers from the quarter about to be simulated on: ``{"policy.x": value}``.

        Validated through the scenario schema (a bad value raises the usual one-line ScenarioError, and nothing
        changes); only the ``mid_run`` fields (:func:`abm.schema.mid_run_fields`) are accepted, since the model
        reads the others when it is built. Returns the changes that differ from the values in force."""
        new = load_scenario(self.inputs, changes)
        allowed = mid_run_fields()
        for path in changes:
            if path not in allowed:
                raise ScenarioError(f"{path}: cannot change during a run (it is read when the model is built); "
                                    f"mid-run fields: {', '.join(allowed)}")
        done = [PolicyChange(self.year, self.quarter, path, getattr(self.inputs.policy, path.split(".", 1)[1]),
                             getattr(new.policy, path.split(".", 1)[1])) for path in changes]
        done = [c for c in done if c.old != c.new]
        self.inputs.policy = new.policy      # every component reads the one Scenario object, so all see it
        self.in_force = self._policy_in_force()
        self.policy_changes += done
        return done

    def to_quarter_index(self, year: int, quarter: int) -> int:
        """Steps from the start (start_year Q1 = 0) to ``year`` Q``quarter``."""
        return quarter_index(year, quarter, self.inputs.run.start_year)

    def _initial_deficit(self) -> float:
        """The pre-run (2025) digital deficit from the initial adoption state: the calibration anchor."""
        offer = self.government.offer()
        self.compute = self.providers.step(self, self.firms.workloads(self), offer.serving_h100e, 0.0, invest=False)
        self.firms.opening_flows(self, self.in_force, offer, self.compute)
        self.outcomes.update(self)
        return self.outcomes.deficit

    def step(self) -> None:
        """One quarter, phases in order. Each population gets what it reads from the others as arguments and
        returns what later phases need; this method is the only place where their data meet."""
        self.period = PERIODS[int(self.government.in_service)]  # running once the release model serves
        # 1. environment: frontier, prices, shocks; the policy instruments in force this quarter
        self.env.advance(self.year, self.quarter)
        in_force = self.in_force = self._policy_in_force()
        # 2. government: budget, DCs, GPUs, training, staff, programmes (pays last quarter's adoption subsidy)
        offer = self.government.act(in_force, self.talent.persons_at_home(), self.firms.flows.get("subsidy_jpy_tn", 0.0),
                                    self.shared.language_corpus_share, self.serving_utilisation)
        # 3. data holders: accept firms' requests, contracts lapse, trust -> data each firm receives
        shared = self.shared = self.data_holders.step(self, in_force, self.firms.source)
        # 4. talent: enter, leave, return, match employers -> staff of each firm and of the government lab
        staffing = self.talent.step(self, in_force, offer, self.firms.staff_demand(self))
        self.government.take_staff(staffing.lab_persons)
        # 5. firms: adopt, choose source, spend
        self.firms.step(self, in_force, offer, shared, staffing.firm_persons)
        # 5b. compute market: national serving capacity, then domestic providers (offered the capex subsidy in
        #     force), then foreign hyperscalers
        service = self.compute = self.providers.step(self, self.firms.workloads(self), offer.serving_h100e,
                                                     self.env.shocks.foreign_cutoff, in_force.cloud_capex_subsidy)
        compute_support = self._sell_national_compute(service)
        self.serving_utilisation = (service.national_served_h100e / offer.serving_h100e
                                    if offer.serving_h100e > 0 else 0.0)   # the government reads it next quarter
        self.firms.record_flows(self, service)
        # 6. ASEAN partners: adopt, choose Japanese models (carried abroad by subsidiaries of domestic users)
        self.asean.step(self, in_force, offer, self.firms.source)
        # 7. the programmes' last claims on their line (price support, then the cloud grant from what is left);
        #    ledger closes
        self.government.settle_programmes(service, compute_support,
                                          self.firms.flows["price_support_jpy_tn"] / QUARTERS_PER_YEAR)
        self._close_books()
        self.tally = metrics.tally(self)               # 8. collect: count once, then the reporters read
        self.datacollector.collect(self)
        self._advance_clock()

    def _policy_in_force(self):
        return policy_in_force(self.inputs, self.role, self.year, self.government.programmes_funded_share,
                               self.government.programmes_grant_share)

    def _sell_national_compute(self, service) -> float:
        """National compute sold to firms, net of the power it draws: the government's share of the margin is
        public income; a sale below the power cost is price support (no free lunch): the partners' share is
        booked here, the government's share (returned, JPY tn) is a claim on the programmes line."""
        e = compute_market.jpy_tn_per_year(service.national_served_h100e, 1.0) / 4.0   # H100e-hours / 1e12, this quarter
        sales = e * service.national_price_jpy_per_h100e_hour
        c, share = self.inputs.costs, self.role.public_share
        perf = service.foreign_price_jpy_per_h100e_hour / (c.cloud_price_usd_per_gpu_hour * self.inputs.environment.jpy_per_usd)
        margin = sales - e * compute_market.power_jpy_per_h100e_hour(c, self.env.electricity_jpy_per_kwh, perf)
        if margin > 0:
            self.ledger.receive("compute_sales", margin * share)
        elif margin < 0:
            self.ledger.book("price_support", -margin * (1 - share), "private")
            return -margin * share
        return 0.0

    def _close_books(self) -> None:
        flows = self.firms.flows   # annual rates: access fees earn (price support: settle_programmes)
        self.ledger.receive("model_access", flows["model_access_jpy_tn"] / QUARTERS_PER_YEAR)
        rates = self.outcomes.update(self)
        self.last_abroad = self.ledger.abroad_this_quarter
        self.last_row = self.ledger.close_quarter(self.period, rates, self.firms.flows["spend_domestic_jpy_tn"],
                                                  self.inputs.policy.deficit_fiscal_share,
                                                  self.inputs.costs.finetune_share_of_domestic_spend)

    def _advance_clock(self) -> None:
        self.quarter_index += 1
        self.quarter = self.quarter % 4 + 1
        self.year += self.quarter == 1
        self.running = self.year <= self.inputs.run.end_year

    def run(self) -> None:
        """Run to the end of the horizon."""
        while self.running:
            self.step()


__all__ = ["SovereignAIModel", "AseanPartner", "CloudProvider", "DataHolder", "Firm", "Talent"]
