"""The stored open flag and the worklist's index (#19): open cases first by nearest deadline, off an index."""

from django.db import migrations, models

# The open statuses as of this migration (models.OPEN_STATUSES may change later; this data step may not).
OPEN = ["registered", "in_progress", "decided", "under_review"]


def set_flag(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.exclude(status__in=OPEN).update(is_open=False)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0007_merge_documents_and_ledger")]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="is_open",
            field=models.BooleanField(default=True, verbose_name="open"),
        ),
        migrations.AddField(
            model_name="historicalcomplaint",
            name="is_open",
            field=models.BooleanField(default=True, verbose_name="open"),
        ),
        migrations.RunPython(set_flag, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                fields=["-is_open", "-is_fast_track", "-is_special_group", "due_at", "-id"],
                name="complaints_urgent",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["-is_open", "due_at", "-id"], name="complaints_open_due"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["status", "outlet", "staff"], name="complaints_status_scope"),
        ),
    ]
