"""A box message's match to a customer (P1): by the phone's keyed hash, on an index, on either database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuwu.core.principals import SYSTEM
from fuwu.customers import selectors
from fuwu.customers.tests import factories as cf
from fuwu.feedback import services

pytestmark = pytest.mark.django_db

PHONE = "13912347788"


def test_the_customer_360_finds_box_messages_through_the_phone_index(world: Any, frozen_clock: Any) -> None:
    """The timeline's feedback read is planned on feedback_item_phone_idx, not a scan of every message."""
    c = cf.customer(world.outlet_a, "F100", phone=PHONE)
    for n in range(3):
        services.feedback_submit(
            actor=SYSTEM, outlet=world.outlet_a, text=f"第{n}条留言：等候时间太长", client=f"10.0.1.{n}"
        )
    mine, _token = services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="柜员服务很好，谢谢", client="10.0.1.9", phone=PHONE
    )
    selectors.customer_timeline(fetched_by=world.head_a, customer=c)  # permissions cached
    with CaptureQueriesContext(connection) as queries:
        page = selectors.customer_timeline(fetched_by=world.head_a, customer=c, kinds=frozenset({"feedback"}))
    assert [e.pk for e in page.entries] == [mine.pk] and page.total == 1
    reads = [q["sql"] for q in queries.captured_queries if "feedback_feedbackitem" in q["sql"]]
    assert len(reads) == 2  # the page and the count
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows would be scanned whatever the indexes; ask which index the planner can use.
            cursor.execute("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN "
        else:
            explain = "EXPLAIN QUERY PLAN "
        for sql in reads:
            cursor.execute(explain + sql)
            plan = " ".join(str(col) for row in cursor.fetchall() for col in row)
            assert "feedback_item_phone_idx" in plan, plan
