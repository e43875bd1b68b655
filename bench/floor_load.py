"""Floor under load: K concurrent clients over HTTP against a real `fuwu serve` (production settings).

Each client plays a kiosk and a counter terminal: issue → call-next → start → finish, every POST with its own
Idempotency-Key and retried with the same key on connection errors. Prints requests/s, p50/p99 latency and
the ratio to a bare authenticated endpoint (GET /api/v1/me with a device token) on the same server stack,
then drains the line and checks the database: 0 duplicated calls, 0 lost tickets.
Bare and floor load run in alternating rounds (--rounds), so a change in the machine's speed during the run
(other work, caches warming) falls on both sides of the ratio.
With --kill the server is killed with SIGKILL mid-load and restarted; the checks must still hold.
Goal (PostgreSQL, 32 clients): ratio >= 0.5, p99 <= 100 ms; always 0 duplicated, 0 lost.

The clients' counters are spread over --outlets outlets (default 8, four counters and one kiosk each, the
shape of a real bank's load); --outlets 1 puts every counter on one outlet's line, the worst case for the
per-outlet number row and the shared queue head.
The server runs as shipped (`fuwu serve`: 2 workers x 4 threads; FUWU_WORKERS / FUWU_THREADS change it).
Run: .venv/bin/python bench/floor_load.py [--db sqlite|postgres|both] [--clients 32] [--seconds 15] [--kill]
     [--outlets 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = os.environ.get("FUWU_BENCH_PG_DB", "fuwu_bench_floor")  # own name per concurrent run

SETUP = r"""
import json, django
django.setup()
from fuwu.core import services as core
from fuwu.floor import services as floor
from fuwu.core.principals import SYSTEM
ho = core.org_unit_create(actor=SYSTEM, parent=None, code="HO", name="总行", kind="head_office")
clients = []
for o in range(OUTLETS):
    outlet = core.org_unit_create(actor=SYSTEM, parent=ho, code=f"LOAD{o:02d}", name=f"压测网点{o}", kind="outlet")
    floor.service_type_save(actor=SYSTEM, outlet=outlet, code="CASH", name="个人现金存取", prefix="A", counter_kinds=["high"])
    floor.service_type_save(actor=SYSTEM, outlet=outlet, code="XFER", name="转账汇款", prefix="B", counter_kinds=["high"])
    _, kiosk = core.device_token_issue(actor=SYSTEM, org_unit=outlet, kind="kiosk")
    for i in range(o + 1, K + 1, OUTLETS):
        c = floor.counter_save(actor=SYSTEM, outlet=outlet, code=f"LOAD-W{i:02d}", number=i, kind="high")
        _, raw = core.device_token_issue(actor=SYSTEM, org_unit=outlet, kind="counter", counter_code=c.code)
        clients.append({"outlet": outlet.code, "kiosk": kiosk, "counter": c.code, "token": raw})
print(json.dumps({"clients": clients}))
"""

CHECK = r"""
import json, django
django.setup()
from collections import Counter
from fuwu.floor.models import Ticket, TicketEvent
calls = Counter(TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True))
numbers = Counter(Ticket.objects.values_list("outlet_id", "business_date", "number"))
print(json.dumps({
    "tickets": Ticket.objects.count(),
    "finished": Ticket.objects.filter(status="finished").count(),
    "open": Ticket.objects.exclude(status="finished").count(),
    "called_twice": sum(1 for n in calls.values() if n > 1),
    "duplicate_numbers": sum(1 for n in numbers.values() if n > 1),
    "ids": list(Ticket.objects.values_list("id", flat=True)),
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], port: int, log: str) -> None:
        self.env, self.port, self.proc, self.log = env, port, None, log  # type: ignore[var-annotated]

    def start(self) -> None:
        self.proc = subprocess.Popen(  # type: ignore[assignment]
            [PY, "-m", "fuwu.cli", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "a"),  # noqa: SIM115  # the server owns it until it exits
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/me")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the whole gunicorn group, like a crashed host
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


class Client:
    """One keep-alive connection; POSTs are retried with the same Idempotency-Key until answered."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token, self.conn = port, token, None  # type: ignore[var-annotated]
        self.latencies: list[float] = []
        self.retries = 0
        self.reasons: dict[str, int] = {}

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = key
        payload = json.dumps(body or {}) if method == "POST" else None
        for attempt in range(200):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)  # type: ignore[assignment]
                started = time.perf_counter()
                self.conn.request(method, path, body=payload, headers=headers)  # type: ignore[attr-defined]
                res = self.conn.getresponse()  # type: ignore[attr-defined]
                data = res.read()
                self.latencies.append(time.perf_counter() - started)
                if res.status >= 500:
                    raise ConnectionError(f"{res.status}")
                return res.status, json.loads(data) if data else None
            except (OSError, http.client.HTTPException, ConnectionError) as exc:
                self.retries += 1
                self.reasons[f"{type(exc).__name__} {exc}"[:60]] = (
                    self.reasons.get(f"{type(exc).__name__} {exc}"[:60], 0) + 1
                )
                if self.conn is not None:
                    self.conn.close()  # type: ignore[attr-defined]
                self.conn = None
                time.sleep(min(0.05 * (attempt + 1), 1.0))
        raise RuntimeError(f"{method} {path} never answered")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


def run_bare(workers: list[Client], seconds: float) -> float:
    """One round of bare GETs; returns its elapsed seconds (latencies accumulate on the clients)."""
    stop = time.time() + seconds

    def loop(c: Client) -> None:
        while time.time() < stop:
            c.request("GET", "/api/v1/me")

    threads = [threading.Thread(target=loop, args=(c,)) for c in workers]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


class Floor:
    """The floor clients: each pair is a kiosk and a counter terminal of one outlet."""

    def __init__(self, port: int, setup: dict[str, Any], clients: int) -> None:
        self.issued: list[int] = []
        self.called: list[int] = []
        self.lock = threading.Lock()
        self.pairs = [
            (Client(port, c["kiosk"]), Client(port, c["token"]), c["counter"], c["outlet"])
            for c in setup["clients"][:clients]
        ]

    def clients(self) -> list[Client]:
        return [c for p in self.pairs for c in p[:2]]

    def run(self, seconds: float, kill: Server | None) -> float:
        """One round of issue → call-next → start → finish; returns its elapsed seconds."""
        stop = time.time() + seconds

        def loop(kiosk: Client, counter: Client, code: str, outlet: str) -> None:
            n = 0
            while time.time() < stop:
                status, body = kiosk.request(
                    "POST", f"/api/v1/outlets/{outlet}/tickets", {"service_code": "CASH" if n % 2 else "XFER"}
                )
                n += 1
                if status == 201:
                    with self.lock:
                        self.issued.append(body["id"])
                status, ticket = counter.request("POST", f"/api/v1/counters/{code}/call-next")
                if status != 200:
                    continue
                with self.lock:
                    self.called.append(ticket["id"])
                counter.request("POST", f"/api/v1/tickets/{ticket['id']}/start")
                counter.request("POST", f"/api/v1/tickets/{ticket['id']}/finish")

        threads = [threading.Thread(target=loop, args=p) for p in self.pairs]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        if kill is not None:
            time.sleep(seconds / 2)
            kill.kill()
            kill.start()
        for t in threads:
            t.join()
        return time.perf_counter() - t0

    def drain(self) -> None:
        """Every counter calls until nothing waits, so a lost ticket would show as never called."""
        for _, counter, code, _outlet in self.pairs:
            while True:
                status, ticket = counter.request("POST", f"/api/v1/counters/{code}/call-next")
                if status != 200:
                    break
                self.called.append(ticket["id"])
                counter.request("POST", f"/api/v1/tickets/{ticket['id']}/start")
                counter.request("POST", f"/api/v1/tickets/{ticket['id']}/finish")


def prepare(db: str, tmp: str, clients: int) -> dict[str, str]:
    env = dict(
        os.environ,
        FUWU_DATA_DIR=tmp,
        DEBUG="0",
        FUWU_SSL_REDIRECT="0",
        FUWU_HSTS_SECONDS="0",
        DJANGO_SETTINGS_MODULE="fuwu.settings",
        FUWU_LOG_LEVEL="WARNING",
    )
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/load.sqlite3"
    subprocess.run([PY, "-m", "fuwu.cli", "migrate", "-v", "0"], env=env, check=True)
    return env


def bench(db: str, clients: int, seconds: float, kill: bool, outlets: int, rounds: int) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        env = prepare(db, tmp, clients)
        out = subprocess.run(
            [PY, "-c", SETUP.replace("K + 1", str(clients + 1)).replace("OUTLETS", str(outlets))],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        setup = json.loads(out.strip().splitlines()[-1])
        port = free_port()
        log = os.path.join(tmp, "server.log")
        server = Server(env, port, log)
        server.start()
        bare = [Client(port, setup["clients"][0]["kiosk"]) for _ in range(clients)]
        floor = Floor(port, setup, clients)
        bare_time = floor_time = 0.0
        try:
            # Alternating rounds: a drift in the machine's speed (other load, caches warming) hits both alike.
            for r in range(rounds):
                bare_time += run_bare(bare, seconds / rounds)
                middle = kill and r == rounds // 2
                floor_time += floor.run(seconds / rounds, server if middle else None)
            bare_lat = [x for c in bare for x in c.latencies]
            floor_lat = [x for c in floor.clients() for x in c.latencies]
            floor.drain()
        finally:
            server.stop()
        bare_rate, bare_p50, bare_p99 = len(bare_lat) / bare_time, pct(bare_lat, 0.5), pct(bare_lat, 0.99)
        result = {
            "rate": len(floor_lat) / floor_time,
            "p50": pct(floor_lat, 0.5),
            "p99": pct(floor_lat, 0.99),
            "issued": floor.issued,
            "called": floor.called,
            "retries": sum(c.retries for c in floor.clients()),
            "reasons": {
                k: sum(c.reasons.get(k, 0) for c in floor.clients())
                for k in {k for c in floor.clients() for k in c.reasons}
            },
        }
        errors = [line for line in Path(log).read_text().splitlines() if "Error" in line or "error" in line]
        check = json.loads(
            subprocess.run([PY, "-c", CHECK], env=env, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
    duplicated = len(result["called"]) - len(set(result["called"])) + check["called_twice"]
    lost = len(set(result["issued"]) - set(check["ids"])) + check["open"]
    lost += len(set(result["issued"]) - set(result["called"]))
    server = f"{os.environ.get('FUWU_WORKERS', '2')}x{os.environ.get('FUWU_THREADS', '4')} gthread"
    tag = f"[floor_load {db}, {outlets} outlet{'s' if outlets > 1 else ''}, {server}{', kill -9' if kill else ''}]"
    tag = tag[:-1] + f", {rounds} alternating rounds]"
    print(
        f"{tag} bare GET /api/v1/me: {bare_rate:.0f} req/s, p50 {bare_p50:.1f} ms, p99 {bare_p99:.1f} ms "
        f"({clients} clients)"
    )
    print(
        f"{tag} floor issue→call→start→finish: {result['rate']:.0f} req/s, p50 {result['p50']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, ratio to bare {result['rate'] / bare_rate:.2f} (goal >= 0.5, p99 <= 100 ms)"
    )
    print(
        f"{tag} tickets {check['tickets']}, finished {check['finished']}, duplicated {duplicated}, lost {lost}, "
        f"duplicate numbers {check['duplicate_numbers']}, client retries {result['retries']}"
    )
    if result["reasons"]:
        print(f"{tag} retry causes: {result['reasons']}")
    if errors:
        print(f"{tag} server logged {len(errors)} error lines, e.g. {errors[-1][:160]}")
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return duplicated == 0 and lost == 0 and check["duplicate_numbers"] == 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15, help="per kind of load, over all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="alternating bare and floor rounds")
    parser.add_argument("--kill", action="store_true", help="also run with the server killed -9 mid-load")
    parser.add_argument(
        "--outlets",
        type=int,
        default=8,
        help="spread the clients' counters over this many outlets, one kiosk each (1: all on one outlet's line)",
    )
    args = parser.parse_args()
    ok = True
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        ok &= bench(db, args.clients, args.seconds, kill=False, outlets=args.outlets, rounds=args.rounds)
        if args.kill:
            ok &= bench(db, args.clients, args.seconds, kill=True, outlets=args.outlets, rounds=args.rounds)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
