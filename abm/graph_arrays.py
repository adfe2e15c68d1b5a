"""Array machinery behind :mod:`abm.network`: networkx's generators as edge arrays, per-layer edge tables
remembered per graph (so nothing iterates a graph's edges twice), sparse adjacency, and Mesa's network space
built in one pass. Nothing here knows about sectors or scenarios.
"""

from __future__ import annotations

import gc
import weakref
from contextlib import contextmanager
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
from mesa.discrete_space import Network


# -- filling an nx.Graph whose nodes are 0..n-1, without networkx's per-item checks -------------------------
# The same dicts in the same insertion order as add_nodes_from / add_edges_from (so iteration over nodes,
# neighbours and edges is unchanged), at ~1/3 of the time: the endpoints are known to exist.

def add_kind_nodes(G: nx.Graph, count: int, kind: str) -> None:
    """``G.add_nodes_from(range(len(G), len(G) + count), kind=kind)``, then each node's ``idx`` = 0..count-1.
    G's nodes must be 0..len(G)-1 (as :func:`abm.network.build_network` adds them)."""
    node, adj, start = G._node, G._adj, len(G)
    if start and (start - 1 not in node or start in node):
        raise ValueError("add_kind_nodes: the graph's nodes must be 0..n-1")
    node.update((start + i, {"kind": kind, "idx": i}) for i in range(count))
    adj.update((start + i, {}) for i in range(count))
    nx._clear_cache(G)


def add_layer_edges(G: nx.Graph, u: np.ndarray, v: np.ndarray, layer: str) -> None:
    """``G.add_edges_from(zip(u, v), layer=layer)`` for endpoints in 0..len(G)-1 (nodes 0..n-1, all present)."""
    if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= len(G)):
        raise ValueError(f"add_layer_edges: an endpoint of layer {layer} is not a node")
    adj = G._adj
    for a, b in zip(u.tolist(), v.tolist()):
        d = adj[a].get(b)
        if d is None:
            d = {"layer": layer}
        else:
            d["layer"] = layer
        adj[a][b] = d
        adj[b][a] = d
    nx._clear_cache(G)


# -- edge arrays per layer, computed once per graph ------------------------------------------------------

KIND_CODES = {"government": 0, "firm": 1, "data_holder": 2, "asean": 3, "talent": 4, "cloud_provider": 5}


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
    of its edges in ``G.edges`` order (``u`` the endpoint ``G.edges`` yields first). Built from arrays
    (:func:`abm.network.network_edges`) it also has each layer's edges as inserted and the firms' sectors,
    from which :func:`abm.network.graph_of` fills the graph."""

    kind: np.ndarray
    idx: np.ndarray
    layers: dict
    inserted: dict | None = None
    sectors: np.ndarray | None = None


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


def unchanged(G: nx.Graph) -> bool:
    """True if ``G`` has a remembered table and has not been changed through networkx's API since."""
    hit = _TABLES.get(G)
    if hit is None:
        return False
    token, n_nodes, n_edges, _ = hit
    if len(G) != n_nodes:
        return False
    if token is not None:
        return getattr(G, "__networkx_cache__", {}).get(_TOKEN_KEY) is token
    return G.number_of_edges() == n_edges


def edge_table(G: nx.Graph) -> EdgeTable:
    """The graph's :class:`EdgeTable`: remembered from :func:`build_network`, else read in one pass (and kept).

    A remembered table is used only while the graph is unchanged (see :func:`_remember`); edge or node
    attributes edited in place are not noticed: to change layers or kinds, build a new graph."""
    if unchanged(G):
        return _TABLES[G][3]
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


def layer_pairs(G: nx.Graph | EdgeTable, layer: str, kind_a: str, kind_b: str) -> tuple[np.ndarray, np.ndarray]:
    """``(idx_a, idx_b)`` arrays of the edges of ``layer`` between kinds a and b (each edge once, in
    ``G.edges`` order), from a graph or its table."""
    t = G if isinstance(G, EdgeTable) else edge_table(G)
    empty = np.zeros(0, dtype=np.int64)
    u, v = t.layers.get(layer, (empty, empty))
    ku, kv = t.kind[u], t.kind[v]
    ca, cb = KIND_CODES.get(kind_a, -2), KIND_CODES.get(kind_b, -2)
    forward = (ku == ca) & (kv == cb)
    keep = forward | ((kv == ca) & (ku == cb))
    a = np.where(forward, t.idx[u], t.idx[v])[keep]
    bb = np.where(forward, t.idx[v], t.idx[u])[keep]
    return a.astype(np.int64), bb.astype(np.int64)


def adjacency(G: nx.Graph | EdgeTable, layer: str, kind: str, n: int) -> sp.csr_matrix:
    """Symmetric CSR adjacency among nodes of one kind on one layer, built once."""
    a, b = layer_pairs(G, layer, kind, kind)
    data = np.ones(2 * len(a))
    return sp.csr_matrix((data, (np.r_[a, b], np.r_[b, a])), shape=(n, n))


def row_normalised(A: sp.csr_matrix) -> sp.csr_matrix:
    """Rows sum to 1 (isolated rows stay 0), so ``W @ x`` is the neighbours' mean of x."""
    deg = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    return sp.diags(inv) @ A


class NeighbourMean:
    """``W @ x`` for a row-normalised ``W``, kept up to date as entries of ``x`` change (``x`` starts as given,
    or 0).

    A full sparse product touches every edge each quarter; :meth:`set` adds only the columns of the rows that
    changed (``W``'s CSC copy is built once), so a quarter in which few agents change costs little.
    Read :attr:`mean`; change ``x`` only through :meth:`set`.
    """

    def __init__(self, W: sp.csr_matrix, x: np.ndarray | None = None):
        self.W = W
        self._cols = W.tocsc()
        self.x = np.zeros(W.shape[1]) if x is None else np.asarray(x, dtype=float).copy()
        self.mean = W @ self.x

    def set(self, rows: np.ndarray, values) -> None:
        """Set ``x[rows] = values`` (``rows`` without repeats) and update :attr:`mean` by the changed columns."""
        rows = np.asarray(rows, dtype=np.int64)
        new = np.asarray(values, dtype=float)
        if new.shape != rows.shape:
            new = np.full(rows.shape, new)   # one value for all rows (np.broadcast_to costs more per call)
        delta = new - self.x[rows]
        changed = delta != 0
        rows, delta = rows[changed], delta[changed]
        if not len(rows):
            return
        self.x[rows] = new[changed]
        c = self._cols
        start, length = c.indptr[rows], c.indptr[rows + 1] - c.indptr[rows]
        offsets = np.repeat(start - np.cumsum(length) + length, length) + np.arange(length.sum())
        np.add.at(self.mean, c.indices[offsets], c.data[offsets] * np.repeat(delta, length))


def agent_views(model, cls, first_node: int, rows) -> list:
    """Mesa agents that show rows ``rows`` of a population: ``cls(model, row, cell)`` on the cell of graph node
    ``first_node + row``. None when the model was built without views (``model.space is None``): the rules
    read and write the populations' arrays only, so the outputs are the same."""
    if model.space is None:
        return []
    space = model.space
    with gc_paused():
        return [cls(model, i, space[first_node + i]) for i in rows]


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
