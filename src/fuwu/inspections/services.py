"""Inspection and rectification services: every write checks access first, runs in one transaction, audits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from simple_history.utils import bulk_create_with_history

from fuwu.core import access, audit, batches, calendar, clock, notifications, pii, roles
from fuwu.core.defects import Defect, SourceKind, report
from fuwu.core.errors import Conflict, NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import ImportBatch, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.inspections import photos, scoring
from fuwu.inspections.builtin import BUILTIN
from fuwu.inspections.models import (
    Finding,
    Inspection,
    Item,
    Photo,
    RectificationTask,
    Response,
    Section,
    Severity,
    Template,
    TemplateVersion,
)
from fuwu.inspections.states import INSPECTION, TASK

# Business days to fix a defect, by severity (整改时限).
DUE_DAYS = {Severity.MINOR: 10, Severity.NORMAL: 5, Severity.MAJOR: 3, Severity.CRITICAL: 1}
# A mystery shopper is not sent to the same outlet again within this many days (lock-out, as SASSIE does).
MYSTERY_LOCKOUT_DAYS = 90
# An overdue task climbs one level of the org tree per this many business days overdue.
ESCALATE_EVERY_DAYS = 3
REQUIRED_EVIDENCE = {
    SourceKind.INSPECTION: gettext_lazy("Photo or description of the corrected situation"),
    SourceKind.COMPLAINT: gettext_lazy("Description of the corrective measure and who was trained"),
    SourceKind.EVALUATION: gettext_lazy("Description of the corrective measure"),
    SourceKind.LANGUAGE: gettext_lazy("Confirmation that the staff member was coached"),
}


# --- templates (S1) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    section: str
    code: str
    text: str
    weight: int = 1
    points: int | None = None  # None: pass/fail/N/A; else 0..points
    critical: bool = False
    photo: bool = False
    severity: str = "normal"
    position: int | None = None
    guidance: str = ""


def _validate_specs(specs: Sequence[ItemSpec]) -> None:
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row, s in enumerate(specs, start=1):
        if not s.code.strip() or not s.text.strip() or not s.section.strip():
            problems.append(
                {"row": row, "field": "code", "reason": _("Section, code and text are required.")}
            )
        if s.code in seen:
            problems.append(
                {
                    "row": row,
                    "field": "code",
                    "reason": _("The code %(code)s appears twice.") % {"code": s.code},
                }
            )
        seen.add(s.code)
        if s.weight < 0 or s.weight > 100:
            problems.append({"row": row, "field": "weight", "reason": _("Enter a weight from 0 to 100.")})
        if s.points is not None and not 1 <= s.points <= 100:
            problems.append(
                {"row": row, "field": "points", "reason": _("Enter maximum points from 1 to 100.")}
            )
        if s.severity not in Severity.values:
            problems.append(
                {"row": row, "field": "severity", "reason": _("Choose one of the offered values.")}
            )
        if s.position is not None and not 1 <= s.position <= 7:
            problems.append({"row": row, "field": "position", "reason": _("Positions are numbered 1 to 7.")})
    if not specs:
        problems.append({"row": None, "field": "items", "reason": _("A template needs at least one item.")})
    if problems:
        raise ValidationFailed(_("The template has errors."), details=problems)


def template_version_create(
    *, actor: Principal, code: str, name: str, description: str, items: Sequence[ItemSpec], note: str = ""
) -> TemplateVersion:
    """Save a new version of template `code` (created if new); inspections keep the version they started on."""
    access.require(actor, "inspections.change_template")
    _validate_specs(items)
    with transaction.atomic():
        template, created = Template.objects.get_or_create(code=code, defaults={"name": name})
        # Lock the template so two editors saving at once get versions n+1 and n+2, not a unique-key error.
        template = Template.objects.select_for_update().get(pk=template.pk)
        template.name = name
        # Template text is written by head office and read by every supervisor: masked like all free text (#18).
        template.description = pii.scrub(description)
        by(template, actor).save()
        number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = TemplateVersion.objects.create(
            template=template,
            number=number,
            created_at=clock.now(),
            created_by=actor if isinstance(actor, User) else None,
            note=pii.scrub(note),
        )
        sections: dict[str, Section] = {}
        for order, s in enumerate(items, start=1):
            section = sections.get(s.section)
            if section is None:
                section = Section.objects.create(version=version, order=len(sections) + 1, title=s.section)
                sections[s.section] = section
            Item.objects.create(
                version=version,
                section=section,
                order=order,
                code=s.code,
                text=pii.scrub(s.text),
                guidance=pii.scrub(s.guidance),
                weight=s.weight,
                response=Item.Response.POINTS if s.points is not None else Item.Response.YES_NO,
                max_points=s.points or 1,
                critical=s.critical,
                photo_required=s.photo,
                severity=s.severity,
                position=s.position,
            )
        audit.record(
            actor=actor,
            action="inspections.template.version",
            target=version,
            data={"template": code, "number": number, "items": len(items), "created": created},
        )
    return version


def template_import_xlsx(*, actor: Principal, content: bytes) -> TemplateVersion:
    """A new template version from an Excel workbook (the page's and the API's import): all or nothing, every
    problem named by row and field."""
    # xlsx imports ItemSpec from here, and the schema is the one the API's template save validates with.
    from fuwu.core.inputs import parse
    from fuwu.inspections import xlsx
    from fuwu.inspections.schemas import TemplateIn

    access.require(actor, "inspections.change_template")
    info, specs = xlsx.read_template(content)
    payload = parse(
        TemplateIn, {**info, "note": _("Imported from Excel"), "items": [s.__dict__ for s in specs]}
    )
    return template_version_create(
        actor=actor,
        code=payload.code,
        name=payload.name,
        description=payload.description,
        note=payload.note,
        items=specs,
    )


def _builtin_specs() -> list[tuple[str, str, str, list[ItemSpec]]]:
    out = []
    for code, name, description, sections in BUILTIN:
        specs = [
            ItemSpec(
                section=title,
                code=i["code"],
                text=i["text"],
                weight=int(i.get("weight", 1)),
                points=i.get("points"),
                critical=bool(i.get("critical", False)),
                photo=bool(i.get("photo", False)),
                severity=str(i.get("severity", "normal")),
                position=i.get("position"),
                guidance=str(i.get("guidance", "")),
            )
            for title, items in sections
            for i in items
        ]
        out.append((code, name, description, specs))
    return out


def templates_install_builtin(*, actor: Principal) -> int:
    """Install the built-in checklists that are missing (五个一 … 厅堂定位); returns how many were added."""
    access.require(actor, "inspections.change_template")
    added = 0
    for code, name, description, specs in _builtin_specs():
        if Template.objects.filter(code=code).exists():
            continue
        template_version_create(
            actor=actor, code=code, name=name, description=description, items=specs, note=_("Built-in")
        )
        added += 1
    return added


def _current_version(code: str) -> TemplateVersion:
    version = (
        TemplateVersion.objects.filter(template__code=code, template__is_active=True)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise NotFound(_("No such template."))
    return version


# --- inspections (S2) ----------------------------------------------------------------------------


def _check_lockout(outlet: OrgUnit, supervisor: User, day: dt.date, exclude: int | None = None) -> None:
    window = (day - dt.timedelta(days=MYSTERY_LOCKOUT_DAYS), day + dt.timedelta(days=MYSTERY_LOCKOUT_DAYS))
    clash = (
        Inspection.objects.filter(
            outlet=outlet,
            supervisor=supervisor,
            kind=Inspection.Kind.MYSTERY,
        )
        .exclude(status=Inspection.Status.CANCELLED)
        .filter(Q(visit_date__range=window) | Q(visit_date__isnull=True, planned_for__range=window))
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise Conflict(
            _(
                "%(name)s visited or is planned at this outlet within %(days)s days; a mystery shopper must not be recognised."
            )
            % {"name": supervisor.display_name or supervisor.username, "days": MYSTERY_LOCKOUT_DAYS},
            code="mystery_lockout",
        )


def _is_supervisor_for(user: User, outlet: OrgUnit) -> bool:
    return access.has(user, "inspections.conduct_inspection", unit=outlet)


def inspection_plan(
    *,
    actor: Principal,
    outlet: OrgUnit,
    template_code: str,
    kind: str,
    supervisor: User,
    planned_for: dt.date,
) -> Inspection:
    """Plan a visit; a mystery visit respects the lock-out and stays invisible to the outlet until submitted."""
    access.require(actor, "inspections.plan_inspection", unit=outlet)
    if kind not in Inspection.Kind.values:
        raise ValidationFailed(
            _("Choose one of the offered values."),
            details=[{"field": "kind", "reason": _("Choose one of the offered values.")}],
        )
    if not _is_supervisor_for(supervisor, outlet):
        raise ValidationFailed(
            _("This person is not a supervisor for that outlet."),
            details=[
                {"field": "supervisor", "reason": _("This person is not a supervisor for that outlet.")}
            ],
        )
    with transaction.atomic():
        # Lock the supervisor row: two planners placing the same shopper at once cannot both pass the lock-out.
        User.objects.select_for_update().filter(pk=supervisor.pk).first()
        if kind == Inspection.Kind.MYSTERY:
            _check_lockout(outlet, supervisor, planned_for)
        inspection = Inspection.objects.create(
            outlet=outlet,
            version=_current_version(template_code),
            kind=kind,
            status=Inspection.Status.PLANNED,
            planned=True,
            planned_for=planned_for,
            supervisor=supervisor,
            created_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="inspections.inspection.plan",
            target=inspection,
            org_unit=outlet,
            data={"kind": kind, "planned_for": planned_for.isoformat(), "supervisor": supervisor.pk},
        )
    return inspection


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """'2026Q2' → (2026-04-01, 2026-06-30)."""
    try:
        year, q = int(quarter[:4]), int(quarter[-1])
        if quarter[4:5].upper() != "Q" or not 1 <= q <= 4:
            raise ValueError
    except ValueError as exc:
        raise ValidationFailed(
            _("Enter a quarter like 2026Q2."),
            details=[{"field": "quarter", "reason": _("Enter a quarter like 2026Q2.")}],
        ) from exc
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def _supervisors_for(unit: OrgUnit) -> list[User]:
    """Active supervisors whose home unit contains `unit` (they may inspect it)."""
    ancestors = [unit.path[:i] for i in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)]
    return list(
        User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR, org_unit__path__in=ancestors)
        .select_related("org_unit")
        .order_by("pk")
        .distinct()
    )


def schedule_quarter(
    *, actor: Principal, branch: OrgUnit, quarter: str, template_code: str, kind: str = "mystery"
) -> list[Inspection]:
    """One planned visit per outlet under `branch` in `quarter`, spread over its business days, each by a
    supervisor not locked out of that outlet (the least loaded first); outlets with nobody free are skipped."""
    access.require(actor, "inspections.plan_inspection", unit=branch)
    start, end = quarter_bounds(quarter)
    days = calendar.business_days_in(max(start, clock.today()), end) or calendar.business_days_in(start, end)
    outlets = list(
        OrgUnit.objects.filter(
            path__startswith=branch.path, kind=OrgUnit.Kind.OUTLET, is_active=True
        ).order_by("code")
    )
    load: dict[int, int] = {}
    planned: list[Inspection] = []
    for n, outlet in enumerate(outlets):
        if (
            Inspection.objects.filter(outlet=outlet, kind=kind, planned=True, planned_for__range=(start, end))
            .exclude(status=Inspection.Status.CANCELLED)
            .exists()
        ):
            continue
        day = days[(n * 7) % len(days)]
        for sup in sorted(_supervisors_for(outlet), key=lambda u: (load.get(u.pk, 0), u.pk)):
            try:
                planned.append(
                    inspection_plan(
                        actor=actor,
                        outlet=outlet,
                        template_code=template_code,
                        kind=kind,
                        supervisor=sup,
                        planned_for=day,
                    )
                )
            except Conflict:
                continue
            load[sup.pk] = load.get(sup.pk, 0) + 1
            break
    return planned


def inspection_start_adhoc(*, actor: Principal, outlet: OrgUnit, template_code: str, kind: str) -> Inspection:
    """An unplanned visit, started now by the acting supervisor."""
    access.require(actor, "inspections.conduct_inspection", unit=outlet)
    if not isinstance(actor, User):
        raise ValidationFailed(_("Only a person can inspect."))
    if kind not in Inspection.Kind.values:
        raise ValidationFailed(
            _("Choose one of the offered values."),
            details=[{"field": "kind", "reason": _("Choose one of the offered values.")}],
        )
    with transaction.atomic():
        now = clock.now()
        inspection = Inspection.objects.create(
            outlet=outlet,
            version=_current_version(template_code),
            kind=kind,
            status=Inspection.Status.IN_PROGRESS,
            supervisor=actor,
            created_at=now,
            started_at=now,
            visit_date=clock.business_date(now),
        )
        audit.record(
            actor=actor,
            action="inspections.inspection.start",
            target=inspection,
            org_unit=outlet,
            data={"kind": kind, "adhoc": True},
        )
    return inspection


def inspection_start(*, actor: Principal, inspection: Inspection) -> Inspection:
    """Begin a planned visit (its date becomes today)."""

    def effect(locked: Inspection) -> Inspection:
        now = clock.now()
        locked.started_at = now
        locked.visit_date = clock.business_date(now)
        return locked

    return INSPECTION.apply(inspection, "start", actor=actor, effect=effect)


def _item(inspection: Inspection, item_id: int) -> Item:
    try:
        return Item.objects.get(pk=item_id, version_id=inspection.version_id)
    except Item.DoesNotExist as exc:
        raise NotFound(_("No such item in this inspection.")) from exc


def response_save(
    *,
    actor: Principal,
    inspection: Inspection,
    item_id: int,
    result: str = "",
    points: int | None = None,
    note: str = "",
    staff_id: int | None = None,
    position: int | None = None,
) -> Response:
    """Save one item's answer as a draft (the last save wins; each save is kept by history)."""
    access.require(actor, "inspections.conduct_inspection", unit=inspection.outlet)
    item = _item(inspection, item_id)
    errors: list[dict[str, Any]] = []
    if item.response == Item.Response.POINTS:
        if points is not None and not 0 <= points <= item.max_points:
            errors.append(
                {"field": "points", "reason": _("Enter 0 to %(max)s points.") % {"max": item.max_points}}
            )
        if result == Response.Result.NA:
            points = None
        elif result not in ("",):
            result = ""
    elif result not in ("", *Response.Result.values):
        errors.append({"field": "result", "reason": _("Choose one of the offered values.")})
    if position is not None and not 1 <= position <= 7:
        errors.append({"field": "position", "reason": _("Positions are numbered 1 to 7.")})
    staff = None
    if staff_id is not None:
        staff = User.objects.filter(pk=staff_id, org_unit=inspection.outlet).first()
        if staff is None:
            errors.append({"field": "staff_id", "reason": _("Choose a staff member of this outlet.")})
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), details=errors)
    with transaction.atomic():
        # Lock the inspection: a save racing a submit either lands before it or is refused after it.
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != Inspection.Status.IN_PROGRESS:
            raise INSPECTION.refusal(locked, INSPECTION.action("submit"))
        now = clock.now()
        values = {
            "result": result,
            "points": points,
            "note": pii.scrub(note),  # a supervisor may quote a customer; shown masked (#18)
            "staff": staff,
            "position": position,
            "updated_at": now,
            "updated_by": actor if isinstance(actor, User) else None,
        }
        response = Response.objects.filter(inspection=locked, item=item).first()
        if response is None:
            response = Response(inspection=locked, item=item, **values)
        else:
            for k, v in values.items():
                setattr(response, k, v)
            response.revision += 1
        by(response, actor).save()
    return response


def _photo_create(
    *,
    actor: Principal,
    unit: OrgUnit,
    content: bytes,
    written: list[str],
    inspection: Inspection | None = None,
    item: Item | None = None,
    task: RectificationTask | None = None,
) -> Photo:
    checked = photos.check(content)
    original, thumb = photos.files(checked)
    photo = Photo(
        inspection=inspection,
        item=item,
        task=task,
        unit=unit,
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=len(content),
        width=checked.width,
        height=checked.height,
        taken_at=checked.taken_at,
        uploaded_at=clock.now(),
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    photo.file.save(original.name or "photo", original, save=False)
    written.append(str(photo.file.name))
    photo.thumbnail.save(thumb.name or "thumb", thumb, save=False)
    written.append(str(photo.thumbnail.name))
    photo.save()
    audit.record(
        actor=actor,
        action="inspections.photo.add",
        target=photo,
        org_unit=unit,
        data={"sha256": checked.sha256, "size": len(content)},
    )
    return photo


def photo_add(*, actor: Principal, inspection: Inspection, item_id: int, content: bytes) -> Photo:
    """Attach an evidence photo to one item of an inspection in progress."""
    access.require(actor, "inspections.conduct_inspection", unit=inspection.outlet)
    item = _item(inspection, item_id)
    with photos.removed_if_failed() as written, transaction.atomic():
        # Lock the inspection so no photo lands on an inspection that was submitted meanwhile.
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != Inspection.Status.IN_PROGRESS:
            raise INSPECTION.refusal(locked, INSPECTION.action("submit"))
        return _photo_create(
            actor=actor, unit=locked.outlet, content=content, written=written, inspection=locked, item=item
        )


def _answers_of(inspection: Inspection) -> list[scoring.Answer]:
    return scoring.answers(Response.objects.filter(inspection=inspection).select_related("item"))


def _rescore(inspection: Inspection) -> scoring.Score:
    result = scoring.score(_answers_of(inspection))
    inspection.score = result.value
    inspection.band = result.band
    inspection.critical_failed = result.critical_failed
    return result


def _default_owner(unit: OrgUnit) -> User | None:
    """The outlet head of `unit` (the first active one), who owns its rectifications by default; for a unit
    that is not an outlet (a contact centre's forbidden phrase at a branch or head office), its manager."""
    head = (
        User.objects.filter(org_unit=unit, is_active=True, groups__name=roles.OUTLET_HEAD)
        .order_by("pk")
        .first()
    )
    if head is not None:
        return head
    managers = notifications.unit_managers(unit)
    return managers[0] if managers else None


def inspection_submit(*, actor: Principal, inspection: Inspection) -> Inspection:
    """Close the visit: every item answered, photos where a failed item needs one; score it and turn each failed
    item into a finding reported to the rectification ledger."""

    def effect(locked: Inspection) -> Inspection:
        items = list(Item.objects.filter(version_id=locked.version_id).select_related("section"))
        responses = {r.item_id: r for r in Response.objects.filter(inspection=locked)}
        photographed = set(Photo.objects.filter(inspection=locked).values_list("item_id", flat=True))
        problems: list[dict[str, Any]] = []
        failed: list[tuple[Item, Response]] = []
        for item in items:
            r = responses.get(item.pk)
            answered = r is not None and (r.result in Response.Result.values or r.points is not None)
            if not answered:
                problems.append({"field": f"item_{item.pk}", "reason": _("Not answered yet.")})
                continue
            assert r is not None
            is_failed = r.result == Response.Result.FAIL or (
                item.response == Item.Response.POINTS and r.points is not None and r.points < item.max_points
            )
            if is_failed:
                if item.photo_required and item.pk not in photographed:
                    problems.append({"field": f"item_{item.pk}", "reason": _("A failed item needs a photo.")})
                failed.append((item, r))
        if problems:
            raise ValidationFailed(_("The inspection is not complete."), details=problems)
        now = clock.now()
        locked.submitted_at = now
        _rescore(locked)
        for item, r in failed:
            finding = Finding.objects.create(
                inspection=locked, response=r, item=item, supervisor=locked.supervisor, created_at=now
            )
            severity = item.severity
            if item.critical and severity not in (Severity.MAJOR, Severity.CRITICAL):
                severity = Severity.MAJOR  # a failed critical item is at least a major defect
            report(
                actor=actor,
                defect=Defect(
                    source_kind=SourceKind.INSPECTION,
                    source_id=str(finding.pk),
                    label=f"{locked.version.template.name} · {item.code} {item.text}"[:200],
                    unit=locked.outlet,
                    description=r.note or item.text,
                    severity=severity,
                    staff=r.staff or locked.staff_observed,
                    reason_code=item.code,
                    url=f"/inspections/{locked.pk}/",
                ),
            )
        return locked

    return INSPECTION.apply(inspection, "submit", actor=actor, effect=effect)


def inspection_cancel(*, actor: Principal, inspection: Inspection) -> Inspection:
    """Cancel a planned or unfinished visit."""
    return INSPECTION.apply(inspection, "cancel", actor=actor)


def inspection_observe(
    *, actor: Principal, inspection: Inspection, staff_id: int | None, position: int | None, note: str = ""
) -> Inspection:
    """Record whom and which lobby position (1–7) the visit observed."""
    access.require(actor, "inspections.conduct_inspection", unit=inspection.outlet)
    if position is not None and not 1 <= position <= 7:
        raise ValidationFailed(
            _("Positions are numbered 1 to 7."),
            details=[{"field": "position", "reason": _("Positions are numbered 1 to 7.")}],
        )
    with transaction.atomic():
        # Lock: the observation must not land on a visit submitted meanwhile.
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.status != Inspection.Status.IN_PROGRESS:
            raise INSPECTION.refusal(locked, INSPECTION.action("submit"))
        locked.staff_observed = (
            User.objects.filter(pk=staff_id, org_unit=locked.outlet).first() if staff_id else None
        )
        locked.position = position
        locked.note = pii.scrub(note)
        by(locked, actor).save()
    inspection.staff_observed_id, inspection.position, inspection.note = (
        locked.staff_observed_id,
        position,
        locked.note,
    )
    return locked


# --- rectification ledger (S3, S6) ---------------------------------------------------------------


def task_open(*, actor: Principal, defect: Defect) -> RectificationTask:
    """Open the rectification task for `defect` (or return the one already open for the same source)."""
    existing = RectificationTask.objects.filter(
        source_kind=defect.source_kind, source_id=defect.source_id
    ).first()
    if existing is not None:
        return existing
    severity = defect.severity if defect.severity in Severity.values else Severity.NORMAL
    now = clock.now()
    finding = None
    if defect.source_kind == SourceKind.INSPECTION:
        finding = Finding.objects.filter(pk=int(defect.source_id)).first()
    task = RectificationTask(
        source_kind=defect.source_kind,
        source_id=defect.source_id,
        label=defect.label[:200],
        url=defect.url[:300],
        unit=defect.unit,
        description=defect.description,
        severity=severity,
        reason_code=defect.reason_code[:64],
        staff=defect.staff,
        owner=defect.owner or _default_owner(defect.unit),
        finding=finding,
        opened_at=now,
        due=defect.due or calendar.add_business_days(clock.business_date(now), DUE_DAYS[Severity(severity)]),
        required_evidence=str(REQUIRED_EVIDENCE.get(defect.source_kind, ""))[:200],
    )
    try:
        # A savepoint: a concurrent report of the same source loses the unique key race and reads the winner.
        with transaction.atomic():
            by(task, actor).save()
    except IntegrityError:
        return RectificationTask.objects.get(source_kind=defect.source_kind, source_id=defect.source_id)
    audit.record(
        actor=actor,
        action="inspections.task.open",
        target=task,
        org_unit=task.unit,
        data={"source": defect.source_kind, "source_id": defect.source_id, "severity": severity},
    )
    notifications.notify(
        actor=actor,
        recipients=[task.owner],
        kind="inspections.task_opened",
        obj=task,
        message=gettext_noop("Rectification %(label)s at %(unit)s is yours to fix by %(due)s."),
        params={"label": task.label, "unit": task.unit.name, "due": task.due.isoformat()},
        key=f"inspections.task_opened:{task.pk}",
    )
    return task


def tasks_open_many(
    *, actor: Principal, defects: Sequence[Defect], batch: ImportBatch | None = None
) -> list[RectificationTask]:
    """`task_open` for many defects at once (an import's findings, #18): one insert per table instead of a
    round of queries per task. A source with a task already keeps it; the sources must not be reported by
    anyone else meanwhile (an import's fresh ones).

    With `batch`, the tasks (and their history rows) are written hidden with that unpublished import batch,
    in one of the import's short chunk transactions, and nobody is told yet: `tasks_published` notifies the
    owners once the batch's publish has committed, so the publish itself does not grow with the findings."""
    if not defects:
        return []
    now = clock.now()
    today = clock.business_date(now)
    existing: dict[tuple[str, str], RectificationTask] = {}
    for kind in {d.source_kind for d in defects}:
        ids = [d.source_id for d in defects if d.source_kind == kind]
        for start in range(0, len(ids), 5000):
            # Hidden tasks too: an unpublished batch's task already holds its source (the unique constraint).
            for task in RectificationTask._base_manager.filter(
                source_kind=kind, source_id__in=ids[start : start + 5000]
            ):
                existing[(kind, task.source_id)] = task
    findings = {
        str(f.pk): f
        for f in Finding.objects.filter(
            pk__in=[int(d.source_id) for d in defects if d.source_kind == SourceKind.INSPECTION]
        )
    }
    owners: dict[int, User | None] = {}
    dues: dict[str, dt.date] = {}
    fresh: list[RectificationTask] = []
    for defect in defects:
        if (defect.source_kind, defect.source_id) in existing:
            continue
        severity = defect.severity if defect.severity in Severity.values else Severity.NORMAL
        if defect.unit.pk not in owners:
            owners[defect.unit.pk] = _default_owner(defect.unit)
        if severity not in dues:
            dues[severity] = calendar.add_business_days(today, DUE_DAYS[Severity(severity)])
        task = RectificationTask(
            source_kind=defect.source_kind,
            source_id=defect.source_id,
            label=defect.label[:200],
            url=defect.url[:300],
            unit=defect.unit,
            description=defect.description,
            severity=severity,
            reason_code=defect.reason_code[:64],
            staff=defect.staff,
            owner=defect.owner or owners[defect.unit.pk],
            finding=findings.get(defect.source_id) if defect.source_kind == SourceKind.INSPECTION else None,
            opened_at=now,
            due=defect.due or dues[severity],
            required_evidence=str(REQUIRED_EVIDENCE.get(defect.source_kind, ""))[:200],
            import_batch=batch,
        )
        existing[(defect.source_kind, defect.source_id)] = task
        fresh.append(task)
    bulk_create_with_history(
        fresh, RectificationTask, default_user=actor if isinstance(actor, User) else None
    )
    audit.record_many(
        actor=actor,
        action="inspections.task.open",
        events=[
            (
                task,
                task.unit,
                {"source": task.source_kind, "source_id": task.source_id, "severity": task.severity},
            )
            for task in fresh
        ],
    )
    if batch is None:
        for task in fresh:
            _notify_opened(actor=actor, task=task)
    return [existing[(d.source_kind, d.source_id)] for d in defects]


def _notify_opened(*, actor: Principal, task: RectificationTask) -> None:
    notifications.notify(
        actor=actor,
        recipients=[task.owner],
        kind="inspections.task_opened",
        obj=task,
        message=gettext_noop("Rectification %(label)s at %(unit)s is yours to fix by %(due)s."),
        params={"label": task.label, "unit": task.unit.name, "due": task.due.isoformat()},
        # The key makes a second run (after a crash between the publish and this step) tell nobody twice.
        key=f"inspections.task_opened:{task.pk}",
    )


def tasks_published(*, actor: Principal, batch: ImportBatch) -> int:
    """After `batch`'s publish has committed: tell the owners of the tasks it opened (`tasks_open_many`), a
    slice per short transaction with the floor let in between; returns how many tasks there were."""
    pks = list(
        RectificationTask.objects.filter(import_batch=batch).order_by("pk").values_list("pk", flat=True)
    )
    for part in batches.chunks(pks):
        with transaction.atomic():
            for task in RectificationTask.objects.filter(pk__in=part).select_related("owner", "unit"):
                _notify_opened(actor=actor, task=task)
    return len(pks)


def task_submit_evidence(
    *, actor: Principal, task: RectificationTask, evidence: str, photo_files: Sequence[bytes] = ()
) -> RectificationTask:
    """The owner reports the fix with its evidence and any photos (each checked as an inspection's photo is); one
    refused photo refuses the whole submission and leaves no file behind."""

    def effect(locked: RectificationTask) -> RectificationTask:
        # Input is judged after access and state (checked by apply), so a stranger learns nothing.
        if not evidence.strip():
            raise ValidationFailed(
                _("Describe the fix."),
                details=[{"field": "evidence", "reason": _("This field is required.")}],
            )
        now = clock.now()
        locked.evidence = pii.scrub(evidence.strip())
        locked.submitted_at = now
        locked.on_time = not RectificationTask.past_due(locked.due, clock.business_date(now))
        for content in photo_files:
            _photo_create(actor=actor, unit=locked.unit, content=content, written=written, task=locked)
        return locked

    with photos.removed_if_failed() as written:
        return TASK.apply(task, "submit_evidence", actor=actor, effect=effect)


def task_verify(*, actor: Principal, task: RectificationTask, note: str = "") -> RectificationTask:
    """Confirm the fix."""

    def effect(locked: RectificationTask) -> RectificationTask:
        locked.verified_at = locked.closed_at = clock.now()
        locked.verified_by = actor if isinstance(actor, User) else None
        locked.verification_note = pii.scrub(note)
        locked.recheck_at_next_inspection = False
        return locked

    return TASK.apply(task, "verify", actor=actor, effect=effect)


def task_reopen(*, actor: Principal, task: RectificationTask, note: str) -> RectificationTask:
    """The fix is not good enough: back to the owner with the reason."""

    def effect(locked: RectificationTask) -> RectificationTask:
        # Input is judged after access and state (checked by apply), so a stranger learns nothing.
        if not note.strip():
            raise ValidationFailed(
                _("Say why it is reopened."),
                details=[{"field": "note", "reason": _("This field is required.")}],
            )
        locked.verification_note = pii.scrub(note.strip())
        locked.recheck_at_next_inspection = False
        return locked

    return TASK.apply(task, "reopen", actor=actor, effect=effect)


def task_defer(*, actor: Principal, task: RectificationTask) -> RectificationTask:
    """Leave verification to the next inspection of the outlet, which shows this item to its inspector."""

    def effect(locked: RectificationTask) -> RectificationTask:
        locked.recheck_at_next_inspection = True
        return locked

    return TASK.apply(task, "defer", actor=actor, effect=effect)


def task_appeal(*, actor: Principal, task: RectificationTask, reason: str) -> RectificationTask:
    """The outlet contests the finding (申诉); the branch decides."""

    def effect(locked: RectificationTask) -> RectificationTask:
        # Input is judged after access and state (checked by apply), so a stranger learns nothing.
        if len(reason.strip()) < 4:
            raise ValidationFailed(
                _("Give the reason for the appeal."),
                details=[
                    {
                        "field": "reason",
                        "reason": _("Enter at least %(min_length)s characters.") % {"min_length": 4},
                    }
                ],
            )
        locked.appeal_reason = pii.scrub(reason.strip())
        locked.appealed_at = clock.now()
        return locked

    return TASK.apply(task, "appeal", actor=actor, effect=effect)


def task_appeal_decide(
    *, actor: Principal, task: RectificationTask, uphold: bool, note: str
) -> RectificationTask:
    """Uphold (the finding is removed and the inspection's score restored; history kept) or reject the appeal."""

    def effect(locked: RectificationTask) -> RectificationTask:
        # Input is judged after access and state (checked by apply), so a stranger learns nothing.
        if not note.strip():
            raise ValidationFailed(
                _("Give the reason for the decision."),
                details=[{"field": "note", "reason": _("This field is required.")}],
            )
        locked.appeal_decision = pii.scrub(note.strip())
        if uphold:
            locked.closed_at = clock.now()
        if uphold and locked.finding_id is not None:
            # Lock the inspection being rescored: two upheld appeals of one visit must not overwrite each other.
            finding = Finding.objects.select_related("response").get(pk=locked.finding_id)
            inspection = Inspection.objects.select_for_update().get(pk=finding.inspection_id)
            finding.removed = True
            by(finding, actor).save()
            finding.response.appeal_upheld = True
            by(finding.response, actor).save()
            before = inspection.score
            _rescore(inspection)
            by(inspection, actor).save()
            audit.record(
                actor=actor,
                action="inspections.inspection.rescore",
                target=inspection,
                org_unit=inspection.outlet,
                data={"from": str(before), "to": str(inspection.score), "finding": finding.pk},
            )
        return locked

    return TASK.apply(task, "uphold_appeal" if uphold else "reject_appeal", actor=actor, effect=effect)


def _ancestor(unit: OrgUnit, levels: int) -> OrgUnit:
    depth = max(1, unit.depth - levels)
    path = unit.path[: depth * OrgUnit.steplen]
    return OrgUnit.objects.get(path=path)


def _notify_escalation(actor: Principal, task: RectificationTask, overdue: int) -> None:
    """Tell the task's owner and the manager of the rung it reached (once per rung: the key)."""
    rung = task.escalated_to
    if rung is None:
        return
    notifications.notify(
        actor=actor,
        recipients=[task.owner, *notifications.managers_above(rung)],
        kind="inspections.task_escalated",
        obj=task,
        message=gettext_noop(
            "Rectification %(label)s at %(unit)s is %(days)s business days overdue and escalated to %(to)s."
        ),
        params={"label": task.label, "unit": task.unit.name, "days": overdue, "to": rung.name},
        key=f"inspections.task_escalated:{task.pk}:{task.escalation_level}",
        email=True,
    )


def tasks_escalate(*, actor: Principal, today: dt.date | None = None) -> int:
    """Escalate overdue open tasks one org level per ESCALATE_EVERY_DAYS business days overdue; one transaction
    per task so a long sweep holds no lock for long and a failure loses nothing already done."""
    access.require(actor, "inspections.verify_task")
    day = today or clock.today()
    escalated = 0
    # An undecided appeal pauses escalation: the branch, not the outlet, owes the next step.
    escalating = RectificationTask.overdue_on(day) & ~Q(status=RectificationTask.Status.APPEALED)
    candidates = list(RectificationTask.objects.filter(escalating).values_list("pk", flat=True))
    for pk in candidates:
        with transaction.atomic():
            qs = RectificationTask.objects.select_related("unit")
            if connection.features.has_select_for_update:
                # Skip a task someone is acting on right now; the next sweep gets it.
                qs = qs.select_for_update(skip_locked=True, of=("self",))
            task = qs.filter(escalating, pk=pk).first()
            if task is None:
                continue
            overdue = calendar.business_days_between(task.due, day)
            level = min(1 + (overdue - 1) // ESCALATE_EVERY_DAYS, task.unit.depth - 1)
            if overdue <= 0 or level <= task.escalation_level:
                continue
            task.escalation_level = level
            task.escalated_to = _ancestor(task.unit, level)
            task.escalated_at = clock.now()
            by(task, actor).save()
            audit.record(
                actor=actor,
                action="inspections.task.escalate",
                target=task,
                org_unit=task.unit,
                data={"level": level, "to": task.escalated_to.code, "overdue_days": overdue},
            )
            _notify_escalation(actor, task, overdue)
            escalated += 1
    return escalated
