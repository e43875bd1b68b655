"""The shared test world: an HQ manager, a teller of outlet A, a teller of outlet B, an auditor.

Tree: HO (head office) → T1 (tier-1) → T2 (tier-2) → OA, OB (outlets); plus T1X → OX, a second branch.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fuwu.core.models import OrgUnit, User

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@dataclass
class World:
    ho: OrgUnit
    t1: OrgUnit
    t2: OrgUnit
    outlet_a: OrgUnit
    outlet_b: OrgUnit
    t1x: OrgUnit
    outlet_x: OrgUnit
    hq_manager: User
    teller_a: User
    teller_b: User
    auditor: User
    head_a: User

    def person(self, username: str, unit: OrgUnit, *roles: str) -> User:
        """One more staff member with these roles (for tests that need a role the world lacks)."""
        from fuwu.core import services
        from fuwu.core.principals import SYSTEM

        return services.staff_create(
            actor=SYSTEM,
            org_unit=unit,
            username=username,
            display_name=username,
            roles=list(roles),
            password=PASSWORD,
            staff_code=username.upper(),
        )


PASSWORD = "test-pass-123"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    from fuwu.core.testing.openapi_guard import take_violations

    # What a live server answered after the previous test ended is not this test's doing.
    take_violations()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """#18: an API answer during the test (its fixtures included) with an error status its operation
    does not declare fails the test; `UndeclaredStatusMiddleware` in settings_test records them."""
    from fuwu.core.testing.openapi_guard import take_violations

    result = yield
    violations = take_violations()
    if violations:
        raise AssertionError("API answers the OpenAPI schema does not declare:\n" + "\n".join(violations))
    return result


@pytest.fixture
def world(db: Any) -> World:
    from fuwu.core import roles, services
    from fuwu.core.principals import SYSTEM
    from fuwu.core.roles import sync_role_groups

    sync_role_groups()
    ho = services.org_unit_create(actor=SYSTEM, parent=None, code="HO", name="总行", kind="head_office")
    t1 = services.org_unit_create(actor=SYSTEM, parent=ho, code="T1", name="北京分行", kind="tier1")
    t2 = services.org_unit_create(actor=SYSTEM, parent=t1, code="T2", name="海淀支行", kind="tier2")
    oa = services.org_unit_create(actor=SYSTEM, parent=t2, code="OA", name="中关村支行", kind="outlet")
    ob = services.org_unit_create(actor=SYSTEM, parent=t2, code="OB", name="五道口支行", kind="outlet")
    t1x = services.org_unit_create(actor=SYSTEM, parent=ho, code="T1X", name="江苏分行", kind="tier1")
    ox = services.org_unit_create(actor=SYSTEM, parent=t1x, code="OX", name="观前街支行", kind="outlet")

    def staff(username: str, unit: OrgUnit, role: str, name: str) -> User:
        return services.staff_create(
            actor=SYSTEM,
            org_unit=unit,
            username=username,
            display_name=name,
            roles=[role],
            password=PASSWORD,
            staff_code=username.upper(),
        )

    return World(
        ho=ho,
        t1=t1,
        t2=t2,
        outlet_a=oa,
        outlet_b=ob,
        t1x=t1x,
        outlet_x=ox,
        hq_manager=staff("hq", ho, roles.HQ_MANAGER, "王总"),
        teller_a=staff("teller_a", oa, roles.TELLER, "李柜员"),
        teller_b=staff("teller_b", ob, roles.TELLER, "张柜员"),
        auditor=staff("auditor", ho, roles.AUDITOR, "赵审计"),
        head_a=staff("head_a", oa, roles.OUTLET_HEAD, "陈主任"),
    )


@pytest.fixture
def frozen_clock() -> Iterator[Any]:
    """Freeze core.clock at 2026-03-02 09:00 Shanghai (a Monday); tests move it with clock.advance."""
    from fuwu.core import clock

    clock.set_clock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.SHANGHAI), speed=0)
    yield clock
    clock.reset()


@pytest.fixture
def seeded_calendar(db: Any) -> None:
    from fuwu.core import services
    from fuwu.core.principals import SYSTEM

    services.calendar_seed_from_package(actor=SYSTEM, years=[2024, 2025, 2026])


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def browser_page(live_server: Any) -> Iterator[Any]:
    """A Playwright page in Debian's Chromium (no browser download), base URL at the live server."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Every browser test also checks the Content-Security-Policy (#18): a script or handler the
        # policy blocked would otherwise fail silently, with only a console message to show for it.
        blocked: list[str] = []
        page.on(
            "console",
            lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        try:
            yield page
            assert blocked == [], f"blocked by the Content-Security-Policy: {blocked}"
        finally:
            context.close()
            browser.close()


def browser_login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
