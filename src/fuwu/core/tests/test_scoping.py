"""core.scoping.visible: own unit and below; HQ and auditors read all; outsiders see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from fuwu.core import scoping, selectors, services
from fuwu.core.errors import Forbidden, NotFound
from fuwu.core.models import AuditEvent, OrgUnit, User
from fuwu.core.principals import SYSTEM, DevicePrincipal


def codes(qs: Any) -> set[str]:
    return {u.code for u in qs}


def test_teller_sees_only_own_outlet(world: Any) -> None:
    assert codes(scoping.visible_units(world.teller_a)) == {"OA"}
    assert codes(scoping.visible_units(world.teller_b)) == {"OB"}


def test_branch_staff_see_their_subtree_not_siblings_or_parents(world: Any) -> None:
    sup = services.staff_create(
        actor=SYSTEM, org_unit=world.t2, username="sup", display_name="督导", roles=["supervisor"]
    )
    assert codes(scoping.visible_units(sup)) == {"T2", "OA", "OB"}
    other = services.staff_create(
        actor=SYSTEM, org_unit=world.t1x, username="x1", display_name="江苏", roles=["supervisor"]
    )
    assert codes(scoping.visible_units(other)) == {"T1X", "OX"}


def test_hq_and_auditor_read_all(world: Any) -> None:
    everything = set(OrgUnit.objects.values_list("code", flat=True))
    assert codes(scoping.visible_units(world.hq_manager)) == everything
    assert codes(scoping.visible_units(world.auditor)) == everything


def test_auditor_at_a_branch_still_reads_all(world: Any) -> None:
    # Auditors read the whole bank by role, wherever they sit.
    auditor = services.staff_create(
        actor=SYSTEM, org_unit=world.outlet_x, username="aud2", display_name="审计二", roles=["auditor"]
    )
    assert "OA" in codes(scoping.visible_units(auditor))


def test_anonymous_inactive_and_unassigned_see_nothing(world: Any) -> None:
    assert scoping.visible_units(AnonymousUser()).count() == 0
    with pytest.raises(TypeError, match="SYSTEM"):  # None is never a principal: no silent "see nothing"
        scoping.visible_units(None)  # type: ignore[arg-type]
    world.teller_a.is_active = False
    assert scoping.visible_units(world.teller_a).count() == 0
    loose = User.objects.create(username="loose")
    assert scoping.visible_units(loose).count() == 0


def test_device_sees_its_outlet_only_even_when_bound_high(world: Any) -> None:
    token, _raw = services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_a, kind="kiosk")
    assert codes(scoping.visible_units(DevicePrincipal(token))) == {"OA"}


def test_not_yours_and_missing_are_the_same_error(world: Any) -> None:
    with pytest.raises(NotFound) as foreign:
        selectors.org_unit(fetched_by=world.teller_a, code="OB")
    with pytest.raises(NotFound) as missing:
        selectors.org_unit(fetched_by=world.teller_a, code="NOPE")
    assert foreign.value.as_dict() == missing.value.as_dict()


def test_model_without_scope_path_cannot_be_read(world: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from fuwu.core.models import IdempotencyRecord

    with pytest.raises(ImproperlyConfigured):
        scoping.visible(IdempotencyRecord.objects.all(), world.hq_manager)


def test_audit_events_are_scoped(world: Any) -> None:
    services.device_token_issue(actor=world.head_a, org_unit=world.outlet_a, kind="kiosk")
    services.device_token_issue(actor=SYSTEM, org_unit=world.outlet_b, kind="kiosk")
    with pytest.raises(Forbidden):  # reading the trail is the auditors' and head office's right
        selectors.audit_events(fetched_by=world.head_a)
    seen_by_auditor = selectors.audit_events(fetched_by=world.auditor)
    assert {"OA", "OB"} <= {e.org_unit.code for e in seen_by_auditor if e.org_unit}
    assert AuditEvent.objects.filter(org_unit__code="OB").exists()


def test_subtree_query_is_one_query(world: Any, django_assert_num_queries: Any) -> None:
    world.hq_manager.has_perm("core.view_all_orgs")  # permissions load once per request, not per query
    with django_assert_num_queries(1):
        list(
            selectors.org_units(fetched_by=world.hq_manager, kind="outlet").filter(
                path__startswith=world.t1.path
            )
        )


def test_org_tree_takes_any_depth_but_refuses_impossible_placements(world: Any) -> None:
    from fuwu.core.errors import ValidationFailed

    sub = services.org_unit_create(actor=SYSTEM, parent=world.t2, code="T3", name="县域支行", kind="tier2")
    deep = services.org_unit_create(actor=SYSTEM, parent=sub, code="OD", name="乡镇网点", kind="outlet")
    assert deep.depth == 5
    assert codes(scoping.visible_units(world.teller_a)) == {"OA"}
    assert "OD" in codes(selectors.org_units(fetched_by=world.hq_manager, kind="outlet"))
    with pytest.raises(ValidationFailed):
        services.org_unit_create(
            actor=SYSTEM, parent=world.outlet_a, code="BAD", name="网点下挂", kind="outlet"
        )
    with pytest.raises(ValidationFailed):
        services.org_unit_create(actor=SYSTEM, parent=None, code="ROOT2", name="第二总行", kind="tier1")


def test_customers_are_scoped_to_their_home_outlet(world: Any) -> None:
    from fuwu.customers import selectors as customer_selectors
    from fuwu.customers.services import customer_create

    customer_create(actor=SYSTEM, customer_no="CA", name="王芳", home_outlet=world.outlet_a)
    customer_create(actor=SYSTEM, customer_no="CB", name="李娜", home_outlet=world.outlet_b)
    assert [c.customer_no for c in customer_selectors.customers(fetched_by=world.teller_a)] == ["CA"]
    with pytest.raises(NotFound):
        customer_selectors.customer(fetched_by=world.teller_a, customer_no="CB")
    assert {c.customer_no for c in customer_selectors.customers(fetched_by=world.hq_manager)} == {"CA", "CB"}
