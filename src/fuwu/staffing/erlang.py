"""Erlang C and Erlang A (M/M/N+M), vectorized over intervals and stable to tens of thousands of Erlangs (W2).

Everything is computed in log space from regularized incomplete gamma functions, never from factorials:

* ``r(N, A) = Σ_{k<N} π_k / π_N = (1 − B) / B`` (B = Erlang B) is ``Q(N, A)·e^A·N!/A^N``; when Q underflows
  (N far below A) the series ``Σ_i Π_{m<i} (N−m)/A`` converges geometrically instead.
* Erlang C: ``P(wait) = 1 / (1 + r·(N−A)/N)``, ``SL(t) = 1 − P(wait)·e^{−(N−A)t/AHT}``.
* Erlang A (patience ~ Exp(θ), a = Nμ/θ, x = λ/θ): the queue tail in units of π_N is
  ``J = F(a, x) = ₁F₁(1; a+1; x)``; the waiting customers answered within t are
  ``W(t) = a/(a+1)·[F(a+1, x) − y^{a+1}·e^{x(1−y)}·F(a+1, xy)]`` with ``y = e^{−θt}`` (the offered wait
  of a customer with j ahead is the (j+1)-th order statistic of a+j Exp(θ) lifetimes).

``required_agents`` is a bracketing binary search per interval on monotone functions, so the answer N is
minimal by construction: N meets the target and N−1 does not (or N−1 ≤ A, where Erlang C has no steady state).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Below this, a regularized incomplete gamma value is treated as underflowed and the series is used.
_TINY = 1e-280


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def log_r(n: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """log of (1 − B)/B, B the Erlang B blocking of n servers at `traffic` Erlangs (n ≥ 1, traffic > 0)."""
    n_, a_ = np.broadcast_arrays(_f(n), _f(traffic))
    out = np.empty(n_.shape, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore", under="ignore"):
        q = special.gammaincc(n_, a_)
        direct = q > _TINY
        out[direct] = (
            np.log(q[direct])
            + a_[direct]
            + special.gammaln(n_[direct] + 1.0)
            - n_[direct] * np.log(a_[direct])
        )
    rest = ~direct
    if rest.any():
        # Q underflowed, so n ≪ A and the terms Π (n−m)/A fall at least geometrically.
        nn, aa = n_[rest], a_[rest]
        term = np.ones_like(nn)
        total = np.zeros_like(nn)
        for m in range(100_000):
            term = term * np.maximum(nn - m, 0.0) / aa
            total += term
            if not (term > 1e-17 * total).any():
                break
        out[rest] = np.log(total)
    return out


def _log_kummer(a: FloatArray, z: FloatArray) -> FloatArray:
    """log ₁F₁(1; a+1; z) = log Σ_k z^k / ((a+1)…(a+k)), for a > 0 and z ≥ 0."""
    out = np.zeros(a.shape, dtype=np.float64)
    positive = z > 0
    with np.errstate(divide="ignore", under="ignore"):
        p = np.zeros_like(a)
        p[positive] = special.gammainc(a[positive], z[positive])
    direct = positive & (p > _TINY)
    out[direct] = (
        z[direct] - a[direct] * np.log(z[direct]) + special.gammaln(a[direct] + 1.0) + np.log(p[direct])
    )
    rest = positive & ~direct
    if rest.any():
        # P(a, z) underflowed: z ≪ a, so the series converges geometrically.
        aa, zz = a[rest], z[rest]
        term = np.ones_like(aa)
        total = np.ones_like(aa)
        for k in range(1, 100_000):
            term = term * zz / (aa + k)
            total += term
            if not (term > 1e-17 * total).any():
                break
        out[rest] = np.log(total)
    return out


# --- Erlang C -------------------------------------------------------------------------------------------


def erlang_c(n: ArrayLike, traffic: ArrayLike) -> FloatArray:
    """Probability that an arrival waits (Erlang C); 1 where n ≤ traffic (no steady state)."""
    n_, a_ = np.broadcast_arrays(_f(n), _f(traffic))
    out = np.ones(n_.shape, dtype=np.float64)
    out[a_ <= 0] = 0.0
    ok = (n_ > a_) & (a_ > 0)
    if ok.any():
        lr = log_r(n_[ok], a_[ok])
        out[ok] = special.expit(-(lr + np.log((n_[ok] - a_[ok]) / n_[ok])))
    return out


def service_level(n: ArrayLike, traffic: ArrayLike, aht: ArrayLike, target_time: ArrayLike) -> FloatArray:
    """Erlang C share of arrivals answered within target_time (0 where n ≤ traffic)."""
    n_, a_, h_, t_ = np.broadcast_arrays(_f(n), _f(traffic), _f(aht), _f(target_time))
    c = erlang_c(n_, a_)
    out = np.zeros(n_.shape, dtype=np.float64)
    ok = n_ > a_
    with np.errstate(under="ignore"):
        out[ok] = 1.0 - c[ok] * np.exp(-(n_[ok] - a_[ok]) * t_[ok] / h_[ok])
    return out


def average_wait(n: ArrayLike, traffic: ArrayLike, aht: ArrayLike) -> FloatArray:
    """Erlang C mean wait over all arrivals (ASA), in the unit of aht; inf where n ≤ traffic."""
    n_, a_, h_ = np.broadcast_arrays(_f(n), _f(traffic), _f(aht))
    out = np.full(n_.shape, np.inf)
    ok = n_ > a_
    out[ok] = erlang_c(n_[ok], a_[ok]) * h_[ok] / (n_[ok] - a_[ok])
    return out


def occupancy(n: ArrayLike, traffic: ArrayLike) -> FloatArray:
    n_, a_ = np.broadcast_arrays(_f(n), _f(traffic))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n_ > 0, np.minimum(a_ / np.where(n_ > 0, n_, 1.0), 1.0), 0.0)


# --- Erlang A -------------------------------------------------------------------------------------------


def erlang_a(
    n: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike, target_time: ArrayLike = 20.0
) -> dict[str, FloatArray]:
    """Erlang A measures for n agents: p_wait, p_abandon, answer_rate, service_level, average_wait.

    `service_level` is the share of all arrivals answered within target_time (abandoners count as misses);
    `average_wait` is the mean time in queue over all arrivals, abandoners included (same unit as aht).
    """
    n_, a_, h_, p_, t_ = np.broadcast_arrays(_f(n), _f(traffic), _f(aht), _f(patience), _f(target_time))
    shape = n_.shape
    res = {
        k: np.zeros(shape) for k in ("p_wait", "p_abandon", "answer_rate", "service_level", "average_wait")
    }
    res["answer_rate"][...] = 1.0
    res["service_level"][...] = 1.0
    busy = a_ > 0
    none = busy & (n_ < 1)
    res["p_wait"][none] = 1.0
    res["p_abandon"][none] = 1.0
    res["answer_rate"][none] = 0.0
    res["service_level"][none] = 0.0
    res["average_wait"][none] = p_[none]
    ok = busy & (n_ >= 1)
    if not ok.any():
        return res
    n1, a1, h1, p1, t1 = n_[ok], a_[ok], h_[ok], p_[ok], t_[ok]
    ratio = p1 / h1  # μ/θ: patience measured in handle times
    a_par = n1 * ratio
    x = a1 * ratio
    lr = log_r(n1, a1)
    lj = _log_kummer(a_par, x)
    p_wait = special.expit(lj - lr)
    # P(abandon | wait) = 1 − (N/A)(1 − 1/J)
    p_ab_given_wait = 1.0 - (n1 / a1) * (-np.expm1(-lj))
    p_abandon = np.clip(p_wait * p_ab_given_wait, 0.0, 1.0)
    log_y = -t1 / p1
    y = np.exp(log_y)
    lw_scale = np.log(a_par / (a_par + 1.0))
    lw1 = lw_scale + _log_kummer(a_par + 1.0, x)
    lw2 = lw_scale + (a_par + 1.0) * log_y + x * (-np.expm1(log_y)) + _log_kummer(a_par + 1.0, x * y)
    m = np.maximum(lr, lj)
    with np.errstate(under="ignore"):
        num = np.exp(lr - m) + np.exp(lw1 - m) - np.exp(lw2 - m)
        den = np.exp(lr - m) + np.exp(lj - m)
    res["p_wait"][ok] = p_wait
    res["p_abandon"][ok] = p_abandon
    res["answer_rate"][ok] = 1.0 - p_abandon
    res["service_level"][ok] = np.clip(num / den, 0.0, 1.0)
    res["average_wait"][ok] = p_abandon * p1  # Little's law with abandonment rate θ·E[Q]
    return res


# --- Staffing -------------------------------------------------------------------------------------------


def _search(lo: IntArray, meets: Any, active: NDArray[np.bool_]) -> IntArray:
    """Smallest n > lo with meets(n, mask) true, per element; lo must fail (or be infeasible by definition)."""
    lo = lo.astype(np.int64).copy()
    hi = lo + 1
    step = np.ones_like(lo)
    todo = active.copy()
    while todo.any():  # grow a bracket: hi meets, lo fails
        idx = np.flatnonzero(todo)
        good = meets(hi[idx], idx)
        grow = idx[~good]
        lo[grow] = hi[grow]
        step[grow] *= 2
        hi[grow] = hi[grow] + step[grow]
        todo[idx[good]] = False
    todo = active & (hi - lo > 1)
    while todo.any():
        idx = np.flatnonzero(todo)
        mid = (lo[idx] + hi[idx]) // 2
        good = meets(mid, idx)
        hi[idx[good]] = mid[good]
        lo[idx[~good]] = mid[~good]
        todo[idx] = hi[idx] - lo[idx] > 1
    return hi


def required_agents(
    traffic: ArrayLike,
    aht: ArrayLike,
    target_time: ArrayLike,
    target_level: ArrayLike,
    max_occupancy: float | None = None,
) -> IntArray:
    """Minimal agents per interval so the Erlang C service level reaches target_level within target_time.

    traffic in Erlangs (arrival rate × aht); aht and target_time in the same unit. 0 where traffic is 0.
    """
    a, h, t, lvl = (
        np.atleast_1d(v).ravel()
        for v in np.broadcast_arrays(_f(traffic), _f(aht), _f(target_time), _f(target_level))
    )
    if (a < 0).any() or (h <= 0).any() or (t < 0).any() or ((lvl < 0) | (lvl >= 1)).any():
        raise ValueError("traffic ≥ 0, aht > 0, target_time ≥ 0 and 0 ≤ target_level < 1 are required")
    active = a > 0
    # n = floor(A) has no steady state, so it fails by definition and starts the bracket.
    lo = np.floor(a).astype(np.int64)
    if max_occupancy is not None:
        lo = np.maximum(lo, np.ceil(a / max_occupancy).astype(np.int64) - 1)

    def meets(n: IntArray, idx: IntArray) -> NDArray[np.bool_]:
        ok = service_level(n, a[idx], h[idx], t[idx]) >= lvl[idx]
        if max_occupancy is not None:
            ok &= a[idx] / n <= max_occupancy
        return np.asarray(ok)

    out = np.where(active, _search(lo, meets, active), 0)
    return out.reshape(np.shape(np.broadcast(traffic, aht, target_time, target_level))).astype(np.int64)


def required_agents_a(
    traffic: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    *,
    answer_rate: ArrayLike | None = None,
    target_time: ArrayLike = 20.0,
    target_level: ArrayLike | None = None,
) -> IntArray:
    """Minimal agents under Erlang A for an answer-rate target and/or a service-level target (may be < traffic)."""
    if answer_rate is None and target_level is None:
        raise ValueError("give answer_rate, target_level or both")
    ar = _f(0.0 if answer_rate is None else answer_rate)
    sl = _f(0.0 if target_level is None else target_level)
    shape = np.shape(np.broadcast(traffic, aht, patience, ar, _f(target_time), sl))
    a, h, p, ar_, t, sl_ = (
        np.atleast_1d(v).ravel()
        for v in np.broadcast_arrays(_f(traffic), _f(aht), _f(patience), ar, _f(target_time), sl)
    )
    if (a < 0).any() or (h <= 0).any() or (p <= 0).any() or ((ar_ >= 1) | (sl_ >= 1)).any():
        raise ValueError("traffic ≥ 0, aht > 0, patience > 0 and targets < 1 are required")
    active = a > 0

    def meets(n: IntArray, idx: IntArray) -> NDArray[np.bool_]:
        m = erlang_a(n, a[idx], h[idx], p[idx], t[idx])
        return np.asarray((m["answer_rate"] >= ar_[idx]) & (m["service_level"] >= sl_[idx]))

    out = np.where(active, _search(np.zeros(a.shape, dtype=np.int64), meets, active), 0)
    return out.reshape(shape).astype(np.int64)
