"""core.sql: hand-written statements write and read rows exactly as the ORM would, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction

from fuwu.core import clock, sql
from fuwu.core.models import AuditEvent, CalendarDay, IdempotencyRecord
from fuwu.floor.models import ServiceType, Ticket
from fuwu.floor.tests.factories import floor

pytestmark = pytest.mark.django_db

# Microseconds and a non-UTC zone: both must survive the round trip.
AT = dt.datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=clock.SHANGHAI)


def row_of(obj: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def a_ticket(world: Any, **overrides: Any) -> Ticket:
    floor(world.outlet_a, size="small")
    cash = ServiceType.objects.get(outlet=world.outlet_a, code="CASH")
    values: dict[str, Any] = {
        "outlet": world.outlet_a,
        "business_date": dt.date(2026, 3, 2),
        "number": "A007",
        "seq": 7,
        "service": cash,
        "status": Ticket.Status.WAITING,
        "priority_class": 2,
        "customer": None,
        "customer_tier": "normal",
        "is_special_group": True,
        "issued_at": AT,
        "queued_at": AT,
        "route_key": AT - dt.timedelta(minutes=9),
        "estimated_wait_seconds": 420,
    }
    values.update(overrides)
    return sql.insert(Ticket(**values))


def test_insert_sets_the_pk_and_writes_json_datetime_and_null_fk_as_the_orm_reads_them(world: Any) -> None:
    data = {"nested": {"list": [1, 2.5, None, True]}, "text": "窗口 1", "flag": False}
    event = sql.insert(
        AuditEvent(
            at=AT,
            actor=None,
            actor_label="device:counter:abc",
            action="floor.test",
            org_unit=world.outlet_a,
            ip_address="10.0.0.7",
            data=data,
        )
    )
    assert isinstance(event.pk, int) and not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    assert row_of(stored) == row_of(event)
    assert stored.data == data and stored.actor_id is None and stored.org_unit_id == world.outlet_a.pk
    assert stored.at == AT and stored.at.tzinfo is not None and stored.at.microsecond == 123456


def test_insert_writes_bools_dates_and_nullable_columns_of_a_ticket(world: Any) -> None:
    ticket = a_ticket(world)
    assert ticket.pk is not None
    stored = Ticket.objects.get(pk=ticket.pk)
    assert row_of(stored) == row_of(ticket)
    assert stored.is_special_group is True and stored.customer_id is None and stored.counter_id is None
    assert stored.business_date == dt.date(2026, 3, 2) and stored.route_key == AT - dt.timedelta(minutes=9)
    assert stored.external_id is None and stored.called_at is None
    other = a_ticket(world, number="A008", seq=8, is_special_group=False)
    assert other.pk != ticket.pk and Ticket.objects.get(pk=other.pk).is_special_group is False


def test_insert_refuses_a_model_with_history_signals_and_writes_nothing(db: Any) -> None:
    day = CalendarDay(date=dt.date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.all().delete()  # the complaints migration seeds the calendar; start from none
    CalendarDay.history.all().delete()
    with pytest.raises(ImproperlyConfigured, match="CalendarDay"):
        sql.insert(day)
    # Refused every time, not only the first (the statement cache must not swallow the refusal).
    with pytest.raises(ImproperlyConfigured):
        sql.insert(day)
    assert day.pk is None and not CalendarDay.objects.exists()
    assert not CalendarDay.history.exists()


def test_select_gives_aware_datetimes_and_dates_and_defers_what_it_did_not_read(
    world: Any, django_assert_num_queries: Any
) -> None:
    ticket = a_ticket(world, called_at=AT + dt.timedelta(minutes=3))
    [found] = sql.select(Ticket, "id = %s", [ticket.pk], names=("id", "business_date", "issued_at", "number"))
    assert isinstance(found.issued_at, dt.datetime) and found.issued_at.tzinfo is not None
    assert found.issued_at == AT
    assert type(found.business_date) is dt.date and found.business_date == dt.date(2026, 3, 2)
    assert found.number == "A007" and not found._state.adding
    assert found.get_deferred_fields() >= {"called_at", "status", "is_special_group"}
    with django_assert_num_queries(1):
        called_at = found.called_at
    assert called_at == AT + dt.timedelta(minutes=3) and called_at.tzinfo is not None


def test_select_of_every_column_matches_the_orm(world: Any) -> None:
    ticket = a_ticket(world, started_at=AT + dt.timedelta(minutes=5))
    a_ticket(world, number="A008", seq=8)
    found = sql.select(Ticket, "outlet_id = %s AND seq = %s", [world.outlet_a.pk, 7], order_by="id")
    assert [row_of(t) for t in found] == [row_of(Ticket.objects.get(pk=ticket.pk))]
    assert found[0].get_deferred_fields() == set()


def test_instance_converts_a_raw_row_read_with_columns(world: Any) -> None:
    ticket = a_ticket(world)
    names = ("id", "issued_at", "business_date", "is_special_group")
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql.columns(Ticket, names, alias='t')} FROM {Ticket._meta.db_table} t WHERE t.id = %s",
            [ticket.pk],
        )
        row = cursor.fetchone()
    found = sql.instance(Ticket, names, row)
    assert (found.pk, found.issued_at, found.business_date) == (ticket.pk, AT, dt.date(2026, 3, 2))
    assert found.issued_at.tzinfo is not None and found.is_special_group is True


def test_value_prepares_a_parameter_the_way_the_field_stores_it(world: Any) -> None:
    ticket = a_ticket(world)
    with sql.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {Ticket._meta.db_table} WHERE issued_at = %s AND business_date = %s",
            [sql.value(Ticket, "issued_at", AT), sql.value(Ticket, "business_date", ticket.business_date)],
        )
        assert cursor.fetchone()[0] == 1


def test_a_duplicate_key_from_the_cursor_is_djangos_integrity_error(db: Any) -> None:
    def record() -> IdempotencyRecord:
        return IdempotencyRecord(
            principal="device:1",
            key="k-1",
            method="POST",
            path="/api/v1/x",
            status=201,
            body=None,
            created_at=AT,
        )

    first = sql.insert(record())
    # What the idempotency middleware catches to replay the stored answer of a retried request.
    with pytest.raises(IntegrityError), transaction.atomic():
        sql.insert(record())
    # The transaction is still usable after the rolled-back savepoint.
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [first.pk]


def test_insert_pair_writes_the_child_pointing_at_the_new_parent_in_one_go(world: Any) -> None:
    from fuwu.floor.models import TicketEvent

    floor(world.outlet_a, size="small")
    cash = ServiceType.objects.get(outlet=world.outlet_a, code="CASH")
    ticket = Ticket(
        outlet=world.outlet_a,
        business_date=dt.date(2026, 3, 2),
        number="A008",
        seq=8,
        service=cash,
        status=Ticket.Status.WAITING,
        issued_at=AT,
        queued_at=AT,
        route_key=AT,
    )
    event = TicketEvent(
        kind=TicketEvent.Kind.ISSUED, at=AT, actor_label="device:kiosk:x", data={"service": "CASH"}
    )
    sql.insert_pair(ticket, event, link="ticket")
    assert ticket.pk is not None and event.pk is not None and event.ticket_id == ticket.pk
    stored = TicketEvent.objects.get(pk=event.pk)
    assert (stored.ticket_id, stored.kind, stored.at, stored.data) == (
        ticket.pk,
        "issued",
        AT,
        {"service": "CASH"},
    )
    assert Ticket.objects.get(pk=ticket.pk).number == "A008"
