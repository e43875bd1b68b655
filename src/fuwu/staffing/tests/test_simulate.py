from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuwu.staffing import erlang
from fuwu.staffing import simulate as sim

CALL = sim.CustomerClass("call", mean_service=180.0)


def test_mmc_mean_wait_and_service_level_agree_with_erlang_c() -> None:
    # 10 Erlangs on 12 agents; 30 days of 10 h each after a 2 h warm-up per replication.
    rate = 10.0 / 180.0 * 1800.0
    result = sim.simulate(
        arrivals=np.full(24, rate),
        interval=1800.0,
        classes=[CALL],
        servers=12,
        target_time=20.0,
        replications=30,
        seed=7,
        warmup=7200.0,
    )
    assert result.mean_wait.contains(erlang.average_wait(12, 10.0, 180.0)[()])
    assert result.service_level.contains(erlang.service_level(12, 10.0, 180.0, 20.0)[()])
    assert result.utilisation.mean == pytest.approx(10.0 / 12.0, abs=0.02)
    assert result.abandon_rate.mean == 0.0


def test_abandonment_agrees_with_erlang_a() -> None:
    impatient = sim.CustomerClass("call", mean_service=180.0, mean_patience=120.0)
    rate = 12.0 / 180.0 * 1800.0
    result = sim.simulate(
        arrivals=np.full(24, rate),
        interval=1800.0,
        classes=[impatient],
        servers=11,
        target_time=20.0,
        replications=30,
        seed=3,
        warmup=7200.0,
    )
    theory = erlang.erlang_a(11, 12.0, 180.0, 120.0, 20.0)
    assert result.abandon_rate.contains(theory["p_abandon"][()])
    assert result.service_level.contains(theory["service_level"][()])
    assert result.mean_wait.contains(theory["average_wait"][()])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), servers=st.integers(1, 6), patience=st.sampled_from([None, 30.0, 300.0]))
def test_priority_engine_equals_fcfs_engine_when_everyone_has_the_same_priority(
    seed: int, servers: int, patience: float | None
) -> None:
    rng = np.random.default_rng(seed)
    cls = [sim.CustomerClass("x", mean_service=120.0, mean_patience=patience)]
    arrival, service, pat, priority = sim.draw(rng, np.full(8, 20.0), 900.0, cls)
    shifts = []
    for _ in range(servers):
        start = float(rng.uniform(0, 3000))
        end = start + float(rng.uniform(1800, 6000))
        lunch = float(rng.uniform(start, end)) if rng.random() < 0.5 else None
        shifts.append((start, end, lunch, 600.0))
    windows = sim.windows_from_shifts(shifts)
    fcfs_start, fcfs_unserved = sim.fcfs(arrival, service, pat, windows)
    prio_start, prio_unserved = sim.by_priority(arrival, service, pat, priority, windows)
    assert (fcfs_unserved == prio_unserved).all()
    assert np.allclose(fcfs_start[~fcfs_unserved], prio_start[~prio_unserved])


def test_priority_customers_wait_less() -> None:
    vip = sim.CustomerClass("vip", share=0.2, mean_service=300.0, priority=1)
    normal = sim.CustomerClass("normal", share=0.8, mean_service=300.0, priority=3)
    rng = np.random.default_rng(11)
    arrival, service, patience, priority = sim.draw(
        rng, np.full(16, 0.9 * 4 * 1800 / 300), 1800.0, [vip, normal]
    )
    start, unserved = sim.by_priority(arrival, service, patience, priority, [[(0.0, 1e9)]] * 4)
    wait = start - arrival
    assert not unserved.any()
    assert wait[priority == 1].mean() < 0.5 * wait[priority == 3].mean()


def test_staggered_shift_handover_has_no_artefact() -> None:
    # Three agents all day vs. the same three seats handed over at staggered times (own shifts): same waits.
    rate = np.full(16, 2.4 / 180.0 * 1800.0)
    constant = sim.simulate(
        arrivals=rate, interval=1800.0, classes=[CALL], servers=3, replications=40, seed=5
    )
    handover = [
        [(0.0, 9000.0)],
        [(9000.0, 28800.0)],
        [(0.0, 14400.0)],
        [(14400.0, 28800.0)],
        [(0.0, 19800.0)],
        [(19800.0, 28800.0)],
    ]
    shifted = sim.simulate(
        arrivals=rate, interval=1800.0, classes=[CALL], servers=handover, replications=40, seed=5
    )
    assert (
        abs(constant.mean_wait.mean - shifted.mean_wait.mean)
        < constant.mean_wait.half_width + shifted.mean_wait.half_width
    )


def test_each_replication_draws_fresh_arrivals_and_a_seed_reproduces_the_run() -> None:
    rate = np.full(8, 30.0)
    first = sim.simulate(arrivals=rate, interval=1800.0, classes=[CALL], servers=4, replications=5, seed=1)
    again = sim.simulate(arrivals=rate, interval=1800.0, classes=[CALL], servers=4, replications=5, seed=1)
    assert len({r.arrivals for r in first.replications}) > 1
    assert [r.mean_wait for r in first.replications] == [r.mean_wait for r in again.replications]


def test_customers_left_when_every_shift_is_over_are_unserved() -> None:
    rate = np.array([20.0, 20.0, 20.0, 20.0])
    result = sim.simulate(
        arrivals=rate, interval=1800.0, classes=[CALL], servers=[[(0.0, 3600.0)]] * 3, replications=3, seed=2
    )
    for rep in result.replications:
        assert rep.abandoned >= rep.arrivals_by_interval[2:].sum()
        assert rep.answered + rep.abandoned == rep.arrivals
