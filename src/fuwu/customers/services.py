"""Writes to customer records; identifiers are only ever stored hashed, masked and encrypted."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from fuwu.core import audit, batches, clock, pii
from fuwu.core import services as core_services
from fuwu.core.access import require
from fuwu.core.errors import NotFound, ValidationFailed
from fuwu.core.history import by
from fuwu.core.models import ImportBatch, OrgUnit, User
from fuwu.core.principals import Principal
from fuwu.core.transitions import Machine, action
from fuwu.customers import prefill, recommend, rules, timeline
from fuwu.customers.models import (
    AssociationRule,
    Customer,
    FormRecord,
    Holding,
    Household,
    HouseholdRole,
    Product,
    RiskAssessment,
    Suggestion,
    TierChange,
)

# The API's and the page's names for the protected identifiers → the model's column prefix.
REVEALABLE = {"id_number": "id", "phone": "phone"}


@transaction.atomic
def customer_create(
    *,
    actor: Principal,
    customer_no: str,
    name: str,
    home_outlet: OrgUnit,
    tier: str = Customer.Tier.NORMAL,
    id_number: str | None = None,
    phone: str | None = None,
    card_number: str | None = None,
    birth_date: dt.date | None = None,
    gender: str = "",
    special_groups: tuple[str, ...] = (),
) -> Customer:
    """Register a customer; the ID number must pass its check digit."""
    require(actor, "customers.add_customer", unit=home_outlet)
    problems = []
    if id_number and not pii.is_valid_id_number(id_number):
        problems.append({"field": "id_number", "reason": _("The check digit or the format is wrong.")})
    if tier not in Customer.Tier.values:
        problems.append({"field": "tier", "reason": _("Choose one of the offered values.")})
    unknown = set(special_groups) - {"elderly", "disabled", "pregnant", "military"}
    if unknown:
        problems.append(
            {
                "field": "special_groups",
                "reason": _("Unknown group: %(names)s") % {"names": ", ".join(sorted(unknown))},
            }
        )
    if problems:
        raise ValidationFailed(_("Customer data is not valid."), details=problems)
    if birth_date is None and id_number:
        birth_date = rules.birth_date_from_id(id_number)
    customer = Customer(
        customer_no=customer_no,
        name=name,
        home_outlet=home_outlet,
        tier=tier,
        birth_date=birth_date,
        gender=gender,
        created_at=clock.now(),
        is_elderly="elderly" in special_groups
        or (rules.age_on(birth_date, clock.today()) or 0) >= rules.ELDERLY_AGE,
        is_disabled="disabled" in special_groups,
        is_pregnant="pregnant" in special_groups,
        is_military="military" in special_groups,
    )
    apply_identifiers(customer, id_number=id_number, phone=phone, card_number=card_number)
    by(customer, actor).save()
    audit.record(actor=actor, action="customer.create", target=customer, org_unit=home_outlet)
    return customer


def apply_identifiers(
    customer: Customer, *, id_number: str | None, phone: str | None, card_number: str | None
) -> Customer:
    """Fill the hash/masked/cipher columns (no save: bulk loaders call this too)."""
    if id_number:
        p = pii.protect_id(id_number)
        customer.id_hash, customer.id_masked, customer.id_cipher = p.hash, p.masked, p.cipher
    if phone:
        p = pii.protect_phone(phone)
        customer.phone_hash, customer.phone_masked, customer.phone_cipher = p.hash, p.masked, p.cipher
    if card_number:
        digits = "".join(ch for ch in card_number if ch.isdigit())
        customer.card_hash = pii.keyed_hash("card", digits)
        customer.card_masked = pii.mask_card(digits)
    return customer


def customer_reveal(*, actor: Principal, customer: Customer, field: str) -> str:
    """The full ID or phone number of one customer, for roles with core.view_full_pii; audited (pii.reveal)."""
    if field not in REVEALABLE:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "field", "reason": _("Choose one of the offered values.")}],
        )
    return core_services.pii_reveal(
        actor=actor, obj=customer, field=REVEALABLE[field], org_unit=customer.home_outlet
    )


# --- segments, tiers, households, relationship managers (P2) ---------------------------------------------

CHANGE = "customers.change_customer"


def tiers_recompute(*, actor: Principal) -> int:
    """Recompute every customer's AUM, tier and age group from their holdings; keep each change (P2).

    Run by the background task (tasks.py); one transaction per thousand customers so a bank-wide run never
    holds one long transaction. Returns how many tiers changed. Bank-wide: head office's right.
    """
    require(actor, "customers.change_product")
    now, today = clock.now(), clock.today()
    totals = dict(Holding.objects.values_list("customer_id").annotate(total=Sum("balance")).order_by())
    changed = 0
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        with transaction.atomic():
            # In primary-key order, the one order every service locking several customers keeps (_lock).
            batch = (
                Customer.objects.filter(pk__in=ids[start : start + 1000]).select_for_update().order_by("pk")
            )
            updates, history = [], []
            for c in batch:  # locked: a concurrent RM reassignment must not be overwritten by this save
                aum = totals.get(c.pk) or Decimal(0)
                tier = rules.tier_for(aum)
                elderly = c.is_elderly or (rules.age_on(c.birth_date, today) or 0) >= rules.ELDERLY_AGE
                if aum == c.aum and tier == c.tier and elderly == c.is_elderly:
                    continue
                if tier != c.tier:
                    history.append(TierChange(customer=c, old_tier=c.tier, new_tier=tier, aum=aum, at=now))
                c.aum, c.tier, c.is_elderly = aum, tier, elderly
                updates.append(c)
            Customer.objects.bulk_update(updates, ["aum", "tier", "is_elderly"])
            TierChange.objects.bulk_create(history)
            changed += len(history)
    audit.record(actor=actor, action="customer.tiers_recompute", data={"changed": changed})
    return changed


def _lock(customers: list[Customer]) -> None:
    """Lock these customers' rows in primary-key order before a service changes them one by one.

    One order for every service that locks several customers (household, reassignment, tier run), so two of
    them naming the same customers in another order wait for each other instead of deadlocking.
    """
    list(Customer.objects.select_for_update().filter(pk__in=[c.pk for c in customers]).order_by("pk"))


@transaction.atomic
def household_create(*, actor: Principal, name: str, members: list[tuple[Customer, str]]) -> Household:
    """Group customers of one outlet into a household (relationship group); each keeps their own accounts."""
    if not members:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "members", "reason": _("A household needs at least one member.")}],
        )
    home = members[0][0].home_outlet
    require(actor, "customers.add_household", unit=home)
    _lock([customer for customer, _role in members])
    household = by(Household(name=name, home_outlet=home, created_at=clock.now()), actor)
    household.save()
    audit.record(actor=actor, action="household.create", target=household, org_unit=home)
    for customer, role in members:
        household_member_add(actor=actor, household=household, customer=customer, role=role)
    return household


def _member_check(household: Household, customer: Customer) -> None:
    if customer.home_outlet_id != household.home_outlet_id:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "customer_no", "reason": _("Not a customer of the household's outlet.")}],
        )


@transaction.atomic
def household_member_add(
    *, actor: Principal, household: Household, customer: Customer, role: str
) -> Customer:
    """Put a customer of the household's outlet into it (moving them out of any other), with their role.

    Already a member in that role: nothing to do (a repeated add changes nothing and is not audited again).
    """
    require(actor, "customers.change_household", unit=household.home_outlet)
    if role not in HouseholdRole.values:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "role", "reason": _("Choose one of the offered values.")}],
        )
    # Locked and read afresh: the caller's copy may predate another manager's move, and saving that copy would
    # record a stale row in the history and the wrong household the customer came from.
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    _member_check(household, locked)
    before = locked.household_id
    customer.household, customer.household_role = household, role
    if before == household.pk and locked.household_role == role:
        return locked
    locked.household, locked.household_role = household, role
    by(locked, actor).save(update_fields=["household", "household_role"])
    audit.record(
        actor=actor,
        action="household.member_add",
        target=household,
        org_unit=household.home_outlet,
        data={"customer": locked.customer_no, "role": role, "from": before},
    )
    return locked


@transaction.atomic
def household_member_remove(*, actor: Principal, household: Household, customer: Customer) -> Customer:
    """Take a customer out of the household (their accounts were never shared, so nothing else changes)."""
    require(actor, "customers.change_household", unit=household.home_outlet)
    # Locked and checked afresh: a customer another manager has just moved or removed is no longer a member,
    # and taking them out again would drop them from the household they were moved to.
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.household_id != household.pk:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "customer_no", "reason": _("Not a member of this household.")}],
        )
    locked.household, locked.household_role = None, ""
    by(locked, actor).save(update_fields=["household", "household_role"])
    customer.household, customer.household_role = None, ""
    audit.record(
        actor=actor,
        action="household.member_remove",
        target=household,
        org_unit=household.home_outlet,
        data={"customer": locked.customer_no},
    )
    return locked


@transaction.atomic
def portfolio_reassign(*, actor: Principal, customers: list[Customer], manager: User | None) -> int:
    """Move customers to another relationship manager (or to none) in one go: all or none, each audited."""
    # All locked first, in one order: two heads naming the same customers in another order would deadlock.
    _lock(customers)
    for customer in customers:
        relationship_manager_assign(actor=actor, customer=customer, manager=manager)
    return len(customers)


@transaction.atomic
def relationship_manager_assign(*, actor: Principal, customer: Customer, manager: User | None) -> Customer:
    """Give the customer to a relationship manager of their outlet's branch (or to none); audited."""
    require(actor, CHANGE, unit=customer.home_outlet)
    if manager is not None and (
        manager.org_unit is None
        or not manager.is_active
        or not customer.home_outlet.path.startswith(
            manager.org_unit.path[: len(customer.home_outlet.path) - 4]
        )
        or not manager.has_perm("customers.view_profile")
    ):
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "manager", "reason": _("Not a relationship manager of this branch.")}],
        )
    # Locked: two heads reassigning at once must leave one answer and two audit rows in order.
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    before = locked.relationship_manager
    locked.relationship_manager = manager
    by(locked, actor).save(update_fields=["relationship_manager"])
    customer.relationship_manager = manager
    audit.record(
        actor=actor,
        action="customer.rm_assign",
        target=locked,
        org_unit=locked.home_outlet,
        data={
            "from": getattr(before, "staff_code", None) or "",
            "to": getattr(manager, "staff_code", None) or "",
        },
    )
    return customer


# --- products, holdings, risk assessments (P3) ---------------------------------------------------------


@transaction.atomic
def product_save(
    *,
    actor: Principal,
    code: str,
    name: str,
    category: str,
    risk_level: int,
    fees: str = "",
    min_age: int = 18,
    max_age: int | None = None,
    is_active: bool = True,
) -> Product:
    """Create or update one catalogue product (head office keeps the catalogue)."""
    require(actor, "customers.change_product")
    if risk_level not in range(1, 6) or category not in Product.Category.values:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "risk_level", "reason": _("Choose one of the offered values.")}],
        )
    product = Product.objects.filter(code=code).first() or Product(code=code)
    product.name, product.category, product.risk_level, product.fees = name, category, risk_level, fees
    product.min_age, product.max_age, product.is_active = min_age, max_age, is_active
    by(product, actor).save()
    audit.record(actor=actor, action="product.save", target=product)
    return product


@transaction.atomic
def holding_set(
    *, actor: Principal, customer: Customer, product: Product, balance: Decimal, opened_on: dt.date
) -> Holding:
    """Record what the customer holds of a product (the core system's figure; imports call this)."""
    require(actor, "customers.change_holding", unit=customer.home_outlet)
    holding = Holding.objects.filter(customer=customer, product=product).first() or Holding(
        customer=customer, product=product
    )
    holding.balance, holding.opened_on = balance, opened_on
    by(holding, actor).save()
    return holding


@transaction.atomic
def risk_assessment_record(
    *, actor: Principal, customer: Customer, level: int, assessed_on: dt.date, valid_days: int = 365
) -> RiskAssessment:
    """Record a risk assessment (风险测评); it is valid for a year unless said otherwise."""
    require(actor, "customers.add_riskassessment", unit=customer.home_outlet)
    if level not in range(1, 6):
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "level", "reason": _("Choose one of the offered values.")}],
        )
    if assessed_on > clock.today():
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "assessed_on", "reason": _("An assessment cannot be dated in the future.")}],
        )
    assessment = RiskAssessment.objects.create(
        customer=customer,
        level=level,
        assessed_on=assessed_on,
        expires_on=assessed_on + dt.timedelta(days=valid_days),
    )
    audit.record(
        actor=actor,
        action="risk_assessment.record",
        target=assessment,
        org_unit=customer.home_outlet,
        data={"level": level},
    )
    return assessment


def rules_train(*, actor: Principal) -> int:
    """Retrain the association rules on every customer's holdings and segment (background task)."""
    require(actor, "customers.change_product")
    codes = dict(Product.objects.values_list("pk", "code"))
    today = clock.today()
    baskets: dict[int, set[str]] = defaultdict(set)
    for customer_id, product_id in Holding.objects.values_list("customer_id", "product_id").iterator():
        baskets[customer_id].add(codes[product_id])
    segments = {
        pk: recommend.segment_items(rules.stage_of(rules.age_on(birth, today)), tier)
        for pk, birth, tier in Customer.objects.filter(pk__in=list(baskets)).values_list(
            "pk", "birth_date", "tier"
        )
    }
    found = recommend.train([frozenset(b) | segments.get(pk, frozenset()) for pk, b in baskets.items()])
    by_code = {code: pk for pk, code in codes.items()}
    now = clock.now()
    rows = []
    for rule in found:
        rows.append(
            AssociationRule(
                antecedent=rule.antecedent,
                consequent_id=by_code[rule.consequent],
                support=rule.support,
                confidence=rule.confidence,
                lift=rule.lift,
                trained_at=now,
            )
        )
    with transaction.atomic():
        AssociationRule.objects.all().delete()
        AssociationRule.objects.bulk_create(rows)
        audit.record(actor=actor, action="rules.train", data={"rules": len(rows)})
    return len(rows)


# --- next product: suggestions and their reactions (P3) -------------------------------------------------

SUGGEST = "customers.change_suggestion"
_S = Suggestion.Status

SUGGESTIONS: Machine[Suggestion] = Machine(
    model=Suggestion,
    actions=[
        action("accept", [_S.SHOWN], _S.ACCEPTED, SUGGEST, _("Accepted"), primary=True),
        action("decline", [_S.SHOWN], _S.DECLINED, SUGGEST, _("Declined")),
        action("refer", [_S.SHOWN], _S.REFERRED, SUGGEST, _("Refer to a relationship manager")),
    ],
    unit=lambda s: s.outlet,
    audit_prefix="suggestion",
)


def _suitability_profile(customer: Customer, day: dt.date) -> rules.Profile:
    """What the suitability rules need: age, the valid assessment's level, special groups, holdings."""
    latest = customer.risk_assessments.order_by("-assessed_on", "-pk").first()
    level = latest.level if latest is not None and latest.expires_on >= day else None
    return rules.Profile(
        age=rules.age_on(customer.birth_date, day),
        risk_level=level,
        is_elderly=customer.is_elderly,
        held=frozenset(customer.holdings.values_list("product__code", flat=True)),
    )


def _product_facts(p: Product) -> rules.ProductFacts:
    return rules.ProductFacts(p.code, p.risk_level, p.min_age, p.max_age, p.is_active)


def _reason(rule: AssociationRule | None, product: Product, names: dict[str, str]) -> str:
    if rule is None:
        return _("Popular with our customers")
    kind = rule.antecedent.partition(":")[0]
    if kind == "stage":
        return _("Customers of this life stage often hold %(y)s") % {"y": product.name}
    if kind == "tier":
        return _("Customers of this tier often hold %(y)s") % {"y": product.name}
    return _("Holders of %(x)s often hold %(y)s") % {"x": names.get(rule.antecedent, ""), "y": product.name}


@transaction.atomic
def suggestions_show(*, actor: Principal, customer: Customer, outlet: OrgUnit) -> list[Suggestion]:
    """At most three suitable products for the customer at `outlet`, each recorded as shown (P3).

    None while the customer has an open complaint or waited past target today (timeline.selling_blocks).
    A suggestion already shown today and not yet answered is shown again rather than recorded twice.
    """
    require(actor, SUGGEST, unit=outlet)
    if timeline.selling_blocks(customer):
        return []
    today, now = clock.today(), clock.now()
    pending = list(
        Suggestion.objects.filter(customer=customer, status=_S.SHOWN, shown_at__gte=clock.day_start(today))
        .select_related("product")
        .order_by("-score", "pk")
    )
    if pending:
        return pending[: recommend.MAX_SUGGESTIONS]
    profile = _suitability_profile(customer, today)
    # What the customer answered in the last 30 days is not offered again so soon.
    answered = Suggestion.objects.filter(
        customer=customer, shown_at__gte=now - dt.timedelta(days=30)
    ).exclude(status=_S.SHOWN)
    products = {
        p.code: p
        for p in Product.objects.filter(is_active=True).exclude(pk__in=answered.values("product_id"))
    }
    allowed = [code for code, p in products.items() if rules.refusal(_product_facts(p), profile) is None]
    held = profile.held | recommend.segment_items(rules.stage_of(profile.age), customer.tier)
    stored = list(AssociationRule.objects.filter(antecedent__in=held).select_related("consequent"))
    rule_rows = [
        recommend.Rule(r.antecedent, r.consequent.code, r.support, r.confidence, r.lift) for r in stored
    ]
    popular = list(
        Holding.objects.values("product__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("product__code", flat=True)
    )
    by_pair = {(r.antecedent, r.consequent.code): r for r in stored}
    names = {code: p.name for code, p in products.items()}
    shown = []
    for scored in recommend.score(held, allowed, rule_rows, popular):
        product = products[scored.code]
        rule = by_pair.get((scored.because, scored.code)) if scored.because else None
        shown.append(
            Suggestion(
                customer=customer,
                product=product,
                outlet=outlet,
                reason=_reason(rule, product, names)[:200],
                score=scored.score,
                shown_at=now,
                shown_to=actor if isinstance(actor, User) else None,
            )
        )
    Suggestion.objects.bulk_create(shown)
    audit.record(
        actor=actor,
        action="suggestion.show",
        target=customer,
        org_unit=outlet,
        data={"products": [s.product.code for s in shown]},
    )
    return shown


def suggestion_react(*, actor: Principal, suggestion: Suggestion, reaction: str) -> Suggestion:
    """Record the customer's answer to a suggestion: accepted or declined (Einstein's reactions)."""
    if reaction not in ("accept", "decline"):
        raise ValidationFailed(
            _("Please correct the marked fields."),
            details=[{"field": "reaction", "reason": _("Choose one of the offered values.")}],
        )

    def effect(s: Suggestion) -> Suggestion:
        s.reacted_at = clock.now()
        s.reacted_by = actor if isinstance(actor, User) else None
        return s

    reacted: Suggestion = SUGGESTIONS.apply(suggestion, reaction, actor=actor, effect=effect)
    return reacted


def suggestion_refer(*, actor: Principal, suggestion: Suggestion, staff_code: str) -> Suggestion:
    """Refer the customer to a relationship manager for the suggested product; the referrer is credited (Q5)."""

    def effect(s: Suggestion) -> Suggestion:
        target = User.objects.filter(staff_code=staff_code, is_active=True).select_related("org_unit").first()
        if target is None or target.org_unit is None or not s.outlet.path.startswith(target.org_unit.path):
            raise ValidationFailed(
                _("No such colleague to refer to."),
                details=[{"field": "staff_code", "reason": _("No such colleague to refer to.")}],
            )
        s.referred_to = target
        s.credited_staff = actor if isinstance(actor, User) else None
        s.reacted_at = clock.now()
        s.reacted_by = s.credited_staff
        return s

    referred: Suggestion = SUGGESTIONS.apply(
        suggestion, "refer", actor=actor, effect=effect, data={"to": staff_code}
    )
    return referred


# --- imports from the core banking system ---------------------------------------------------------------


@dataclass(frozen=True)
class CustomerRow:
    customer_no: str
    name: str
    outlet: OrgUnit
    id_number: str = ""
    phone: str = ""
    birth_date: dt.date | None = None
    gender: str = ""
    address: str = ""


# What an import writes to a customer it already has; every other column (tier, household, manager, the
# floor's form changes to occupation…) is the platform's own and stays.
IMPORTED_FIELDS = (
    "name",
    "home_outlet",
    "gender",
    "address",
    "birth_date",
    "id_hash",
    "id_masked",
    "id_cipher",
    "phone_hash",
    "phone_masked",
    "phone_cipher",
)


def customers_import(
    *, actor: Principal, rows: Sequence[CustomerRow], file_name: str = ""
) -> tuple[int, int]:
    """Create or update customers by customer number (idempotent): (created, updated).

    Written in short chunks beside the floor's own writes, with an undo log, so a run that fails or is
    interrupted takes back every row it wrote before re-raising (core.batches, #18): all of the file or none.
    Each chunk protects the identifiers before its transaction opens, then re-reads (and on PostgreSQL locks)
    its customers, so a counter's change made meanwhile to any other column is not overwritten.
    """
    for outlet in {r.outlet.pk: r.outlet for r in rows}.values():
        require(actor, "customers.add_customer", unit=outlet)
    bad = [r.customer_no for r in rows if r.id_number and not pii.is_valid_id_number(r.id_number)]
    if bad or len({r.customer_no for r in rows}) != len(rows):
        raise ValidationFailed(
            _("Customer data is not valid."),
            details=[{"field": "id_number", "reason": _("The check digit or the format is wrong.")}]
            if bad
            else [{"field": "customer_no", "reason": _("Appears twice in the file.")}],
        )
    batches.import_batches_undo_stale(actor=actor, kind="customer")
    batch = batches.import_batch_start(actor=actor, kind="customer", file_name=file_name)
    created = updated = 0
    try:
        for part in batches.chunks(rows):
            protected = [_imported(actor, row) for row in part]
            with transaction.atomic():
                new, old = _customers_write(actor=actor, batch=batch, protected=protected)
            created, updated = created + new, updated + old
        batches.import_batch_settle(actor=actor, batch=batch, data={"created": created, "updated": updated})
    except BaseException:
        # Ctrl-C too: what the finished chunks wrote is taken back before the error goes on.
        batches.import_batch_undo(actor=actor, batch=batch)
        raise
    return created, updated


def _imported(actor: Principal, row: CustomerRow) -> Customer:
    """The row as an unsaved customer holding the imported columns, identifiers protected."""
    customer = Customer(
        customer_no=row.customer_no,
        name=row.name,
        home_outlet=row.outlet,
        birth_date=row.birth_date or rules.birth_date_from_id(row.id_number or ""),
        gender=row.gender,
        address=row.address,
    )
    apply_identifiers(customer, id_number=row.id_number or None, phone=row.phone or None, card_number=None)
    return by(customer, actor)


def _customers_write(
    *, actor: Principal, batch: ImportBatch, protected: Sequence[Customer]
) -> tuple[int, int]:
    """One chunk, inside its transaction: insert the new customers, update the known ones, log the undo."""
    numbers = [c.customer_no for c in protected]
    known = {
        c.customer_no: c for c in Customer._base_manager.select_for_update().filter(customer_no__in=numbers)
    }
    now, today = clock.now(), clock.today()
    fresh: list[Customer] = []
    changed: list[Customer] = []
    log: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for row in protected:
        found = known.get(row.customer_no)
        if found is None:
            # As customer_create: an elderly customer is flagged from the birth date at once.
            row.created_at = now
            row.is_elderly = (rules.age_on(row.birth_date, today) or 0) >= rules.ELDERLY_AGE
            fresh.append(row)
            continue
        before = batches.snapshot(found, IMPORTED_FIELDS)
        # As before #18: an empty cell keeps what the customer had (name and outlet are never empty).
        found.name, found.home_outlet_id = row.name, row.home_outlet_id
        found.gender = row.gender or found.gender
        found.address = row.address or found.address
        found.birth_date = row.birth_date or found.birth_date
        for prefix in ("id", "phone"):
            if getattr(row, f"{prefix}_hash"):
                for suffix in ("hash", "masked", "cipher"):
                    setattr(found, f"{prefix}_{suffix}", getattr(row, f"{prefix}_{suffix}"))
        changed.append(by(found, actor))
        log.append((found.pk, before, batches.snapshot(found, IMPORTED_FIELDS)))
    Customer.objects.bulk_create(fresh)
    batches.update_rows(Customer, changed, IMPORTED_FIELDS)
    Customer.history.bulk_history_create(fresh)
    Customer.history.bulk_history_create(changed, update=True)
    batches.undo_log(batch=batch, model=Customer, created=[c.pk for c in fresh], changed=log)
    return len(fresh), len(changed)


@dataclass(frozen=True)
class HoldingRow:
    customer: Customer
    product: Product
    balance: Decimal
    opened_on: dt.date


def holdings_import(*, actor: Principal, rows: Sequence[HoldingRow], file_name: str = "") -> int:
    """Set what customers hold (the core system's balances) by customer and product, idempotent: how many.

    Like customers_import: short chunks beside the floor's writes with an undo log, so a failed or interrupted
    run takes back every holding it wrote (#18). A customer and product twice in the file: the last line counts.
    """
    units = OrgUnit.objects.in_bulk({r.customer.home_outlet_id for r in rows})
    for unit in units.values():
        require(actor, "customers.change_holding", unit=unit)
    last = list({(r.customer.pk, r.product.pk): r for r in rows}.values())
    batches.import_batches_undo_stale(actor=actor, kind="holding")
    batch = batches.import_batch_start(actor=actor, kind="holding", file_name=file_name)
    created = updated = 0
    try:
        for part in batches.chunks(last):
            with transaction.atomic():
                new, old = _holdings_write(actor=actor, batch=batch, rows=part)
            created, updated = created + new, updated + old
        batches.import_batch_settle(actor=actor, batch=batch, data={"created": created, "updated": updated})
    except BaseException:
        batches.import_batch_undo(actor=actor, batch=batch)
        raise
    return len(last)


def _holdings_write(*, actor: Principal, batch: ImportBatch, rows: Sequence[HoldingRow]) -> tuple[int, int]:
    fields = ("balance", "opened_on")
    known = {
        (h.customer_id, h.product_id): h
        for h in Holding._base_manager.select_for_update().filter(
            customer_id__in={r.customer.pk for r in rows}, product_id__in={r.product.pk for r in rows}
        )
    }
    fresh: list[Holding] = []
    changed: list[Holding] = []
    log: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for row in rows:
        found = known.get((row.customer.pk, row.product.pk))
        if found is None:
            fresh.append(
                by(
                    Holding(
                        customer=row.customer,
                        product=row.product,
                        balance=row.balance,
                        opened_on=row.opened_on,
                    ),
                    actor,
                )
            )
            continue
        before = batches.snapshot(found, fields)
        found.balance, found.opened_on = row.balance, row.opened_on
        changed.append(by(found, actor))
        log.append((found.pk, before, batches.snapshot(found, fields)))
    Holding.objects.bulk_create(fresh)
    batches.update_rows(Holding, changed, fields)
    Holding.history.bulk_history_create(fresh)
    Holding.history.bulk_history_create(changed, update=True)
    batches.undo_log(batch=batch, model=Holding, created=[h.pk for h in fresh], changed=log)
    return len(fresh), len(changed)


# --- pre-filled business forms (P4) ---------------------------------------------------------------------


@transaction.atomic
def form_submit(
    *,
    actor: Principal,
    outlet: OrgUnit,
    kind: str,
    values: dict[str, str],
    id_number: str = "",
    token: str = "",
) -> FormRecord:
    """Keep a confirmed form (masked) and apply its confirmed changes to the profile, with history (P4).

    The customer is the one of the presented ID, or of the pre-filled page's token (prefill.token_for).
    """
    require(actor, "customers.add_formrecord", unit=outlet)
    prefill.check_kind(kind)
    found = prefill.customer_by_token(token) if token else prefill.customer_by_id(id_number)
    if found is None:
        raise NotFound(_("Not found."))
    # Locked: two counters confirming forms of one customer at once apply their changes one after the other.
    customer = Customer.objects.select_for_update().get(pk=found.pk)
    changed = []
    for field in prefill.PROFILE_FIELDS:
        value = (values.get(field) or "").strip()
        if not value or field not in prefill.FIELDS[kind]:
            continue
        if field == "phone":
            if "*" not in value and len(pii.normalize_phone(value)) != 11:
                raise ValidationFailed(
                    _("Please correct the marked fields."),
                    details=[{"field": "phone", "reason": _("Not an 11-digit mobile number.")}],
                )
            # The form shows the masked number: sent back unchanged, it is no change.
            if "*" in value or pii.keyed_hash("phone", pii.normalize_phone(value)) == customer.phone_hash:
                continue
            apply_identifiers(customer, id_number=None, phone=value, card_number=None)
            changed.append("phone")
        elif (value := pii.scrub(value)) != getattr(customer, field):
            # Address and occupation are free text: a number typed into them is kept masked (#18).
            setattr(customer, field, value)
            changed.append(field)
    if changed:
        by(customer, actor).save()
    data = {"name": customer.name, "phone": customer.phone_masked}
    for field in prefill.FIELDS[kind]:
        if field in ("address", "occupation"):
            data[field] = getattr(customer, field)
    if "payee_name" in prefill.FIELDS[kind]:
        data["payee_name"] = pii.scrub((values.get("payee_name") or "").strip())[:50]
        data["payee_account"] = pii.mask_card(values.get("payee_account") or "")
    record = FormRecord.objects.create(
        customer=customer,
        kind=kind,
        id_hash=customer.id_hash,
        data=data,
        outlet=outlet,
        submitted_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="form.submit",
        target=record,
        org_unit=outlet,
        data={"kind": kind, "changed": changed},
    )
    return record
