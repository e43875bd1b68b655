from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fuwu.knowledge.data import FAQ_DEMO

FAQ = FAQ_DEMO


@pytest.fixture(autouse=True)
def model_dir(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """Each test trains into its own folder; nothing is shared through the data directory."""
    from fuwu.knowledge import engine

    settings.FUWU_KNOWLEDGE_MODEL_DIR = tmp_path / "assistant"
    engine.forget()
    yield tmp_path / "assistant"
    engine.forget()


@pytest.fixture
def faq(world: Any) -> Any:
    """The demo FAQ (32 answers, 570 questions) imported as public entries, assistant trained."""
    from fuwu.knowledge.importers import import_faq

    import_faq(FAQ)
    return world


@pytest.fixture(autouse=True)
def default_phrases(request: pytest.FixtureRequest) -> None:
    """The phrase dictionary migration 0002 seeds: a transactional test of another app run before this one in
    the same worker flushes every table, seeded rows included, and the checker would then find nothing."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    import importlib

    from django.apps import apps

    from fuwu.knowledge.models import Phrase

    if not Phrase.objects.exists():
        importlib.import_module("fuwu.knowledge.migrations.0002_default_phrases").seed(apps, None)
