"""`fuwu import customers FILE` and `fuwu import holdings FILE`: how a bank loads customers from its core system.

CSV (UTF-8 or GBK) or Excel, read through core.tabular. Every line is checked first (ID check digit, known
outlet and product, numbers and dates) and every problem is reported with its line, field and reason; any
problem rejects the whole file. A good file is then written in short transactions beside the floor's own
writes, all of it or none (a failed run takes back what it wrote: services.customers_import, #18), idempotent
on the customer number (a second run updates, it does not duplicate). Headers may be English or the core
system's Chinese names.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from django.utils.translation import gettext as _
from tqdm import tqdm

from fuwu.core import batches, clock, pii
from fuwu.core.errors import ValidationFailed
from fuwu.core.models import OrgUnit
from fuwu.core.principals import SYSTEM
from fuwu.core.tabular import read_table, too_long
from fuwu.customers import services
from fuwu.customers.models import Customer, Product

# The core system's Chinese column names → ours.
ALIASES = {
    "客户号": "customer_no",
    "姓名": "name",
    "身份证号": "id_number",
    "手机号": "phone",
    "网点": "outlet",
    "出生日期": "birth_date",
    "性别": "gender",
    "地址": "address",
    "产品代码": "product",
    "余额": "balance",
    "开立日期": "opened_on",
}


def _record(record: dict[str, str]) -> dict[str, str]:
    return {ALIASES.get(k, k): v for k, v in record.items()}


def _columns(path: Path) -> list[str]:
    return [ALIASES.get(c, c) for c in read_table(path).columns]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def import_customers(path: Path, out: TextIO | Any = None) -> str:
    """customer_no, name, outlet (code), id_number, phone, birth_date, gender (M/F), address."""
    missing = [c for c in ("customer_no", "name", "outlet") if c not in _columns(path)]
    if missing:
        raise ValidationFailed(
            _("The file lacks required columns: %(columns)s") % {"columns": ", ".join(missing)},
            details=[{"row": 1, "field": c, "reason": _("missing column")} for c in missing],
        )
    outlets = {u.code: u for u in OrgUnit.objects.all()}
    limits = {
        f: getattr(Customer._meta.get_field(f), "max_length", 0) or 0
        for f in ("customer_no", "name", "address")
    }
    problems: list[dict[str, Any]] = []
    rows: list[services.CustomerRow] = []
    seen: set[str] = set()
    for line, raw in tqdm(
        read_table(path).rows, desc="checking", unit=" rows", file=out, disable=out is None
    ):
        record = _record(raw)
        before = len(problems)

        def bad(field: str, reason: str, line: int = line) -> None:
            problems.append({"row": line, "field": field, "reason": reason})

        number, name = record.get("customer_no", ""), record.get("name", "")
        if not number:
            bad("customer_no", _("Missing."))
        elif number in seen:
            bad("customer_no", _("Appears twice in the file."))
        if not name:
            bad("name", _("Missing."))
        for field, limit in limits.items():
            if problem := too_long(record.get(field, ""), limit, row=line, field=field):
                problems.append(problem)
        outlet = outlets.get(record.get("outlet", ""))
        if outlet is None:
            bad("outlet", _("Unknown outlet code."))
        id_number = record.get("id_number", "")
        if id_number and not pii.is_valid_id_number(id_number):
            bad("id_number", _("The check digit or the format is wrong."))
        phone = record.get("phone", "")
        if phone and len(pii.normalize_phone(phone)) != 11:
            bad("phone", _("Not an 11-digit mobile number."))
        birth = _date(record.get("birth_date", ""))
        if record.get("birth_date") and birth is None:
            bad("birth_date", _("Not a date (YYYY-MM-DD)."))
        gender = record.get("gender", "")
        if gender not in ("", "M", "F"):
            bad("gender", _("Choose one of the offered values."))
        if len(problems) > before or outlet is None:
            continue
        seen.add(number)
        rows.append(
            services.CustomerRow(
                customer_no=number,
                name=name,
                outlet=outlet,
                id_number=id_number,
                phone=phone,
                birth_date=birth,
                gender=gender,
                address=record.get("address", ""),
            )
        )
    if problems:
        raise ValidationFailed(_("The customer file has errors."), details=problems)
    if not rows:
        raise ValidationFailed(
            _("The file has no rows to import."),
            details=[{"row": None, "field": "file", "reason": _("empty")}],
        )
    created, updated = services.customers_import(actor=SYSTEM, rows=rows, file_name=path.name)
    return _("imported customers: %(created)s new, %(updated)s updated") % {
        "created": created,
        "updated": updated,
    }


def import_holdings(path: Path, out: TextIO | Any = None) -> str:
    """customer_no, product (code), balance (yuan), opened_on (YYYY-MM-DD)."""
    missing = [c for c in ("customer_no", "product", "balance") if c not in _columns(path)]
    if missing:
        raise ValidationFailed(
            _("The file lacks required columns: %(columns)s") % {"columns": ", ".join(missing)},
            details=[{"row": 1, "field": c, "reason": _("missing column")} for c in missing],
        )
    products = {p.code: p for p in Product.objects.all()}
    problems: list[dict[str, Any]] = []
    parsed: list[tuple[str, Product, Decimal, dt.date]] = []
    for line, raw in tqdm(
        read_table(path).rows, desc="checking", unit=" rows", file=out, disable=out is None
    ):
        record = _record(raw)
        product = products.get(record.get("product", ""))
        if product is None:
            problems.append({"row": line, "field": "product", "reason": _("Unknown product code.")})
        try:
            balance = Decimal(record.get("balance", "").replace(",", ""))
            if balance < 0 or not balance.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append({"row": line, "field": "balance", "reason": _("Not an amount of at least 0.")})
            continue
        opened = _date(record.get("opened_on", "")) or clock.today()
        if record.get("opened_on") and _date(record["opened_on"]) is None:
            problems.append({"row": line, "field": "opened_on", "reason": _("Not a date (YYYY-MM-DD).")})
            continue
        if product is not None:
            parsed.append((record.get("customer_no", ""), product, balance, opened))
    numbers = sorted({p[0] for p in parsed})
    known: dict[str, Customer] = {}
    for start in range(0, len(numbers), batches.CHUNK_ROWS):  # bounded IN lists (SQLite allows 250k)
        known.update(
            (c.customer_no, c)
            for c in Customer.objects.filter(customer_no__in=numbers[start : start + batches.CHUNK_ROWS])
        )
    unknown = [no for no in numbers if no not in known]
    problems.extend(
        {"row": None, "field": "customer_no", "reason": _("Unknown customer %(no)s.") % {"no": no}}
        for no in unknown
    )
    if problems:
        raise ValidationFailed(_("The holdings file has errors."), details=problems)
    services.holdings_import(
        actor=SYSTEM,
        rows=[
            services.HoldingRow(customer=known[no], product=product, balance=balance, opened_on=opened)
            for no, product, balance, opened in parsed
        ],
        file_name=path.name,
    )
    return _("imported %(count)s holdings") % {"count": len(parsed)}


IMPORTERS = {"customers": import_customers, "holdings": import_holdings}
