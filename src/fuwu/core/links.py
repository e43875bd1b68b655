"""Where an audited object can be opened: each app's `nav.py` may map a model label to a URL name.

    OBJECT_URLS = {"complaints.complaint": "complaints:detail"}   # reverse(name, args=[pk])

A model whose objects have no page of their own may name the list that shows them (a URL without
arguments). The audit trail and the notification inbox link a row to its object through this map; an
object without a page shows no link.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps as django_apps
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
        pass
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@cache
def _actions() -> dict[str, str]:
    return dict(registry("nav", "AUDIT_ACTIONS"))


def action_label(action: str) -> str:
    """A person's words for an audited action ("complaint.decide" → 作出处理决定).

    Apps name their other actions in `nav.AUDIT_ACTIONS`; a state change is named by its declared
    transition (its label, after the model's name); the code only when neither knows it.
    """
    label = _actions().get(action)
    if label is not None:
        return str(label)
    from fuwu.core.transitions import machines

    prefix, _dot, name = action.rpartition(".")
    for machine in machines():
        if machine.audit_prefix == prefix and name in machine.names():
            return f"{machine.model._meta.verbose_name} · {machine.action(name).label}"
    return action


def object_label(label: str, pk: str) -> str:
    """An audited object as a person reads it: the model's name and its id ("投诉 #3"), not "complaints.complaint 3"."""
    if not label:
        return ""
    try:
        model = django_apps.get_model(label)
    except (LookupError, ValueError):
        return f"{label} {pk}".strip()
    return f"{model._meta.verbose_name} #{pk}" if pk else str(model._meta.verbose_name)
