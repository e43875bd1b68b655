from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuwu.staffing import erlang


def mp_erlang_c(n: int, a: float) -> mp.mpf:
    with mp.workdps(60):
        a = mp.mpf(a)
        terms = [a**k / mp.factorial(k) for k in range(n)]
        top = a**n / mp.factorial(n) * n / (n - a)
        return top / (mp.fsum(terms) + top)


def mp_erlang_a(n: int, a: float, aht: float, patience: float, t: float) -> dict[str, mp.mpf]:
    """Brute force M/M/n+M: truncated state probabilities and, for the service level, the tagged customer's
    own continuous-time chain solved with a matrix exponential."""
    with mp.workdps(30):
        mu, theta, lam = 1 / mp.mpf(aht), 1 / mp.mpf(patience), mp.mpf(a) / aht
        depth = 35
        weights = [mp.mpf(a) ** k / mp.factorial(k) for k in range(n + 1)]
        for j in range(1, depth):
            weights.append(weights[-1] * lam / (n * mu + j * theta))
        total = mp.fsum(weights)
        pi = [w / total for w in weights]
        p_wait = mp.fsum(pi[n:])
        queue = mp.fsum(j * pi[n + j] for j in range(depth))
        p_abandon = theta * queue / lam
        # states 0..depth-1 = customers ahead, then served, abandoned
        size = depth + 2
        q = mp.zeros(size, size)
        served, gone = depth, depth + 1
        for i in range(depth):
            move = n * mu + i * theta
            q[i, served if i == 0 else i - 1] += move
            q[i, gone] += theta
            q[i, i] -= move + theta
        probs = mp.expm(q * t)
        within = mp.fsum(pi[n + j] * probs[j, served] for j in range(depth))
        return {"p_wait": p_wait, "p_abandon": p_abandon, "service_level": mp.fsum(pi[:n]) + within}


def test_textbook_figures_for_ten_erlangs_at_eighty_twenty() -> None:
    # 100 calls per 30 minutes, 180 s handle time (the standard worked example): A = 10 Erlangs.
    assert erlang.erlang_c(11, 10.0)[()] == pytest.approx(0.6821, abs=5e-5)
    assert erlang.average_wait(11, 10.0, 180.0)[()] == pytest.approx(122.8, abs=0.05)
    assert erlang.service_level(11, 10.0, 180.0, 20.0)[()] == pytest.approx(0.3896, abs=5e-5)
    assert erlang.service_level(14, 10.0, 180.0, 20.0)[()] == pytest.approx(0.8884, abs=5e-5)
    assert erlang.required_agents(10.0, 180.0, 20.0, 0.8)[()] == 14


@pytest.mark.parametrize(
    ("n", "a"), [(1, 0.5), (3, 2.9), (14, 10.0), (60, 50.0), (230, 212.7), (1015, 1000.0)]
)
def test_erlang_c_matches_high_precision_reference(n: int, a: float) -> None:
    assert erlang.erlang_c(n, a)[()] == pytest.approx(float(mp_erlang_c(n, a)), rel=1e-9)


def test_stable_at_tens_of_thousands_of_erlangs() -> None:
    traffic = np.array([10_000.0, 30_000.0, 50_000.0])
    n = erlang.required_agents(traffic, 180.0, 20.0, 0.8)
    assert (n > traffic).all() and (n < traffic + 50).all()
    sl_n = erlang.service_level(n, traffic, 180.0, 20.0)
    sl_less = erlang.service_level(n - 1, traffic, 180.0, 20.0)
    assert np.isfinite(sl_n).all() and (sl_n >= 0.8).all() and (sl_less < 0.8).all()
    # Large-N reference from mpmath's incomplete gamma at 50 digits.
    with mp.workdps(50):
        a, k = mp.mpf(10_000), 10_013
        log_r = mp.log(mp.gammainc(k, a, mp.inf, regularized=True)) + a + mp.loggamma(k + 1) - k * mp.log(a)
        ref = 1 / (1 + mp.e**log_r * (k - a) / k)
    assert erlang.erlang_c(10_013, 10_000.0)[()] == pytest.approx(float(ref), rel=1e-8)


def test_vectorized_over_intervals_returns_integer_array_and_zero_for_no_traffic() -> None:
    out = erlang.required_agents(np.array([0.0, 2.0, 10.0]), 180.0, 20.0, 0.8)
    assert out.dtype == np.int64 and out.tolist() == [0, 4, 14]
    grid = erlang.required_agents(np.array([[0.0, 2.0], [10.0, 10.0]]), np.array([180.0, 180.0]), 20.0, 0.8)
    assert grid.tolist() == [[0, 4], [14, 14]]
    week = erlang.required_agents_a(np.full((7, 16), 10.0), 180.0, 120.0, answer_rate=0.9)
    assert week.shape == (7, 16) and (week == week[0, 0]).all()


def test_long_branch_target_can_staff_just_above_offered_load() -> None:
    # 10.6 Erlangs, 5-minute service, 20-minute target: 11 counters already give 80 %; starting a search at
    # round(A + 1) = 12 would overstaff by one.
    n = erlang.required_agents(10.6, 300.0, 1200.0, 0.8)[()]
    assert n == 11
    assert erlang.service_level(11, 10.6, 300.0, 1200.0)[()] == pytest.approx(0.8254, abs=1e-4)


@settings(max_examples=300, deadline=None)
@given(
    traffic=st.floats(0.01, 3000.0),
    aht=st.floats(30.0, 900.0),
    target_time=st.sampled_from([10.0, 20.0, 30.0, 300.0, 600.0, 900.0, 1800.0]),
    level=st.floats(0.5, 0.99),
)
def test_required_agents_is_minimal(traffic: float, aht: float, target_time: float, level: float) -> None:
    n = int(erlang.required_agents(traffic, aht, target_time, level)[()])
    assert erlang.service_level(n, traffic, aht, target_time)[()] >= level
    assert n - 1 <= traffic or erlang.service_level(n - 1, traffic, aht, target_time)[()] < level


@pytest.mark.parametrize(
    ("n", "a", "patience"), [(8, 10.0, 120.0), (10, 10.0, 60.0), (14, 10.0, 300.0), (3, 5.0, 30.0)]
)
def test_erlang_a_matches_brute_force_chain(n: int, a: float, patience: float) -> None:
    ref = mp_erlang_a(n, a, 180.0, patience, 20.0)
    got = erlang.erlang_a(n, a, 180.0, patience, 20.0)
    for key in ("p_wait", "p_abandon", "service_level"):
        assert got[key][()] == pytest.approx(float(ref[key]), rel=1e-7), key
    assert got["answer_rate"][()] == pytest.approx(1 - float(ref["p_abandon"]), rel=1e-7)


def test_erlang_a_staffs_below_offered_load_for_answer_rate_target() -> None:
    traffic = np.array([100.0, 1000.0, 10_000.0])
    n = erlang.required_agents_a(traffic, 300.0, 60.0, answer_rate=0.9)
    assert (n < traffic).all()
    rate = erlang.erlang_a(n, traffic, 300.0, 60.0)["answer_rate"]
    rate_less = erlang.erlang_a(n - 1, traffic, 300.0, 60.0)["answer_rate"]
    assert (rate >= 0.9).all() and (rate_less < 0.9).all()


@settings(max_examples=150, deadline=None)
@given(
    traffic=st.floats(0.05, 2000.0),
    patience=st.floats(10.0, 600.0),
    answer=st.floats(0.5, 0.98),
    level=st.floats(0.3, 0.95),
)
def test_erlang_a_required_agents_is_minimal(
    traffic: float, patience: float, answer: float, level: float
) -> None:
    n = int(erlang.required_agents_a(traffic, 240.0, patience, answer_rate=answer, target_level=level)[()])
    m = erlang.erlang_a(n, traffic, 240.0, patience, 20.0)
    assert m["answer_rate"][()] >= answer and m["service_level"][()] >= level
    less = erlang.erlang_a(n - 1, traffic, 240.0, patience, 20.0)
    assert less["answer_rate"][()] < answer or less["service_level"][()] < level


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="traffic"):
        erlang.required_agents(-1.0, 180.0, 20.0, 0.8)
    with pytest.raises(ValueError, match="answer_rate"):
        erlang.required_agents_a(5.0, 180.0, 60.0)
