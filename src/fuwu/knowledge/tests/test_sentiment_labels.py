"""F6: the bank's labels — imported (errors by line) or corrected by staff — retrain the sentiment model that a
new process then uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fuwu.conftest import PASSWORD
from fuwu.core.errors import ValidationFailed
from fuwu.core.principals import SYSTEM
from fuwu.knowledge.importers import import_sentiment_labels
from fuwu.knowledge.models import SentimentLabel

SRC = Path(__file__).resolve().parents[3]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    from fuwu.feedback.text import analysis

    settings.DATA_DIR = tmp_path / "data"
    settings.FUWU_SENTIMENT_BASE_PER_CLASS = 300  # a small sample of the base corpora keeps the test quick
    analysis._model.cache_clear()
    yield settings.DATA_DIR
    analysis._model.cache_clear()


def _labels(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "labels.csv"
    lines = ["text,label"] + [f'"{t}",{lab}' for t, lab in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_label_import_names_bad_lines_and_stores_nothing(world: Any, tmp_path: Path, data_dir: Path) -> None:
    path = _labels(tmp_path, [("柜员很耐心", "positive"), ("", "neutral"), ("排队太久", "bad")])
    with pytest.raises(ValidationFailed) as caught:
        import_sentiment_labels(path)
    assert {(d["row"], d["field"]) for d in caught.value.details} == {(3, "text"), (4, "label")}
    assert not SentimentLabel.objects.exists()


def test_imported_labels_retrain_the_model_a_new_process_uses(
    world: Any, tmp_path: Path, data_dir: Path
) -> None:
    # A bank whose customers call the "蓝鲸理财" promotion's gift a nuisance: the base model has never seen it.
    rows = [(f"蓝鲸理财送的东西{i}号又来了", "negative") for i in range(30)]
    rows += [(f"第{i}次来办业务，一切正常", "neutral") for i in range(30)]
    summary = import_sentiment_labels(_labels(tmp_path, rows))
    assert "已保存 60 条" in summary
    model_file = data_dir / "feedback_text" / "model.json"
    assert json.loads(model_file.read_text(encoding="utf-8"))["sources"]["bank_labels"] == 60
    code = (
        "import django; django.setup();"
        "from fuwu.feedback.text import analysis as a;"
        "print(a._model().sources['bank_labels'], a.sentiment('蓝鲸理财送的东西又来了'))"
    )
    env = {
        **os.environ,
        "FUWU_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "fuwu.settings",
        "PYTHONPATH": str(SRC),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "negative"]


def test_staff_correct_a_feedback_label_on_the_page(world: Any, client: Any, data_dir: Path) -> None:
    from fuwu.feedback import services as feedback_services
    from fuwu.feedback.models import FeedbackItem

    item = feedback_services.feedback_submit(
        actor=SYSTEM, outlet=world.outlet_a, text="今天来存了点钱", client="c"
    )
    item = item[0] if isinstance(item, tuple) else item
    assert client.login(username="head_a", password=PASSWORD)
    r = client.post(f"/knowledge/sentiment/{item.pk}/", {"label": "positive"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已保存" in r.content.decode()
    assert FeedbackItem.objects.get(pk=item.pk).sentiment == "positive"
    label = SentimentLabel.objects.get(feedback_item_id=item.pk)
    assert label.source == "staff" and label.labelled_by == world.head_a
    client.post(f"/knowledge/sentiment/{item.pk}/", {"label": "neutral"})
    assert SentimentLabel.objects.get(feedback_item_id=item.pk).label == "neutral"  # replaced, not added
    # Another outlet's head does not find it; a teller may not read feedback messages at all.
    head_b = world.person("head_b", world.outlet_b, "outlet_head")
    client.force_login(head_b)
    assert client.post(f"/knowledge/sentiment/{item.pk}/", {"label": "negative"}).status_code == 404
    client.force_login(world.teller_b)
    assert client.post(f"/knowledge/sentiment/{item.pk}/", {"label": "negative"}).status_code == 403
