from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("floor", "0006_appointments"),
    ]

    operations = [
        migrations.AddField(
            model_name="counter",
            name="is_simulated",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="historicalcounter",
            name="is_simulated",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
