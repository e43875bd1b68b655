from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise

from fuwu.core import nav, roles, selectors
from fuwu.core.principals import Viewer


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Callables, which templates call when they use the name: only base.html shows the menu, so the htmx
    # partials staff screens poll every few seconds skip the role query and the menu's URL reversing.
    return {
        "nav_groups": lambda: nav.grouped_for(user),
        "user_role_labels": lambda: _role_labels(user),
        "notifications_unread": lambda: selectors.notifications_unread_count(fetched_by=user),
    }


def _role_labels(user: Viewer) -> list[Promise | str]:
    held = nav.user_roles(user)
    return [roles.role_label(r.code) for r in roles.ROLES if r.code in held]
