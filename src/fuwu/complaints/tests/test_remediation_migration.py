"""The data migration that moves complaint remediation tasks into the one rectification ledger (#14, S3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fuwu.complaints.models import Complaint
from fuwu.complaints.tests import factories as f
from fuwu.core.clock import SHANGHAI
from fuwu.inspections.models import RectificationTask

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("complaints", "0005_code_table")]


@pytest.fixture(autouse=True)
def _codes() -> None:
    # A transactional test flushes the tables afterwards, migration data included: the codes come back here.
    from fuwu.complaints.codes import seed_codes
    from fuwu.complaints.models import ClassificationCode

    seed_codes(ClassificationCode)


def _latest() -> list[tuple[str, str]]:
    """Every app's newest migration: back to where the rest of the suite (and the models) expect the schema."""
    loader = MigrationExecutor(connection).loader
    loader.build_graph()
    return list(loader.graph.leaf_nodes())


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_remediations_become_ledger_tasks_open_or_verified(world: Any) -> None:
    handler = f.handler(world)
    case = f.complaint(world)
    old = _migrate(BEFORE)
    try:
        remediation = old.get_model("complaints", "Remediation")
        done_at = dt.datetime(2026, 3, 10, 16, 0, tzinfo=SHANGHAI)
        remediation.objects.create(
            complaint_id=case.pk,
            action="高峰期增开窗口",
            owner_id=world.head_a.pk,
            due_date=dt.date(2026, 3, 12),
            done_at=done_at,
            accountable_staff_id=world.teller_a.pk,
            accountability_note="未履行一次性告知义务",
            created_at=dt.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI),
        )
        remediation.objects.create(
            complaint_id=case.pk,
            action="一次性告知培训",
            owner_id=handler.pk,
            due_date=dt.date(2026, 3, 20),
            created_at=dt.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI),
        )
    finally:
        _migrate(_latest())
    tasks = list(RectificationTask.objects.filter(source_kind="complaint").order_by("source_id"))
    assert [t.source_id for t in tasks] == [f"{case.pk}/1", f"{case.pk}/2"]
    done, still_open = tasks
    assert (done.status, done.owner, done.due, done.staff) == (
        "verified",
        world.head_a,
        dt.date(2026, 3, 12),
        world.teller_a,
    )
    assert done.verified_at == done_at and done.closed_at == done_at and done.on_time is True
    assert done.description == "高峰期增开窗口\n未履行一次性告知义务"
    assert (done.label, done.unit) == (case.reference, world.outlet_a)
    assert done.url == f"/complaints/{case.pk}/"
    assert (still_open.status, still_open.owner, still_open.verified_at) == ("open", handler, None)
    # The case's counter continues the numbering: the next remediation is task 3.
    assert Complaint.objects.get(pk=case.pk).remediations_opened == 2
