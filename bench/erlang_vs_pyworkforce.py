"""Erlang C staffing: fuwu.staffing.erlang vs pyworkforce (bench env only: pip install -r bench/requirements.txt).

Prints: mismatches and speedup on 10,000 intervals at 80 %/20 s; minimality and pyworkforce's overstaffing on
3,000 branch-style intervals at 80 % in 10 minutes; single intervals at 1k/10k/50k Erlangs.
Run: .venv/bin/python bench/erlang_vs_pyworkforce.py
"""

from __future__ import annotations

import time

import numpy as np
from pyworkforce.queuing import ErlangC

from fuwu.staffing import erlang

INTERVAL_MIN = 30.0


def pyworkforce_positions(calls: float, aht_s: float, target_s: float, level: float) -> int:
    model = ErlangC(transactions=calls, aht=aht_s / 60.0, asa=target_s / 60.0, interval=INTERVAL_MIN)
    return int(model.required_positions(service_level=level)["raw_positions"])


def section_call_centre(rng: np.random.Generator) -> None:
    n = 10_000
    calls = rng.uniform(5.0, 1500.0, n)
    aht = rng.uniform(120.0, 480.0, n)
    traffic = calls * aht / (INTERVAL_MIN * 60.0)
    t0 = time.perf_counter()
    ours = erlang.required_agents(traffic, aht, 20.0, 0.8)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = np.array([pyworkforce_positions(c, h, 20.0, 0.8) for c, h in zip(calls, aht, strict=True)])
    t_theirs = time.perf_counter() - t0
    mismatches = int((ours != theirs).sum())
    print(
        f"[80%/20s] {n} intervals: ours {t_ours * 1000:.1f} ms, pyworkforce {t_theirs:.2f} s, "
        f"speedup {t_theirs / t_ours:.0f}x (goal >= 60x), mismatches {mismatches}"
    )


def section_branch(rng: np.random.Generator) -> None:
    n = 3_000
    customers = rng.uniform(2.0, 120.0, n)
    aht = rng.uniform(180.0, 900.0, n)
    traffic = customers * aht / (INTERVAL_MIN * 60.0)
    t0 = time.perf_counter()
    ours = erlang.required_agents(traffic, aht, 600.0, 0.8)
    t_ours = time.perf_counter() - t0
    meets = erlang.service_level(ours, traffic, aht, 600.0) >= 0.8
    below = ours - 1
    minimal = (below <= traffic) | (erlang.service_level(below, traffic, aht, 600.0) < 0.8)
    t0 = time.perf_counter()
    theirs = np.array([pyworkforce_positions(c, h, 600.0, 0.8) for c, h in zip(customers, aht, strict=True)])
    t_theirs = time.perf_counter() - t0
    over = int((theirs > ours).sum())
    under = int((theirs < ours).sum())
    print(
        f"[80%/10min] {n} intervals: ours feasible {int(meets.sum())}/{n}, minimal {int(minimal.sum())}/{n}; "
        f"pyworkforce overstaffs {over} intervals (by {int((theirs - ours)[theirs > ours].sum())} agents), "
        f"understaffs {under}; ours {t_ours * 1000:.1f} ms vs {t_theirs:.2f} s"
    )


def _best_of(runs: int, call: object) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = call()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best, value


def section_single() -> None:
    erlang.required_agents(5.0, 180.0, 20.0, 0.8)  # warm-up: first SciPy calls load their tables
    for traffic in (1_000.0, 10_000.0, 50_000.0):
        t_ours, n = _best_of(5, lambda a=traffic: erlang.required_agents(a, 180.0, 20.0, 0.8))
        ours = int(n[()])  # type: ignore[index]
        calls = traffic * INTERVAL_MIN * 60.0 / 180.0
        t_theirs, theirs = _best_of(3, lambda c=calls: pyworkforce_positions(c, 180.0, 20.0, 0.8))
        sl = float(erlang.service_level(ours, traffic, 180.0, 20.0)[()])
        print(
            f"[single] {traffic:>8.0f} Erlangs: ours N={ours} (SL {sl:.4f}) in {t_ours * 1000:.2f} ms; "
            f"pyworkforce N={theirs} in {t_theirs * 1000:.0f} ms; ratio {t_theirs / t_ours:.0f}x (best of runs)"
        )


if __name__ == "__main__":
    generator = np.random.default_rng(20260302)
    section_call_centre(generator)
    section_branch(generator)
    section_single()
