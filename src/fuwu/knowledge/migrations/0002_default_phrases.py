from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def seed(apps: Any, schema_editor: Any) -> None:
    from fuwu.knowledge.data.phrases import FORBIDDEN, REQUIRED

    Phrase = apps.get_model("knowledge", "Phrase")
    now = timezone.now()
    for text, variants in FORBIDDEN:
        Phrase.objects.create(kind="forbidden", text=text, variants="\n".join(variants), updated_at=now)
    for text, variants, moment in REQUIRED:
        Phrase.objects.create(kind="required", text=text, variants="\n".join(variants), moment=moment, updated_at=now)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
