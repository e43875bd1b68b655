"""`{% once_token %}`: a hidden one-time token that makes a double-submitted form have one effect (#18)."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from fuwu.core.idempotency import FORM_FIELD

register = template.Library()


@register.simple_tag
def once_token() -> SafeString:
    # Random per render: a re-rendered form (after a validation error) gets a fresh one, and the
    # token is only ever replayed for the principal that posted it first.
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, secrets.token_urlsafe(24))
