"""Where an audited object can be opened: each app's `nav.py` may map a model label to a URL name.

    OBJECT_URLS = {"complaints.complaint": "complaints:detail"}   # reverse(name, args=[pk])

The audit trail links a row to its object through this map; an object without a page shows no link.
"""

from __future__ import annotations

from functools import cache

from django.urls import NoReverseMatch, reverse

from fuwu.core.discovery import registry


@cache
def _names() -> dict[str, str]:
    return {label.lower(): name for label, name in registry("nav", "OBJECT_URLS").items()}


def object_url(label: str, pk: str) -> str:
    name = _names().get(label.lower())
    if not name or not pk:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


@cache
def _actions() -> dict[str, str]:
    return dict(registry("nav", "AUDIT_ACTIONS"))


def action_label(action: str) -> str:
    """A person's words for an audited action ("complaint.decide" → 作出处理决定); the code if none given."""
    label = _actions().get(action)
    return str(label) if label is not None else action
