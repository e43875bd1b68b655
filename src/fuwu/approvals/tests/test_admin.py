"""Process definitions in admin: a version with cases is frozen; a copy becomes the next draft; publishing it
changes what new cases use, not running ones."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.sites import site

from fuwu.approvals.admin import StepDefInline
from fuwu.approvals.models import ProcessVersion, StepDef
from fuwu.approvals.tests import factories as f


def test_copy_edit_publish_in_admin_keeps_running_cases_on_their_version(
    world: Any, frozen_clock: Any, rf: Any
) -> None:
    v1 = f.small_loan()
    case = f.start(world, "500000")
    admin = site._registry[ProcessVersion]
    request = rf.post("/admin/")
    request.user = world.hq_manager
    inline = StepDefInline(ProcessVersion, site)
    assert not inline.has_change_permission(request, v1)  # cases ran on v1: frozen
    admin.copy_as_draft(request, ProcessVersion.objects.filter(pk=v1.pk))
    draft = ProcessVersion.objects.get(number=2)
    assert not draft.published and inline.has_change_permission(request, draft)
    StepDef.objects.filter(version=draft, code="risk").update(limit_hours=4)
    assert f.start(world, "500000").version == v1  # drafts are not used
    admin.publish(request, ProcessVersion.objects.filter(pk=draft.pk))
    assert f.start(world, "500000").version == draft
    case.refresh_from_db()
    assert case.version == v1
