"""Customers with holdings, assessments and products, built through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fuwu.core.principals import SYSTEM
from fuwu.customers import services, synthetic
from fuwu.customers.models import Customer, Product


def catalogue() -> dict[str, Product]:
    return {
        code: services.product_save(
            actor=SYSTEM,
            code=code,
            name=name,
            category=category,
            risk_level=risk,
            fees=fees,
            min_age=min_age,
            max_age=max_age,
        )
        for code, name, category, risk, fees, min_age, max_age in synthetic.CATALOGUE
    }


def customer(outlet: Any, no: str, *, birth: dt.date = dt.date(1985, 6, 12), **kw: Any) -> Customer:
    kw.setdefault("phone", "139" + no[-8:].rjust(8, "0"))
    return services.customer_create(
        actor=SYSTEM,
        customer_no=no,
        name=kw.pop("name", "刘建华"),
        home_outlet=outlet,
        birth_date=birth,
        **kw,
    )


def hold(c: Customer, products: dict[str, Product], *codes: str, balance: int = 100_000) -> None:
    for code in codes:
        services.holding_set(
            actor=SYSTEM,
            customer=c,
            product=products[code],
            balance=Decimal(balance),
            opened_on=dt.date(2024, 1, 1),
        )
