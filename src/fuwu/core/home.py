"""The audit trail on the auditor's home page (#19): today's sensitive events, each one click from its rows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuwu.core import clock, roles, selectors
from fuwu.core.access import has
from fuwu.core.nav import user_roles
from fuwu.core.principals import Principal
from fuwu.core.schemas import AuditQueryIn
from fuwu.core.selectors import AUDIT_PERMISSION
from fuwu.core.worklists import Count, Panel

# What an auditor checks first each day: who failed to log in, who saw full identifiers, what left the bank.
WATCHED = (
    ("auth.login_failed", gettext_lazy("Failed logins")),
    ("auth.locked_out", gettext_lazy("Logins locked")),
    ("pii.reveal", gettext_lazy("Full ID or phone revealed")),
    ("audit.export", gettext_lazy("Audit trail exported")),
)


def panels(principal: Principal) -> list[Panel]:
    if roles.AUDITOR not in user_roles(principal) or not has(principal, AUDIT_PERMISSION):
        return []
    today = clock.today()
    base = reverse("core:audit_log")
    counts = []
    for action, label in WATCHED:
        query = AuditQueryIn(action=action, start=today, end=today, system=True)
        n = selectors.audit_events(fetched_by=principal, query=query).count()
        url = f"{base}?{urlencode({'action': action, 'start': today.isoformat(), 'end': today.isoformat()})}"
        counts.append(Count(label, n, url))
    everyone = selectors.audit_events(
        fetched_by=principal, query=AuditQueryIn(start=today, end=today)
    ).count()
    counts.append(Count(_("Actions by people today"), everyone, f"{base}?start={today.isoformat()}"))
    return [Panel(title=_("Audit trail today"), counts=counts, more_url=base, order=3)]
