from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.873 → "87.3%"; None → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


@register.filter
def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}s"


MODEL_LABELS = {
    "seasonal_naive": _("seasonal naive"),
    "weighted_moving_average": _("weighted moving average"),
    "seasonal_regression": _("seasonal regression"),
    "none": _("no history"),
}


@register.filter
def model_label(name: str) -> str:
    return str(MODEL_LABELS.get(name, name))
