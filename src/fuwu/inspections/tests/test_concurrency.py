"""Real threads against PostgreSQL: two supervisors saving one item, two verifiers, two reports of one source."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection

from fuwu.core import roles
from fuwu.core.defects import Defect, SourceKind, report
from fuwu.core.errors import Conflict
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.concurrency import race
from fuwu.inspections import services
from fuwu.inspections.models import Item, RectificationTask, Response, Template, TemplateVersion
from fuwu.inspections.tests.factories import items, setup, submitted, task_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def test_supervisors_saving_the_same_item_at_once_all_land_in_one_row(world: Any) -> None:
    setup(world)
    others = [world.person(f"co{k}", world.t1, roles.SUPERVISOR) for k in range(3)]
    sups = [world.sup, *others]
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="SBZ", kind="onsite"
    )
    item = items(i)[0]
    _results, errors = race(
        len(sups),
        lambda k: services.response_save(
            actor=sups[k], inspection=i, item_id=item.pk, result="pass", note=f"n{k}"
        ),
    )
    assert errors == []
    row = Response.objects.get(inspection=i, item=item)
    assert row.revision == len(sups)  # every save counted, none lost to a unique-key error
    assert row.history.count() == len(sups)


def test_two_verifications_of_one_task_verify_it_once(world: Any) -> None:
    t = task_for(submitted(world), "SBZ-2")
    services.task_submit_evidence(actor=world.head_a, task=t, evidence="已整改")
    verifiers = [world.sup, world.sup2]
    results, errors = race(2, lambda k: services.task_verify(actor=verifiers[k], task=t))
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict)
    assert errors[0].details["status"] == "verified"
    t.refresh_from_db()
    assert t.status == "verified" and t.history.filter(status="verified").count() == 1


def test_two_reports_of_the_same_defect_open_one_task(world: Any) -> None:
    d = Defect(SourceKind.COMPLAINT, "C-42", "TS2026-0042", world.outlet_a, "根因:服务态度")

    def work(_k: int) -> Any:
        from django.db import transaction

        with transaction.atomic():
            return report(actor=SYSTEM, defect=d)[0].pk

    results, errors = race(4, work)
    assert errors == [] and len(set(results)) == 1
    assert RectificationTask.objects.filter(source_id="C-42").count() == 1


def _workbook(code: str) -> bytes:
    """The 五个一 checklist exported to Excel, under another code if asked (a template not yet in the bank)."""
    from openpyxl import load_workbook

    from fuwu.inspections import selectors, xlsx

    version = selectors.template_version(fetched_by=SYSTEM, code="WGY")
    content = xlsx.template_workbook(version, selectors.template_items(fetched_by=SYSTEM, version=version))
    wb = load_workbook(io.BytesIO(content))
    wb[xlsx.INFO_SHEET]["B1"] = code
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("code", ["WGY", "NEW1"])
def test_head_office_importing_one_template_at_once_gets_one_version_each(world: Any, code: str) -> None:
    """Each import is a deliberate new version, as two imports one after the other would be: numbered in turn,
    never the same number twice (a unique-key error) and, for a template new to the bank, one template."""
    setup(world)
    managers = [world.person(f"hq{k}", world.ho, roles.HQ_MANAGER) for k in range(6)]
    content = _workbook(code)
    existing = TemplateVersion.objects.filter(template__code=code).count()  # WGY: built in as v1
    per_version = Item.objects.filter(version__template__code="WGY").count()
    results, errors = race(
        len(managers), lambda k: services.template_import_xlsx(actor=managers[k], content=content)
    )
    assert errors == [] and len(results) == len(managers)
    assert Template.objects.filter(code=code).count() == 1
    numbers = sorted(v.number for v in results)
    assert numbers == list(range(existing + 1, existing + len(managers) + 1))
    assert sorted(
        TemplateVersion.objects.filter(template__code=code).values_list("number", flat=True)
    ) == list(range(1, existing + len(managers) + 1))
    for v in results:
        assert Item.objects.filter(version=v).count() == per_version
    saved = AuditEvent.objects.filter(
        action="inspections.template.version", data__template=code, actor__in=managers
    )
    assert sorted(a.data["number"] for a in saved) == numbers
    assert [a.data["created"] for a in saved].count(True) == (0 if existing else 1)
