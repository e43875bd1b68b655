"""`{{ event.action|audit_action }}`: an audited action in words, not its code."""

from __future__ import annotations

from django import template

from fuwu.core.links import action_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    return action_label(action)
