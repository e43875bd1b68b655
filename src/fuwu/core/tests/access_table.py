"""Access table rows for the platform's services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.core import roles, selectors, services
from fuwu.core.testing.access import AccessCase

S = "fuwu.core.services."
Q = "fuwu.core.selectors."


def _token(w: Any) -> None:
    from fuwu.core.principals import SYSTEM

    w.token, _raw = services.device_token_issue(actor=SYSTEM, org_unit=w.outlet_a, kind="kiosk")
    w.token_b, _raw = services.device_token_issue(actor=SYSTEM, org_unit=w.outlet_b, kind="kiosk")


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


def _revealable(w: Any) -> None:
    from fuwu.core.principals import SYSTEM
    from fuwu.customers.services import customer_create

    w.customer = customer_create(
        actor=SYSTEM, customer_no="C1", name="刘建华", home_outlet=w.outlet_a, phone="13912345678"
    )


def _superuser(w: Any) -> Any:
    from fuwu.core.models import User

    user = w.person("root", w.ho)
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    return User.objects.get(pk=user.pk)


def _notified(w: Any) -> None:
    from django.test import TestCase
    from django.utils.translation import gettext_noop

    from fuwu.core import notifications
    from fuwu.core.models import Notification
    from fuwu.core.principals import SYSTEM

    with TestCase.captureOnCommitCallbacks(execute=True):
        notifications.notify(
            actor=SYSTEM,
            recipients=[w.teller_a],
            kind="test",
            obj=None,
            message=gettext_noop("Marked all notifications read"),
        )
    w.notification = Notification.objects.get(recipient=w.teller_a)


CASES = [
    AccessCase(
        S + "org_unit_create",
        call=lambda w, who: services.org_unit_create(
            actor=who, parent=w.t2, code=f"N{who.pk}", name="新网点", kind="outlet"
        ),
        holder=_superuser,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "staff_create",
        call=lambda w, who: services.staff_create(
            actor=who, org_unit=w.outlet_a, username=f"new{who.pk}", display_name="新员工", roles=[]
        ),
        holder=_superuser,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "calendar_day_set",
        call=lambda w, who: services.calendar_day_set(actor=who, date=dt.date(2027, 1, 1), kind="holiday"),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "calendar_day_delete",
        setup=lambda w: services.calendar_day_set(
            actor=w.hq_manager, date=dt.date(2027, 1, 1), kind="holiday"
        ),
        call=lambda w, who: services.calendar_day_delete(actor=who, date=dt.date(2027, 1, 1)),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "calendar_seed_from_package",
        call=lambda w, who: services.calendar_seed_from_package(actor=who, years=[2026]),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "device_token_issue",
        call=lambda w, who: services.device_token_issue(actor=who, org_unit=w.outlet_a, kind="kiosk"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "device_token_revoke",
        setup=_token,
        call=lambda w, who: services.device_token_revoke(actor=who, token=w.token),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "pii_reveal",
        setup=_revealable,
        call=lambda w, who: services.pii_reveal(
            actor=who, obj=w.customer, field="phone", org_unit=w.outlet_a
        ),
        holder=lambda w: w.auditor,
        without=lambda w: w.head_a,
        outsider=lambda w: w.person("handler_x", w.outlet_x, roles.COMPLAINT_HANDLER),
    ),
    AccessCase(
        Q + "org_units",
        call=lambda w, who: selectors.org_units(fetched_by=who),
        holder=lambda w: w.teller_a,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.outlet_a not in rows,
    ),
    AccessCase(
        Q + "org_unit",
        call=lambda w, who: selectors.org_unit(fetched_by=who, code="OA"),
        holder=lambda w: w.teller_a,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "staff",
        call=lambda w, who: selectors.staff(fetched_by=who),
        holder=lambda w: w.head_a,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.teller_a not in rows,
    ),
    AccessCase(
        Q + "audit_events",
        setup=_token,
        call=lambda w, who: selectors.audit_events(fetched_by=who, action="device_token"),
        holder=lambda w: w.auditor,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "audit_event",
        setup=_token,
        call=lambda w, who: selectors.audit_event(
            fetched_by=who, pk=selectors.audit_events(fetched_by=w.auditor).first().pk
        ),
        holder=lambda w: w.auditor,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "audit_changes",
        setup=_token,
        call=lambda w, who: selectors.audit_changes(
            fetched_by=who, event=selectors.audit_events(fetched_by=w.auditor).first()
        ),
        holder=lambda w: w.auditor,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "audit_export_record",
        call=lambda w, who: services.audit_export_record(actor=who, query={}, rows=0, fmt="csv"),
        holder=lambda w: w.auditor,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "device_tokens",
        setup=_token,
        call=lambda w, who: selectors.device_tokens(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=lambda w, rows: w.token not in rows,
    ),
    AccessCase(
        Q + "device_token",
        setup=_token,
        call=lambda w, who: selectors.device_token(fetched_by=who, pk=w.token.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
]

CASES += [
    AccessCase(
        Q + "notifications",
        setup=_notified,
        call=lambda w, who: selectors.notifications(fetched_by=who),
        holder=lambda w: w.teller_a,
        # Head office sees every unit, yet not another person's notifications.
        without=lambda w: w.hq_manager,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.notification not in rows,
    ),
    AccessCase(
        Q + "notifications_unread_count",
        setup=_notified,
        call=lambda w, who: selectors.notifications_unread_count(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=lambda w: w.hq_manager,
        outsider=lambda w: w.teller_b,
        hides=lambda w, count: count == 0,
    ),
    AccessCase(
        S + "notification_mark_read",
        setup=_notified,
        call=lambda w, who: services.notification_mark_read(actor=who, notification_id=w.notification.pk),
        holder=lambda w: w.teller_a,
        without=lambda w: w.hq_manager,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "notifications_mark_all_read",
        setup=_notified,
        call=lambda w, who: services.notifications_mark_all_read(actor=who),
        holder=lambda w: w.teller_a,
        # Another person's "mark all" marks only their own inbox: the notification stays unread.
        without=lambda w: w.hq_manager,
        outsider=lambda w: w.teller_b,
        hides=lambda w, count: count == 0,
    ),
]

EXEMPT = {
    S
    + "device_token_authenticate": "authenticates a raw bearer token: it is how a device becomes a principal",
    Q + "calendar_exceptions": "the business calendar is public to every user of the bank",
}
