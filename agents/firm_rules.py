"""Firms' decision rules as pure functions of arrays and declared coefficients (``model.inputs.rules``).

The adoption margin: a firm that is *aware* of AI this quarter (awareness comes from its supply partners, Bass
style, scaled by its digital maturity) *decides* whether adopting pays: the best option's annual net gain per
unit of AI-addressable value (quality - price) against the annualised one-off adoption cost (integration,
hiring), with logit noise relative to that cost. Firms differ in both. The adoption subsidy pays a share of
the adoption cost of firms that adopt a domestic (open or sovereign) model; large customers that already use
AI lower their suppliers' adoption cost (OEM hubs pull their supply chains).

Every function is vectorised: numpy arrays in, numpy arrays out; unit tests call them on a few rows.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

DOMESTIC_COLUMNS = np.array([0.0, 1.0, 1.0])   # (foreign, open, sovereign): domestic sources get the subsidy


def adoption_cost_years(va, sector, z, median_years: float, sigma: float, size_elasticity: float):
    """One-off adoption cost of each firm, in years of its AI-addressable value: lognormal around
    ``median_years`` (``z`` standard normal draws), lower for firms larger than their sector's median
    (integration costs are partly fixed): ``median * (va / sector median va) ** -size_elasticity * exp(sigma z)``.
    """
    rel = np.ones_like(va, dtype=float)
    for k in np.unique(sector):
        m = sector == k
        rel[m] = va[m] / np.median(va[m])
    return median_years * rel ** (-size_elasticity) * np.exp(sigma * z)


def hub_cost_factor(hub_share, pull: float):
    """Multiplier on a supplier's adoption cost: ``1 - pull * hub_share``, where ``hub_share`` is the share of
    its supply partners' value added in larger partners that already use AI (their requirements and support)."""
    return 1.0 - pull * np.clip(hub_share, 0.0, 1.0)


def subsidy_share(rate: float, one_off_jpy_tn, cap_jpy_tn):
    """Share of each firm's one-off adoption cost the subsidy pays: the rate, up to the cap per firm agent."""
    return np.minimum(rate, np.asarray(cap_jpy_tn) / np.maximum(one_off_jpy_tn, 1e-300))


def entry_surplus(net_value, annual_cost, subsidy):
    """Annual surplus of adopting each source, per unit of AI-addressable value: net value (quality - price)
    minus the annualised adoption cost that the firm bears (the subsidy pays ``subsidy`` of it for domestic
    sources; a scalar or one share per firm). ``net_value`` is (firm, source); ``annual_cost`` per firm."""
    paid = np.asarray(subsidy, dtype=float)[..., None] * DOMESTIC_COLUMNS
    return net_value - annual_cost[:, None] * (1.0 - paid)


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` for a few columns: the same pairwise maxima, left to right, one call per column
    (numpy's reduction over a short inner axis costs ~5x more at thousands of rows)."""
    out = a[:, 0]
    for j in range(1, a.shape[1]):
        out = np.maximum(out, a[:, j])
    return out


def adoption_probability(best_surplus, annual_cost, logit_scale: float):
    """Probability that an aware firm decides to adopt: logistic in the best surplus relative to its annualised
    adoption cost, ``1 / (1 + exp(-best_surplus / (logit_scale * annual_cost)))``; the marginal firm (surplus 0)
    adopts with probability 1/2."""
    x = np.asarray(best_surplus) / (logit_scale * np.maximum(annual_cost, 1e-12))
    return 0.5 * (1.0 + np.tanh(0.5 * np.clip(x, -60.0, 60.0)))


def awareness_rate(peer_share, hub_share, maturity, p: float, q: float, requirement: float):
    """Yearly rate at which a non-adopter considers adopting: Bass ``(p + q * peer_share) * maturity``, where
    ``peer_share`` is the value-weighted share of its supply partners using AI, plus ``requirement *
    hub_share``: larger customers that use AI ask their suppliers to follow, whatever the supplier's maturity."""
    return (p + q * peer_share) * maturity + requirement * hub_share


def adoption_hazard(best_surplus, annual_cost, peer_share, hub_share, maturity, p: float, q: float,
                    requirement: float, logit_scale: float):
    """Yearly adoption hazard of a non-adopter: awareness (timing, from partners) x the decision's probability."""
    return (awareness_rate(peer_share, hub_share, maturity, p, q, requirement)
            * adoption_probability(best_surplus, annual_cost, logit_scale))


def staff_index(staff, need):
    """Share of the staff uplift a firm reaches (0..1, diminishing returns): ``1 - exp(-staff / need)``."""
    return 1.0 - np.exp(-np.asarray(staff) / np.maximum(need, 1e-9))


def language_fit(ceiling: float, corpus_share: float, floor_share: float) -> float:
    """Japanese language/culture fit of a domestic model: ``ceiling * (floor + (1 - floor) * corpus_share)``,
    where ``corpus_share`` (0..1) is the share of Japanese-language corpora that data holders let flow."""
    return ceiling * (floor_share + (1.0 - floor_share) * float(np.clip(corpus_share, 0.0, 1.0)))


def size_weighted(A: sp.csr_matrix, va: np.ndarray) -> sp.csr_matrix:
    """Row-normalised supply adjacency with each partner weighted by its value added: ``W @ adopted`` is the
    value-weighted share of a firm's partners using AI."""
    Wv = sp.csr_matrix(A.multiply(va[None, :]))
    tot = np.asarray(Wv.sum(axis=1)).ravel()
    inv = np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)
    return sp.csr_matrix(sp.diags(inv) @ Wv)


def larger_partners(A: sp.csr_matrix, va: np.ndarray) -> sp.csr_matrix:
    """Like :func:`size_weighted`, but only partners larger than the firm keep their weight (rows still divided
    by all partners' value added): ``W @ adopted`` is the hub share of :func:`hub_cost_factor`."""
    A = sp.csr_matrix(A)
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    keep = va[A.indices] > va[rows]
    tot = np.bincount(rows, weights=A.data * va[A.indices], minlength=A.shape[0])
    data = np.where(keep, A.data * va[A.indices], 0.0) / np.maximum(tot[rows], 1e-300)
    W = sp.csr_matrix((data, A.indices.copy(), A.indptr.copy()), shape=A.shape)
    W.eliminate_zeros()
    return W


def sovereign_price_flows(sovereign_value: float, cost_price: float, charged_price: float,
                          access_fee_share: float, public_access_share: float) -> tuple[float, float]:
    """(price support, model-access income) in JPY tn/yr from sovereign-model users' AI-addressable value
    (JPY tn/yr): support = max(cost-recovery price - charged price, 0) x value, paid by the government; income =
    the access-fee share of what users pay x the government's share of the model's access revenue."""
    support = max(cost_price - charged_price, 0.0) * sovereign_value
    income = access_fee_share * charged_price * sovereign_value * public_access_share
    return support, income
