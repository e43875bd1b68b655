"""`fuwu import customers|holdings FILE`: validated by line, atomic, idempotent on the customer number."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from fuwu.customers.models import Customer, Holding
from fuwu.customers.tests import factories as cf

pytestmark = pytest.mark.django_db

GOOD_ID = "110108198506123015"
BAD_ID = "110108198506123016"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(kind: str, path: Path) -> str:
    out = io.StringIO()
    call_command("import", kind, str(path), stdout=out)
    return out.getvalue()


def test_customers_import_is_idempotent_on_the_customer_number(world, tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        f"客户号,姓名,网点,身份证号,手机号,地址\nK001,刘建华,OA,{GOOD_ID},13912345678,北京市海淀区\nK002,周敏,OB,,,\n",
    )
    assert "新增 2 位" in run("customers", path)
    assert "更新 2 位" in run("customers", path)
    c = Customer.objects.get(customer_no="K001")
    assert Customer.objects.count() == 2 and c.birth_date.year == 1985 and c.id_masked == "110***********3015"
    assert c.address == "北京市海淀区"


def test_a_bad_row_commits_nothing_and_says_line_field_and_reason(world, tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        f"customer_no,name,outlet,id_number\nK001,刘建华,OA,{GOOD_ID}\nK002,周敏,OA,{BAD_ID}\nK003,王芳,NOPE,\n",
    )
    with pytest.raises(CommandError) as exc:
        run("customers", path)
    text = str(exc.value)
    assert "第 3 行，id_number：" in text and "校验位" in text
    assert "第 4 行，outlet：" in text
    assert BAD_ID not in text  # the refused number is not echoed
    assert not Customer.objects.exists()


def test_holdings_import_from_excel_and_refuses_unknown_customers_whole(world, tmp_path, frozen_clock):
    products = cf.catalogue()
    cf.customer(world.outlet_a, "K001")
    book = Workbook()
    sheet = book.active
    sheet.append(["客户号", "产品代码", "余额", "开立日期"])
    sheet.append(["K001", "TD", 50000, "2024-03-01"])
    sheet.append(["K001", "CD", "300,000.50", "2024-05-01"])
    path = tmp_path / "h.xlsx"
    book.save(path)
    assert "已导入 2 条持仓" in run("holdings", path)
    assert Holding.objects.get(product=products["CD"]).balance == 300000.50
    run("holdings", path)
    assert Holding.objects.count() == 2
    sheet.append(["K999", "TD", 1, ""])
    sheet.append(["K001", "WM2", -5, ""])
    book.save(path)
    with pytest.raises(CommandError) as exc:
        run("holdings", path)
    assert "K999" in str(exc.value) and "第 5 行，balance：" in str(exc.value)
    assert Holding.objects.count() == 2
