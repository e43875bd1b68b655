"""The relationship manager's home panel: customers referred to them from counter suggestions (P3, Q5)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.core.worklists import Panel, Row
from fuwu.customers import selectors


def panels(principal: Principal) -> list[Panel]:
    if not has(principal, selectors.PROFILE) or not has(principal, "customers.view_suggestion"):
        return []
    referred = selectors.referrals_to(fetched_by=principal)
    rows = [
        Row(
            label=f"{s.customer.name} · {s.product.name}",
            detail=str(s.credited_staff.display_name if s.credited_staff else ""),
            url=reverse("customers:detail", args=[s.customer.customer_no]),
        )
        for s in referred[:5]
    ]
    if not rows:
        return []
    return [Panel(title=_("Referred to me"), rows=rows, total=referred.count(), order=40)]
