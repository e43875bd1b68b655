"""The `fuwu` commands and the background worker, run for real against the test database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import fuwu
from fuwu.core import calendar, scheduler
from fuwu.core.models import DeviceToken, SweepRun, User


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_fuwu_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fuwu.cli", "--help"], capture_output=True, text=True, check=True
    )
    for name in ("serve", "worker", "demo", "createuser", "device-token", "import"):
        assert name in result.stdout


def test_device_token_command_prints_the_token_alone(world: Any) -> None:
    _counters(world, "OA-3")
    out = run("device_token", "--outlet", "OA", "--kind", "pad", "--counter", "OA-3").strip()
    assert out.startswith("fw_") and "\n" not in out
    token = DeviceToken.objects.get()
    assert token.counter_code == "OA-3" and token.org_unit == world.outlet_a
    listing = run("device_token", "--list")
    assert token.prefix in listing and out not in listing
    run("device_token", "--revoke", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_device_token_command_errors_are_clear(world: Any) -> None:
    with pytest.raises(CommandError, match="--outlet: no org unit"):
        run("device_token", "--outlet", "NOPE", "--kind", "kiosk")
    with pytest.raises(CommandError, match="绑定到一个窗口"):
        run("device_token", "--outlet", "OA", "--kind", "counter")


def test_createuser_command(world: Any) -> None:
    run(
        "createuser",
        "liu",
        "--org",
        "OB",
        "--name",
        "刘洋",
        "--role",
        "teller",
        "--role",
        "lobby",
        "--password",
        "a-long-password",
    )
    user = User.objects.get(username="liu")
    assert set(user.groups.values_list("name", flat=True)) == {"teller", "lobby"}
    assert user.check_password("a-long-password")


def test_calendar_import_reports_every_bad_row_and_imports_nothing(db: Any, tmp_path: Path) -> None:
    bad = tmp_path / "2027.csv"
    bad.write_text(
        "date,kind,name\n2027-02-08,holiday,春节\n2027-02-3x,holiday,春节\n2027-02-09,day-off,春节\n"
        "2027-02-08,holiday,重复\n2027-02-10,workday,不是周末\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as err:
        run("import", "calendar", str(bad))
    message = str(err.value)
    for line in ("第 3 行，date：", "第 4 行，kind：", "第 5 行，date：", "第 6 行，kind："):
        assert line in message
    assert f"未从 {bad} 导入任何数据。" in message
    assert calendar.is_business_day(__import__("datetime").date(2027, 2, 8))

    good = tmp_path / "2027-ok.csv"
    good.write_text(
        "date,kind,name\n2027-02-08,holiday,春节\n2027-02-20,workday,春节调休\n", encoding="utf-8"
    )
    assert "已导入 2 个日历日" in run("import", "calendar", str(good))
    assert not calendar.is_business_day(__import__("datetime").date(2027, 2, 8))


def test_the_import_command_speaks_chinese_from_the_console(tmp_path: Path) -> None:
    """#18: `fuwu import` run by hand answers in settings.LANGUAGE_CODE, each bad row as 第 N 行，字段：原因."""
    bad = tmp_path / "2027.csv"
    bad.write_text("date,kind\n2027-02-08,holiday\n\n2027-02-3x,holiday\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "fuwu.cli", "import", "calendar", str(bad)],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "FUWU_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "fuwu.settings",
            "PYTHONPATH": str(
                Path(fuwu.__file__).parent.parent
            ),  # this checkout's code, not the installed one
        },
    )
    assert result.returncode == 1
    assert f"未从 {bad} 导入任何数据。" in result.stderr
    assert "  第 4 行，date：不是日期：2027-02-3x" in result.stderr
    assert "line" not in result.stderr and "Nothing" not in result.stderr


def test_import_unknown_kind(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    with pytest.raises(CommandError, match="未知的导入类型 'nonsense'"):
        run("import", "nonsense", str(path))


def test_scheduler_claims_each_sweep_once_per_period(db: Any, frozen_clock: Any) -> None:
    first = scheduler.tick()
    assert "fuwu.core.tasks.prune_idempotency_records" in first
    assert scheduler.tick() == []  # same period: a second worker gets nothing
    frozen_clock.advance(__import__("datetime").timedelta(hours=7))
    assert "fuwu.core.tasks.prune_idempotency_records" in scheduler.tick()
    assert (
        SweepRun.objects.get(name="fuwu.core.tasks.prune_idempotency_records").last_run_at
        == frozen_clock.now()
    )


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens connections like in production
def test_worker_runs_enqueued_sweeps() -> None:
    from django_tasks_db.models import DBTaskResult

    run("worker", "--batch")
    results = list(DBTaskResult.objects.all())
    assert results, "the scheduler tick enqueued nothing"
    assert {r.status for r in results} == {"SUCCESSFUL"}


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    # No SECRET_KEY given: it is generated once into the data dir and kept across runs.
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "fuwu.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "fuwu.bank.example",
        "HOME": str(tmp_path),
        "FUWU_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, "-m", "fuwu.cli", "check", "--deploy", "--fail-level", "WARNING"]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    key_file = tmp_path / "data" / "secret_key"
    first_key = key_file.read_text()
    assert len(first_key) >= 50 and oct(key_file.stat().st_mode)[-3:] == "600"
    subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert key_file.read_text() == first_key


# Through the console entry itself: a command run that way closes the connection at the end, which only a
# transactional test survives on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_export_facts_under_its_earlier_name_is_export_facts(world: Any, tmp_path: Path, capsys: Any) -> None:
    """`fuwu export-facts` (README, `fuwu --help`) writes what `fuwu export facts` writes and checks the same."""
    import pyarrow.parquet as pq

    from fuwu import cli

    window = ["--from", "2026-10-01", "--to", "2026-10-31"]
    cli.main(["export-facts", "--out", str(tmp_path / "old"), *window])
    cli.main(["export", "facts", "--out", str(tmp_path / "new"), *window])
    names = sorted(p.name for p in (tmp_path / "old").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "new").iterdir())
    assert {"tickets.parquet", "units.parquet", "calendar.parquet"} <= set(names)
    for name in names:
        assert pq.read_table(tmp_path / "old" / name) == pq.read_table(tmp_path / "new" / name)
    assert "OA" in pq.read_table(tmp_path / "old" / "units.parquet").column("code").to_pylist()

    capsys.readouterr()
    with pytest.raises(SystemExit):
        cli.main(
            ["export-facts", "--out", str(tmp_path / "bad"), "--from", "2026-10-31", "--to", "2026-10-01"]
        )
    assert "--to 2026-10-01 is before --from 2026-10-31" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def _counters(world: Any, *codes: str) -> None:
    """Counters for device tokens to bind to (tokens are refused for a counter that does not exist)."""
    from fuwu.floor.models import Counter

    for code in codes:
        outlet = world.outlet_a if code.startswith("OA") else world.outlet_b
        number = int(code.rsplit("-", 1)[1])
        Counter.objects.get_or_create(
            code=code, defaults={"outlet": outlet, "number": number, "kind": "cash"}
        )
