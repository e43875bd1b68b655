from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from fuwu.knowledge import demo
from fuwu.knowledge.models import Conversation, Entry, LanguageFinding


def test_demo_builds_entries_chats_and_checked_calls(world: Any) -> None:
    bank = SimpleNamespace(outlets=[world.outlet_a], staff=[world.teller_a, world.teller_b])
    out = io.StringIO()
    demo.build(bank, out=out, options={})
    assert Entry.objects.filter(kind="product", risk_level="R2").exists()
    assert Conversation.objects.filter(status="waiting").exists()
    assert Conversation.objects.filter(status="answered").exists()
    assert LanguageFinding.objects.filter(source="call").count() >= 4
    demo.build(bank, out=out, options={})  # idempotent
    assert Entry.objects.filter(kind="product").count() == 1
