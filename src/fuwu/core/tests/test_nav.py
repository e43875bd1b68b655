"""The sidebar: one section per app, titled by the app's own nav.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fuwu.core import roles, services
from fuwu.core.principals import SYSTEM

# Each role's sidebar sections, top to bottom, as the menu has always shown them.
SECTIONS_ZH = {
    roles.LOBBY: [
        "网点厅堂",
        "客户",
        "投诉管理",
        "指标与目标",
        "客户评价",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
    roles.TELLER: [
        "网点厅堂",
        "客户",
        "投诉管理",
        "指标与目标",
        "客户评价",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
    roles.RM: [
        "网点厅堂",
        "客户",
        "投诉管理",
        "指标与目标",
        "客户评价",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
    roles.OUTLET_HEAD: [
        "网点厅堂",
        "客户",
        "排班与客服中心",
        "客户评价",
        "投诉管理",
        "指标与目标",
        "督导检查",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
    roles.COMPLAINT_HANDLER: [
        "客户",
        "投诉管理",
        "指标与目标",
        "知识库",
        "考核评价",
        "督导检查",
        "培训",
        "平台",
    ],
    roles.SUPERVISOR: [
        "客户",
        "排班与客服中心",
        "客户评价",
        "投诉管理",
        "指标与目标",
        "督导检查",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
    roles.CC_MANAGER: [
        "客户",
        "排班与客服中心",
        "投诉管理",
        "指标与目标",
        "知识库",
        "考核评价",
        "培训",
        "平台",
    ],
    roles.TRAINER: ["指标与目标", "投诉管理", "知识库", "考核评价", "培训", "平台"],
    roles.HQ_MANAGER: [
        "客户",
        "排班与客服中心",
        "客户评价",
        "投诉管理",
        "指标与目标",
        "督导检查",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
    # The auditor reads the follow-ups too (#19: the menu shows every page the role opens).
    roles.AUDITOR: [
        "客户",
        "排班与客服中心",
        "客户评价",
        "投诉管理",
        "指标与目标",
        "督导检查",
        "知识库",
        "考核评价",
        "培训",
        "审批",
        "平台",
    ],
}
SECTIONS_EN = {
    roles.LOBBY: [
        "Branch floor",
        "Customers",
        "Complaints",
        "Measures",
        "Feedback",
        "Appraisal",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
    roles.TELLER: [
        "Branch floor",
        "Customers",
        "Complaints",
        "Measures",
        "Feedback",
        "Appraisal",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
    roles.RM: [
        "Branch floor",
        "Customers",
        "Complaints",
        "Measures",
        "Feedback",
        "Appraisal",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
    roles.OUTLET_HEAD: [
        "Branch floor",
        "Customers",
        "Staffing",
        "Complaints",
        "Feedback",
        "Measures",
        "Appraisal",
        "Supervision",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
    roles.COMPLAINT_HANDLER: [
        "Customers",
        "Complaints",
        "Measures",
        "Appraisal",
        "Knowledge",
        "Supervision",
        "Training",
        "Platform",
    ],
    roles.SUPERVISOR: [
        "Customers",
        "Staffing",
        "Complaints",
        "Feedback",
        "Measures",
        "Appraisal",
        "Supervision",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
    roles.CC_MANAGER: [
        "Customers",
        "Staffing",
        "Complaints",
        "Measures",
        "Appraisal",
        "Knowledge",
        "Training",
        "Platform",
    ],
    roles.TRAINER: ["Measures", "Complaints", "Appraisal", "Knowledge", "Training", "Platform"],
    roles.HQ_MANAGER: [
        "Customers",
        "Staffing",
        "Complaints",
        "Feedback",
        "Measures",
        "Appraisal",
        "Supervision",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
    roles.AUDITOR: [
        "Customers",
        "Staffing",
        "Complaints",
        "Feedback",
        "Measures",
        "Appraisal",
        "Supervision",
        "Knowledge",
        "Training",
        "Approvals",
        "Platform",
    ],
}


def sidebar_sections(world: Any, role: str, language: str | None = None) -> list[str]:
    user = services.staff_create(
        actor=SYSTEM,
        org_unit=world.outlet_a,
        username=f"nav_{role}",
        display_name="导航",
        roles=[role],
        password="test-pass-123",
        staff_code=f"NAV_{role}".upper(),
    )
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    body = client.get("/").content.decode()
    return re.findall(r'<div class="navsection"><span>([^<]*)</span>', body)


@pytest.mark.parametrize("role", sorted(SECTIONS_ZH))
def test_each_roles_sidebar_keeps_its_sections_in_order(world: Any, role: str) -> None:
    assert sidebar_sections(world, role) == SECTIONS_ZH[role]


@pytest.mark.parametrize("role", [roles.OUTLET_HEAD, roles.AUDITOR, roles.TRAINER])
def test_english_sidebar_keeps_its_sections_in_order(world: Any, role: str) -> None:
    assert sidebar_sections(world, role, "en") == SECTIONS_EN[role]


def test_an_apps_section_title_comes_from_its_own_nav_module(world: Any, monkeypatch: Any) -> None:
    from fuwu.complaints import nav as complaints_nav

    monkeypatch.setattr(complaints_nav, "SECTION", "投诉与信访", raising=False)
    assert sidebar_sections(world, roles.COMPLAINT_HANDLER) == [
        "客户",
        "投诉与信访",
        "指标与目标",
        "知识库",
        "考核评价",
        "督导检查",
        "培训",
        "平台",
    ]
