from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from fuwu.measures import catalogue, reports

register = template.Library()


@register.simple_tag
def figure(measure: catalogue.Measure, value: float | None) -> str:
    return reports.fmt(measure.id, value)


@register.simple_tag
def figure_by_id(measure_id: str, values: dict[str, Any] | None, value: float | None = None) -> str:
    """A figure from a row's values (or a value given directly), as the catalogue formats it."""
    return reports.fmt(measure_id, values.get(measure_id) if values is not None else value)


@register.simple_tag
def low_volume(measure_id: str, ranked: dict[str, bool] | None) -> str:
    """A mark beside a figure whose volume is below the measure's minimum for a ranking (#19)."""
    if not ranked or ranked.get(measure_id, True):
        return ""
    measure = catalogue.BY_ID[measure_id]
    title = gettext("Fewer than %(n)s cases: not ranked") % {"n": measure.min_volume}
    return format_html(
        ' <small class="muted" title="{}" data-testid="low-volume">{}</small>', title, gettext("(few)")
    )


@register.simple_tag
def measure_name(measure_id: str) -> str:
    measure = catalogue.BY_ID.get(measure_id)
    return str(measure.name) if measure else measure_id


@register.simple_tag
def bar_width(pct: float) -> str:
    return f"{max(0.0, min(100.0, pct)):.0f}"
