"""Every write the platform itself makes: org units, staff, calendar, device tokens, PII reveal."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

import chinese_calendar
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from fuwu.core import audit, calendar, clock, pii
from fuwu.core.access import require
from fuwu.core.discovery import app_modules
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import CalendarDay, DeviceToken, Notification, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.roles import ROLE_CODES
from fuwu.core.selectors import AUDIT_PERMISSION, DEVICE_PERMISSION, notifications

PII_PERMISSION = "core.view_full_pii"
CHILD_KINDS = {
    OrgUnit.Kind.HEAD_OFFICE: {OrgUnit.Kind.TIER1, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.OUTLET},
    OrgUnit.Kind.TIER1: {OrgUnit.Kind.TIER2, OrgUnit.Kind.OUTLET, OrgUnit.Kind.DEPARTMENT},
    OrgUnit.Kind.TIER2: {OrgUnit.Kind.OUTLET, OrgUnit.Kind.TIER2, OrgUnit.Kind.DEPARTMENT},
    OrgUnit.Kind.OUTLET: set(),
    OrgUnit.Kind.DEPARTMENT: {OrgUnit.Kind.DEPARTMENT},
}


@transaction.atomic
def org_unit_create(
    *,
    actor: Principal,
    parent: OrgUnit | None,
    code: str,
    name: str,
    kind: str,
    city: str = "",
    address: str = "",
) -> OrgUnit:
    """Add a unit under `parent` (None makes a root: a head office)."""
    require(actor, "core.add_orgunit", unit=parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationFailed(
            _("Org unit code already exists."), details=[{"field": "code", "reason": "duplicate"}]
        )
    fields = {"code": code, "name": name, "kind": kind, "city": city, "address": address}
    if parent is None:
        if kind != OrgUnit.Kind.HEAD_OFFICE:
            raise ValidationFailed(
                _("Only a head office can be a root."), details=[{"field": "kind", "reason": kind}]
            )
        unit: OrgUnit = OrgUnit.objects.add_root(instance=by(OrgUnit(**fields), actor))
    else:
        parent_kind = OrgUnit.Kind(parent.kind)
        if kind not in CHILD_KINDS[parent_kind]:
            raise ValidationFailed(
                _("A %(kind)s cannot sit under a %(parent)s.") % {"kind": kind, "parent": parent.kind},
                details=[{"field": "kind", "reason": kind}],
            )
        unit = OrgUnit.objects.add_child(parent, instance=by(OrgUnit(**fields), actor))
    audit.record(actor=actor, action="org_unit.create", target=unit, org_unit=unit)
    return unit


@transaction.atomic
def staff_create(
    *,
    actor: Principal,
    org_unit: OrgUnit,
    username: str,
    display_name: str,
    roles: Iterable[str],
    password: str | None = None,
    staff_code: str | None = None,
    phone: str | None = None,
    email: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a staff member in one unit with one or more roles."""
    require(actor, "core.add_user", unit=org_unit)
    role_list = sorted(set(roles))
    unknown = [r for r in role_list if r not in ROLE_CODES]
    if unknown:
        raise ValidationFailed(_("Unknown role."), details=[{"field": "roles", "reason": r} for r in unknown])
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("Username taken."), details=[{"field": "username", "reason": "duplicate"}])
    user = User(
        username=username,
        display_name=display_name,
        org_unit=org_unit,
        staff_code=staff_code or None,
        email=email,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    if phone:
        protected = pii.protect_phone(phone)
        user.phone_hash, user.phone_masked = protected.hash, protected.masked
    if password:
        try:
            # Django's validators (length, common, numeric, similar to the user name) everywhere a
            # password is set: the admin, `fuwu createuser` and the demo alike.
            validate_password(password, user=user)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                _("The password is too weak."),
                details=[{"field": "password", "reason": str(m)} for m in exc.messages],
            ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    by(user, actor).save()
    user.groups.set(Group.objects.filter(name__in=role_list))
    audit.record(
        actor=actor, action="staff.create", target=user, org_unit=org_unit, data={"roles": role_list}
    )
    return user


@transaction.atomic
def calendar_day_set(*, actor: Principal, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Declare `date` a public holiday or a make-up workday (replaces what was there)."""
    require(actor, "core.change_calendarday")
    if kind not in CalendarDay.Kind.values:
        raise ValidationFailed(_("Unknown calendar day kind."), details=[{"field": "kind", "reason": kind}])
    day = CalendarDay.objects.filter(date=date).first() or CalendarDay(date=date)
    day.kind, day.name = kind, name
    by(day, actor).save()
    transaction.on_commit(calendar.clear_cache)
    calendar.clear_cache()
    return day


@transaction.atomic
def calendar_day_delete(*, actor: Principal, date: dt.date) -> None:
    """Return `date` to the plain Monday–Friday rule."""
    require(actor, "core.delete_calendarday")
    day = CalendarDay.objects.filter(date=date).first()
    if day is None:
        raise NotFound(_("No calendar exception on that date."))
    by(day, actor).delete()
    transaction.on_commit(calendar.clear_cache)
    calendar.clear_cache()


@transaction.atomic
def calendar_seed_from_package(*, actor: Principal, years: Iterable[int] | None = None) -> int:
    """Copy the chinese-calendar package's holidays and 调休 workdays into the editable table.

    Rows already in the table are left as they are (a hand edit wins). Returns rows added.
    """
    require(actor, "core.add_calendarday")
    known = {d.year for d in chinese_calendar.constants.holidays}
    wanted = sorted(set(years) & known) if years is not None else sorted(known)
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    added = 0
    for year in wanted:
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day not in existing:
                _, name = chinese_calendar.get_holiday_detail(day)
                if name:
                    kind = (
                        CalendarDay.Kind.HOLIDAY
                        if chinese_calendar.is_holiday(day)
                        else CalendarDay.Kind.WORKDAY
                    )
                    by(CalendarDay(date=day, kind=kind, name=_holiday_name_zh(str(name))), actor).save()
                    added += 1
            day += dt.timedelta(days=1)
    transaction.on_commit(calendar.clear_cache)
    calendar.clear_cache()
    return added


_HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name_zh(name: str) -> str:
    return _HOLIDAY_ZH.get(name, name)


def _counter_known(org_unit: OrgUnit, code: str) -> bool:
    """Whether `code` names a counter of `org_unit`, asked of the app that keeps counters (floor/devices.py)."""
    answers = [module.counter_known(org_unit=org_unit, code=code) for _app, module in app_modules("devices")]
    return any(answers) if answers else True


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def device_token_issue(
    *, actor: Principal, org_unit: OrgUnit, kind: str, counter_code: str = "", name: str = ""
) -> tuple[DeviceToken, str]:
    """Issue a bearer token for one device; the raw token is returned once and stored only hashed."""
    require(actor, DEVICE_PERMISSION, unit=org_unit, message=_("Your role may not manage device tokens."))
    if kind not in DeviceToken.Kind.values:
        raise ValidationFailed(_("Unknown device kind."), details=[{"field": "kind", "reason": kind}])
    if kind in (DeviceToken.Kind.COUNTER, DeviceToken.Kind.PAD) and not counter_code:
        raise ValidationFailed(
            _("A counter terminal or evaluation pad must be bound to a counter."),
            details=[{"field": "counter_code", "reason": "required"}],
        )
    if counter_code and not _counter_known(org_unit, counter_code):
        raise ValidationFailed(
            _("There is no counter %(code)s at %(outlet)s.")
            % {"code": counter_code, "outlet": org_unit.name},
            details=[{"field": "counter_code", "reason": "unknown"}],
        )
    raw = "fw_" + secrets.token_urlsafe(32)
    token = DeviceToken(
        name=name,
        kind=kind,
        org_unit=org_unit,
        counter_code=counter_code,
        prefix=raw[:10],
        token_hash=_token_hash(raw),
        created_at=clock.now(),
        created_by=actor if isinstance(actor, User) else None,
    )
    by(token, actor).save()
    audit.record(
        actor=actor, action="device_token.issue", target=token, org_unit=org_unit, data={"kind": kind}
    )
    return token, raw


@transaction.atomic
def device_token_revoke(*, actor: Principal, token: DeviceToken) -> DeviceToken:
    """Revoke a device token at once; its device gets 401 from the next request on."""
    require(
        actor, DEVICE_PERMISSION, unit=token.org_unit, message=_("Your role may not manage device tokens.")
    )
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        by(token, actor).save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="device_token.revoke", target=token, org_unit=token.org_unit)
    return token


def device_token_authenticate(raw: str) -> DeviceToken | None:
    """The live token for a raw bearer string, or None."""
    if not raw.startswith("fw_"):
        return None
    token = (
        DeviceToken.objects.select_related("org_unit")
        .filter(token_hash=_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    return token


@transaction.atomic
def pii_reveal(*, actor: Principal, obj: Model, field: str, org_unit: OrgUnit | None) -> str:
    """The full value of one protected field, for roles with the right; every reveal is audited."""
    require(
        actor, PII_PERMISSION, unit=org_unit, message=_("Your role may not see full ID or phone numbers.")
    )
    cipher = getattr(obj, f"{field}_cipher", "")
    if not cipher:
        raise NotFound(_("No value stored."))
    audit.record(actor=actor, action="pii.reveal", target=obj, org_unit=org_unit, data={"field": field})
    return pii.decrypt(cipher)


@transaction.atomic
def audit_export_record(*, actor: Principal, query: dict[str, object], rows: int, fmt: str) -> None:
    """Record that the audit trail was exported (an export of the trail is itself audited)."""
    require(actor, AUDIT_PERMISSION, message=_("Your role may not read the audit trail."))
    audit.record(
        actor=actor,
        action="audit.export",
        org_unit=actor.org_unit if isinstance(actor, User) else None,
        data={"format": fmt, "rows": rows, "filters": {k: str(v) for k, v in query.items() if v}},
    )


def notification_mark_read(*, actor: Principal, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (a second mark keeps the first time)."""
    # Conditional update, no lock: of two marks racing, one sets read_at and the other changes nothing.
    mine = notifications(fetched_by=actor)
    if not isinstance(actor, User) or not mine.filter(pk=notification_id).exists():
        raise NotFound(_("Not found."))
    # A plain WHERE on the row itself (not the scoped join): PostgreSQL re-checks it after waiting on the lock.
    Notification.objects.filter(pk=notification_id, recipient=actor, read_at__isnull=True).update(
        read_at=clock.now()
    )
    return mine.get(pk=notification_id)


@transaction.atomic
def notifications_mark_all_read(*, actor: Principal) -> int:
    """Mark every unread notification of the actor read; returns how many this call marked (audited)."""
    if not isinstance(actor, User):
        raise NotFound(_("Not found."))
    # One UPDATE … WHERE read_at IS NULL: a concurrent mark of the same rows re-checks the condition after
    # the row lock, so each row is counted by exactly one caller.
    marked = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=clock.now())
    if marked:
        audit.record(
            actor=actor, action="notifications.read_all", org_unit=actor.org_unit, data={"count": marked}
        )
    return marked
