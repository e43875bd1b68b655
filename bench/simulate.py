"""Simulator throughput against ciw, and M/M/c steady-state mean wait against Erlang C.

Prints customers/s for a call-line day with time-varying arrivals, a roster (own shifts with lunch) and
abandonment (goal >= 200k/s), ciw's customers/s on an M/M/c+M queue in the same run, and the M/M/c mean
wait relative error against Erlang C (goal within 1 %).
Run: .venv/bin/python bench/simulate.py
"""

from __future__ import annotations

import time

import ciw
import numpy as np

from fuwu.staffing import erlang
from fuwu.staffing import simulate as sim


def roster_day() -> None:
    hours = np.arange(24) / 2.0  # 08:00–20:00 in 30-minute intervals
    profile = 1.0 + 0.8 * np.sin(np.pi * hours / 12.0) + 0.4 * np.exp(-((hours - 2.5) ** 2))
    calls = 900.0 * profile  # about 130 Erlangs at the peak with a 180 s handle time
    rng = np.random.default_rng(1)
    shifts = []
    for _ in range(240):
        start = float(rng.choice([0, 1800, 3600, 7200, 14400])) if rng.random() < 0.8 else 21600.0
        end = min(start + 8 * 3600.0, 12 * 3600.0)
        shifts.append((start, end, start + 4 * 3600.0, 1800.0))
    windows = sim.windows_from_shifts(shifts)
    cls = [sim.CustomerClass("95599", mean_service=180.0, mean_patience=90.0)]
    t0 = time.perf_counter()
    result = sim.simulate(
        arrivals=calls, interval=1800.0, classes=cls, servers=windows, replications=20, seed=9
    )
    elapsed = time.perf_counter() - t0
    print(
        f"[ours] roster day: {result.customers} customers in {elapsed:.2f} s = {result.customers / elapsed:,.0f}/s "
        f"(goal >= 200k/s); SL20 {result.service_level.mean:.3f} ± {result.service_level.half_width:.3f}, "
        f"abandon {result.abandon_rate.mean:.3f}, utilisation {result.utilisation.mean:.3f}"
    )
    priority = [
        sim.CustomerClass("vip", share=0.1, mean_service=180.0, mean_patience=90.0, priority=1),
        sim.CustomerClass("normal", share=0.9, mean_service=180.0, mean_patience=90.0, priority=3),
    ]
    t0 = time.perf_counter()
    result = sim.simulate(
        arrivals=calls, interval=1800.0, classes=priority, servers=windows, replications=5, seed=9
    )
    elapsed = time.perf_counter() - t0
    print(
        f"[ours] same day with two priorities (event engine): {result.customers / elapsed:,.0f} customers/s"
    )
    return None


def ciw_rate() -> float:
    ciw.seed(1)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=100.0 / 180.0)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / 180.0)],
        number_of_servers=[105],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1.0 / 90.0)],
    )
    t0 = time.perf_counter()
    q = ciw.Simulation(network)
    q.simulate_until_max_time(36_000.0)
    elapsed = time.perf_counter() - t0
    done = len(q.get_all_records())
    rate = done / elapsed
    print(f"[ciw] M/M/105+M, 10 h: {done} records in {elapsed:.2f} s = {rate:,.0f}/s")
    return rate


def ours_same_as_ciw() -> float:
    cls = [sim.CustomerClass("call", mean_service=180.0, mean_patience=90.0)]
    t0 = time.perf_counter()
    result = sim.simulate(
        arrivals=np.full(20, 100.0 / 180.0 * 1800.0),
        interval=1800.0,
        classes=cls,
        servers=105,
        replications=20,
        seed=1,
    )
    elapsed = time.perf_counter() - t0
    rate = result.customers / elapsed
    print(f"[ours] M/M/105+M, 10 h x 20 replications: {rate:,.0f}/s")
    return rate


def steady_state() -> None:
    traffic, servers, aht = 10.0, 12, 180.0
    cls = [sim.CustomerClass("call", mean_service=aht)]
    t0 = time.perf_counter()
    result = sim.simulate(
        arrivals=np.full(2_000, traffic / aht * 1800.0),
        interval=1800.0,
        classes=cls,
        servers=servers,
        replications=20,
        seed=2026,
        warmup=36_000.0,
    )
    elapsed = time.perf_counter() - t0
    theory = float(erlang.average_wait(servers, traffic, aht)[()])
    err = (result.mean_wait.mean - theory) / theory
    print(
        f"[M/M/12, A=10] {result.customers:,} customers in {elapsed:.1f} s: mean wait {result.mean_wait.mean:.3f} s "
        f"± {result.mean_wait.half_width:.3f} vs Erlang C {theory:.3f} s: error {err * 100:+.2f} % (goal within 1 %)"
    )


if __name__ == "__main__":
    roster_day()
    theirs = ciw_rate()
    ours = ours_same_as_ciw()
    print(f"[ratio] ours/ciw customers per second: {ours / theirs:.0f}x")
    steady_state()
