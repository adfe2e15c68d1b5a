"""Talent cohorts: stay, switch employer, leave the country or return; graduates enter each year.

The move rule (a brain-drain utility, after Gursoy & Badur and Biondo et al.): the gap G between the foreign
premium and the domestic pull (wage top-ups, demand for AI staff, compute per researcher, peers at home)
raises the hazard of leaving and lowers the hazard of returning. Peers travel along talent-talent ties.
"""

from __future__ import annotations

import numpy as np
from mesa.discrete_space import FixedAgent

from abm.exchange import InForce, NationalOffer, Staffing
from abm.graph_arrays import NeighbourMean, adjacency, agent_views, row_normalised
from abm.vocab import QUARTERS_PER_YEAR, STATUS_NAMES, Status

PENDING, HOME, ABROAD, RETIRED = Status.PENDING, Status.HOME, Status.ABROAD, Status.RETIRED
GOV_LAB, ACADEMIA, FOREIGN_EMPLOYER = -1, -2, -3


def utility_gap(foreign_premium, topup, demand_premium, compute_access, peer_pull, rules):
    """G > 0 favours abroad: log wage gap minus compute access, plus the pull of peers
    (``peer_pull`` = share of peers abroad - share of peers at home, in [-1, 1]); weights from ``rules``."""
    return (np.log1p(foreign_premium) - np.log1p(topup + demand_premium)
            - rules.talent_compute_access_weight * compute_access + rules.talent_peer_pull_weight * peer_pull)


def move_probabilities(gap, base_leave: float, base_return: float, sensitivity: float):
    """Quarterly probabilities (leave if at home, return if abroad) from the utility gap."""
    leave = 1.0 - np.exp(-base_leave / QUARTERS_PER_YEAR * np.exp(sensitivity * gap))
    back = 1.0 - np.exp(-base_return / QUARTERS_PER_YEAR * np.exp(-sensitivity * gap))
    return leave, back


def peer_value(status):
    """What a cohort adds to its peers' pull: +1 abroad, -1 at home, 0 pending or retired."""
    status = np.asarray(status)
    return (status == ABROAD).astype(float) - (status == HOME)


def sorted_lookup(cum, x):
    """``np.searchsorted(cum, x, side="right")``, the same result, ~1.5x faster for thousands of unsorted ``x``
    (sorted queries walk ``cum`` in order instead of mispredicting every branch of a fresh binary search)."""
    order = np.argsort(x)
    out = np.empty(len(x), dtype=np.intp)
    out[order] = np.searchsorted(cum, x[order], side="right")
    return out


class TalentPopulation:
    """Array state of all talent slots (initial stock plus future graduates)."""

    def __init__(self, model, graph, blocks):
        s, rng = model.inputs, model.rng_talent
        self.blocks = blocks
        n = self.n = blocks.n_talent
        self.cohort = s.population.ai_specialists_persons / s.population.talent  # persons per agent
        self.initial = s.population.talent
        self.per_year = int(round(s.population.graduates_per_year_share * self.initial))
        self.status = np.zeros(n, dtype=np.int8)
        abroad0 = rng.random(self.initial) < s.rules.talent_initial_abroad_share
        self.status[: self.initial] = np.where(abroad0, ABROAD, HOME)
        self.employer = np.full(n, ACADEMIA, dtype=np.int64)
        self.employer[self.status == ABROAD] = FOREIGN_EMPLOYER
        self.entered = self.initial
        self.demand_persons = 0.0     # AI specialists wanted this quarter: firms' demand + the lab's target
        # peers.mean: share of peers abroad - share at home, kept up to date as cohorts move
        self.peers = NeighbourMean(row_normalised(adjacency(graph, "peer", "talent", n)), peer_value(self.status))
        self.agents = agent_views(model, Talent, blocks.talent, range(self.initial))

    def counts(self) -> dict[str, int]:
        return {name: int((self.status == k).sum()) for k, name in enumerate(STATUS_NAMES)}

    def persons_at_home(self) -> float:
        """AI specialists (persons) in Japan now."""
        return self.counts()["home"] * self.cohort

    def _enter_graduates(self, model) -> None:
        first, k = self.entered, min(self.per_year, self.n - self.entered)
        self.status[first:first + k] = HOME
        self.employer[first:first + k] = ACADEMIA
        self.peers.set(np.arange(first, first + k), peer_value(HOME))
        self.entered += k
        self.agents += agent_views(model, Talent, self.blocks.talent, range(first, first + k))

    def step(self, model, in_force: InForce, offer: NationalOffer, firm_need) -> Staffing:
        """One quarter: graduates enter (Q1), cohorts leave, return or retire, then home talent is matched.

        ``firm_need``: AI staff (persons) each firm agent wants; returns where the employed now work."""
        s, rng, env = model.inputs, model.rng_talent, model.env
        b = s.behaviour
        if model.quarter == 1:
            self._enter_graduates(model)
        status = self.status[:self.entered]               # slots past `entered` are still pending: skipped
        home, abroad = status == HOME, status == ABROAD
        persons_home = home.sum() * self.cohort
        self.demand_persons = float(firm_need.sum() + offer.lab_headcount_target)
        demand_ratio = self.demand_persons / max(persons_home, 1.0)
        demand_premium = s.rules.talent_demand_premium_max * np.tanh(demand_ratio)
        topup = in_force.wage_topup_share
        access = np.log1p(offer.compute_h100e / max(persons_home, 1.0))
        premium = s.environment.foreign_wage_premium + env.shocks.poaching_premium
        active = np.flatnonzero(home | abroad)            # pending and retired slots neither move nor draw
        gap = utility_gap(premium, topup, demand_premium, access, self.peers.mean[active], s.rules)
        leave, back = move_probabilities(gap, b.talent_base_leave_rate_per_year, b.talent_return_rate_per_year,
                                         b.talent_leave_sensitivity)
        u = rng.random(len(active))
        r = rng.random(len(active))
        goes = active[home[active] & (u < leave)]
        returns = active[abroad[active] & (u < back)]
        retire = active[r < 1.0 - np.exp(-s.rules.talent_retire_rate_per_year / QUARTERS_PER_YEAR)]
        self.status[goes], self.employer[goes] = ABROAD, FOREIGN_EMPLOYER
        self.status[returns], self.employer[returns] = HOME, ACADEMIA
        self.status[retire] = RETIRED
        moved = np.zeros(self.entered, dtype=bool)
        moved[goes] = moved[returns] = moved[retire] = True
        moved = np.flatnonzero(moved)
        self.peers.set(moved, peer_value(self.status[moved]))
        returned = np.zeros(self.entered, dtype=bool)
        returned[returns] = True
        return self._match(rng, s.rules, firm_need, offer.lab_headcount_target, returned)

    def _match(self, rng, rules, firm_need, lab_target: float, returned) -> Staffing:
        """Home talent that returned, is new, or re-matches this quarter picks an employer by vacancies."""
        n_firms = len(firm_need)
        at_home = np.flatnonzero(self.status[:self.entered] == HOME)
        employer = self.employer[at_home]
        rematch = rng.random(len(at_home)) < rules.talent_rematch_per_quarter   # one draw per cohort at home
        moving = returned[at_home] | (employer == ACADEMIA) | rematch
        # a lab above its headcount target (budget cut, development -> running) lets the surplus go
        in_lab = np.flatnonzero((employer == GOV_LAB) & ~moving)
        surplus = int(len(in_lab) - lab_target // self.cohort) if lab_target >= 0 else 0
        if surplus > 0:
            moving[rng.choice(in_lab, surplus, replace=False)] = True
        staffed = np.bincount(employer[employer >= 0], minlength=n_firms) * self.cohort
        gov_staff = (employer == GOV_LAB).sum() * self.cohort
        if moving.any():
            weights = np.concatenate(([max(lab_target - gov_staff, 0.0),
                                       rules.talent_academia_vacancy_weight * len(at_home) * self.cohort],
                                      np.maximum(firm_need - staffed, 0.0)))
            cum = np.cumsum(weights)
            pick = sorted_lookup(cum, rng.random(int(moving.sum())) * cum[-1])
            old, new = employer[moving], np.where(pick < 2, GOV_LAB - pick, pick - 2)   # 0: lab, 1: academia
            self.employer[at_home[moving]] = new
            # staff counts move with the movers only (no second pass over everyone at home)
            staffed = staffed + (np.bincount(new[new >= 0], minlength=n_firms)
                                 - np.bincount(old[old >= 0], minlength=n_firms)) * self.cohort
            gov_staff += ((new == GOV_LAB).sum() - (old == GOV_LAB).sum()) * self.cohort
        return Staffing(firm_persons=staffed, lab_persons=float(gov_staff))


class Talent(FixedAgent):
    """A cohort of AI specialists; a view of its row. Created when the cohort enters the labour market."""

    def __init__(self, model, idx: int, cell):
        super().__init__(model)
        self.idx = idx
        self.cell = cell

    @property
    def status(self) -> str:
        return STATUS_NAMES[self.model.talent.status[self.idx]]

    @property
    def employer(self) -> str:
        e = int(self.model.talent.employer[self.idx])
        return {GOV_LAB: "government_lab", ACADEMIA: "academia", FOREIGN_EMPLOYER: "abroad"}.get(e, f"firm:{e}")
