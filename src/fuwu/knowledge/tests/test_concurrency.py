"""Real threads against PostgreSQL: concurrent edits of one entry get consecutive versions; a customer writing
while two staff reply loses no message and leaves a consistent status."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from fuwu.core.principals import SYSTEM, system
from fuwu.knowledge import services
from fuwu.knowledge.models import Conversation, Entry, EntryVersion, Message

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

EDITORS, EDITS = 4, 5


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serializes every write transaction")


def _run(workers: list[Any]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def wrap(fn: Any) -> None:
        try:
            start.wait()
            fn()
        except BaseException as exc:  # surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_concurrent_edits_get_consecutive_versions_and_none_is_lost(world: Any) -> None:
    entry = services.entry_create(
        actor=SYSTEM,
        data=services.EntryData(kind="faq", question="怎么开卡", answer_html="带身份证", visibility="public"),
    )

    def editor(n: int) -> Any:
        def run() -> None:
            for i in range(EDITS):
                services.entry_update(
                    actor=world.hq_manager,
                    entry=entry,
                    data=services.EntryData(
                        kind="faq", question="怎么开卡", answer_html=f"版本 {n}-{i}", visibility="public"
                    ),
                )

        return run

    def adder(n: int) -> Any:
        def run() -> None:
            for i in range(EDITS):
                services.paraphrase_add(actor=SYSTEM, entry=entry, text=f"开卡问法{n}-{i}")

        return run

    errors = _run([editor(n) for n in range(EDITORS)] + [adder(n) for n in range(2)])
    assert not errors, errors
    numbers = sorted(EntryVersion.objects.filter(entry=entry).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert Entry.objects.get(pk=entry.pk).version == numbers[-1]
    assert (
        len(numbers) >= 1 + 2 * EDITS
    )  # every paraphrase added is a version (edits may coincide in content)


def test_customer_writing_while_staff_reply_loses_nothing(world: Any) -> None:
    thread = services.conversation_ask(
        actor=system("assistant"), question="转人工", outlet_code="OA"
    ).conversation
    lobby = world.person("lobby_a", world.outlet_a, "lobby")

    def staff() -> None:
        for i in range(10):
            services.conversation_reply(actor=lobby, conversation=thread, text=f"回复{i}")

    def head() -> None:
        for i in range(10):
            services.conversation_reply(actor=world.head_a, conversation=thread, text=f"主任{i}")

    def customer() -> None:
        for i in range(10):
            services.conversation_ask(actor=system("assistant"), question=f"追问{i}", conversation=thread)

    errors = _run([staff, head, customer])
    assert not errors, errors
    assert Message.objects.filter(conversation=thread, sender="staff").count() == 20
    assert Message.objects.filter(conversation=thread, sender="customer").count() == 11
    # Whoever committed last decided the status; either way it is one a person is working on.
    assert Conversation.objects.get(pk=thread.pk).status in {"answered", "waiting"}
