"""Platform endpoints: who am I, the org units I can see, the business calendar."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from fuwu.core import calendar, selectors, services
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.models import DeviceToken
from fuwu.core.nav import user_roles
from fuwu.core.openapi import raises
from fuwu.core.principals import DevicePrincipal
from fuwu.core.schemas import DeviceIssueIn

router = Router(tags=["platform"])


class MeOut(Schema):
    kind: str
    name: str
    org_unit_code: str | None
    roles: list[str]
    device_kind: str | None = None
    counter_code: str | None = None


class OrgUnitOut(Schema):
    code: str
    name: str
    kind: str
    depth: int
    parent_code: str | None


class BusinessDayOut(Schema):
    date: dt.date
    is_business_day: bool
    holiday_name: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    principal = request_principal(request)
    if isinstance(principal, DevicePrincipal):
        return MeOut(
            kind="device",
            name=principal.label,
            org_unit_code=principal.org_unit.code,
            roles=[],
            device_kind=principal.kind,
            counter_code=principal.counter_code or None,
        )
    unit = principal.org_unit
    return MeOut(
        kind="staff",
        name=str(principal),
        org_unit_code=unit.code if unit else None,
        roles=sorted(user_roles(principal)),
    )


@router.get("/org-units", response=list[OrgUnitOut])
def org_units(request: HttpRequest, kind: str | None = None) -> list[OrgUnitOut]:
    units = list(selectors.org_units(fetched_by=request_principal(request), kind=kind))
    by_path = {u.path: u.code for u in units}
    step = 4  # treebeard MP_Node steplen
    return [
        OrgUnitOut(
            code=u.code, name=u.name, kind=u.kind, depth=u.depth, parent_code=by_path.get(u.path[:-step])
        )
        for u in units
    ]


@router.get("/calendar/business-days", response=list[BusinessDayOut])
def business_days(request: HttpRequest, start: dt.date, end: dt.date) -> list[BusinessDayOut]:
    if (end - start).days > 400 or end < start:
        raise ValidationFailed(
            _("Give a range of at most 400 days, end after start."),
            details=[{"field": "end", "reason": "range"}],
        )
    out = []
    day = start
    while day <= end:
        out.append(
            BusinessDayOut(
                date=day,
                is_business_day=calendar.is_business_day(day),
                holiday_name=calendar.holiday_name(day),
            )
        )
        day += dt.timedelta(days=1)
    return out


class DeviceOut(Schema):
    id: int
    prefix: str
    kind: str
    outlet_code: str
    counter_code: str
    revoked: bool


class DeviceIssuedOut(DeviceOut):
    token: str


def _device_out(token: DeviceToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "prefix": token.prefix,
        "kind": token.kind,
        "outlet_code": token.org_unit.code,
        "counter_code": token.counter_code,
        "revoked": token.revoked_at is not None,
    }


@router.post("/devices", response={201: DeviceIssuedOut})
@raises(NotFound)
def device_issue(request: HttpRequest, payload: DeviceIssueIn) -> Status[dict[str, object]]:
    principal = request_principal(request)
    outlet = selectors.org_unit(fetched_by=principal, code=payload.outlet_code)
    token, raw = services.device_token_issue(
        actor=principal,
        org_unit=outlet,
        kind=payload.kind,
        counter_code=payload.counter_code.strip(),
        name=payload.name.strip(),
    )
    return Status(201, {**_device_out(token), "token": raw})


@router.post("/devices/{device_id}/revoke", response=DeviceOut)
def device_revoke(request: HttpRequest, device_id: int) -> dict[str, object]:
    principal = request_principal(request)
    token = selectors.device_token(fetched_by=principal, pk=device_id)
    return _device_out(services.device_token_revoke(actor=principal, token=token))
