"""In-app notifications (and optional e-mail) for the people a business event needs: `notify(...)`.

A service calls `notify` inside its own transaction, after its access check; the rows are written when that
transaction commits (`transaction.on_commit`), so a rolled-back action notifies nobody, and an e-mail copy is
sent by a background task (django-tasks) so a slow mail server never holds a lock or a request.

The message is an English msgid marked with `gettext_noop` plus its parameters; it is translated when read,
so each reader sees it in their language (Chinese by default). The message, every string parameter and the
actor's label are scrubbed of ID, phone and card numbers on the way in (`pii.scrub`; our references such as
SP20260302000001 pass unchanged). A `key` makes a sender idempotent: the same key for the same recipient is
written once (unique constraint), which is how a sweep that runs twice, or two workers racing, notify once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext

from fuwu.core import clock, pii, roles
from fuwu.core.models import Notification, OrgUnit, User
from fuwu.core.principals import Principal, principal_label

logger = logging.getLogger(__name__)

# Who answers for a unit, in order of precedence: an outlet's head; a branch's service manager, else its
# service supervisors (督导); the first role held by anyone of exactly that unit decides.
MANAGER_ROLES = (roles.OUTLET_HEAD, roles.HQ_MANAGER, roles.SUPERVISOR)


def unit_managers(unit: OrgUnit, *, exclude: Iterable[int] = ()) -> list[User]:
    """The active staff who answer for `unit` (its head, see MANAGER_ROLES); none when nobody holds such a role."""
    skip = set(exclude)
    people = (
        User.objects.filter(org_unit=unit, is_active=True, groups__name__in=MANAGER_ROLES)
        .exclude(pk__in=skip)
        .prefetch_related("groups")
        .order_by("pk")
        .distinct()
    )
    for role in MANAGER_ROLES:
        found = [u for u in people if any(g.name == role for g in u.groups.all())]
        if found:
            return found
    return []


def managers_above(unit: OrgUnit, *, exclude: Iterable[int] = ()) -> list[User]:
    """The managers of `unit`, else of the nearest unit above that has any (a head's own manager is above)."""
    current: OrgUnit | None = unit
    while current is not None:
        found = unit_managers(current, exclude=exclude)
        if found:
            return found
        current = OrgUnit.objects.get_parent(current)
    return []


def notify(
    *,
    actor: Principal,
    recipients: Iterable[User | None],
    kind: str,
    obj: Model | None,
    message: str,
    params: dict[str, Any] | None = None,
    key: str = "",
    email: bool = False,
) -> None:
    """Notify each recipient once the caller's transaction commits (the acting person is not told of their own act).

    `message` is a msgid marked with gettext_noop, `params` its %-placeholders (JSON values); `key`, when
    given, makes the call idempotent per recipient; `email` also mails recipients who have an address.
    """
    me = actor.pk if isinstance(actor, User) else None
    people = {u.pk: u for u in recipients if u is not None and u.is_active and u.pk != me}
    if not people:
        return
    # What a notification shows is scrubbed here, once for every sender (#18): a parameter is often text a
    # person typed (a title, a name, a comment), and an e-mail copy leaves the bank.
    fields = {
        "kind": kind,
        "message": pii.scrub(message),
        "params": {name: _scrubbed(value) for name, value in (params or {}).items()},
        "target_type": obj._meta.label_lower if obj is not None else "",
        "target_id": str(obj.pk) if obj is not None else "",
        "actor_label": pii.scrub(principal_label(actor)),
        "key": key[:150],
        # When it happened, not when the row lands after the commit (a demo writes history at its dates).
        "created_at": clock.now(),
    }
    ids = sorted(people)
    transaction.on_commit(lambda: _deliver(ids, fields, email=email))


def _scrubbed(value: Any) -> Any:
    """`value` (a JSON value) with every string in it scrubbed of ID, phone and card numbers."""
    if isinstance(value, str):
        return pii.scrub(value)
    if isinstance(value, list | tuple):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    return value


def _deliver(recipient_ids: list[int], fields: dict[str, Any], *, email: bool) -> list[Notification]:
    written = []
    for pk in recipient_ids:
        try:
            # A savepoint per row: a duplicate key (already notified) skips that recipient only.
            with transaction.atomic():
                row = Notification.objects.create(recipient_id=pk, **fields)
        except IntegrityError:
            continue
        written.append(row)
    if email:
        from fuwu.core.tasks import send_notification_email

        for row in written:
            send_notification_email.enqueue(row.pk)
    return written


def text(notification: Notification) -> str:
    """The message in the active language, its placeholders filled."""
    template = gettext(notification.message)
    try:
        return template % notification.params if notification.params else template
    except (KeyError, TypeError, ValueError):
        # A msgid whose placeholders changed since the row was written: show it rather than fail the inbox.
        return template


def send_email(notification_id: int) -> bool:
    """Mail one notification to its recipient, once (claimed by a conditional update); False when nothing sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation

    from fuwu.core.links import object_url

    row = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if row is None or not row.recipient.email:
        return False
    # Claim before sending: of two workers running the same job, one mails.
    if not Notification.objects.filter(pk=row.pk, emailed_at__isnull=True).update(emailed_at=clock.now()):
        return False
    with translation.override(settings.LANGUAGE_CODE):
        body = text(row)
        url = object_url(row.target_type, row.target_id)
        subject = gettext("Service platform notification")
    if url:
        body = f"{body}\n\n{settings.FUWU_BASE_URL.rstrip('/')}{url}"
    send_mail(subject, body, None, [row.recipient.email])
    logger.info("notification %s mailed", row.pk)  # never the address: no personal data in logs
    return True
