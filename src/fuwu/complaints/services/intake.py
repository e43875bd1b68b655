"""Intake: registering a complaint from any channel (with its reference and statutory due date), merging a
resubmission into the open case, and reclassifying."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from fuwu.complaints import clock as statutory
from fuwu.complaints import deadlines
from fuwu.complaints.models import (
    MAJOR_GROUP_SIZE,
    REGULATOR_SOURCES,
    Alert,
    ClassificationCode,
    ClockEvent,
    Complaint,
    MajorBasis,
    ReferenceSequence,
    Severity,
    Source,
    Status,
    Step,
    Tag,
)
from fuwu.complaints.services._common import (
    add_clock_event,
    alert,
    alert_up_the_tree,
    as_user,
    audit_case,
    problem,
    refuse_if,
    start_step,
)
from fuwu.complaints.states import COMPLAINT, REGISTER
from fuwu.core import clock, pii
from fuwu.core.access import require
from fuwu.core.history import by
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.customers.models import Customer

MAX_REPRESENTATIVES = 5  # 办法 第十二条: a group complaint elects at most five representatives
FAST_TRACK_TAGS = frozenset({Tag.PUBLIC_OPINION})


def next_reference(day: dt.date) -> str:
    """TS + business date + the day's next number, from the day's sequence row.

    One upsert statement: on PostgreSQL a second intake of the same day waits on the row the first one
    inserted or updated until it commits, then increments after it; on SQLite the IMMEDIATE transaction
    already serializes writers. "Highest + 1" let two intakes read the same highest and collide (issue 12).
    """
    table = ReferenceSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        seq = int(cursor.fetchone()[0])
    return f"TS{day:%Y%m%d}{seq:04d}"


def _check_codes(channel: str, category: str, reason: str) -> list[dict[str, Any]]:
    problems = []
    for field, dimension, code in (
        ("channel_code", "channel", channel),
        ("category_code", "category", category),
        ("reason_code", "reason", reason),
    ):
        found = ClassificationCode.objects.filter(dimension=dimension, code=code, is_active=True).first()
        if found is None:
            problems.append(problem(field, _("Unknown or inactive code %(code)s.") % {"code": code}))
        elif found.children.filter(is_active=True).exists():
            # JR/T 0169: a case is coded at the most detailed level, not with a class that has subclasses.
            problems.append(problem(field, _("Choose a code without subclasses.")))
    return problems


@transaction.atomic
def complaint_register(
    *,
    actor: Principal,
    outlet: OrgUnit,
    source: str,
    content: str,
    complainant_name: str,
    channel_code: str,
    category_code: str,
    reason_code: str,
    severity: str = Severity.NORMAL,
    major_basis: str = MajorBasis.NONE,
    tags: Iterable[str] = (),
    customer: Customer | None = None,
    phone: str = "",
    staff: User | None = None,
    product: str = "",
    demand: str = "",
    received_at: dt.datetime | None = None,
    representatives: int = 1,
    complainants_in_person: int = 1,
    regulator_due_date: dt.date | None = None,
    resubmission_of: Complaint | None = None,
    new_facts: bool = False,
) -> Complaint:
    """Register a complaint from any channel; merges a resubmission, alerts on fast track and special groups."""
    require(actor, REGISTER, unit=outlet, message=_("Your role may not register complaints."))
    tag_set = set(tags)
    problems = _check_codes(channel_code, category_code, reason_code)
    if not content.strip():
        problems.append(problem("content", _("The complaint has no content.")))
    if not complainant_name.strip():
        problems.append(problem("complainant_name", _("This field is required.")))
    if source not in Source.values:
        problems.append(problem("source", _("Choose one of the offered values.")))
    if severity not in Severity.values:
        problems.append(problem("severity", _("Choose one of the offered values.")))
    if major_basis not in MajorBasis.values:
        problems.append(problem("major_basis", _("Choose one of the offered values.")))
    if tag_set - set(Tag.values):
        problems.append(problem("tags", _("Choose one of the offered values.")))
    if not 1 <= representatives <= MAX_REPRESENTATIVES:
        problems.append(
            problem(
                "representatives",
                _("A group elects 1 to %(max)s representatives.") % {"max": MAX_REPRESENTATIVES},
            )
        )
    if complainants_in_person < 1:
        problems.append(problem("complainants_in_person", _("Enter a value of at least %(ge)s.") % {"ge": 1}))
    if phone and not pii.PHONE_RE.fullmatch(pii.normalize_phone(phone)):
        problems.append(problem("phone", _("Not a mobile number.")))
    received = received_at or clock.now()
    if received > clock.now():
        problems.append(problem("received_at", _("The date is in the future.")))
    refuse_if(problems, _("The complaint cannot be registered."))

    if representatives > 1 or complainants_in_person > 1:
        tag_set.add(Tag.GROUP)
    # 办法 第二十九条(二): a group complaint by 20 or more complainants in person is 重大.
    if complainants_in_person >= MAJOR_GROUP_SIZE and not major_basis:
        major_basis = MajorBasis.GROUP
    if major_basis:
        severity = Severity.MAJOR
    if source in REGULATOR_SOURCES:
        tag_set.add(Tag.PETITION if source == Source.PETITION else Tag.REGULATOR)
    special = bool(customer is not None and customer.is_special)
    if special:
        tag_set.add(Tag.SPECIAL_GROUP)
    # The bank's fast track (SOP targets and escalation); the statutory period stays 15/30/60 days.
    fast = severity == Severity.MAJOR or bool(tag_set & FAST_TRACK_TAGS)
    day = clock.business_date(received)

    complaint = Complaint(
        reference=next_reference(day),
        outlet=outlet,
        source=source,
        received_at=received,
        due_at=received,
        severity=severity,
        major_basis=major_basis,
        tags=sorted(tag_set),
        is_fast_track=fast,
        channel_code=channel_code,
        category_code=category_code,
        reason_code=reason_code,
        product=pii.scrub(product.strip()),  # free text like the content (#18)
        # Hotline staff type what the caller says; numbers in free text are masked before anyone sees them.
        content=pii.scrub(content.strip()),
        demand=pii.scrub(demand),
        customer=customer,
        complainant_name=pii.scrub(complainant_name.strip()),
        is_special_group=special or Tag.SPECIAL_GROUP in tag_set,
        representatives=representatives,
        complainants_in_person=complainants_in_person,
        staff=staff,
        registered_by=as_user(actor),
        handling_unit=outlet,
    )
    if phone:
        protected = pii.protect_phone(phone)
        complaint.phone_hash, complaint.phone_masked = protected.hash, protected.masked
        complaint.phone_cipher = protected.cipher
    if resubmission_of is not None:
        original_state = deadlines.clock_state(resubmission_of, today=day)
        if resubmission_of.is_open and statutory.within_period(original_state, day):
            return _merge(actor=actor, original=resubmission_of, resubmission=complaint, new_facts=new_facts)
    result = statutory.compute(day, today=day)
    complaint.due_at = statutory.end_of_day(result.due)
    complaint.calendar_unknown = result.calendar_unknown
    if source in REGULATOR_SOURCES:
        complaint.regulator_due_at = statutory.end_of_day(regulator_due_date or result.due)
    by(complaint, actor).save()
    start_step(complaint, Step.ACKNOWLEDGE, received)
    if fast:
        alert_up_the_tree(
            complaint,
            Alert.Kind.FAST_TRACK,
            f"{complaint.reference}: {complaint.get_severity_display()} — {complaint.content[:60]}",
        )
    if complaint.is_special_group:
        alert(
            complaint, outlet, Alert.Kind.SPECIAL_GROUP, f"{complaint.reference}: {Tag.SPECIAL_GROUP.label}"
        )
    audit_case(actor, "register", complaint, source=source, severity=severity, fast_track=fast)
    return complaint


def _merge(*, actor: Principal, original: Complaint, resubmission: Complaint, new_facts: bool) -> Complaint:
    """办法 第十八条: the same complaint again within the period merges; new facts restart the period from the
    day the new material is received (the resubmission's receipt)."""
    day = clock.business_date(resubmission.received_at)

    def effect(locked: Complaint) -> None:
        resubmission.status = Status.MERGED
        resubmission.follow_status()  # born merged: no transition of its own sets the flag
        resubmission.merged_into = locked
        resubmission.closed_at = resubmission.received_at
        if new_facts:
            add_clock_event(
                locked, ClockEvent.Kind.RESTART, actor=actor, on=day, reason=resubmission.reference
            )
            locked.extension_level = 0
            locked.paused_since = None
        else:
            add_clock_event(locked, ClockEvent.Kind.MERGE, actor=actor, on=day, reason=resubmission.reference)
        deadlines.refresh_due(locked)
        resubmission.due_at = locked.due_at
        by(resubmission, actor).save()

    COMPLAINT.apply(
        original,
        "merge",
        actor=actor,
        effect=effect,
        data={"resubmission": resubmission.reference, "new_facts": new_facts},
    )
    return resubmission


def complaint_reclassify(
    *,
    actor: Principal,
    complaint: Complaint,
    channel_code: str,
    category_code: str,
    reason_code: str,
    severity: str,
    major_basis: str = MajorBasis.NONE,
) -> Complaint:
    """Correct the codes or severity; raising to 重大 puts the case on the bank's fast track (SOP and alerts)
    and leaves the statutory due date alone (办法 第二十九条)."""

    def effect(c: Complaint) -> Complaint:
        problems = _check_codes(channel_code, category_code, reason_code)
        if severity not in Severity.values:
            problems.append(problem("severity", _("Choose one of the offered values.")))
        if major_basis not in MajorBasis.values:
            problems.append(problem("major_basis", _("Choose one of the offered values.")))
        refuse_if(problems, _("The classification is not valid."))
        level = Severity.MAJOR if major_basis else severity
        became_major = level == Severity.MAJOR and c.severity != Severity.MAJOR
        c.channel_code, c.category_code, c.reason_code = channel_code, category_code, reason_code
        c.severity = level
        c.major_basis = major_basis
        if became_major and not c.is_fast_track:
            c.is_fast_track = True
            alert_up_the_tree(c, Alert.Kind.FAST_TRACK, f"{c.reference}: {Severity.MAJOR.label}")
        return c

    return COMPLAINT.apply(
        complaint,
        "reclassify",
        actor=actor,
        effect=effect,
        data={
            "channel_code": channel_code,
            "category_code": category_code,
            "reason_code": reason_code,
            "severity": severity,
            "major_basis": major_basis,
        },
    )
