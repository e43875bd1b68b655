"""Real threads against PostgreSQL: households, forms, risk assessments and reassignments written at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from fuwu.core import clock, pii, roles
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import AuditEvent
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.concurrency import race
from fuwu.customers import services
from fuwu.customers.models import Customer, FormRecord, Household, RiskAssessment

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

N = 6


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def _id_number(k: int) -> str:
    first17 = f"1101081985061{k:04d}"
    return first17 + pii.id_check_char(first17)


def _customer(world: Any, no: str, **kw: Any) -> Customer:
    return services.customer_create(
        actor=SYSTEM, customer_no=no, name="刘建华", home_outlet=world.outlet_a, **kw
    )


def _copies(customer: Customer, n: int = N) -> list[Customer]:
    """One instance a caller each, as every request fetches its own (a shared one would hide the race)."""
    return [Customer.objects.get(pk=customer.pk) for _ in range(n)]


def _heads(world: Any, n: int = N) -> list[Any]:
    return [world.person(f"head{k}", world.outlet_a, roles.OUTLET_HEAD) for k in range(n)]


def _audits(action: str, **data: Any) -> list[AuditEvent]:
    rows = AuditEvent.objects.filter(action=action).order_by("pk")
    return [r for r in rows if all(r.data.get(key) == value for key, value in data.items())]


def _history_is_the_row(customer: Customer) -> None:
    """The newest history row shows the customer as stored: no save wrote a stale copy over a newer one."""
    customer.refresh_from_db()
    newest = customer.history.order_by("-history_id").first()
    assert newest is not None
    for field in ("household_id", "household_role", "address", "phone_hash", "relationship_manager_id"):
        assert getattr(newest, field) == getattr(customer, field), field


# --- households ----------------------------------------------------------------------------------------


def test_households_started_at_once_keep_every_member_and_one_chain_of_moves(world: Any) -> None:
    heads = _heads(world)
    shared, other = _customer(world, "CS0"), _customer(world, "CSX")
    own = [_customer(world, f"CS{k + 1}") for k in range(N)]
    shareds, others = _copies(shared), _copies(other)

    def work(k: int) -> Household:
        both = [(shareds[k], "head"), (others[k], "parent")]
        # Half the managers name the two shared customers the other way round: still no deadlock.
        return services.household_create(
            actor=heads[k], name=f"家庭{k}", members=[*(both if k % 2 else both[::-1]), (own[k], "spouse")]
        )

    results, errors = race(N, work)
    assert errors == [] and len(results) == N
    assert Household.objects.count() == N
    made = {h.name: h for h in results}  # results come in finishing order
    for k in range(N):
        household = made[f"家庭{k}"]
        own[k].refresh_from_db()
        assert own[k].household_id == household.pk and own[k].household_role == "spouse"
    shared.refresh_from_db()
    assert shared.household_id in {h.pk for h in results}
    # Six households each took the shared customer in turn: every move starts where the previous one ended.
    moves = _audits("household.member_add", customer="CS0")
    assert len(moves) == N
    assert [m.data["from"] for m in moves] == [None, *(int(m.target_id) for m in moves[:-1])]
    assert int(moves[-1].target_id) == shared.household_id
    other.refresh_from_db()
    assert other.household_id == shared.household_id  # whoever took them last took both
    assert len(_audits("household.create")) == N and len(_audits("household.member_add")) == 3 * N
    assert shared.history.count() == 1 + N
    _history_is_the_row(shared)


def test_members_added_at_once_are_all_kept(world: Any) -> None:
    heads = _heads(world)
    household = services.household_create(
        actor=SYSTEM, name="刘家", members=[(_customer(world, "CH"), "head")]
    )
    joining = [_customer(world, f"CM{k}") for k in range(N)]
    results, errors = race(
        N,
        lambda k: services.household_member_add(
            actor=heads[k], household=household, customer=joining[k], role="child"
        ),
    )
    assert errors == [] and len(results) == N
    assert household.members.count() == N + 1
    assert set(household.members.filter(household_role="child").values_list("customer_no", flat=True)) == {
        f"CM{k}" for k in range(N)
    }
    assert len(_audits("household.member_add")) == N + 1


def test_one_customer_added_to_one_household_at_once_is_added_once(world: Any) -> None:
    heads = _heads(world)
    household = services.household_create(
        actor=SYSTEM, name="刘家", members=[(_customer(world, "CH"), "head")]
    )
    spouse = _customer(world, "CW")
    spouses = _copies(spouse)
    results, errors = race(
        N,
        lambda k: services.household_member_add(
            actor=heads[k], household=household, customer=spouses[k], role="spouse"
        ),
    )
    assert errors == [] and len(results) == N
    spouse.refresh_from_db()
    assert spouse.household_id == household.pk and spouse.household_role == "spouse"
    # One change, one audit row and one history row; the repeats found nothing left to do.
    assert len(_audits("household.member_add", customer="CW")) == 1
    assert spouse.history.count() == 2
    _history_is_the_row(spouse)


def test_one_member_removed_at_once_is_removed_once(world: Any) -> None:
    heads = _heads(world)
    member = _customer(world, "CR")
    household = services.household_create(actor=SYSTEM, name="刘家", members=[(member, "head")])
    members = _copies(member)
    results, errors = race(
        N,
        lambda k: services.household_member_remove(actor=heads[k], household=household, customer=members[k]),
    )
    assert len(results) == 1, errors
    assert len(errors) == N - 1 and all(isinstance(e, ValidationFailed) for e in errors), errors
    assert all(e.details[0]["field"] == "customer_no" for e in errors if isinstance(e, ValidationFailed))
    member.refresh_from_db()
    assert member.household_id is None and member.household_role == ""
    assert len(_audits("household.member_remove", customer="CR")) == 1
    assert member.history.count() == 3  # created, added, removed
    _history_is_the_row(member)


def test_a_move_and_a_removal_at_once_never_lose_the_member(world: Any) -> None:
    """One manager moves each customer to the new household while another takes them out of the old one.

    Either order is fine: removed then added, or moved (and the removal refused: no longer a member). A
    removal that does not see the move would leave the customer in no household at all.
    """
    mover, remover = _heads(world, 2)
    people = [_customer(world, f"CV{k}") for k in range(N)]
    old = services.household_create(actor=SYSTEM, name="旧家", members=[(p, "child") for p in people])
    new = services.household_create(actor=SYSTEM, name="新家", members=[(_customer(world, "CN"), "head")])
    callers = [_copies(p, 2) for p in people]

    def work(k: int) -> Any:
        person = callers[k // 2][k % 2]
        if k % 2 == 0:
            return services.household_member_add(actor=mover, household=new, customer=person, role="parent")
        return services.household_member_remove(actor=remover, household=old, customer=person)

    results, errors = race(2 * N, work)
    assert all(isinstance(e, ValidationFailed) for e in errors), errors
    assert len(results) + len(errors) == 2 * N
    for p in people:
        p.refresh_from_db()
        assert (p.household_id, p.household_role) == (new.pk, "parent"), p.customer_no
        _history_is_the_row(p)
    assert len(_audits("household.member_remove")) == N - len(errors)


def test_a_form_and_a_household_change_at_once_keep_both_and_a_true_history(world: Any) -> None:
    head, teller = _heads(world, 1)[0], world.teller_a
    people = [_customer(world, f"CF{k}", id_number=_id_number(k)) for k in range(N)]
    household = services.household_create(
        actor=SYSTEM, name="刘家", members=[(_customer(world, "CH"), "head")]
    )

    def work(k: int) -> Any:
        person = people[k // 2]
        if k % 2 == 0:
            return services.household_member_add(
                actor=head, household=household, customer=person, role="child"
            )
        return services.form_submit(
            actor=teller,
            outlet=world.outlet_a,
            kind="address_change",
            id_number=_id_number(k // 2),
            values={"address": f"海淀区{k}号"},
        )

    _results, errors = race(2 * N, work)
    assert errors == []
    for k, p in enumerate(people):
        p.refresh_from_db()
        assert p.household_id == household.pk and p.address == f"海淀区{2 * k + 1}号"
        _history_is_the_row(p)


# --- forms ---------------------------------------------------------------------------------------------


def test_one_address_confirmed_at_once_changes_the_profile_once(world: Any) -> None:
    tellers = [world.person(f"teller{k}", world.outlet_a, roles.TELLER) for k in range(N)]
    person = _customer(world, "CF", id_number=_id_number(1))
    results, errors = race(
        N,
        lambda k: services.form_submit(
            actor=tellers[k],
            outlet=world.outlet_a,
            kind="address_change",
            id_number=_id_number(1),
            values={"address": "北京市海淀区中关村大街1号", "phone": "13800001111"},
        ),
    )
    assert errors == [] and len(results) == N
    assert FormRecord.objects.filter(customer=person).count() == N
    submits = _audits("form.submit")
    assert len(submits) == N
    # The first confirmation changed address and phone; the others found them already so.
    assert sorted(tuple(s.data["changed"]) for s in submits) == [()] * (N - 1) + [("phone", "address")]
    person.refresh_from_db()
    assert person.address == "北京市海淀区中关村大街1号" and person.phone_masked == pii.mask_phone(
        "13800001111"
    )
    assert person.history.count() == 2
    _history_is_the_row(person)


def test_different_addresses_confirmed_at_once_apply_one_after_the_other(world: Any) -> None:
    tellers = [world.person(f"teller{k}", world.outlet_a, roles.TELLER) for k in range(N)]
    person = _customer(world, "CF", id_number=_id_number(1))
    results, errors = race(
        N,
        lambda k: services.form_submit(
            actor=tellers[k],
            outlet=world.outlet_a,
            kind="address_change",
            id_number=_id_number(1),
            values={"address": f"海淀区{k}号"},
        ),
    )
    assert errors == [] and len(results) == N
    assert [s.data["changed"] for s in _audits("form.submit")] == [["address"]] * N
    person.refresh_from_db()
    # The last form to commit decides; the history keeps every one of them, in commit order.
    last = FormRecord.objects.filter(customer=person).order_by("-pk").first()
    assert last is not None and person.address == last.data["address"]
    addresses = list(person.history.order_by("history_id").values_list("address", flat=True))
    assert addresses[1:] == [
        r.data["address"] for r in FormRecord.objects.filter(customer=person).order_by("pk")
    ]
    _history_is_the_row(person)


# --- risk assessments ----------------------------------------------------------------------------------


def test_assessments_recorded_at_once_are_all_kept(world: Any) -> None:
    rms = [world.person(f"rm{k}", world.outlet_a, roles.RM) for k in range(N)]
    person = _customer(world, "CQ")
    today = clock.today()
    results, errors = race(
        N,
        lambda k: services.risk_assessment_record(
            actor=rms[k], customer=person, level=k % 5 + 1, assessed_on=today
        ),
    )
    assert errors == [] and len(results) == N
    assert RiskAssessment.objects.filter(customer=person).count() == N
    assert len(_audits("risk_assessment.record")) == N
    assert sorted(a.level for a in results) == sorted(k % 5 + 1 for k in range(N))


# --- portfolio reassignment ----------------------------------------------------------------------------


def test_reassignments_of_one_portfolio_at_once_leave_it_whole_with_one_manager(world: Any) -> None:
    """Six heads move the same ten customers, each naming them in another order: no deadlock, all or none."""
    heads = _heads(world)
    rms = [world.person(f"rm{k}", world.outlet_a, roles.RM) for k in range(N)]
    people = [_customer(world, f"CP{k:02d}") for k in range(10)]

    chosen = [[Customer.objects.get(pk=p.pk) for p in people] for _ in range(N)]

    def work(k: int) -> Any:
        order = chosen[k][k:] + chosen[k][:k]
        if k % 2:
            order.reverse()
        return services.portfolio_reassign(actor=heads[k], customers=order, manager=rms[k])

    results, errors = race(N, work)
    assert errors == [] and results == [10] * N
    managers = set(
        Customer.objects.filter(pk__in=[p.pk for p in people]).values_list("relationship_manager", flat=True)
    )
    assert len(managers) == 1  # the last reassignment moved all ten, none was left with an earlier one
    for p in people:
        moves = _audits("customer.rm_assign")
        mine = [m for m in moves if m.target_id == str(p.pk)]
        assert len(mine) == N
        assert [m.data["from"] for m in mine] == ["", *(m.data["to"] for m in mine[:-1])]
        _history_is_the_row(p)
    assert len(_audits("customer.rm_assign")) == 10 * N
