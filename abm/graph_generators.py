"""networkx's two random-graph generators as edge arrays: the same algorithm, the same ``random.Random(seed)``
stream and the same edge order as ``nx.barabasi_albert_graph(n, m, seed)`` and ``nx.watts_strogatz_graph(n, k, p,
seed)`` (``.edges`` of the graph they return), without building an ``nx.Graph``. ``tests/test_perf_reference.py``
checks both against networkx.
"""

from __future__ import annotations

import itertools
import random

import numpy as np


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
    getrandbits = rnd.getrandbits
    for source in range(m + 1, n):
        targets: set[int] = set()
        size = len(repeated)
        bits = size.bit_length()
        while len(targets) < m:
            r = getrandbits(bits)            # rnd.choice(repeated), inlined: CPython 3.12's _randbelow draws
            while r >= size:
                r = getrandbits(bits)
            targets.add(repeated[r])
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
    if n > 2 * k + 2 and k >= 2:
        return _watts_strogatz_large(n, k, p, seed)
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


def _watts_strogatz_large(n: int, k: int, p: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`watts_strogatz_edges` for ``n > 2k + 2``, ~2x faster: the same draws in the same order, but the ring
    is never built as dicts. Every adjacency entry (``owner -> other``) gets the time it would be inserted into
    the owner's dict; the ring's entries are arrays, a rewiring kills the two entries of its ring edge and adds
    two; membership is arithmetic on the ring plus the few changes. ``nx.Graph.edges`` order is then the live
    entries by owner, in insertion time, where ``other > owner``. (With ``n > 2k + 2`` each ring pair is a
    distinct edge and still present when its turn comes: an edge is added only between nodes not linked.)"""
    half = k // 2
    u_ring = np.tile(np.arange(n), half)                                # pass j = 1..half, u = 0..n-1
    v_ring = (u_ring + np.repeat(np.arange(1, half + 1), n)) % n
    # entry 2i: u -> v, entry 2i + 1: v -> u, inserted in that order (the ring loop's adj[u][v], adj[v][u])
    owner = np.empty(4 * half * n // 2, dtype=np.int64)
    other = np.empty_like(owner)
    owner[0::2], owner[1::2], other[0::2], other[1::2] = u_ring, v_ring, v_ring, u_ring
    removed: set[int] = set()      # ring entries gone, as owner * n + other
    added: set[int] = set()        # entries gained, as owner * n + other (a lost ring edge may come back)
    degree = [2 * half] * n
    dead: list[int] = []           # (pass, u) index of each rewired ring pair
    new_owner: list[int] = []
    new_other: list[int] = []
    rnd = random.Random(seed)
    draw, getrandbits, bits = rnd.random, rnd.getrandbits, n.bit_length()

    def choice() -> int:   # rnd.choice(range(n)) with one call less: CPython 3.12's _randbelow draws
        w = getrandbits(bits)
        while w >= n:
            w = getrandbits(bits)
        return w

    for j in range(1, half + 1):
        base = (j - 1) * n
        for u in range(n):
            if draw() < p:
                w = choice()
                # linked(u, w): gained, or a ring neighbour not lost
                while w == u or u * n + w in added or (((w - u) % n <= half or (w - u) % n >= n - half)
                                                       and u * n + w not in removed):
                    w = choice()
                    if degree[u] >= n - 1:
                        break  # skip this rewiring (as networkx)
                else:
                    v = (u + j) % n
                    dead.append(base + u)
                    removed.add(u * n + v)
                    removed.add(v * n + u)
                    added.add(u * n + w)
                    added.add(w * n + u)
                    degree[v] -= 1
                    degree[w] += 1
                    new_owner += (u, w)
                    new_other += (w, u)
    alive = np.ones(len(owner), dtype=bool)
    dead_i = 2 * np.asarray(dead, dtype=np.int64)
    alive[dead_i] = alive[dead_i + 1] = False
    owner = np.concatenate([owner[alive], np.asarray(new_owner, dtype=np.int64)])
    other = np.concatenate([other[alive], np.asarray(new_other, dtype=np.int64)])
    order = np.argsort(owner, kind="stable")      # entries are already in insertion time within an owner
    owner, other = owner[order], other[order]
    keep = other > owner
    return owner[keep], other[keep]
