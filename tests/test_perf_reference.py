"""The vectorised rules agree with straightforward per-agent reference loops of the same rules.

A small model is run quarter by quarter; in each quarter the firm adoption/choice rule, the data-sharing rule
and the talent move rule (with employer matching) run as usual, vectorised over arrays and sparse matrices,
while the random draws they take are recorded. The reference loops below then redo each rule one agent (or one
contract) at a time from the state before it, reading neighbours straight from the networkx graph (not from
the CSR matrices or edge arrays the populations built), consuming the same draws in the same order; the
outcomes must be identical (discrete state) or equal to rounding (continuous state).

Also: the array versions of networkx's generators used by :func:`abm.network.build_network` give exactly the
graphs networkx gives, and :func:`abm.graph_arrays.layer_pairs` gives the edges in ``G.edges`` order.

If you change a rule in ``FirmPopulation.step``, ``DataHolderPopulation.step`` or ``TalentPopulation.step``
(or the order of its draws), change its reference here in the same way.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from abm import graph_arrays, graph_generators, network
from abm.model import SovereignAIModel
from abm.scenario import load_scenario, validate
from agents import data_holder, firm, talent
from agents.firm import FOREIGN, NONE
from agents.talent import ABROAD, ACADEMIA, FOREIGN_EMPLOYER, GOV_LAB, HOME, RETIRED


class RecordingRng:
    """Stands in for a population's stream of ``model.rng`` during one rule: passes every call through and
    records the results."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.draws: list[tuple[str, np.ndarray]] = []

    def __getattr__(self, name):
        method = getattr(self.rng, name)

        def recorded(*args, **kwargs):
            out = method(*args, **kwargs)
            self.draws.append((name, np.array(out, copy=True)))
            return out
        return recorded


class Draws:
    """The recorded draws, taken back in order; each take names the generator method it expects."""

    def __init__(self, draws):
        self.draws = list(draws)

    def take(self, method: str) -> np.ndarray:
        name, values = self.draws.pop(0)
        assert name == method, f"the rule drew {name} where the reference expects {method}"
        return values


def neighbours(G: nx.Graph, node: int, layer: str, kind: str) -> list[int]:
    """Within-kind indices of ``node``'s neighbours on ``layer`` that are of ``kind`` (from the graph itself)."""
    return [G.nodes[v]["idx"] for v in G.neighbors(node)
            if G.edges[node, v]["layer"] == layer and G.nodes[v]["kind"] == kind]


# -- reference rules, one agent at a time ------------------------------------------------------------------

def reference_firms(model, before, draws: Draws):
    """FirmPopulation.step's adoption decision and source choice, firm by firm."""
    pop, G, blocks = model.firms, model.graph, model.blocks
    s, b, r = model.inputs, model.inputs.behaviour, model.inputs.rules
    q, price = before["q"], before["price"]
    source, since = before["source"].copy(), before["since_q"].copy()
    subsidy = s.policy.adoption_subsidy_rate * model.role.programme_scale
    cutoff = model.env.shocks.foreign_cutoff
    u_cut = draws.take("random") if cutoff > 0 else np.ones(pop.n)   # drawn only during a cut-off
    u = draws.take("random")                                        # one per firm: adopt or review
    gumbel = iter(draws.take("gumbel"))                             # one row per chooser, in firm order
    healthcare = network.SECTOR_NAMES.index("healthcare")
    rollout = b.public_rollout_per_year * model.government.public_health_models
    switch = 1.0 - math.exp(-b.source_switch_rate_per_year / 4.0)
    va = pop.va_jpy_tn
    for i in range(pop.n):
        available = [bool(u_cut[i] >= cutoff), True, model.government.sovereign_available]
        peers = neighbours(G, blocks.firms + i, "supply", "firm")
        total = sum(va[j] for j in peers)
        peer_share = sum(va[j] for j in peers if before["source"][j] != NONE) / total if peers else 0.0
        hub_share = sum(va[j] for j in peers if before["source"][j] != NONE and va[j] > va[i]) / total if peers else 0.0
        cost = pop.cost_years[i] * r.firm_adoption_cost_annuity_per_year * (1.0 - r.firm_hub_pull_cost_cut * hub_share)
        one_off = pop.cost_years[i] * (1.0 - r.firm_hub_pull_cost_cut * hub_share) * va[i] * model.env.ai_value_share
        share = min(subsidy, r.firm_adoption_subsidy_cap_jpy_m * 1e6 / 1e12 * pop.count_weight[i] / one_off)
        net = [q[i, k] - price[k] for k in range(3)]
        surplus = [net[k] - cost * (1.0 - share * (k > 0)) for k in range(3)]
        best = max(surplus[k] for k in range(3) if available[k])
        aware = (b.bass_innovation_per_year + b.bass_imitation_per_year * peer_share) * pop.maturity[i] \
            + r.firm_hub_requirement_per_year * hub_share
        hazard = aware / (1.0 + math.exp(-best / (r.firm_adoption_logit_scale * cost)))
        if pop.sector[i] == healthcare and max(net[k] for k in range(3) if available[k]) > 0:
            hazard += rollout
        current = before["source"][i]
        if current == NONE:
            chooses, value = u[i] < 1.0 - math.exp(-hazard / 4.0), surplus
        else:
            cut_off = current == FOREIGN and not available[0]
            chooses = u[i] < switch or cut_off
            value = [net[k] + (r.firm_source_inertia if k == current - 1 else 0.0) for k in range(3)]
        if chooses:
            noise = next(gumbel)
            scores = [value[k] / b.choice_temperature + noise[k] if available[k] else -math.inf for k in range(3)]
            source[i] = 1 + max(range(3), key=lambda k: scores[k])
            if current == NONE:
                since[i] = model.quarter_index
    return {"source": source, "since_q": since}


def reference_data_holders(model, before, draws: Draws):
    """DataHolderPopulation.step's contract acceptance and lapse, contract by contract; trust and shared data per
    agent."""
    pop, G, blocks, s = model.data_holders, model.graph, model.blocks, model.inputs
    source = model.firms.source   # the firms have not moved yet this quarter
    contracts_on = float(model.year >= s.policy.standard_data_contracts_year)
    privacy_on = float(model.year >= s.policy.privacy_framework_year)
    scale = model.role.data_platform_scale
    was_active = {(f, h): a for f, h, a in zip(pop.e_firm.tolist(), pop.e_holder.tolist(), before["active"])}
    pairs = list(zip(pop.e_firm.tolist(), pop.e_holder.tolist()))           # the populations' contract order
    requests = [(f, h) for f, h in pairs if source[f] != NONE and not was_active[(f, h)]]
    live = [(f, h) for f, h in pairs if was_active[(f, h)]]
    u = dict(zip(requests, draws.take("random")))      # acceptance: one draw per request, in contract order
    lapse = dict(zip(live, draws.take("random")))      # lapse: one draw per live contract, in contract order
    # the contracts themselves are read from the graph
    contracts = []
    for x, y, layer in G.edges(data="layer"):
        if layer == "data":
            f, h = (x, y) if G.nodes[x]["kind"] == "firm" else (y, x)
            contracts.append((G.nodes[f]["idx"], G.nodes[h]["idx"]))
    assert len(contracts) == len(pop.e_firm)
    active, carried = {}, {}
    for f, h in contracts:
        was = was_active[(f, h)]
        accepts = (source[f] != NONE and not was
                   and u[(f, h)] < data_holder.share_probability(before["trust"][h], contracts_on, scale, s.rules))
        lapses = was and lapse[(f, h)] < data_holder.lapse_probability(contracts_on, scale, s.rules)
        on = (was and not lapses) or accepts
        if source[f] == NONE:
            on = False
        active[(f, h)] = on
        carried[(f, h)] = float(data_holder.shareable_volume(pop.volume[h], pop.sensitivity[h], privacy_on,
                                                             float(source[f] >= 2))) if on else 0.0
    trust = before["trust"].copy()
    for h in range(pop.n):
        used = any(active[(f, h)] for f in neighbours(G, blocks.holders + h, "data", "firm"))
        trust[h] = min(max(trust[h] + s.behaviour.data_trust_gain_per_use * used, 0.0), 1.0)
    r = s.rules
    shared = np.array([sum(carried[(i, h)] for h in neighbours(G, blocks.firms + i, "data", "data_holder"))
                       * r.data_contract_volume_weight + r.data_public_platform_volume * contracts_on * scale
                       for i in range(model.firms.n)])
    return {"active": np.array([active[c] for c in zip(pop.e_firm.tolist(), pop.e_holder.tolist())]),
            "carried": np.array([carried[c] for c in zip(pop.e_firm.tolist(), pop.e_holder.tolist())]),
            "trust": trust, "shared_data": shared}


def reference_talent(model, before, draws: Draws):
    """TalentPopulation.step's moves (leave, return, retire) and employer matching, cohort by cohort."""
    pop, G, blocks, s = model.talent, model.graph, model.blocks, model.inputs
    b, gov, firms = s.behaviour, model.government, model.firms
    status, employer = before["status"].copy(), before["employer"].copy()
    old = before["status"]
    persons_home = sum(st == HOME for st in old) * pop.cohort
    staff_need = firms.staff_need(model)
    need = [staff_need[i] * (firms.source[i] >= 2) + s.rules.firm_foreign_api_staff_share * staff_need[i] * (firms.source[i] == 1)
            for i in range(firms.n)]
    demand_premium = s.rules.talent_demand_premium_max * math.tanh((sum(need) + gov.headcount_target) / max(persons_home, 1.0))
    topup = s.policy.talent_wage_topup_share * model.role.programme_scale
    access = math.log1p(gov.compute_in_service_h100e / max(persons_home, 1.0))
    premium = s.environment.foreign_wage_premium + model.env.shocks.poaching_premium
    active = [i for i in range(pop.n) if old[i] in (HOME, ABROAD)]   # only active cohorts draw
    u = dict(zip(active, draws.take("random")))
    r = dict(zip(active, draws.take("random")))
    retire_p = 1.0 - math.exp(-s.rules.talent_retire_rate_per_year / 4.0)
    returned = [False] * pop.n
    for i in active:
        peers = neighbours(G, blocks.talent + i, "peer", "talent")
        abroad = sum(old[j] == ABROAD for j in peers) / len(peers) if peers else 0.0
        home = sum(old[j] == HOME for j in peers) / len(peers) if peers else 0.0
        gap = float(talent.utility_gap(premium, topup, demand_premium, access, abroad - home, s.rules))
        leave, back = (float(x) for x in talent.move_probabilities(
            gap, b.talent_base_leave_rate_per_year, b.talent_return_rate_per_year, b.talent_leave_sensitivity))
        if old[i] == HOME and u[i] < leave:
            status[i], employer[i] = ABROAD, FOREIGN_EMPLOYER
        elif old[i] == ABROAD and u[i] < back:
            status[i], employer[i], returned[i] = HOME, ACADEMIA, True
        if old[i] in (HOME, ABROAD) and r[i] < retire_p:
            status[i] = RETIRED
    # matching: home cohorts that returned, are in academia, or re-match by chance pick an employer by vacancies
    home_now = [i for i in range(pop.n) if status[i] == HOME]
    rematch = dict(zip(home_now, draws.take("random")))        # one draw per cohort at home
    movers = [i for i in home_now if returned[i] or employer[i] == ACADEMIA or rematch[i] < s.rules.talent_rematch_per_quarter]
    # a lab above its headcount target lets the surplus go (a draw only when there is a surplus)
    in_lab = [k for k, i in enumerate(home_now) if employer[i] == GOV_LAB and i not in movers]
    surplus = len(in_lab) - int(gov.headcount_target // pop.cohort)
    if surplus > 0:
        released = {home_now[k] for k in draws.take("choice")}
        movers = [i for i in home_now if i in movers or i in released]
    if movers:
        at_home = [i for i in range(pop.n) if status[i] == HOME]
        gov_staff = sum(employer[i] == GOV_LAB for i in at_home) * pop.cohort
        staffed = [0.0] * firms.n
        for i in at_home:
            if employer[i] >= 0:
                staffed[employer[i]] += pop.cohort
        weights = ([max(gov.headcount_target - gov_staff, 0.0), s.rules.talent_academia_vacancy_weight * len(at_home) * pop.cohort]
                   + [max(need[j] - staffed[j], 0.0) for j in range(firms.n)])
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        picks = draws.take("random")
        chosen = {}
        for mover, x in zip(movers, picks):
            target = x * cum[-1]
            pick = next((j for j, c in enumerate(cum) if c > target), len(cum))
            chosen[mover] = GOV_LAB if pick == 0 else ACADEMIA if pick == 1 else pick - 2
        for mover, e in chosen.items():
            employer[mover] = e
    staff = np.zeros(firms.n)
    for i in range(pop.n):
        if status[i] == HOME and employer[i] >= 0:
            staff[employer[i]] += pop.cohort
    return {"status": status, "employer": employer, "staff": staff}


# -- harness ---------------------------------------------------------------------------------------------

def _snapshot(model, rule: str) -> dict:
    if rule == "firms":
        f = model.firms
        return {"source": f.source.copy(), "since_q": f.since_q.copy(), "q": f.qualities(model), "price": f.prices(model)}
    if rule == "data_holders":
        d = model.data_holders
        return {"active": d.active.copy(), "trust": d.trust.copy()}
    t = model.talent
    return {"status": t.status.copy(), "employer": t.employer.copy()}


def _after(model, rule: str, result) -> dict:
    """State after the rule, with what it returned (shared data per firm; the staffing)."""
    if rule == "firms":
        return {"source": model.firms.source.copy(), "since_q": model.firms.since_q.copy()}
    if rule == "data_holders":
        d = model.data_holders
        return {"active": d.active.copy(), "carried": d.carried.copy(), "trust": d.trust.copy(),
                "shared_data": result.per_firm.copy()}
    return {"status": model.talent.status.copy(), "employer": model.talent.employer.copy(),
            "staff": np.asarray(result.firm_persons, dtype=float).copy()}


REFERENCES = {"firms": reference_firms, "data_holders": reference_data_holders, "talent": reference_talent}
STREAMS = {"firms": "rng_firms", "data_holders": "rng_data_holders", "talent": "rng_talent"}


def run_compared(model, quarters: int) -> dict:
    """Step the model ``quarters`` times; in each, compare the three rules with their references."""
    checked = {rule: 0 for rule in REFERENCES}
    changed = {rule: 0 for rule in REFERENCES}

    def compare(rule: str, population):
        original = population.step

        def step(m, *inputs):
            if rule == "firms":  # the firms' step takes its inputs first; their qualities depend on them
                population.in_force, population.offer, shared, population.staff = inputs
                population.shared_data, population.corpus_share = shared.per_firm, shared.language_corpus_share
            before = _snapshot(m, rule)
            if rule == "talent" and m.quarter == 1:   # graduates enter first (no draws): let the rule do it
                population._enter_graduates(m)
                before = _snapshot(m, rule)
                population.__dict__["_enter_graduates"] = lambda _m: None
            stream = STREAMS[rule]                # each population draws from its own stream of the model's rng
            recorder = RecordingRng(getattr(m, stream))
            setattr(m, stream, recorder)
            try:
                result = original(m, *inputs)
            finally:
                setattr(m, stream, recorder.rng)
                population.__dict__.pop("_enter_graduates", None)
            got = _after(m, rule, result)
            draws = Draws(recorder.draws)
            want = REFERENCES[rule](m, before, draws)
            assert not draws.draws, f"{rule}: the rule took more draws than the reference"
            for key, value in want.items():
                if np.asarray(value).dtype.kind == "f":
                    np.testing.assert_allclose(got[key], value, rtol=1e-12, atol=1e-12, err_msg=f"{rule}.{key}")
                else:
                    np.testing.assert_array_equal(got[key], value, err_msg=f"{rule}.{key} q{m.quarter_index}")
            checked[rule] += 1
            first = next(iter(want))
            changed[rule] += int(np.any(np.asarray(got[first]) != np.asarray(before[first])))
            return result
        population.step = step

    compare("firms", model.firms)
    compare("data_holders", model.data_holders)
    compare("talent", model.talent)
    for _ in range(quarters):
        model.step()
    return {"checked": checked, "changed": changed}


SMALL = {"population__firms": 90, "population__talent": 120, "population__data_holders": 12}


def test_vectorised_rules_match_per_agent_reference():
    model = SovereignAIModel(rng=3, **SMALL)
    result = run_compared(model, quarters=32)   # 2026-2033: data contracts, release model, privacy framework
    assert result["checked"] == {"firms": 32, "data_holders": 32, "talent": 32}
    assert all(n >= 10 for n in result["changed"].values()), result   # the rules did change state


def test_reference_agrees_under_foreign_cutoff_and_poaching():
    data = load_scenario("gov-led").model_dump()
    data["population"].update(firms=70, talent=100, data_holders=8)
    data["run"]["end_year"] = 2031
    data["shocks"] = [{"kind": "foreign_service_cutoff", "start_year": 2027, "duration_quarters": 6, "severity": 0.6},
                      {"kind": "talent_poaching", "start_year": 2028, "duration_quarters": 4, "severity": 0.8}]
    model = SovereignAIModel(validate(data), rng=11)
    result = run_compared(model, quarters=20)
    assert result["checked"]["firms"] == 20


@pytest.mark.parametrize("n", [3, 4, 7, 14, 15, 16, 60, 1000, 6600])
@pytest.mark.parametrize("seed", [0, 5, 12345])
def test_array_generators_equal_networkx(n, seed):
    a, b = graph_generators.barabasi_albert_edges(n, 2, seed)
    assert list(zip(a.tolist(), b.tolist())) == list(nx.barabasi_albert_graph(n, 2, seed=seed).edges)
    for k in sorted({min(6, n - 1), 2}):
        for p in (0.1, 0.7):
            a, b = graph_generators.watts_strogatz_edges(n, k, p, seed)
            assert list(zip(a.tolist(), b.tolist())) == list(nx.watts_strogatz_graph(n, k, p, seed=seed).edges)


def test_layer_pairs_follow_graph_edge_order_and_survive_changes():
    model = SovereignAIModel(**SMALL)
    G = model.graph
    for layer, ka, kb in [("data", "firm", "data_holder"), ("subsidiary", "firm", "asean"),
                          ("supply", "firm", "firm"), ("peer", "talent", "talent"), ("funding", "government", "firm")]:
        want = []
        for u, v, d in G.edges(data="layer"):
            if d != layer:
                continue
            nu, nv = G.nodes[u], G.nodes[v]
            if (nu["kind"], nv["kind"]) == (ka, kb):
                want.append((nu["idx"], nv["idx"]))
            elif (nv["kind"], nu["kind"]) == (ka, kb):
                want.append((nv["idx"], nu["idx"]))
        a, b = graph_arrays.layer_pairs(G, layer, ka, kb)
        assert list(zip(a.tolist(), b.tolist())) == want, layer
    # a changed graph is read again, not served from the memo of the built one
    H = G.copy()
    H.remove_edge(*next((u, v) for u, v, d in H.edges(data="layer") if d == "data"))
    assert len(graph_arrays.layer_pairs(H, "data", "firm", "data_holder")[0]) == len(model.data_holders.e_firm) - 1
    G.add_edge(model.blocks.firms, model.blocks.holders + 1, layer="data")
    G.add_edge(model.blocks.firms + 1, model.blocks.holders + 2, layer="data")
    n_before = len(model.data_holders.e_firm)
    assert len(graph_arrays.layer_pairs(G, "data", "firm", "data_holder")[0]) >= n_before + 1


def test_edge_table_without_networkx_cache_uses_counts():
    model = SovereignAIModel(**SMALL)
    H = model.graph.copy()
    del H.__networkx_cache__          # as in networkx < 3.3
    first = graph_arrays.edge_table(H)
    assert graph_arrays.edge_table(H) is first   # remembered
    u, v = next((u, v) for u, v, d in H.edges(data="layer") if d == "supply")
    H.remove_edge(u, v)
    assert graph_arrays.edge_table(H) is not first
    assert len(graph_arrays.layer_pairs(H, "supply", "firm", "firm")[0]) == len(graph_arrays.layer_pairs(
        model.graph, "supply", "firm", "firm")[0]) - 1


# -- incrementally kept neighbour means ------------------------------------------------------------------

def test_neighbour_mean_follows_the_full_product_through_random_changes():
    rng = np.random.default_rng(7)
    G = nx.gnm_random_graph(400, 1500, seed=7)
    G.add_nodes_from(range(400, 410))                      # isolated rows and columns stay 0
    A = nx.to_scipy_sparse_array(G, nodelist=range(410), format="csr").astype(float)
    W = graph_arrays.row_normalised(A)
    x0 = rng.choice([-1.0, 0.0, 1.0], 410)
    nm = graph_arrays.NeighbourMean(W, x0)
    want = x0.copy()
    for _ in range(300):
        rows = rng.choice(410, size=rng.integers(0, 40), replace=False)
        values = rng.choice([-1.0, 0.0, 1.0, 0.25], len(rows))   # some rows do not change
        nm.set(rows, values)
        want[rows] = values
    np.testing.assert_array_equal(nm.x, want)
    np.testing.assert_allclose(nm.mean, W @ want, rtol=0, atol=1e-12)
    nm.set(np.arange(5), 1.0)                               # a scalar value broadcasts
    want[:5] = 1.0
    np.testing.assert_allclose(nm.mean, W @ want, rtol=0, atol=1e-12)


def test_populations_keep_their_neighbour_means_in_step_with_their_state():
    data = load_scenario("gov-led").model_dump()
    data["population"].update(firms=300, talent=400, data_holders=30)
    data["shocks"] = [{"kind": "foreign_service_cutoff", "start_year": 2027, "duration_quarters": 6, "severity": 0.6}]
    model = SovereignAIModel(validate(data), rng=5)
    for _ in range(40):
        model.step()
    t, f = model.talent, model.firms
    assert t.entered > data["population"]["talent"] and (t.status == RETIRED).any()   # every kind of change
    np.testing.assert_allclose(t.peers.mean, t.peers.W @ talent.peer_value(t.status), rtol=0, atol=1e-12)
    np.testing.assert_allclose(f.peers.mean, f.peers.W @ (f.source != NONE), rtol=0, atol=1e-12)


def test_sorted_lookup_is_searchsorted():
    rng = np.random.default_rng(3)
    w = rng.random(500) * (rng.random(500) < 0.5)           # many empty bins
    cum = np.cumsum(w)
    x = np.r_[rng.random(2000) * cum[-1], cum[::7], 0.0, cum[-1]]   # values on bin edges too
    rng.shuffle(x)
    np.testing.assert_array_equal(talent.sorted_lookup(cum, x), np.searchsorted(cum, x, side="right"))
