"""Access table rows for the customers app's services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase
from fuwu.customers import selectors, services

S = "fuwu.customers.services."
ID = "110108198506123015"
Q = "fuwu.customers.selectors."


def _customer(w: Any) -> None:
    w.customer = services.customer_create(
        actor=SYSTEM, customer_no="CA1", name="刘建华", home_outlet=w.outlet_a, phone="13912345678"
    )


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


def _lobby(w: Any) -> Any:
    return w.person("lobby_a", w.outlet_a, roles.LOBBY)


def _rm(w: Any, unit: Any, name: str) -> Any:
    return w.person(name, unit, roles.RM)


def _product(w: Any) -> None:
    _customer(w)
    w.product = services.product_save(
        actor=SYSTEM, code="TD", name="定期存款", category="deposit", risk_level=1
    )


def _suggestion(w: Any) -> None:
    _product(w)
    [w.suggestion] = services.suggestions_show(actor=SYSTEM, customer=w.customer, outlet=w.outlet_a)
    w.rm_a = _rm(w, w.outlet_a, "rm_a")


def _household(w: Any) -> None:
    _customer(w)
    w.household = services.household_create(actor=SYSTEM, name="刘家", members=[(w.customer, "head")])
    w.other = services.customer_create(actor=SYSTEM, customer_no="CA2", name="王丽", home_outlet=w.outlet_a)


def _assigned(w: Any) -> None:
    _customer(w)
    w.rm_a = _rm(w, w.outlet_a, "rm_a")
    services.relationship_manager_assign(actor=SYSTEM, customer=w.customer, manager=w.rm_a)


def _trainer(w: Any) -> Any:
    return w.person("trainer_a", w.outlet_a, roles.TRAINER)


CASES = [
    AccessCase(
        S + "customer_create",
        call=lambda w, who: services.customer_create(
            actor=who, customer_no=f"N{who.pk}", name="新客户", home_outlet=w.outlet_a
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "customer_reveal",
        setup=_customer,
        call=lambda w, who: services.customer_reveal(actor=who, customer=w.customer, field="phone"),
        holder=lambda w: w.auditor,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.person("handler_x", w.outlet_x, roles.COMPLAINT_HANDLER),
    ),
    AccessCase(
        Q + "customers",
        setup=_customer,
        call=lambda w, who: selectors.customers(fetched_by=who),
        holder=lambda w: w.teller_a,
        outsider=lambda w: w.teller_b,
        hides=lambda w, rows: w.customer not in rows,
    ),
    AccessCase(
        Q + "customer",
        setup=_customer,
        call=lambda w, who: selectors.customer(fetched_by=who, customer_no="CA1"),
        holder=lambda w: w.teller_a,
        outsider=lambda w: w.teller_b,
    ),
]

CASES += [
    AccessCase(
        S + "tiers_recompute",
        call=lambda w, who: services.tiers_recompute(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "rules_train",
        call=lambda w, who: services.rules_train(actor=who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "product_save",
        call=lambda w, who: services.product_save(
            actor=who, code="CD", name="大额存单", category="deposit", risk_level=1
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "household_create",
        setup=_customer,
        call=lambda w, who: services.household_create(actor=who, name="刘家", members=[(w.customer, "head")]),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "relationship_manager_assign",
        setup=_customer,
        call=lambda w, who: services.relationship_manager_assign(
            actor=who, customer=w.customer, manager=None
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "holdings_import",
        setup=_product,
        call=lambda w, who: services.holdings_import(
            actor=who,
            rows=[
                services.HoldingRow(
                    customer=w.customer,
                    product=w.product,
                    balance=Decimal(100),
                    opened_on=dt.date(2025, 1, 1),
                )
            ],
        ),
        holder=lambda w: SYSTEM,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "holding_set",
        setup=_product,
        call=lambda w, who: services.holding_set(
            actor=who,
            customer=w.customer,
            product=w.product,
            balance=Decimal(100),
            opened_on=dt.date(2025, 1, 1),
        ),
        holder=lambda w: SYSTEM,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "risk_assessment_record",
        setup=_customer,
        call=lambda w, who: services.risk_assessment_record(
            actor=who, customer=w.customer, level=3, assessed_on=dt.date(2026, 1, 1)
        ),
        holder=lambda w: _rm(w, w.outlet_a, "rm_a"),
        without=lambda w: w.teller_a,
        outsider=lambda w: _rm(w, w.outlet_b, "rm_b"),
    ),
    AccessCase(
        S + "suggestions_show",
        setup=_product,
        call=lambda w, who: services.suggestions_show(actor=who, customer=w.customer, outlet=w.outlet_a),
        holder=lambda w: w.teller_a,
        without=_lobby,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "suggestion_react",
        setup=_suggestion,
        call=lambda w, who: services.suggestion_react(actor=who, suggestion=w.suggestion, reaction="decline"),
        holder=lambda w: w.teller_a,
        without=_lobby,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "suggestion_refer",
        setup=_suggestion,
        call=lambda w, who: services.suggestion_refer(actor=who, suggestion=w.suggestion, staff_code="RM_A"),
        holder=lambda w: w.teller_a,
        without=_lobby,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "customer_view",
        setup=_customer,
        call=lambda w, who: selectors.customer_view(fetched_by=who, customer_no="CA1"),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("trainer_a", w.outlet_a, roles.TRAINER),
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "view_360",
        setup=_customer,
        call=lambda w, who: selectors.view_360(fetched_by=who, customer_no="CA1"),
        holder=lambda w: w.head_a,
        without=lambda w: w.person("trainer_a", w.outlet_a, roles.TRAINER),
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "customer_timeline",
        setup=_customer,
        call=lambda w, who: selectors.customer_timeline(fetched_by=who, customer=w.customer),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "suggestion",
        setup=_suggestion,
        call=lambda w, who: selectors.suggestion(fetched_by=who, pk=w.suggestion.pk),
        holder=lambda w: w.teller_a,
        without=_lobby,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "referrals_to",
        setup=lambda w: (
            _suggestion(w),
            services.suggestion_refer(actor=SYSTEM, suggestion=w.suggestion, staff_code="RM_A"),
        ),
        call=lambda w, who: selectors.referrals_to(fetched_by=who),
        holder=lambda w: w.rm_a,
        without=_lobby,
        outsider=lambda w: _rm(w, w.outlet_b, "rm_b"),
        hides=lambda w, rows: w.suggestion not in rows,
    ),
    AccessCase(
        S + "form_submit",
        setup=lambda w: services.customer_create(
            actor=SYSTEM, customer_no="CF1", name="刘建华", home_outlet=w.outlet_a, id_number=ID
        ),
        call=lambda w, who: services.form_submit(
            actor=who, outlet=w.outlet_a, kind="address_change", id_number=ID, values={"address": "北京"}
        ),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("trainer_a", w.outlet_a, roles.TRAINER),
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        Q + "form_prefill",
        call=lambda w, who: selectors.form_prefill(
            fetched_by=who, outlet=w.outlet_a, kind="account_opening", id_number=ID
        ),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("trainer_a", w.outlet_a, roles.TRAINER),
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "customers_import",
        call=lambda w, who: services.customers_import(
            actor=who, rows=[services.CustomerRow(customer_no="I1", name="导入客户", outlet=w.outlet_a)]
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "referral_managers",
        call=lambda w, who: selectors.referral_managers(fetched_by=who, outlet=w.outlet_a),
        holder=lambda w: w.teller_a,
        without=_lobby,
        outsider=lambda w: w.teller_b,
    ),
    AccessCase(
        S + "household_member_add",
        setup=_household,
        call=lambda w, who: services.household_member_add(
            actor=who, household=w.household, customer=w.other, role="spouse"
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "household_member_remove",
        setup=_household,
        call=lambda w, who: services.household_member_remove(
            actor=who, household=w.household, customer=w.customer
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "portfolio_reassign",
        setup=_assigned,
        call=lambda w, who: services.portfolio_reassign(actor=who, customers=[w.customer], manager=None),
        holder=lambda w: w.head_a,
        without=lambda w: w.rm_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "households",
        setup=_household,
        call=lambda w, who: selectors.households(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=lambda w, rows: w.household not in rows,
    ),
    AccessCase(
        Q + "household",
        setup=_household,
        call=lambda w, who: selectors.household(fetched_by=who, pk=w.household.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "household_members",
        setup=_household,
        call=lambda w, who: selectors.household_members(fetched_by=who, household=w.household),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "household_candidate",
        setup=_household,
        call=lambda w, who: selectors.household_candidate(
            fetched_by=who, household=w.household, customer_no="CA2"
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "portfolios",
        setup=_assigned,
        call=lambda w, who: selectors.portfolios(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=lambda w, rows: w.rm_a not in rows,
    ),
    AccessCase(
        Q + "portfolio_manager",
        setup=_assigned,
        call=lambda w, who: selectors.portfolio_manager(fetched_by=who, staff_code="RM_A"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "portfolio",
        setup=_assigned,
        call=lambda w, who: selectors.portfolio(fetched_by=who, manager=w.rm_a),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=lambda w, rows: w.customer not in rows,
    ),
    AccessCase(
        Q + "reassign_targets",
        setup=_assigned,
        call=lambda w, who: selectors.reassign_targets(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.rm_a,
        outsider=_head_b,
        hides=lambda w, rows: w.rm_a not in rows,
    ),
    AccessCase(
        Q + "portfolio_customers",
        setup=_assigned,
        call=lambda w, who: selectors.portfolio_customers(fetched_by=who, customer_nos=["CA1"]),
        holder=lambda w: w.head_a,
        without=lambda w: w.rm_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "risk_assessments",
        setup=_customer,
        call=lambda w, who: selectors.risk_assessments(fetched_by=who, customer=w.customer),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "products",
        setup=_product,
        call=lambda w, who: selectors.products(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_trainer,
    ),
    AccessCase(
        Q + "product",
        setup=_product,
        call=lambda w, who: selectors.product(fetched_by=who, code="TD"),
        holder=lambda w: w.teller_a,
        without=_trainer,
    ),
]

EXEMPT = {
    S + "apply_identifiers": "fills the hash/masked/cipher columns of an unsaved instance: no read, no write",
    Q + "recognize": "the floor's ticket services call it after their own kiosk/counter checks and pass on "
    "the tier only (limiting it to a customer at the counter is issue 18's work)",
}
