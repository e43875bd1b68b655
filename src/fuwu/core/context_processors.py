from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fuwu.core import nav, roles


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    held = nav.user_roles(user)
    return {
        "nav_groups": nav.grouped_for(user),
        "user_role_labels": [roles.role_label(r.code) for r in roles.ROLES if r.code in held],
    }
