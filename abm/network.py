"""The ecosystem network: a pure function of the scenario and a random generator.

Node ids are consecutive integers in blocks: government (0), firms, data holders, ASEAN partners, talent
(including the slots of graduates who enter later), domestic cloud providers (``cloud_providers.toml``). Every node has ``kind`` and ``idx`` (its index within its
kind); firms also have ``sector``. Every edge has ``layer``: supply (firm-firm, keiretsu-like clusters),
data (firm-data holder: potential contracts), peer (talent-talent), funding (government-firm/holder/partner),
subsidiary (firm-ASEAN partner), cloud (government-cloud provider: government-cloud contracts).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx
import numpy as np

from abm.graph_arrays import (KIND_CODES, EdgeTable, _dedup, _edges_order, _remember, add_kind_nodes, add_layer_edges,
                              gc_paused)
from abm.graph_generators import barabasi_albert_edges, watts_strogatz_edges
from abm.schema import Scenario
from abm.vocab import load_table

SECTORS = load_table("sectors.toml")["sectors"]
SECTOR_NAMES = list(SECTORS)
CLOUD_PROVIDERS = load_table("cloud_providers.toml")["providers"]


def talent_slots(s: Scenario) -> int:
    """Talent nodes needed: the initial stock plus every graduate cohort of the horizon."""
    years = s.run.end_year - s.run.start_year + 1
    return s.population.talent + int(round(s.population.graduates_per_year_share * s.population.talent)) * years


MIN_SECTOR_SAMPLE_SHARE = 0.03  # small sectors are over-sampled (and down-weighted) so their dynamics are not noise


def sampling_shares() -> np.ndarray:
    """Share of firm agents per sector: firm_share, but at least MIN_SECTOR_SAMPLE_SHARE, renormalised."""
    shares = np.maximum([SECTORS[k]["firm_share"] for k in SECTOR_NAMES], MIN_SECTOR_SAMPLE_SHARE)
    return shares / shares.sum()


def assign_sectors(n: int) -> np.ndarray:
    """Sector index per firm: counts proportional to the sampling shares (largest remainder), in sector order."""
    shares = sampling_shares()
    raw = shares / shares.sum() * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(raw - counts)[::-1][: n - counts.sum()]] += 1
    return np.repeat(np.arange(len(SECTOR_NAMES)), counts)


@dataclass(frozen=True)
class Blocks:
    """Where each kind's nodes start in the node numbering."""

    firms: int
    holders: int
    asean: int
    talent: int
    n_talent: int
    providers: int
    n_providers: int

    @classmethod
    def of(cls, s: Scenario) -> Blocks:
        p = s.population
        f0 = 1
        h0 = f0 + p.firms
        a0 = h0 + p.data_holders
        t0 = a0 + p.asean_partners
        n_talent = talent_slots(s)
        return cls(f0, h0, a0, t0, n_talent, t0 + n_talent, len(CLOUD_PROVIDERS))


def supply_edges(kind: str, sectors: np.ndarray, rng: np.random.Generator, offset: int):
    """Firm-firm supply edges (node ids from ``offset``), deduplicated, for ``population.supply_network``:

    - ``keiretsu``: preferential attachment inside each sector (hubs: the large OEMs, see
      ``agents.firm.hub_sized``), plus n/5 random links across sectors;
    - ``random``: as many links (2 per firm + n/5) between uniformly drawn pairs of firms;
    - ``ring``: each firm linked to the next two in sector order (a ring lattice: long chains, no hubs).

    The edges come from a child generator seeded by one draw of ``rng``, so the draws after the network are
    the same whatever ``kind`` (paired comparisons of topologies keep common random numbers).
    """
    n = len(sectors)
    rng = np.random.default_rng(int(rng.integers(2**63)))   # one draw: later draws do not depend on ``kind``
    su, sv = [], []
    if kind == "keiretsu":
        for k in range(len(SECTOR_NAMES)):
            members = np.flatnonzero(sectors == k)
            if len(members) < 3:
                su.append(members[:-1])
                sv.append(members[1:])
                continue
            a, c = barabasi_albert_edges(len(members), 2, int(rng.integers(2**31)))
            su.append(members[a])
            sv.append(members[c])
        n_cross = n // 5
    elif kind == "ring":
        idx = np.arange(n)
        for step in (1, 2):
            su.append(idx)
            sv.append((idx + step) % n)
        n_cross = 0
    else:   # random
        n_cross = 2 * n + n // 5
    u, v = rng.integers(0, n, n_cross), rng.integers(0, n, n_cross)
    su.append(u[u != v])
    sv.append(v[u != v])
    return _dedup(offset + np.concatenate(su), offset + np.concatenate(sv))


def network_edges(scenario: Scenario, rng: np.random.Generator) -> EdgeTable:
    """The ecosystem's nodes and edges as arrays (:class:`~abm.graph_arrays.EdgeTable`): what the populations
    read. Same scenario + same generator state -> same table, and the generator left in the same state."""
    with gc_paused():   # the generators allocate many small containers, none of them garbage
        return _network_edges(scenario, rng)


def _network_edges(scenario: Scenario, rng: np.random.Generator) -> EdgeTable:
    p = scenario.population
    b = Blocks.of(scenario)
    sectors = assign_sectors(p.firms)
    supply = supply_edges(p.supply_network, sectors, rng, b.firms)

    # potential data contracts: each firm knows 3 holders (a firm's holders in the order of set(holders[i]))
    holders = rng.integers(0, p.data_holders, (p.firms, 3))
    known = [list(set(row)) for row in holders.tolist()]
    data_u = np.repeat(np.arange(b.firms, b.firms + p.firms), [len(h) for h in known])
    data_v = b.holders + np.fromiter(itertools.chain.from_iterable(known), dtype=np.int64, count=len(data_u))

    # talent peer ties: small world over all slots (future graduates already have their ties)
    a, c = watts_strogatz_edges(b.n_talent, min(6, b.n_talent - 1), 0.1, int(rng.integers(2**31)))
    peer = (b.talent + a, b.talent + c)

    # funding and subsidiaries
    fund_v = np.r_[np.arange(b.firms, b.firms + p.firms), np.arange(b.holders, b.holders + p.data_holders),
                   np.arange(b.asean, b.asean + p.asean_partners)]
    funding = (np.zeros(len(fund_v), dtype=np.int64), fund_v)
    exporters = np.flatnonzero(np.isin(sectors, [SECTOR_NAMES.index(k) for k in ("auto", "manufacturing", "retail_wholesale")]))
    chosen = exporters[rng.random(len(exporters)) < 0.15]
    partner = [int(rng.integers(p.asean_partners)) for _ in chosen]   # one draw each, as always
    subsidiary = (b.firms + chosen, b.asean + np.asarray(partner, dtype=np.int64))

    # government-cloud contracts: the government buys from every domestic provider (daiwa: ISMAP-listed CSPs)
    cloud = (np.zeros(b.n_providers, dtype=np.int64), np.arange(b.providers, b.providers + b.n_providers))
    layers = {"supply": supply, "data": (data_u, data_v), "peer": peer, "funding": funding,
              "subsidiary": subsidiary, "cloud": cloud}
    n = b.providers + b.n_providers
    kind, idx = np.empty(n, dtype=np.int8), np.empty(n, dtype=np.int64)
    for name, start, count in _kinds(scenario, b):
        kind[start:start + count] = KIND_CODES[name]
        idx[start:start + count] = np.arange(count)
    return EdgeTable(kind, idx, {name: _edges_order(u, v) for name, (u, v) in layers.items()}, layers, sectors)


def _kinds(scenario: Scenario, b: Blocks) -> tuple:
    """(kind, first node, count) of every block, in node order."""
    p = scenario.population
    return (("government", 0, 1), ("firm", b.firms, p.firms), ("data_holder", b.holders, p.data_holders),
            ("asean", b.asean, p.asean_partners), ("talent", b.talent, b.n_talent),
            ("cloud_provider", b.providers, b.n_providers))


def graph_of(scenario: Scenario, table: EdgeTable) -> nx.Graph:
    """The networkx graph of a table (for Mesa's space, the dashboard's drawing and users), remembered with it:
    nodes with ``kind``, ``idx`` (and firms' ``sector``), edges with ``layer``, inserted layer by layer
    (:func:`~abm.graph_arrays.add_layer_edges`: what ``add_edges_from`` would build, faster)."""
    b = Blocks.of(scenario)
    with gc_paused():
        G = nx.Graph()
        for kind, _, count in _kinds(scenario, b):   # node ids are consecutive: each block starts at len(G)
            add_kind_nodes(G, count, kind)
        nodes = G.nodes(data=True)
        names = [SECTOR_NAMES[k] for k in table.sectors.tolist()]
        for (_, attrs), name in zip(itertools.islice(nodes, b.firms, b.firms + len(names)), names):
            attrs["sector"] = name
        for name, (a, c) in table.inserted.items():
            add_layer_edges(G, a, c, name)
    _remember(G, table)
    return G


def build_network(scenario: Scenario, rng: np.random.Generator) -> nx.Graph:
    """Build the layered ecosystem graph (:func:`network_edges`, then :func:`graph_of`). Same scenario + same
    generator state -> same graph. Its table is remembered (:func:`~abm.graph_arrays.edge_table`), so
    :func:`layer_pairs` and :func:`adjacency` never iterate the graph's edges."""
    return graph_of(scenario, network_edges(scenario, rng))
