"""Approvals API: a business system (loan origination, account opening) starts a case and reads its state."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from fuwu.approvals import selectors, services
from fuwu.approvals.models import Case
from fuwu.approvals.schemas import CaseOut, CaseStartIn
from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound
from fuwu.core.openapi import raises

router = Router(tags=["approvals"])


def _out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.pk,
        reference=case.reference,
        status=case.status,
        status_label=str(case.get_status_display()),
        version=case.version.number,
    )


@router.post("/approvals/cases", response={201: CaseOut})
@raises(NotFound)
def start_case(request: HttpRequest, payload: CaseStartIn) -> tuple[int, CaseOut]:
    who = request_principal(request)
    case = services.case_start(
        actor=who,
        process_code=payload.process_code,
        outlet=core_selectors.org_unit(fetched_by=who, code=payload.outlet_code),
        title=payload.title,
        amount=payload.amount,
        external_ref=payload.external_ref,
    )
    return 201, _out(case)


@router.get("/approvals/cases/{pk}", response=CaseOut)
def get_case(request: HttpRequest, pk: int) -> CaseOut:
    return _out(selectors.case(fetched_by=request_principal(request), pk=pk))
