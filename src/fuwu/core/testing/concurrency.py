"""Thread races for the PostgreSQL concurrency tests: N callers released at once, every outcome kept."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def race(n: int, work: Callable[[int], T]) -> tuple[list[T], list[BaseException]]:
    """Run `work(0)` … `work(n - 1)` in n threads released together by a barrier; returns what they returned
    and what they raised (for the test to assert on). Each thread closes its own database connection."""
    start = threading.Barrier(n)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(k: int) -> None:
        try:
            start.wait()
            out = work(k)
            with lock:
                results.append(out)
        except BaseException as exc:  # surfaced by the test's assertions
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def race_all(calls: Sequence[Callable[[], T]]) -> tuple[list[T], list[BaseException]]:
    """`race` over different calls, one thread each."""
    return race(len(calls), lambda k: calls[k]())
