"""The pages in Chinese: inspection fill-in, the ledger with its one filter, templates, supervisors, trends."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fuwu.core.defects import Defect, SourceKind, report
from fuwu.core.principals import SYSTEM
from fuwu.inspections import services
from fuwu.inspections.models import Response, Template
from fuwu.inspections.tests.factories import items, jpeg, setup, submitted, task_for

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_fill_in_page_saves_item_by_item_and_refuses_bad_photos_in_place(world: Any) -> None:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=world.outlet_a, template_code="SBZ", kind="onsite"
    )
    c = _client(world.sup)
    page = c.get(f"/inspections/{i.pk}/")
    assert page.status_code == 200 and "四不准" in page.content.decode() and "符合" in page.content.decode()
    item = items(i)[1]
    r = c.post(
        f"/inspections/{i.pk}/save/",
        {"item_id": item.pk, "result": "fail", "note": "1号位空岗"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert r.status_code == 200 and r.json()["revision"] == 1
    assert Response.objects.get(inspection=i, item=item).note == "1号位空岗"
    bad = c.post(
        f"/inspections/{i.pk}/save/",
        {
            "item_id": item.pk,
            "result": "fail",
            "note": "改过的备注",
            "photo": SimpleUploadedFile("x.jpg", b"not an image"),
        },
    )
    assert bad.status_code == 422
    assert "改过的备注" in bad.content.decode() and "文件不是图片" in bad.content.decode()
    ok = c.post(
        f"/inspections/{i.pk}/save/",
        {"item_id": item.pk, "result": "fail", "photo": SimpleUploadedFile("x.jpg", jpeg())},
    )
    assert ok.status_code == 302 and i.photos.count() == 1
    submit = c.post(f"/inspections/{i.pk}/submit/")
    assert submit.status_code == 422 and "未作答" in submit.content.decode()


def test_the_ledger_page_shows_every_source_and_filters_by_one_form(world: Any) -> None:
    submitted(world)
    report(
        actor=SYSTEM,
        defect=Defect(SourceKind.COMPLAINT, "C-1", "TS2026-0001 柜员态度生硬", world.outlet_a, "根因"),
    )
    report(
        actor=SYSTEM,
        defect=Defect(SourceKind.EVALUATION, "F-1", "不满意评价回访:等候过久", world.outlet_a, "x"),
    )
    c = _client(world.head_a)
    page = c.get("/inspections/ledger/").content.decode()
    assert "整改台账" in page and "TS2026-0001" in page and "等候过久" in page and "SBZ-2" in page
    assert "投诉" in page and "检查" in page
    only = c.get("/inspections/ledger/?source_kind=complaint").content.decode()
    assert "TS2026-0001" in only and "SBZ-2" not in only
    assert _client(world.teller_a).get("/inspections/ledger/").status_code == 403


def test_the_task_page_offers_only_the_allowed_actions(world: Any) -> None:
    t = task_for(submitted(world), "SBZ-2")
    head = _client(world.head_a).get(f"/inspections/ledger/{t.pk}/").content.decode()
    assert "提交整改材料" in head and "申诉" in head and "验证通过" not in head
    r = _client(world.head_a).post(f"/inspections/ledger/{t.pk}/submit_evidence/", {"evidence": ""})
    assert r.status_code == 422
    r = _client(world.head_a).post(f"/inspections/ledger/{t.pk}/submit_evidence/", {"evidence": "已整改完毕"})
    assert r.status_code == 302
    sup = _client(world.sup).get(f"/inspections/ledger/{t.pk}/").content.decode()
    assert "验证通过" in sup and "提交整改材料" not in sup


def test_templates_export_to_excel_and_import_back_as_a_new_version(world: Any) -> None:
    setup(world)
    hq = _client(world.hq_manager)
    content = hq.get("/inspections/templates/SBZ/export/").content
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    wb["检查项"]["C2"] = "严禁推诿、拒办客户业务"
    out = io.BytesIO()
    wb.save(out)
    r = hq.post("/inspections/templates/import/", {"file": SimpleUploadedFile("t.xlsx", out.getvalue())})
    assert r.status_code == 302
    assert Template.objects.get(code="SBZ").versions.count() == 2
    page = hq.get("/inspections/templates/SBZ/").content.decode()
    assert "严禁推诿" in page and "v2" in page
    edit = hq.post(
        "/inspections/templates/SBZ/save/",
        {
            "name": "四不准",
            "items-0-section": "四不准",
            "items-0-code": "SBZ-1",
            "items-0-text": "不推诿",
            "items-0-weight": "abc",
        },
    )
    assert edit.status_code == 422


def test_supervisors_trends_and_list_pages_render_in_chinese(world: Any) -> None:
    submitted(world, kind="mystery")
    hq = _client(world.hq_manager)
    sup = hq.get("/inspections/supervisors/").content.decode()
    assert "督导员" in sup and "北京分行" in sup
    xlsx = hq.get("/inspections/supervisors/export/")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    _rebuild()
    assert "神秘人" in hq.get("/inspections/trends/").content.decode()
    assert "中关村支行" in hq.get("/inspections/").content.decode()


def test_trends_show_satisfaction_beside_the_mystery_score_of_the_same_quarter(world: Any) -> None:
    from fuwu.core import services as core_services
    from fuwu.core.principals import DevicePrincipal
    from fuwu.feedback import services as feedback_services
    from fuwu.feedback.models import Evaluation
    from fuwu.feedback.tests import factories as ff

    submitted(world, kind="mystery")
    c = ff.counter(world.outlet_a)
    token, _raw = core_services.device_token_issue(
        actor=SYSTEM, org_unit=world.outlet_a, kind="pad", counter_code=c.code
    )
    pad = DevicePrincipal(token)
    for rating in (
        Evaluation.Rating.SATISFIED,
        Evaluation.Rating.SATISFIED,
        Evaluation.Rating.SATISFIED,
        Evaluation.Rating.DISSATISFIED,
    ):
        feedback_services.evaluation_record(
            actor=pad, ticket=ff.finished_ticket(world.outlet_a, counter=c), rating=rating
        )
    _rebuild()
    page = _client(world.hq_manager).get("/inspections/trends/").content.decode()
    assert "满意度 75.0" in page and "80.00" in page


def _rebuild() -> None:
    """The trends page reads the measure catalogue's rollups (#14): build them as the sweep would."""
    import datetime as dt

    from fuwu.core import clock, rollups

    rollups.rebuild(actor=SYSTEM, start=clock.today() - dt.timedelta(days=400), end=clock.today())


def test_a_quarter_is_scheduled_from_the_list_page(world: Any) -> None:
    from fuwu.core import clock
    from fuwu.inspections.models import Inspection
    from fuwu.inspections.selectors import quarter_of

    setup(world)
    hq = _client(world.hq_manager)
    assert "按季度排期" in hq.get("/inspections/").content.decode()
    bad = hq.post(
        "/inspections/schedule/",
        {"branch_code": "T1", "quarter": "2026-5", "template_code": "WGY", "kind": "mystery"},
    )
    assert bad.status_code == 422 and 'value="2026-5"' in bad.content.decode()
    r = hq.post(
        "/inspections/schedule/",
        {
            "branch_code": "T1",
            "quarter": quarter_of(clock.today()),
            "template_code": "WGY",
            "kind": "mystery",
        },
        follow=True,
    )
    assert "已排期 2 次检查" in r.content.decode()
    assert Inspection.objects.filter(status="planned", kind="mystery").count() == 2


def test_the_rectification_page_shows_the_training_its_defect_assigned_and_its_completion(
    world: Any, frozen_clock: Any, seeded_calendar: Any
) -> None:
    """T3 (#17): the ledger task shows the course its reason mapped to, and when the learner has done it."""
    from fuwu.inspections.models import RectificationTask
    from fuwu.training import services as training

    course = training.course_create(
        actor=SYSTEM, code="LANG", title="文明用语与禁用语", kind="etiquette", org_unit=world.ho, online=True
    )
    training.defect_rule_set(actor=SYSTEM, source_kind=SourceKind.LANGUAGE, reason_code="p17", course=course)
    opened = report(
        actor=SYSTEM,
        defect=Defect(
            source_kind=SourceKind.LANGUAGE,
            source_id="77",
            label="禁用语：不知道",
            unit=world.outlet_a,
            description="柜员对客户说“不知道”",
            staff=world.teller_a,
            reason_code="p17",
        ),
    )
    task = next(o for o in opened if isinstance(o, RectificationTask))
    page = _client(world.head_a).get(f"/inspections/ledger/{task.pk}/").content.decode()
    shown = page.split('data-testid="follow-ups"')[1].split("</table>")[0]
    assert "文明用语与禁用语" in shown and "李柜员" in shown and "未完成" in shown
    assignment = next(o for o in opened if o is not None and not isinstance(o, RectificationTask))
    training.assignment_complete_online(actor=world.teller_a, assignment=assignment)
    page = _client(world.head_a).get(f"/inspections/ledger/{task.pk}/").content.decode()
    assert "已完成" in page.split('data-testid="follow-ups"')[1].split("</table>")[0]
