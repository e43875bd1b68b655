"""The customers app's product catalogue hook: what a live product entry publishes about a product (P3).

The catalogue (fuwu.customers) sits below this app and finds this module through core.discovery. A product
entry is about a catalogue product when the product's name is in its standard question.
"""

from __future__ import annotations

from django.urls import reverse

from fuwu.core.principals import system
from fuwu.customers.selectors import Published
from fuwu.knowledge import selectors


def published(name: str) -> Published | None:
    """The newest live product entry naming the product, as the catalogue shows it; None without one."""
    entry = selectors.product_entry(fetched_by=system("product catalogue"), name=name)
    if entry is None:
        return None
    fees = [
        (str(f.get("item", "")), str(f.get("price", "")), str(f.get("basis", "")))
        for f in entry.fees
        if isinstance(f, dict)
    ]
    return Published(
        title=entry.question,
        risk_level=entry.risk_level,
        fees=fees,
        documents=[str(d) for d in entry.documents],
        url=reverse("knowledge:entry", args=[entry.pk]),
    )
