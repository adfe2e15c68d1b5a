"""The ecosystem network: a pure function of the scenario and a random generator.

Node ids are consecutive integers in blocks: government (0), firms, data holders, ASEAN partners, talent
(including the slots of graduates who enter later). Every node has ``kind`` and ``idx`` (its index within its
kind); firms also have ``sector``. Every edge has ``layer``: supply (firm-firm, keiretsu-like clusters),
data (firm-data holder: potential contracts), peer (talent-talent), funding (government-firm/holder/partner),
subsidiary (firm-ASEAN partner).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

import networkx as nx
import numpy as np
import scipy.sparse as sp

from abm.schema import Scenario


def load_table(name: str) -> dict:
    """Read a TOML table shipped in ``abm/data``."""
    return tomllib.loads(resources.files("abm.data").joinpath(name).read_text(encoding="utf-8"))


SECTORS = load_table("sectors.toml")["sectors"]
SECTOR_NAMES = list(SECTORS)


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

    @classmethod
    def of(cls, s: Scenario) -> Blocks:
        p = s.population
        f0 = 1
        h0 = f0 + p.firms
        a0 = h0 + p.data_holders
        t0 = a0 + p.asean_partners
        return cls(f0, h0, a0, t0, talent_slots(s))


def build_network(scenario: Scenario, rng: np.random.Generator) -> nx.Graph:
    """Build the layered ecosystem graph. Same scenario + same generator state -> same graph."""
    p = scenario.population
    b = Blocks.of(scenario)
    G = nx.Graph()
    G.add_node(0, kind="government", idx=0)
    sectors = assign_sectors(p.firms)
    G.add_nodes_from((b.firms + i, {"kind": "firm", "idx": i, "sector": SECTOR_NAMES[sectors[i]]}) for i in range(p.firms))
    G.add_nodes_from((b.holders + i, {"kind": "data_holder", "idx": i}) for i in range(p.data_holders))
    G.add_nodes_from((b.asean + i, {"kind": "asean", "idx": i}) for i in range(p.asean_partners))
    G.add_nodes_from((b.talent + i, {"kind": "talent", "idx": i}) for i in range(b.n_talent))

    # supply chains: preferential attachment inside each sector (hubs = large OEMs), sparse links across
    for k in range(len(SECTOR_NAMES)):
        members = np.flatnonzero(sectors == k)
        if len(members) < 3:
            G.add_edges_from(((b.firms + members[i], b.firms + members[i + 1]) for i in range(len(members) - 1)),
                             layer="supply")
            continue
        sub = nx.barabasi_albert_graph(len(members), 2, seed=int(rng.integers(2**31)))
        G.add_edges_from(((b.firms + members[u], b.firms + members[v]) for u, v in sub.edges), layer="supply")
    n_cross = p.firms // 5
    u, v = rng.integers(0, p.firms, n_cross), rng.integers(0, p.firms, n_cross)
    G.add_edges_from(((b.firms + x, b.firms + y) for x, y in zip(u, v) if x != y), layer="supply")

    # potential data contracts: each firm knows 3 holders
    holders = rng.integers(0, p.data_holders, (p.firms, 3))
    G.add_edges_from(((b.firms + i, b.holders + h) for i in range(p.firms) for h in set(holders[i])), layer="data")

    # talent peer ties: small world over all slots (future graduates already have their ties)
    ws = nx.watts_strogatz_graph(b.n_talent, min(6, b.n_talent - 1), 0.1, seed=int(rng.integers(2**31)))
    G.add_edges_from(((b.talent + x, b.talent + y) for x, y in ws.edges), layer="peer")

    # funding and subsidiaries
    G.add_edges_from(((0, b.firms + i) for i in range(p.firms)), layer="funding")
    G.add_edges_from(((0, b.holders + i) for i in range(p.data_holders)), layer="funding")
    G.add_edges_from(((0, b.asean + i) for i in range(p.asean_partners)), layer="funding")
    exporters = np.flatnonzero(np.isin(sectors, [SECTOR_NAMES.index(k) for k in ("auto", "manufacturing", "retail_wholesale")]))
    for i in exporters[rng.random(len(exporters)) < 0.15]:
        G.add_edge(b.firms + i, b.asean + int(rng.integers(p.asean_partners)), layer="subsidiary")
    return G


def layer_pairs(G: nx.Graph, layer: str, kind_a: str, kind_b: str) -> tuple[np.ndarray, np.ndarray]:
    """``(idx_a, idx_b)`` arrays of the edges of ``layer`` between kinds a and b (each edge once)."""
    a, bb = [], []
    kinds = G.nodes
    for u, v, d in G.edges(data=True):
        if d.get("layer") != layer:
            continue
        ku, kv = kinds[u]["kind"], kinds[v]["kind"]
        if (ku, kv) == (kind_a, kind_b):
            a.append(kinds[u]["idx"])
            bb.append(kinds[v]["idx"])
        elif (kv, ku) == (kind_a, kind_b):
            a.append(kinds[v]["idx"])
            bb.append(kinds[u]["idx"])
    return np.asarray(a, dtype=np.int64), np.asarray(bb, dtype=np.int64)


def adjacency(G: nx.Graph, layer: str, kind: str, n: int) -> sp.csr_matrix:
    """Symmetric CSR adjacency among nodes of one kind on one layer, built once."""
    a, b = layer_pairs(G, layer, kind, kind)
    data = np.ones(2 * len(a))
    return sp.csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def row_normalised(A: sp.csr_matrix) -> sp.csr_matrix:
    """Rows sum to 1 (isolated rows stay 0), so ``W @ x`` is the neighbours' mean of x."""
    deg = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    return sp.diags(inv) @ A
