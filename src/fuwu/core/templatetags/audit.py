"""`{{ event.action|audit_action }}`: an audited action in words, not its code."""

from __future__ import annotations

from django import template

from fuwu.core.links import action_label, object_label

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    return action_label(action)


@register.simple_tag
def audit_object(label: str, pk: str) -> str:
    return object_label(label, pk)
