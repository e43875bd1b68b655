"""T1: a course's material can be a knowledge base product entry; the course always shows the entry's current
version, and the entry's page lists the courses that teach it (core.references: the two apps share a layer
and never import each other)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from fuwu.core import references, roles
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.knowledge import services as kb
from fuwu.knowledge.models import Entry
from fuwu.training import selectors, services
from fuwu.training.tests import factories as f

pytestmark = pytest.mark.django_db

PRODUCT = kb.EntryData(
    kind=Entry.Kind.PRODUCT,
    question="“稳利”系列理财产品介绍",
    answer_html="<p>期限180天，业绩比较基准2.6%–3.1%。</p>",
    category="理财",
    visibility=Entry.Visibility.PUBLIC,
    risk_level="R2",
    fees=(("销售服务费", "0.30%/年", "按日计提"),),
)


def _linked(world: Any) -> tuple[Any, Entry]:
    entry = kb.entry_create(actor=SYSTEM, data=PRODUCT)
    course = f.course(world, code="NPWL", title="稳利理财新产品培训", kind="new_product")
    services.material_add(actor=SYSTEM, course=course, title="", knowledge_entry_id=entry.pk)
    services.material_add(actor=SYSTEM, course=course, title="培训讲义", url="https://example.cn/a.pdf")
    return course, entry


def test_t1_course_shows_the_current_kb_version_of_its_product(world: Any, frozen_clock: Any) -> None:
    course, entry = _linked(world)
    (kb_row, file_row) = selectors.course_materials(fetched_by=world.teller_a, course=course)
    assert kb_row.ref is not None and (kb_row.title, kb_row.ref.version) == ("“稳利”系列理财产品介绍", 1)
    assert kb_row.url == f"/knowledge/entries/{entry.pk}/" and file_row.ref is None

    # The product team changes the product in the knowledge base: the course reads the new version at once.
    changed = dataclasses.replace(PRODUCT, question="“稳利”系列理财产品介绍（2026年3月版）")
    kb.entry_update(actor=SYSTEM, entry=entry, data=changed)
    teller = Client()
    teller.force_login(world.teller_a)
    page = teller.get(f"/training/courses/{course.pk}/").content.decode()
    assert "2026年3月版" in page and "当前第 2 版" in page and "培训讲义" in page
    api = teller.get(f"/api/v1/training/courses/{course.pk}").json()
    assert [(m["title"], (m["ref"] or {}).get("version")) for m in api["materials"]] == [
        ("“稳利”系列理财产品介绍（2026年3月版）", 2),
        ("培训讲义", None),
    ]

    # Withdrawn to draft: a teller no longer sees the product's content through the course, only that it is gone.
    kb.entry_update(actor=SYSTEM, entry=entry, data=dataclasses.replace(changed, visibility="draft"))
    (gone, _file) = selectors.course_materials(fetched_by=world.teller_a, course=course)
    assert gone.ref is None and gone.ref_missing and "2026年3月版" not in gone.title
    assert "不再可用" in teller.get(f"/training/courses/{course.pk}/").content.decode()


def test_t1_kb_entry_page_lists_the_courses_that_teach_it(world: Any, frozen_clock: Any) -> None:
    course, entry = _linked(world)
    f.course(world, code="OTHER", title="无关课程")
    linked = references.referring(fetched_by=world.teller_a, kind=references.KNOWLEDGE_ENTRY, pk=entry.pk)
    assert [(r.title, r.url) for r in linked] == [("稳利理财新产品培训", f"/training/courses/{course.pk}/")]
    teller = Client()
    teller.force_login(world.teller_a)
    page = teller.get(f"/knowledge/entries/{entry.pk}/").content.decode()
    assert 'data-testid="linked-courses"' in page and "稳利理财新产品培训" in page and "无关课程" not in page


def test_t1_linking_needs_an_entry_the_course_editor_can_see(world: Any, frozen_clock: Any) -> None:
    course = f.course(world, org_unit=world.t1)
    draft = kb.entry_create(actor=SYSTEM, data=dataclasses.replace(PRODUCT, visibility="draft"))
    # A trainer edits the branch's courses but is no knowledge editor: a draft product is not theirs to link.
    trainer = Client()
    trainer.force_login(f.trainer(world))
    for bad in (999_999, draft.pk):
        r = trainer.post(
            f"/api/v1/training/courses/{course.pk}/materials",
            {"knowledge_entry_id": bad},
            content_type="application/json",
        )
        assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "knowledge_entry_id"
    with pytest.raises(ValidationFailed):
        services.material_add(actor=world.hq_manager, course=course, title="空")
    public = kb.entry_create(actor=SYSTEM, data=PRODUCT)
    ok = trainer.post(
        f"/api/v1/training/courses/{course.pk}/materials",
        {"knowledge_entry_id": public.pk},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["materials"][0]["ref"]["id"] == public.pk
    # Head office prepares training before a launch: its editors may link the product's draft.
    assert services.material_add(actor=world.hq_manager, course=course, title="", knowledge_entry_id=draft.pk)
    other = Client()
    other.force_login(world.person("trainer_x", world.t1x, roles.TRAINER))
    r = other.post(
        f"/api/v1/training/courses/{course.pk}/materials",
        {"knowledge_entry_id": public.pk},
        content_type="application/json",
    )
    assert r.status_code == 404
