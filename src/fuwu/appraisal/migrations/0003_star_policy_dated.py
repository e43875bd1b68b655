"""Service-star policies are dated (from a month on) and rule failed critical inspection items (#15 K5)."""

import datetime

from django.db import migrations, models

CHOICES = [("disqualify", "Disqualify"), ("deduct", "Deduct points")]


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0002_star_policy_compliments"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="starpolicy",
            options={
                "ordering": ["-effective_from"],
                "verbose_name": "service-star policy",
                "verbose_name_plural": "service-star policies",
            },
        ),
        migrations.AlterModelOptions(
            name="historicalstarpolicy",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical service-star policy",
                "verbose_name_plural": "historical service-star policies",
            },
        ),
        migrations.RemoveField(model_name="historicalstarpolicy", name="name"),
        migrations.RemoveField(model_name="starpolicy", name="name"),
        # The one undated policy there was held from the start.
        migrations.AddField(
            model_name="historicalstarpolicy",
            name="effective_from",
            field=models.DateField(
                db_index=True, default=datetime.date(2000, 1, 1), verbose_name="effective from"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="starpolicy",
            name="effective_from",
            field=models.DateField(
                default=datetime.date(2000, 1, 1), unique=True, verbose_name="effective from"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalstarpolicy",
            name="critical_action",
            field=models.CharField(
                choices=CHOICES,
                default="disqualify",
                max_length=10,
                verbose_name="a failed critical inspection item",
            ),
        ),
        migrations.AddField(
            model_name="starpolicy",
            name="critical_action",
            field=models.CharField(
                choices=CHOICES,
                default="disqualify",
                max_length=10,
                verbose_name="a failed critical inspection item",
            ),
        ),
        migrations.AddField(
            model_name="historicalstarpolicy",
            name="critical_deduction",
            field=models.FloatField(default=20.0, verbose_name="points deducted per failed critical item"),
        ),
        migrations.AddField(
            model_name="starpolicy",
            name="critical_deduction",
            field=models.FloatField(default=20.0, verbose_name="points deducted per failed critical item"),
        ),
    ]
