"""The ecosystem network: a pure function of the scenario and a random generator.

Node ids are consecutive integers in blocks: government (0), firms, data holders, ASEAN partners, talent
(including the slots of graduates who enter later). Every node has ``kind`` and ``idx`` (its index within its
kind); firms also have ``sector``. Every edge has ``layer``: supply (firm-firm, keiretsu-like clusters),
data (firm-data holder: potential contracts), peer (talent-talent), funding (government-firm/holder/partner),
subsidiary (firm-ASEAN partner).
"""

from __future__ import annotations

import gc
import itertools
import random
import tomllib
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

import networkx as nx
import numpy as np
import scipy.sparse as sp
from mesa.discrete_space import Network

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
    """Build the layered ecosystem graph. Same scenario + same generator state -> same graph.

    The edges of each layer are generated as integer arrays and inserted in one ``add_edges_from`` per layer
    (endpoints as Python ints); the arrays are also kept in :func:`edge_table`'s memo, so
    :func:`layer_pairs` and :func:`adjacency` never iterate the graph's edges.
    """
    p = scenario.population
    b = Blocks.of(scenario)
    with gc_paused():
        G = nx.Graph()
        G.add_node(0, kind="government", idx=0)
        kinds = (("firm", b.firms, p.firms), ("data_holder", b.holders, p.data_holders),
                 ("asean", b.asean, p.asean_partners), ("talent", b.talent, b.n_talent))
        for kind, start, count in kinds:
            G.add_nodes_from(range(start, start + count), kind=kind)
        nodes = G.nodes(data=True)
        idx = itertools.chain.from_iterable(range(count) for _, _, count in kinds)
        for (_, attrs), i in zip(itertools.islice(nodes, 1, None), idx):
            attrs["idx"] = i
        sectors = assign_sectors(p.firms)
        names = [SECTOR_NAMES[k] for k in sectors.tolist()]
        for (_, attrs), name in zip(itertools.islice(nodes, b.firms, b.firms + p.firms), names):
            attrs["sector"] = name

        # supply chains: preferential attachment inside each sector (hubs = large OEMs), sparse links across
        su, sv = [], []
        for k in range(len(SECTOR_NAMES)):
            members = np.flatnonzero(sectors == k)
            if len(members) < 3:
                su.append(members[:-1])
                sv.append(members[1:])
                continue
            a, c = barabasi_albert_edges(len(members), 2, int(rng.integers(2**31)))
            su.append(members[a])
            sv.append(members[c])
        n_cross = p.firms // 5
        u, v = rng.integers(0, p.firms, n_cross), rng.integers(0, p.firms, n_cross)
        su.append(u[u != v])
        sv.append(v[u != v])
        supply = _dedup(b.firms + np.concatenate(su), b.firms + np.concatenate(sv))

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

        layers = {"supply": supply, "data": (data_u, data_v), "peer": peer, "funding": funding,
                  "subsidiary": subsidiary}
        for name, (a, c) in layers.items():
            G.add_edges_from(zip(a.tolist(), c.tolist()), layer=name)
    kind = np.empty(G.number_of_nodes(), dtype=np.int8)
    idx = np.empty(G.number_of_nodes(), dtype=np.int64)
    for name, start, count in (("government", 0, 1), *kinds):
        kind[start:start + count] = KIND_CODES[name]
        idx[start:start + count] = np.arange(count)
    _remember(G, EdgeTable(kind, idx, {name: _edges_order(a, c) for name, (a, c) in layers.items()}))
    return G


# -- the two networkx generators, as edge arrays ------------------------------------------------------------
# Same algorithm, same random.Random(seed) stream and same edge order as nx.barabasi_albert_graph(n, m, seed)
# and nx.watts_strogatz_graph(n, k, p, seed) (`.edges` of the graph they return), without building the
# intermediate nx.Graph (half of the graph-building time at 50,000 firms). tests/test_perf_reference.py
# checks both against networkx.

def _ordered_edges(adj: list) -> tuple[np.ndarray, np.ndarray]:
    """``(u, v)`` arrays in ``nx.Graph.edges`` order for adjacency in insertion order (nodes 0..n-1)."""
    pairs = [(u, v) for u, nbrs in enumerate(adj) for v in nbrs if v > u]
    e = np.fromiter(itertools.chain.from_iterable(pairs), dtype=np.int64, count=2 * len(pairs))
    return e[0::2], e[1::2]


def barabasi_albert_edges(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The edges of ``nx.barabasi_albert_graph(n, m, seed=seed)`` (star of m + 1 nodes, then attachment)."""
    if m < 1 or m >= n:
        raise ValueError(f"Barabasi-Albert network must have m >= 1 and m < n, m = {m}, n = {n}")
    rnd = random.Random(seed)
    adj: list[list[int]] = [[] for _ in range(n)]
    adj[0] = list(range(1, m + 1))
    for i in range(1, m + 1):
        adj[i].append(0)
    repeated = [0] * m + list(range(1, m + 1))
    for source in range(m + 1, n):
        targets: set[int] = set()
        while len(targets) < m:
            targets.add(rnd.choice(repeated))
        for t in targets:
            adj[source].append(t)
            adj[t].append(source)
        repeated.extend(targets)
        repeated.extend([source] * m)
    return _ordered_edges(adj)


def watts_strogatz_edges(n: int, k: int, p: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The edges of ``nx.watts_strogatz_graph(n, k, p, seed=seed)``: a ring lattice, each edge rewired with
    probability p to a uniform node (no self-loops or multi-edges)."""
    if k > n:
        raise ValueError("k>n, choose smaller k or larger n")
    if k == n:
        return _ordered_edges([[v for v in range(n) if v != u] for u in range(n)])
    rnd = random.Random(seed)
    nodes = list(range(n))
    adj: list[dict[int, None]] = [{} for _ in range(n)]
    for j in range(1, k // 2 + 1):
        for u, v in zip(nodes, nodes[j:] + nodes[:j]):
            adj[u][v] = None
            adj[v][u] = None
    for j in range(1, k // 2 + 1):
        for u, v in zip(nodes, nodes[j:] + nodes[:j]):
            if rnd.random() < p:
                w = rnd.choice(nodes)
                while w == u or w in adj[u]:
                    w = rnd.choice(nodes)
                    if len(adj[u]) >= n - 1:
                        break  # skip this rewiring
                else:
                    del adj[u][v]
                    del adj[v][u]
                    adj[u][w] = None
                    adj[w][u] = None
    return _ordered_edges(adj)


# -- edge arrays per layer, computed once per graph ------------------------------------------------------

KIND_CODES = {"government": 0, "firm": 1, "data_holder": 2, "asean": 3, "talent": 4}


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while many container objects are created (restored on exit).

    Building a graph, its Mesa cells and agents allocates millions of dicts; the collector's full passes over
    that growing heap cost ~30% of construction at 50,000 firms and nothing is collectable meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class EdgeTable:
    """Node kind codes and within-kind indices by node position, and per layer the ``(u, v)`` node positions
    of its edges in ``G.edges`` order (``u`` the endpoint ``G.edges`` yields first)."""

    kind: np.ndarray
    idx: np.ndarray
    layers: dict


_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _dedup(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated undirected edges, keeping each one's first occurrence (as ``add_edges_from`` does)."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    _, first = np.unique(lo * (int(hi.max(initial=0)) + 1) + hi, return_index=True)
    first.sort()
    return u[first], v[first]


def _edges_order(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique edges in insertion order -> the order and orientation ``G.edges`` yields them in, for a graph
    whose nodes were added in ascending id order and whose edges of this layer were inserted in this order:
    by the smaller endpoint, ties kept in insertion order (a node's neighbours are in first-insertion order)."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.argsort(lo, kind="stable")
    return lo[order], hi[order]


_TOKEN_KEY = "sovai.edge_table"


def _remember(G: nx.Graph, table: EdgeTable) -> None:
    """Keep ``table`` for ``G`` until G is changed: networkx clears ``G.__networkx_cache__`` on every change made
    through its API (add/remove nodes or edges, update, clear), which drops the token kept there. Without that
    cache (networkx < 3.3) the node and edge counts are compared instead (an O(nodes) count per look-up)."""
    cache = getattr(G, "__networkx_cache__", None)
    if isinstance(cache, dict):
        token = cache[_TOKEN_KEY] = object()
        _TABLES[G] = (token, len(G), None, table)
    else:
        _TABLES[G] = (None, len(G), G.number_of_edges(), table)


def edge_table(G: nx.Graph) -> EdgeTable:
    """The graph's :class:`EdgeTable`: remembered from :func:`build_network`, else read in one pass (and kept).

    A remembered table is used only while the graph is unchanged (see :func:`_remember`); edge or node
    attributes edited in place are not noticed: to change layers or kinds, build a new graph."""
    hit = _TABLES.get(G)
    if hit is not None:
        token, n_nodes, n_edges, table = hit
        if len(G) == n_nodes:
            if token is not None and getattr(G, "__networkx_cache__", {}).get(_TOKEN_KEY) is token:
                return table
            if token is None and G.number_of_edges() == n_edges:
                return table
    pos = {node: i for i, node in enumerate(G)}
    kind = np.fromiter((KIND_CODES.get(k, -1) for _, k in G.nodes(data="kind")), dtype=np.int8, count=len(pos))
    idx = np.fromiter((-1 if i is None else i for _, i in G.nodes(data="idx")), dtype=np.int64, count=len(pos))
    by_layer: dict[str, tuple[list, list]] = {}
    for u, v, layer in G.edges(data="layer"):
        a, c = by_layer.setdefault(layer, ([], []))
        a.append(pos[u])
        c.append(pos[v])
    table = EdgeTable(kind, idx, {k: (np.asarray(a, dtype=np.int64), np.asarray(c, dtype=np.int64))
                                  for k, (a, c) in by_layer.items()})
    _remember(G, table)
    return table


def layer_pairs(G: nx.Graph, layer: str, kind_a: str, kind_b: str) -> tuple[np.ndarray, np.ndarray]:
    """``(idx_a, idx_b)`` arrays of the edges of ``layer`` between kinds a and b (each edge once, in
    ``G.edges`` order)."""
    t = edge_table(G)
    empty = np.zeros(0, dtype=np.int64)
    u, v = t.layers.get(layer, (empty, empty))
    ku, kv = t.kind[u], t.kind[v]
    ca, cb = KIND_CODES.get(kind_a, -2), KIND_CODES.get(kind_b, -2)
    forward = (ku == ca) & (kv == cb)
    keep = forward | ((kv == ca) & (ku == cb))
    a = np.where(forward, t.idx[u], t.idx[v])[keep]
    bb = np.where(forward, t.idx[v], t.idx[u])[keep]
    return a.astype(np.int64), bb.astype(np.int64)


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


class EcosystemSpace(Network):
    """Mesa's :class:`~mesa.discrete_space.Network` over the ecosystem graph (no layout), built faster:
    cells are created with the collector paused and each cell's connections are set in one pass from the
    graph's adjacency instead of one ``Cell.connect`` (which clears Mesa's neighbourhood caches) per edge end.
    The result is the same space: same cells, same connections keyed by node id, in the graph's order."""

    def __init__(self, G: nx.Graph, random=None, capacity: int | None = None):
        with gc_paused():
            super().__init__(G, capacity=capacity, random=random, layout=None)

    def _connect_cells(self) -> None:
        cells = self._cells
        for node, nbrs in self.G.adjacency():
            cells[node].connections = {other: cells[other] for other in nbrs}
        if cells:
            next(iter(cells.values()))._clear_cache()   # what Cell.connect did (the caches are shared)
