from __future__ import annotations

from django import template

from fuwu.appraisal import figures
from fuwu.appraisal.models import Rule

register = template.Library()


@register.filter
def measure_name(measure_id: str) -> str:
    return figures.measure(measure_id).name_zh


@register.filter
def figure(value: float | None, measure: figures.Measure) -> str:
    """A figure with the catalogue's decimals (as the dashboards and `fuwu measures` print it)."""
    return "—" if value is None else f"{value:.{measure.decimals}f}"


@register.filter
def unit_label(unit: str) -> str:
    return unit_name(unit)


def unit_name(unit: str) -> str:
    """A measure's unit as the catalogue names it on screens (分钟, 分, 个/次…), never the code."""
    return figures.unit_label(unit)


@register.filter
def rule_label(rule: str) -> str:
    return str(Rule(rule).label) if rule in Rule.values else rule


@register.filter
def role_name(code: str) -> str:
    from fuwu.core import roles

    return str(roles.role_label(code))


@register.filter
def reason_points(reason: dict[str, object]) -> str:
    """A star reason's points as the wall and the round show them: the satisfaction base as is, the rest
    signed (+15, −20); nothing when a reason carries no points."""
    points = reason.get("points")
    if not isinstance(points, int | float) or not points:
        return ""
    if reason.get("kind") == "satisfaction":
        return f"{points:g}"
    return f"+{points:g}" if points > 0 else f"−{-points:g}"
