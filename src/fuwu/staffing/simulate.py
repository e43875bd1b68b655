"""What-if simulation of a branch day or a call line (W4): a discrete-event simulator with time-varying
arrivals, a business mix, priorities, abandonment and every server on its own shifts.

Arrivals, business types, service times and patience are drawn with NumPy per replication (fresh arrivals
each time). Two exact engines share those draws:

* single priority: FCFS with the classic earliest-free-server recursion — a customer's start depends only on
  the customers before it, so one heap pop per customer suffices, and an abandoner simply leaves the servers
  untouched;
* several priorities: an event loop (arrivals, completions, shift starts and ends) with one FIFO per
  priority and abandonment checked lazily when a server looks for work.

Each server is free to start a customer only inside one of its own windows (shift minus lunch) and finishes
the customer it is serving when the window ends, so there is no artificial moment where all servers leave.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Window = tuple[float, float]


@dataclass(frozen=True)
class CustomerClass:
    """A business in the mix: its share of arrivals, service time, priority (0 first) and patience."""

    name: str
    share: float = 1.0
    mean_service: float = 300.0
    service_cv: float = 1.0  # 1 → exponential; otherwise lognormal with this coefficient of variation
    priority: int = 3
    mean_patience: float | None = None  # exponential patience; None = never abandons


@dataclass
class Replication:
    arrivals: int
    answered: int
    abandoned: int
    mean_wait: float
    service_level: float
    utilisation: float
    wait_by_interval: NDArray[np.float64]
    arrivals_by_interval: NDArray[np.int64]


@dataclass(frozen=True)
class Estimate:
    mean: float
    half_width: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass
class SimulationResult:
    replications: list[Replication]
    mean_wait: Estimate
    service_level: Estimate
    abandon_rate: Estimate
    utilisation: Estimate
    wait_by_interval: NDArray[np.float64] = field(repr=False)
    customers: int = 0


def windows_from_shifts(shifts: Sequence[tuple[float, float, float | None, float]]) -> list[list[Window]]:
    """(start, end, lunch_start or None, lunch_length) per server → that server's working windows."""
    out: list[list[Window]] = []
    for start, end, lunch, length in shifts:
        if lunch is None or length <= 0:
            parts = [(start, end)]
        else:
            lunch = min(max(lunch, start), end)
            parts = [(start, lunch), (min(lunch + length, end), end)]
        out.append([(s, e) for s, e in parts if e > s])
    return out


def draw(
    rng: np.random.Generator, rates: NDArray[np.float64], interval: float, classes: Sequence[CustomerClass]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """One day's arrival times (sorted), service times, patience (inf = never leaves) and priority per customer."""
    counts = rng.poisson(rates)
    total = int(counts.sum())
    starts = np.repeat(np.arange(len(rates), dtype=np.float64) * interval, counts)
    arrival = np.sort(starts + rng.uniform(0.0, interval, total))
    shares = np.array([c.share for c in classes], dtype=np.float64)
    kind = (
        rng.choice(len(classes), size=total, p=shares / shares.sum())
        if len(classes) > 1
        else np.zeros(total, int)
    )
    service = np.empty(total)
    patience = np.full(total, np.inf)
    priority = np.empty(total, dtype=np.int64)
    for i, c in enumerate(classes):
        mask = kind == i
        k = int(mask.sum())
        if c.service_cv == 1.0:
            service[mask] = rng.exponential(c.mean_service, k)
        else:
            sigma2 = math.log1p(c.service_cv**2)
            service[mask] = rng.lognormal(math.log(c.mean_service) - sigma2 / 2, math.sqrt(sigma2), k)
        if c.mean_patience is not None:
            patience[mask] = rng.exponential(c.mean_patience, k)
        priority[mask] = c.priority
    return arrival, service, patience, priority


def fcfs(
    arrival: NDArray[np.float64],
    service: NDArray[np.float64],
    patience: NDArray[np.float64],
    windows: list[list[Window]],
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Start times (inf when never served) and the unserved mask, FCFS."""
    heap: list[tuple[float, int, int]] = [(w[0][0], k, 0) for k, w in enumerate(windows) if w]
    heapq.heapify(heap)
    pop, replace = heapq.heappop, heapq.heapreplace
    start = np.full(len(arrival), np.inf)
    served = np.zeros(len(arrival), dtype=np.bool_)
    arr_l, srv_l, pat_l = arrival.tolist(), service.tolist(), patience.tolist()
    for i in range(len(arr_l)):
        t = arr_l[i]
        while heap:
            av, k, w = heap[0]
            if av >= t:
                break
            win = windows[k]
            if t < win[w][1]:
                av = t
                break
            # idle through the end of its window: move this server to its next window that is still open
            w += 1
            while w < len(win) and win[w][1] <= t:
                w += 1
            if w == len(win):
                pop(heap)
            else:
                replace(heap, (win[w][0], k, w))
        if not heap:
            break
        if av - t > pat_l[i]:
            continue
        _, k, w = heap[0]
        start[i] = av
        served[i] = True
        done = av + srv_l[i]
        win = windows[k]
        while w < len(win) and win[w][1] <= done:
            w += 1
        if w == len(win):
            pop(heap)
        else:
            replace(heap, (max(win[w][0], done), k, w))
    return start, ~served


def by_priority(
    arrival: NDArray[np.float64],
    service: NDArray[np.float64],
    patience: NDArray[np.float64],
    priority: NDArray[np.int64],
    windows: list[list[Window]],
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Start times and the unserved mask with strict priorities (lower first), FIFO within a priority."""
    n = len(arrival)
    levels = sorted(set(priority.tolist()))
    queues: list[deque[int]] = [deque() for _ in levels]
    level_of = {p: i for i, p in enumerate(levels)}
    start = np.full(n, np.inf)
    arr_l, srv_l, pat_l, pri_l = arrival.tolist(), service.tolist(), patience.tolist(), priority.tolist()
    # events: (time, kind, server); kind 0 = window end, 1 = window start, 2 = completion — in this order
    # at equal times, since a window [start, end) admits no new customer at its end.
    events: list[tuple[float, int, int]] = []
    window_of = [0] * len(windows)
    # Idle servers, longest idle first (as in the FCFS engine); entries go stale when a window ends.
    idle: list[tuple[float, int]] = []
    idle_since: list[float | None] = [None] * len(windows)
    busy = [False] * len(windows)
    for k, win in enumerate(windows):
        if win:
            heapq.heappush(events, (win[0][0], 1, k))
            heapq.heappush(events, (win[0][1], 0, k))

    def take(now: float) -> int:
        for q in queues:
            while q:
                i = q.popleft()
                if now - arr_l[i] <= pat_l[i]:
                    return i
        return -1

    def serve(k: int, now: float) -> bool:
        i = take(now)
        if i < 0:
            return False
        start[i] = now
        busy[k] = True
        heapq.heappush(events, (now + srv_l[i], 2, k))
        return True

    def in_window(k: int, now: float) -> bool:
        win = windows[k]
        w = window_of[k]
        return w < len(win) and win[w][0] <= now < win[w][1]

    a = 0
    while a < n or events:
        if events and (a >= n or events[0][0] <= arr_l[a]):
            now, kind, k = heapq.heappop(events)
            if kind == 0:  # window ends: an idle server leaves now, a busy one after its customer
                idle_since[k] = None
                window_of[k] += 1
                win = windows[k]
                if window_of[k] < len(win):
                    heapq.heappush(events, (win[window_of[k]][0], 1, k))
                    heapq.heappush(events, (win[window_of[k]][1], 0, k))
                continue
            if kind == 2:
                busy[k] = False
            if not busy[k] and in_window(k, now) and not serve(k, now):
                idle_since[k] = now
                heapq.heappush(idle, (now, k))
        else:
            i = a
            a += 1
            queues[level_of[pri_l[i]]].append(i)
            while idle and idle_since[idle[0][1]] != idle[0][0]:
                heapq.heappop(idle)
            if idle:
                _, k = heapq.heappop(idle)
                idle_since[k] = None
                serve(k, arr_l[i])
    served = np.isfinite(start)
    return start, ~served


def run_once(
    rng: np.random.Generator,
    rates: NDArray[np.float64],
    interval: float,
    classes: Sequence[CustomerClass],
    windows: list[list[Window]],
    target_time: float,
    warmup: float = 0.0,
) -> Replication:
    arrival, service, patience, priority = draw(rng, rates, interval, classes)
    if len(set(priority.tolist())) <= 1:
        start, unserved = fcfs(arrival, service, patience, windows)
    else:
        start, unserved = by_priority(arrival, service, patience, priority, windows)
    keep = arrival >= warmup
    arrival, service, patience, start = (v[keep] for v in (arrival, service, patience, start))
    unserved = unserved[keep]
    served = ~unserved
    horizon = len(rates) * interval
    # An unserved customer waited until their patience ran out, or until the end of the day if nobody was left.
    wait = np.where(served, start - arrival, np.minimum(patience, np.maximum(horizon - arrival, 0.0)))
    count = len(arrival)
    available = sum(max(0.0, min(e, horizon) - max(s, warmup)) for win in windows for s, e in win)
    busy_time = float((np.minimum(start[served] + service[served], horizon) - start[served]).sum())
    idx = np.minimum((arrival // interval).astype(np.int64), len(rates) - 1)
    per = np.bincount(idx, minlength=len(rates)).astype(np.int64)
    wsum = np.bincount(idx, weights=wait, minlength=len(rates))
    return Replication(
        arrivals=count,
        answered=int(served.sum()),
        abandoned=int(unserved.sum()),
        mean_wait=float(wait.mean()) if count else 0.0,
        service_level=float((served & (wait <= target_time)).sum() / count) if count else 1.0,
        utilisation=busy_time / available if available > 0 else 0.0,
        wait_by_interval=np.divide(wsum, per, out=np.zeros(len(rates)), where=per > 0),
        arrivals_by_interval=per,
    )


def _estimate(values: Sequence[float], confidence: float) -> Estimate:
    arr = np.asarray(values, dtype=np.float64)
    if len(arr) < 2:
        return Estimate(float(arr.mean()), math.inf)
    half = float(stats.t.ppf(0.5 + confidence / 2, len(arr) - 1) * arr.std(ddof=1) / math.sqrt(len(arr)))
    return Estimate(float(arr.mean()), half)


def simulate(
    *,
    arrivals: Sequence[float] | NDArray[np.float64],
    interval: float,
    classes: Sequence[CustomerClass],
    servers: int | Sequence[Sequence[Window]],
    target_time: float = 20.0,
    replications: int = 20,
    seed: int = 0,
    warmup: float = 0.0,
    confidence: float = 0.95,
) -> SimulationResult:
    """Simulate `replications` independent days; arrivals = expected arrivals per interval (seconds)."""
    rates = np.asarray(arrivals, dtype=np.float64)
    if (rates < 0).any() or interval <= 0 or not classes or replications < 1:
        raise ValueError("arrivals ≥ 0, interval > 0, at least one class and one replication are required")
    if isinstance(servers, int):
        windows = [[(0.0, math.inf)] for _ in range(servers)]
    else:
        windows = [sorted((float(s), float(e)) for s, e in w if e > s) for w in servers]
    seeds = np.random.SeedSequence(seed).spawn(replications)
    reps = [
        run_once(np.random.default_rng(s), rates, interval, classes, windows, target_time, warmup)
        for s in seeds
    ]
    return SimulationResult(
        replications=reps,
        mean_wait=_estimate([r.mean_wait for r in reps], confidence),
        service_level=_estimate([r.service_level for r in reps], confidence),
        abandon_rate=_estimate([r.abandoned / r.arrivals if r.arrivals else 0.0 for r in reps], confidence),
        utilisation=_estimate([r.utilisation for r in reps], confidence),
        wait_by_interval=np.mean([r.wait_by_interval for r in reps], axis=0),
        customers=sum(r.arrivals for r in reps),
    )
