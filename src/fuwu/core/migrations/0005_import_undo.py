import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_import_batch"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportUndo",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model", models.CharField(max_length=64)),
                ("row_id", models.BigIntegerField()),
                ("created", models.BooleanField(default=False)),
                ("before", models.JSONField(blank=True, default=dict)),
                ("after", models.JSONField(blank=True, default=dict)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="undo", to="core.importbatch"
                    ),
                ),
            ],
        ),
    ]
