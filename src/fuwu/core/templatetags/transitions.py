"""`{% allowed_actions obj request.user as actions %}`: the buttons a screen may offer, from the declaration."""

from __future__ import annotations

from django import template
from django.db.models import Model

from fuwu.core.principals import Principal
from fuwu.core.transitions import Action
from fuwu.core.transitions import allowed_actions as _allowed

register = template.Library()


@register.simple_tag
def allowed_actions(obj: Model, principal: Principal) -> dict[str, Action]:
    """Name → action for what `principal` may do to `obj` now; `{% if "decide" in actions %}`."""
    return {a.name: a for a in _allowed(obj, principal)}
