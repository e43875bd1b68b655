"""Data for the rules of issue 12/13.

- Reference sequences: each day's row starts at the highest number already used that day.
- Clock events get the day they count from (the recording day, as before: nothing better is known).
- The business calendar is seeded with every year the chinese-calendar package knows (rows already there,
  e.g. hand edits, are kept): deadlines never fall back silently to Monday–Friday for a known year.
- Open cases' due dates are recomputed to the letter of the rules: natural days only (办法 第四十三条), no
  statutory fast track (办法 第二十九条); the unknown-schedule flag is set where it applies.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import migrations

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN = ("registered", "in_progress", "decided", "under_review")
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def sequences(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    ReferenceSequence = apps.get_model("complaints", "ReferenceSequence")
    highest: dict[dt.date, int] = defaultdict(int)
    for ref in Complaint.objects.values_list("reference", flat=True):
        if len(ref) == 14 and ref.startswith("TS") and ref[2:].isdigit():
            day = dt.date(int(ref[2:6]), int(ref[6:8]), int(ref[8:10]))
            highest[day] = max(highest[day], int(ref[10:]))
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(day=day, last=last) for day, last in highest.items()], ignore_conflicts=True
    )


def event_days(apps, schema_editor):
    ClockEvent = apps.get_model("complaints", "ClockEvent")
    for row in ClockEvent.objects.filter(received_on__isnull=True).only("id", "at"):
        ClockEvent.objects.filter(pk=row.pk).update(received_on=row.at.astimezone(SHANGHAI).date())


def seed_calendar(apps, schema_editor):
    import chinese_calendar

    CalendarDay = apps.get_model("core", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for year in sorted({d.year for d in chinese_calendar.constants.holidays}):
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day not in existing:
                _, name = chinese_calendar.get_holiday_detail(day)
                if name:
                    kind = "holiday" if chinese_calendar.is_holiday(day) else "workday"
                    rows.append(CalendarDay(date=day, kind=kind, name=NAMES.get(str(name), str(name))))
            day += dt.timedelta(days=1)
    CalendarDay.objects.bulk_create(rows, batch_size=1000)


def due_dates(apps, schema_editor):
    from fuwu.complaints import clock as statutory

    Complaint = apps.get_model("complaints", "Complaint")
    ClockEvent = apps.get_model("complaints", "ClockEvent")
    CalendarDay = apps.get_model("core", "CalendarDay")
    special = dict(CalendarDay.objects.values_list("date", "kind"))
    known = {d.year for d, kind in special.items() if kind == "holiday"}

    def is_business_day(day: dt.date) -> bool:
        kind = special.get(day)
        return kind == "workday" if kind is not None else day.weekday() < 5

    today = dt.datetime.now(SHANGHAI).date()
    for c in Complaint.objects.filter(status__in=OPEN).only("id", "received_at"):
        events = [
            statutory.Event(e.kind, e.received_on or e.at.astimezone(SHANGHAI).date(), e.level, e.pause_kind)
            for e in ClockEvent.objects.filter(complaint_id=c.pk).order_by("at", "id")
        ]
        try:
            result = statutory.compute(
                c.received_at.astimezone(SHANGHAI).date(),
                events,
                today=today,
                is_business_day=is_business_day,
                known_years=known,
            )
        except statutory.ClockError:
            continue
        Complaint.objects.filter(pk=c.pk).update(
            due_at=statutory.end_of_day(result.due), calendar_unknown=result.calendar_unknown
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_sequence_and_rules"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(sequences, migrations.RunPython.noop),
        migrations.RunPython(event_days, migrations.RunPython.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
        migrations.RunPython(due_dates, migrations.RunPython.noop),
    ]
