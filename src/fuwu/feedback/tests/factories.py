"""Plain factory functions for feedback tests: floor facts written directly on the floor models."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fuwu.core import clock, services
from fuwu.core.principals import SYSTEM
from fuwu.floor.models import Counter, ServiceType, Ticket

_seq = itertools.count(1)


def service_type(outlet: Any, code: str = "CASH", name: str = "现金业务", prefix: str = "A") -> ServiceType:
    found = ServiceType.objects.filter(outlet=outlet, code=code).first()
    if found:
        return found
    return ServiceType.objects.create(
        outlet=outlet, code=code, name=name, prefix=prefix, counter_kinds="high,low"
    )


def counter(outlet: Any, number: int = 1, staff: Any = None) -> Counter:
    return Counter.objects.create(
        outlet=outlet,
        code=f"{outlet.code}-{number:02d}",
        number=number,
        kind="high",
        is_open=True,
        staff=staff,
    )


def finished_ticket(
    outlet: Any,
    *,
    counter: Counter | None = None,
    staff: Any = None,
    finished_at: dt.datetime | None = None,
    wait: dt.timedelta = dt.timedelta(minutes=10),
    status: str = Ticket.Status.FINISHED,
) -> Ticket:
    finished = finished_at or clock.now()
    issued = finished - wait - dt.timedelta(minutes=5)
    n = next(_seq)
    return Ticket.objects.create(
        outlet=outlet,
        business_date=clock.business_date(finished),
        number=f"A{n:03d}",
        seq=n,
        service=service_type(outlet),
        status=status,
        counter=counter,
        staff=staff,
        issued_at=issued,
        called_at=issued + wait,
        started_at=issued + wait,
        finished_at=finished if status == Ticket.Status.FINISHED else None,
    )


def pad_token(outlet: Any, counter_code: str) -> str:
    _token, raw = services.device_token_issue(
        actor=SYSTEM, org_unit=outlet, kind="pad", counter_code=counter_code
    )
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
