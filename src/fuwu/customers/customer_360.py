"""The customers app's own side of a customer's history (P1): suggestions and their reactions, tier changes.

Found by `fuwu.customers.timeline` through `core.discovery` like every other app's hook.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fuwu.core.access import has
from fuwu.core.principals import Principal
from fuwu.customers.models import Customer, Suggestion, TierChange
from fuwu.customers.timeline import Cursor, Entry, after

KINDS = {"suggestion": _("Suggestion"), "tier": _("Tier change")}


def entries(
    customer: Customer, *, fetched_by: Principal, kinds: frozenset[str], cursor: Cursor | None, limit: int
) -> list[Entry]:
    found: list[Entry] = []
    if "suggestion" in kinds and has(fetched_by, "customers.view_suggestion"):
        rows = customer.suggestions.filter(after(cursor, "suggestion", "shown_at")).select_related(
            "product", "referred_to"
        )
        for s in rows.order_by("-shown_at", "-pk")[:limit]:
            detail = s.get_status_display()
            if s.referred_to is not None:
                detail = f"{detail} · {s.referred_to.display_name or s.referred_to.username}"
            found.append(
                Entry(
                    at=s.shown_at,
                    kind="suggestion",
                    pk=s.pk,
                    title=f"{s.product.name} · {s.reason}",
                    detail=detail,
                )
            )
    if "tier" in kinds:
        for t in customer.tier_changes.filter(after(cursor, "tier", "at")).order_by("-at", "-pk")[:limit]:
            found.append(
                Entry(
                    at=t.at,
                    kind="tier",
                    pk=t.pk,
                    title=gettext("%(old)s → %(new)s")
                    % {"old": t.get_old_tier_display(), "new": t.get_new_tier_display()},
                )
            )
    return found


def count(customer: Customer, *, fetched_by: Principal, kinds: frozenset[str]) -> int:
    total = 0
    if "suggestion" in kinds and has(fetched_by, "customers.view_suggestion"):
        total += Suggestion.objects.filter(customer=customer).count()
    if "tier" in kinds:
        total += TierChange.objects.filter(customer=customer).count()
    return total
