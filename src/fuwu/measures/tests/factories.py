"""Plain factory functions for measures tests: services, counters, tickets, evaluations and complaints."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fuwu.complaints.models import Complaint
from fuwu.core import clock
from fuwu.feedback.models import Evaluation
from fuwu.floor.models import Counter, ServiceType, Ticket

_seq = itertools.count(1)


def at(day: dt.date, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=clock.SHANGHAI)


def service(outlet: Any, code: str = "CASH", target_wait_seconds: int = 600) -> ServiceType:
    found = ServiceType.objects.filter(outlet=outlet, code=code).first()
    if found:
        return found
    n = ServiceType.objects.filter(outlet=outlet).count()
    return ServiceType.objects.create(
        outlet=outlet,
        code=code,
        name=code,
        prefix=chr(ord("A") + n),
        counter_kinds="low",
        target_wait_seconds=target_wait_seconds,
    )


def counter(outlet: Any, number: int = 1, staff: Any = None) -> Counter:
    return Counter.objects.get_or_create(
        code=f"{outlet.code}-{number:02d}",
        defaults={"outlet": outlet, "number": number, "kind": "low", "staff": staff},
    )[0]


def ticket(
    outlet: Any,
    issued_at: dt.datetime,
    *,
    svc: ServiceType | None = None,
    wait: int | None = None,
    service_seconds: int | None = None,
    status: str | None = None,
    counter_: Counter | None = None,
    staff: Any = None,
    tier: str = "normal",
    rating: str | None = None,
) -> Ticket:
    """A ticket issued at `issued_at`, called `wait` s later, served for `service_seconds` s."""
    svc = svc or service(outlet)
    n = next(_seq)
    called_at = issued_at + dt.timedelta(seconds=wait) if wait is not None else None
    started_at = called_at + dt.timedelta(seconds=30) if called_at and service_seconds is not None else None
    finished_at = (
        started_at + dt.timedelta(seconds=service_seconds)
        if started_at and service_seconds is not None
        else None
    )
    if status is None:
        status = "finished" if finished_at else "called" if called_at else "waiting"
    t = Ticket.objects.create(
        outlet=outlet,
        business_date=clock.business_date(issued_at),
        number=f"T{n:05d}",
        seq=n,
        service=svc,
        status=status,
        customer_tier=tier,
        counter=counter_,
        staff=staff,
        issued_at=issued_at,
        called_at=called_at,
        started_at=started_at,
        finished_at=finished_at,
    )
    if rating:
        Evaluation.objects.create(
            ticket=t, outlet=outlet, counter=counter_, staff=staff, rating=rating, at=finished_at or issued_at
        )
    return t


def complaint(
    unit: Any,
    received_at: dt.datetime,
    *,
    closed_at: dt.datetime | None = None,
    due_days: int = 15,
    status: str | None = None,
) -> Complaint:
    n = next(_seq)
    return Complaint.objects.create(
        reference=f"C{n:08d}",
        outlet=unit,
        source="counter",
        received_at=received_at,
        due_at=received_at + dt.timedelta(days=due_days),
        closed_at=closed_at,
        status=status or ("closed" if closed_at else "registered"),
        channel_code="01",
        category_code="01",
        reason_code="01",
        content="test",
        complainant_name="张三",
    )


def feedback(
    unit: Any, submitted_at: dt.datetime, *, replied_at: dt.datetime | None, due_hours: int = 24
) -> Any:
    from fuwu.feedback.models import FeedbackItem

    n = next(_seq)
    return FeedbackItem.objects.create(
        outlet=unit,
        text="意见",
        client_key=f"k{n}",
        access_hash=f"h{n}",
        submitted_at=submitted_at,
        reply_due_at=submitted_at + dt.timedelta(hours=due_hours),
        replied_at=replied_at,
        status="replied" if replied_at else "open",
    )
