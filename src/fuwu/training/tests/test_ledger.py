"""T3: the rectification task page shows the training assigned from its finding and its completion.

The ledger (inspections) and training are apps of one layer and never import each other: the task page
reads the training through core.defects.follow_ups_for, which asks each app's ledger hook.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fuwu.core import defects, roles
from fuwu.core.defects import Defect, SourceKind
from fuwu.core.principals import SYSTEM
from fuwu.inspections.models import RectificationTask
from fuwu.training import services
from fuwu.training.models import Assignment
from fuwu.training.tests import factories as f

pytestmark = pytest.mark.django_db


def _finding(world: Any) -> RectificationTask:
    course = f.course(world, code="DRESS", title="仪容仪表规范", online=True)
    services.defect_rule_set(
        actor=SYSTEM, source_kind=SourceKind.INSPECTION, reason_code="SBZ-2", course=course, due_days=5
    )
    defect = Defect(
        source_kind=SourceKind.INSPECTION,
        source_id="41",
        label="仪容仪表 · 未佩戴工牌",
        unit=world.outlet_a,
        description="柜员未佩戴工牌",
        staff=world.teller_a,
        reason_code="SBZ-2",
    )
    defects.report(actor=world.head_a, defect=defect)
    return RectificationTask.objects.get(source_kind="inspection", source_id="41")


def test_t3_task_page_shows_the_assigned_course_and_its_completion(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    task = _finding(world)
    head = Client()
    head.force_login(world.head_a)
    page = head.get(f"/inspections/ledger/{task.pk}/").content.decode()
    assert 'data-testid="follow-ups"' in page and "仪容仪表规范" in page and "李柜员" in page
    assert "未完成" in page or "进行中" in page or "待完成" in page

    assignment = Assignment.objects.get(source_kind="inspection", source_id="41")
    services.assignment_complete_online(actor=world.teller_a, assignment=assignment)
    page = head.get(f"/inspections/ledger/{task.pk}/").content.decode()
    assert '<span class="tag ok">已完成</span>' in page


def test_t3_follow_ups_are_scoped_like_the_assignments(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    _finding(world)
    mine = defects.follow_ups_for(fetched_by=world.head_a, source_kind="inspection", source_id="41")
    assert [(v.title, v.person, v.done) for v in mine] == [("仪容仪表规范", "李柜员", False)]
    # Another outlet's head and a teller without the right to read assignments see nothing (no error).
    other = world.person("head_b", world.outlet_b, roles.OUTLET_HEAD)
    assert defects.follow_ups_for(fetched_by=other, source_kind="inspection", source_id="41") == []
    assert defects.follow_ups_for(fetched_by=world.teller_a, source_kind="inspection", source_id="41") == []
    assert defects.follow_ups_for(fetched_by=world.head_a, source_kind="inspection", source_id="42") == []
