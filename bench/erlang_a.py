"""Erlang A (abandonment): 10,000 intervals sized in one vectorized call, and agreement with the simulator.

Prints the time for 10,000 intervals (goal <= 2 s), how many are staffed below the offered load, and for a few
intervals Erlang A's answer rate / 20 s service level / mean wait against the simulator's 95 % CI.
Run: .venv/bin/python bench/erlang_a.py
"""

from __future__ import annotations

import time

import numpy as np

from fuwu.staffing import erlang
from fuwu.staffing import simulate as sim


def main() -> None:
    rng = np.random.default_rng(4)
    n = 10_000
    traffic = rng.uniform(1.0, 400.0, n)
    aht = rng.uniform(120.0, 480.0, n)
    patience = rng.uniform(30.0, 300.0, n)
    t0 = time.perf_counter()
    agents = erlang.required_agents_a(
        traffic, aht, patience, answer_rate=0.9, target_time=20.0, target_level=0.6
    )
    elapsed = time.perf_counter() - t0
    print(
        f"[erlang A] {n} intervals (answer rate 90 % and 20 s SL 60 %): {elapsed:.3f} s (goal <= 2 s); "
        f"staffed below offered load: {int((agents < traffic).sum())}"
    )
    t0 = time.perf_counter()
    answer_only = erlang.required_agents_a(traffic, aht, patience, answer_rate=0.9)
    print(
        f"[erlang A] answer rate 90 % only: {time.perf_counter() - t0:.3f} s; below offered load: "
        f"{int((answer_only < traffic).sum())}/{n}"
    )
    inside = 0
    checks = 0
    for load, servers, mean_patience in [
        (10.0, 9, 120.0),
        (30.0, 28, 60.0),
        (50.0, 52, 180.0),
        (100.0, 92, 90.0),
    ]:
        theory = erlang.erlang_a(servers, load, 180.0, mean_patience, 20.0)
        cls = [sim.CustomerClass("call", mean_service=180.0, mean_patience=mean_patience)]
        result = sim.simulate(
            arrivals=np.full(48, load / 180.0 * 1800.0),
            interval=1800.0,
            classes=cls,
            servers=servers,
            replications=30,
            seed=servers,
            warmup=7200.0,
        )
        pairs = [
            ("answer rate", 1 - theory["p_abandon"][()], 1 - result.abandon_rate.mean, result.abandon_rate),
            ("SL20", theory["service_level"][()], result.service_level.mean, result.service_level),
            ("mean wait", theory["average_wait"][()], result.mean_wait.mean, result.mean_wait),
        ]
        for name, value, simulated, est in pairs:
            ok = abs(value - simulated) <= est.half_width
            inside += ok
            checks += 1
            print(
                f"  A={load:>5.0f} N={servers:>3} patience={mean_patience:>4.0f}s {name:<11} Erlang A {value:.4f} "
                f"sim {simulated:.4f} ± {est.half_width:.4f} {'inside' if ok else 'OUTSIDE'} CI"
            )
    print(f"[erlang A vs simulator] {inside}/{checks} inside the 95 % CI")


if __name__ == "__main__":
    main()
