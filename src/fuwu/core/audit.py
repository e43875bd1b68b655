"""Audit rows for actions that change no model row (row changes are recorded by simple-history)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model
from simple_history.models import HistoricalRecords

from fuwu.core import clock
from fuwu.core.models import AuditEvent, OrgUnit, User
from fuwu.core.net import client_ip
from fuwu.core.principals import Principal, principal_label


def current_ip() -> str | None:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return None
    return client_ip(request)


def record(
    *,
    actor: Principal,
    action: str,
    target: Model | None = None,
    org_unit: OrgUnit | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; call inside the service's transaction."""
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if isinstance(actor, User) else None,
        actor_label=principal_label(actor),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        org_unit=org_unit,
        ip_address=current_ip(),
        data=data or {},
    )


def record_many(
    *,
    actor: Principal,
    action: str,
    events: Iterable[tuple[Model | None, OrgUnit | None, dict[str, Any]]],
) -> list[AuditEvent]:
    """`record` for many events of one action in one insert (target, org unit, data each); inside the
    service's transaction. For a bulk write that must hold the database briefly (an import's ledger tasks)."""
    at, label, ip = clock.now(), principal_label(actor), current_ip()
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            at=at,
            actor=actor if isinstance(actor, User) else None,
            actor_label=label,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            org_unit=org_unit,
            ip_address=ip,
            data=data or {},
        )
        for target, org_unit, data in events
    )
