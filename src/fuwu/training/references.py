"""Courses as a knowledge entry's page lists them (core.references): the courses whose materials link to it."""

from __future__ import annotations

from django.urls import reverse

from fuwu.core import access
from fuwu.core.principals import Principal
from fuwu.core.references import RecordRef
from fuwu.training.models import Course

COURSE = "training.course"


def referring(*, fetched_by: Principal, kind: str, pk: int) -> list[RecordRef]:
    """Active courses with a material linked to (kind, pk), for who may read the course catalogue."""
    if not access.has(fetched_by, "training.view_course"):
        return []
    courses = Course.objects.filter(is_active=True, materials__ref_kind=kind, materials__ref_id=pk).distinct()
    return [
        RecordRef(
            kind=COURSE,
            id=c.pk,
            title=c.title,
            url=reverse("training:course", args=[c.pk]),
            detail=str(c.get_kind_display()),
        )
        for c in courses.order_by("code")
    ]
