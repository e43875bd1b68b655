"""The inspection API end to end, as a tablet client would use it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fuwu.core import clock
from fuwu.inspections.models import Inspection, RectificationTask
from fuwu.inspections.tests.factories import jpeg, setup

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_visit_through_the_api_with_idempotent_writes(world: Any) -> None:
    setup(world)
    sup = _client(world.sup)
    body = {"outlet_code": "OA", "template_code": "SBZ", "kind": "onsite"}
    first = sup.post("/api/v1/inspections", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = sup.post("/api/v1/inspections", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and Inspection.objects.count() == 1
    pk = first.json()["id"]
    items = sup.get("/api/v1/inspections/templates/SBZ").json()["items"]
    for item in items:
        r = sup.post(
            f"/api/v1/inspections/{pk}/responses",
            {
                "item_id": item["id"],
                "result": "fail" if item["code"] == "SBZ-2" else "pass",
                "note": "1号位空岗",
            },
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"r-{item['id']}",
        )
        assert r.status_code == 200, r.content
    refused = sup.post(f"/api/v1/inspections/{pk}/submit")
    assert (
        refused.status_code == 422
        and refused.json()["error"]["details"][0]["field"] == f"item_{items[1]['id']}"
    )
    photo = sup.post(
        f"/api/v1/inspections/{pk}/items/{items[1]['id']}/photos",
        {"photo": SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")},
    )
    assert photo.status_code == 201 and len(photo.json()["sha256"]) == 64
    bad = sup.post(
        f"/api/v1/inspections/{pk}/items/{items[1]['id']}/photos",
        {"photo": SimpleUploadedFile("p.jpg", b"<?php echo 1;", content_type="image/jpeg")},
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "photo"
    done = sup.post(f"/api/v1/inspections/{pk}/submit")
    assert done.status_code == 200 and done.json()["score"] == "80.00" and done.json()["band_label"]
    again = sup.post(f"/api/v1/inspections/{pk}/submit")
    assert again.status_code == 409 and again.json()["error"]["details"]["status"] == "submitted"

    head = _client(world.head_a)
    (task,) = head.get("/api/v1/rectifications?source_kind=inspection").json()
    assert [a["name"] for a in task["actions"]] == ["submit_evidence", "appeal"]
    r = head.post(
        f"/api/v1/rectifications/{task['id']}/evidence",
        {"evidence": "已安排大堂经理站立值守"},
        HTTP_IDEMPOTENCY_KEY="e-1",
    )
    assert r.json()["status"] == "submitted"
    r = head.post(
        f"/api/v1/rectifications/{task['id']}/evidence",
        {"evidence": "已安排大堂经理站立值守"},
        HTTP_IDEMPOTENCY_KEY="e-1",
    )
    assert r.status_code == 200 and r["Idempotent-Replayed"] == "true"
    assert (
        head.post(
            f"/api/v1/rectifications/{task['id']}/verify", {}, content_type="application/json"
        ).status_code
        == 403
    )
    v = sup.post(
        f"/api/v1/rectifications/{task['id']}/verify", {"note": "复查通过"}, content_type="application/json"
    )
    assert v.json()["status"] == "verified"
    assert RectificationTask.objects.get().status == "verified"


def test_the_outlet_gets_404_for_a_planned_mystery_visit_through_the_api(world: Any) -> None:
    setup(world)
    hq = _client(world.hq_manager)
    r = hq.post(
        "/api/v1/inspections/plan",
        {
            "outlet_code": "OA",
            "template_code": "WGY",
            "kind": "mystery",
            "supervisor_id": world.sup.pk,
            "planned_for": (clock.today() + dt.timedelta(days=7)).isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    head = _client(world.head_a)
    assert head.get(f"/api/v1/inspections/{r.json()['id']}").status_code == 404
    assert head.get("/api/v1/inspections").json() == []
    assert _client(world.sup).get(f"/api/v1/inspections/{r.json()['id']}").status_code == 200


def test_templates_can_be_saved_as_new_versions_through_the_api(world: Any) -> None:
    setup(world)
    hq = _client(world.hq_manager)
    body = {
        "code": "WGY",
        "name": "五个一(普通区)",
        "items": [{"section": "服务", "code": "W-1", "text": "一声问候", "weight": 3, "critical": True}],
    }
    r = hq.post("/api/v1/inspections/templates", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["version"] == 2
    bad = hq.post(
        "/api/v1/inspections/templates",
        {**body, "items": [{**body["items"][0], "position": 9}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "items.0.position"
    assert (
        _client(world.sup)
        .post("/api/v1/inspections/templates", body, content_type="application/json")
        .status_code
        == 403
    )


def test_roster_piece_rate_and_trends_read_through_the_api(world: Any) -> None:
    """S4–S5 for a client: the roster gap, the month's payroll tally, and the trends page's figures."""
    from fuwu.core import rollups
    from fuwu.core.principals import SYSTEM
    from fuwu.inspections import services
    from fuwu.inspections.tests.factories import submitted, task_for

    a = submitted(world, "WGY", fail={"WGY-1", "WGY-2"}, kind="mystery")
    services.task_submit_evidence(actor=world.head_a, task=task_for(a, "WGY-1"), evidence="已整改")
    services.task_verify(actor=world.sup2, task=task_for(a, "WGY-1"))
    rollups.rebuild(actor=SYSTEM, start=clock.today() - dt.timedelta(days=1), end=clock.today())
    hq = _client(world.hq_manager)
    roster = {r["branch_code"]: r for r in hq.get("/api/v1/supervision/roster").json()}
    assert len(roster["T1"]["supervisors"]) == 1 and (roster["T1"]["minimum"], roster["T1"]["gap"]) == (5, 4)
    month = f"{clock.today():%Y-%m}"
    tally = hq.get(f"/api/v1/supervision/piece-rate?month={month}").json()
    (mine,) = [r for r in tally if r["supervisor_id"] == world.sup.pk]
    assert (mine["findings_verified"], mine["findings_open"], mine["amount_yuan"]) == (1, 1, 20)
    assert hq.get("/api/v1/supervision/piece-rate?month=2026-13").status_code == 422
    trends = hq.get("/api/v1/supervision/trends").json()
    assert trends["quarters"][-1] == f"{clock.today().year}Q{(clock.today().month - 1) // 3 + 1}"
    assert float(trends["target_gain"]) == 2
    (outlet,) = [o for o in trends["outlets"] if o["outlet_code"] == world.outlet_a.code]
    assert outlet["quarters"][-1]["mystery_score"] is not None
    assert {w["code"] for w in trends["worst_items"]} <= {"WGY-1", "WGY-2"}
    # the outlet head reads neither the roster nor the tally
    head = _client(world.head_a)
    assert head.get("/api/v1/supervision/roster").status_code == 403
    assert head.get(f"/api/v1/supervision/piece-rate?month={month}").status_code == 403


def _stored(sha256: str) -> list[Path]:
    """The files in storage named by this content hash (the original and its thumbnail)."""
    root = Path(settings.MEDIA_ROOT)
    return list(root.rglob(f"{sha256[:32]}*")) if root.exists() else []


def _unique_jpeg() -> bytes:
    # A fresh EXIF text gives fresh bytes, so no earlier run's file can stand in for this one's.
    return jpeg(exif_time=f"2026:03:02 10:15:00 {uuid.uuid4().hex}")


def test_evidence_photos_through_the_api_are_checked_and_stored_as_the_page_does(world: Any) -> None:
    """#14 API: a tablet submits the fix with photos (multipart), once, even when it retries."""
    from fuwu.inspections.tests.factories import submitted, task_for

    t = task_for(submitted(world), "SBZ-2")
    head = _client(world.head_a)
    first, second = _unique_jpeg(), jpeg(exif_time="2026:03:05 09:30:00")

    def send() -> Any:
        return head.post(
            f"/api/v1/rectifications/{t.pk}/evidence",
            {
                "evidence": "已安排大堂经理站立值守",
                "photo": [
                    SimpleUploadedFile("a.jpg", first, content_type="image/jpeg"),
                    SimpleUploadedFile("b.jpg", second, content_type="image/jpeg"),
                ],
            },
            HTTP_IDEMPOTENCY_KEY="ev-photos",
        )

    r = send()
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.content
    again = send()
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    photos = list(t.photos.order_by("pk"))
    assert [p.sha256 for p in photos] == [
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    ]
    assert photos[1].taken_at is not None and photos[1].taken_at.day == 5
    assert all(p.file and p.thumbnail and p.content_type == "image/jpeg" for p in photos)
    assert len(_stored(photos[0].sha256)) == 2  # the original and its thumbnail


def test_a_refused_evidence_submission_leaves_no_file_in_storage(world: Any) -> None:
    """#14: the first photo is fine and written, the second is not an image: nothing is kept, row or file."""
    from fuwu.inspections.tests.factories import submitted, task_for

    t = task_for(submitted(world), "SBZ-2")
    good = _unique_jpeg()
    sha = hashlib.sha256(good).hexdigest()
    r = _client(world.head_a).post(
        f"/api/v1/rectifications/{t.pk}/evidence",
        {
            "evidence": "已安排大堂经理站立值守",
            "photo": [
                SimpleUploadedFile("a.jpg", good, content_type="image/jpeg"),
                SimpleUploadedFile("b.jpg", b"<?php echo 1;", content_type="image/jpeg"),
            ],
        },
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "photo"
    t.refresh_from_db()
    assert t.status == RectificationTask.Status.OPEN and not t.photos.exists()
    assert _stored(sha) == []


def test_templates_export_and_import_through_the_api(world: Any) -> None:
    """#14 API: the page's Excel export and import, all or nothing, errors by row and field in Chinese."""
    from openpyxl import load_workbook

    from fuwu.inspections.models import Template

    setup(world)
    hq = _client(world.hq_manager)
    exported = hq.get("/api/v1/inspections/templates/SBZ/xlsx")
    assert exported.status_code == 200 and exported["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    wb = load_workbook(io.BytesIO(exported.content))
    wb["检查项"]["C2"] = "严禁推诿、拒办客户业务"
    out = io.BytesIO()
    wb.save(out)
    r = hq.post(
        "/api/v1/inspections/templates/import",
        {"file": SimpleUploadedFile("t.xlsx", out.getvalue())},
        HTTP_IDEMPOTENCY_KEY="imp-1",
    )
    assert r.status_code == 201 and r.json() == {"code": "SBZ", "name": r.json()["name"], "version": 2}
    items = hq.get("/api/v1/inspections/templates/SBZ").json()["items"]
    assert items[0]["text"] == "严禁推诿、拒办客户业务"

    wb["检查项"]["D3"] = "很重"  # weight is not a number
    wb["检查项"]["H4"] = "极严重"  # not a severity
    out = io.BytesIO()
    wb.save(out)
    bad = hq.post(
        "/api/v1/inspections/templates/import", {"file": SimpleUploadedFile("t.xlsx", out.getvalue())}
    )
    assert bad.status_code == 422
    details = bad.json()["error"]["details"]
    assert {(d["row"], d["field"]) for d in details} == {(3, "weight"), (4, "severity")}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in d["reason"]) for d in details)
    assert Template.objects.get(code="SBZ").versions.count() == 2  # nothing of the bad file was saved
    head = _client(world.head_a)
    assert (
        head.post(
            "/api/v1/inspections/templates/import", {"file": SimpleUploadedFile("t.xlsx", out.getvalue())}
        ).status_code
        == 403
    )
