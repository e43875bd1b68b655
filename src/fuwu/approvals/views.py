"""Approval pages: cases and the decider's inbox, a case with its timeline and buttons, the bottleneck page."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fuwu.approvals import selectors, services
from fuwu.approvals.models import CaseStatus, CaseStep
from fuwu.approvals.schemas import CaseStartIn, DecisionIn, DelegationIn, ReassignIn
from fuwu.core import access, clock
from fuwu.core import selectors as core_selectors
from fuwu.core.auth import request_principal
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.inputs import FormState, parse
from fuwu.core.listing import ListSpec, Sort, listing
from fuwu.core.models import User
from fuwu.core.principals import Principal
from fuwu.core.transitions import allowed_names

CASE_LIST = ListSpec(
    sorts=(
        Sort("new", gettext_lazy("Newest first"), ("-started_at",)),
        Sort("old", gettext_lazy("Oldest first"), ("started_at",)),
        Sort("amount", gettext_lazy("Largest amount first"), ("-amount",)),
    ),
    text=("reference", "title", "version__process__name"),
    state_field="status",
    states=CaseStatus.choices,
    unit_field="org_unit",
    date_field="started_at",
    mine=("started_by",),
)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    found = listing(request, selectors.case_rows(fetched_by=who), CASE_LIST, principal=who)
    return render(request, "approvals/list.html", found.context())


INBOX_LIST = ListSpec(
    sorts=(
        Sort("due", gettext_lazy("Due soonest"), ("due_at",)),
        Sort("new", gettext_lazy("Newest first"), ("-started_at",)),
        Sort("amount", gettext_lazy("Largest amount first"), ("-case__amount",)),
    ),
    text=("case__reference", "case__title", "step_def__name"),
    state_field="case__version__process__code",  # the processes are the reader's, set per request
    state_label=gettext_lazy("Process"),
    unit_field="case__org_unit",
    date_field="started_at",
    mine=("assignee",),
)


@login_required
def inbox(request: HttpRequest, form: FormState | None = None, status: int = 200) -> HttpResponse:
    who = request_principal(request)
    colleagues = (
        list(core_selectors.staff(fetched_by=who).exclude(pk=who.pk)[:300]) if isinstance(who, User) else []
    )
    steps = selectors.inbox(fetched_by=who)
    processes = steps.order_by("case__version__process__code").values_list(
        "case__version__process__code", "case__version__process__name"
    )
    # Paged and counted (#19): the inbox stopped at 500 steps.
    found = listing(
        request, steps, dataclasses.replace(INBOX_LIST, states=list(processes.distinct())), principal=who
    )
    return render(
        request,
        "approvals/inbox.html",
        {
            **found.context(),
            "escalations": selectors.escalations(fetched_by=who)
            if access.has(who, "approvals.reassign_step")
            else [],
            "colleagues": colleagues,
            "form": form or FormState(),
        },
        status=status,
    )


@login_required
@require_POST
def delegate(request: HttpRequest) -> HttpResponse:
    """Hand my approvals to a colleague while I am on leave."""
    who = request_principal(request)
    try:
        payload = parse(DelegationIn, request.POST)
        if not isinstance(who, User):
            raise NotFound()
        colleague = core_selectors.staff(fetched_by=who).filter(pk=payload.delegate_id).first()
        if colleague is None:
            raise NotFound()
        services.delegation_set(
            actor=who, delegator=who, delegate=colleague, starts_on=payload.starts_on, ends_on=payload.ends_on
        )
    except ValidationFailed as exc:
        return inbox(request, FormState.failed(request.POST, exc), status=422)
    return redirect("approvals:inbox")


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    who = request_principal(request)
    step = selectors.step(fetched_by=who, pk=pk)
    try:
        payload = parse(ReassignIn, request.POST)
        people = selectors.eligible_assignees(fetched_by=who, step=step)
        person = next((u for u in people if u.pk == payload.assignee_id), None)
        if person is None:
            message = _("Choose from the list.")
            raise ValidationFailed(message, details=[{"field": "assignee_id", "reason": message}])
        services.step_reassign(actor=who, step=step, assignee=person)
    except ValidationFailed as exc:
        return case_detail(request, step.case_id, FormState.failed(request.POST, exc), status=422)
    return redirect("approvals:detail", pk=step.case_id)


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    form = FormState()
    status = 200
    if request.method == "POST":
        try:
            payload = parse(CaseStartIn, request.POST)
            case = services.case_start(
                actor=who,
                process_code=payload.process_code,
                outlet=core_selectors.org_unit(fetched_by=who, code=payload.outlet_code),
                title=payload.title,
                amount=payload.amount,
            )
            upload = request.FILES.get("file")
            if upload is not None:
                services.attachment_add(actor=who, case=case, file=upload, name=upload.name or "file")
            return redirect("approvals:detail", pk=case.pk)
        except ValidationFailed as exc:
            form, status = FormState.failed(request.POST, exc), 422
    return render(
        request,
        "approvals/new.html",
        {
            "processes": selectors.processes(fetched_by=who),
            "outlets": [u for u in core_selectors.org_units(fetched_by=who) if u.kind == "outlet"],
            "form": form,
        },
        status=status,
    )


@login_required
def case_detail(
    request: HttpRequest, pk: int, form: FormState | None = None, status: int = 200
) -> HttpResponse:
    who = request_principal(request)
    case = selectors.case(fetched_by=who, pk=pk)
    steps = list(case.steps.select_related("step_def", "owner_unit", "assignee", "decided_by"))
    return render(
        request,
        "approvals/detail.html",
        {
            "case": case,
            "steps": [_step_row(s, who) for s in steps],
            "case_actions": allowed_names(case, who),
            "timeline": selectors.timeline(fetched_by=who, case=case),
            "attachments": case.attachments.all(),
            "form": form or FormState(),
        },
        status=status,
    )


def _step_row(step: CaseStep, who: Principal) -> tuple[CaseStep, frozenset[str], list[User]]:
    names = allowed_names(step, who)
    people = selectors.eligible_assignees(fetched_by=who, step=step) if "reassign" in names else []
    return step, names, people


@login_required
@require_POST
def step_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    who = request_principal(request)
    step = selectors.step(fetched_by=who, pk=pk)
    try:
        payload = parse(DecisionIn, request.POST)
        if action == "approve":
            services.step_approve(actor=who, step=step, comment=payload.comment)
        elif action == "return":
            services.step_return(actor=who, step=step, comment=payload.comment)
        elif action == "reject":
            services.step_reject(actor=who, step=step, comment=payload.comment)
        else:
            raise NotFound()
        upload = request.FILES.get("file")
        if upload is not None:
            services.attachment_add(
                actor=who, case=step.case, file=upload, name=upload.name or "file", step=step
            )
    except ValidationFailed as exc:
        return case_detail(request, step.case_id, FormState.failed(request.POST, exc), status=422)
    return redirect("approvals:detail", pk=step.case_id)


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    who = request_principal(request)
    case = selectors.case(fetched_by=who, pk=pk)
    try:
        payload = parse(DecisionIn, request.POST)
        if action == "pause":
            services.case_pause(actor=who, case=case, comment=payload.comment)
        elif action == "resume":
            services.case_resume(actor=who, case=case)
        elif action == "resubmit":
            services.case_resubmit(actor=who, case=case, comment=payload.comment)
        else:
            raise NotFound()
    except ValidationFailed as exc:
        return case_detail(request, pk, FormState.failed(request.POST, exc), status=422)
    return redirect("approvals:detail", pk=pk)


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def bottlenecks(request: HttpRequest) -> HttpResponse:
    who = request_principal(request)
    processes = selectors.processes(fetched_by=who)
    code = request.GET.get("process") or (processes[0].code if processes else "")
    end = _date(request.GET.get("end"), clock.today())
    start = _date(request.GET.get("start"), end - dt.timedelta(days=89))
    rows = selectors.bottlenecks(fetched_by=who, process_code=code, start=start, end=end) if code else []
    heat = (
        selectors.bottleneck_heatmap(fetched_by=who, process_code=code, start=start, end=end) if code else []
    )
    chart: dict[str, Any] = {
        "steps": [r.step_name for r in rows],
        "median": [round(r.median_hours, 1) if r.median_hours is not None else None for r in rows],
        "p90": [round(r.p90_hours, 1) if r.p90_hours is not None else None for r in rows],
        "waiting": [round(r.waiting_hours, 1) if r.waiting_hours is not None else None for r in rows],
        "working": [round(r.working_hours, 1) if r.working_hours is not None else None for r in rows],
        "heat": [[h, w, n, round(e, 1)] for w, h, n, e in heat],
        "days": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "names": {
            "median": _("Median hours"),
            "p90": _("90th percentile hours"),
            "waiting": _("Waiting for customer (h)"),
            "working": _("Working (h)"),
            "count": _("Steps started"),
        },
    }
    slowest = max(
        (r for r in rows if r.median_hours is not None), key=lambda r: r.median_hours or 0, default=None
    )
    return render(
        request,
        "approvals/bottlenecks.html",
        {
            "processes": processes,
            "code": code,
            "start": start,
            "end": end,
            "rows": rows,
            "chart": chart,
            "slowest": slowest,
        },
    )
