"""The synthetic bank behind `make demo`: deterministic from a seed, built in well under a minute.

1 head office, 2 tier-1 branches, 4 tier-2 branches, 12 outlets (one large city outlet, one small county
outlet), ~150 staff across every role, ~20,000 customers with tiers and special groups.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from fuwu.core import clock, pii, roles, services
from fuwu.core.models import OrgUnit, User
from fuwu.core.principals import SYSTEM
from fuwu.customers.models import Customer
from fuwu.customers.services import apply_identifiers
from fuwu.demo.names import chinese_name

DEMO_PASSWORD = "fuwu-demo-2026"

# (code, name, city, id-number region code, outlets: (code, name, size))
TREE = {
    ("BJ", "北京分行", "北京"): [
        (
            "BJ-HD",
            "海淀支行",
            "北京",
            "110108",
            [
                ("BJ-HD-01", "中关村支行", "large"),
                ("BJ-HD-02", "五道口支行", "medium"),
                ("BJ-HD-03", "学院路支行", "medium"),
            ],
        ),
        (
            "BJ-CY",
            "朝阳支行",
            "北京",
            "110105",
            [
                ("BJ-CY-01", "国贸支行", "medium"),
                ("BJ-CY-02", "望京支行", "medium"),
                ("BJ-CY-03", "三里屯支行", "small"),
            ],
        ),
    ],
    ("JS", "江苏分行", "南京"): [
        (
            "JS-SZ",
            "苏州分行",
            "苏州",
            "320508",
            [
                ("JS-SZ-01", "观前街支行", "medium"),
                ("JS-SZ-02", "工业园区支行", "medium"),
                ("JS-SZ-03", "吴江支行", "small"),
            ],
        ),
        (
            "JS-XZ",
            "徐州分行",
            "徐州",
            "320302",
            [
                ("JS-XZ-01", "淮海路支行", "medium"),
                ("JS-XZ-02", "铜山支行", "small"),
                ("JS-XZ-03", "睢宁县支行", "county"),
            ],
        ),
    ],
}
OUTLET_STAFF = {  # tellers, lobby staff, relationship managers by outlet size
    "large": (12, 3, 3),
    "medium": (6, 2, 2),
    "small": (4, 2, 1),
    "county": (3, 1, 1),
}
CUSTOMER_SHARE = {"large": 3.0, "medium": 1.0, "small": 0.6, "county": 0.5}

# One printed login per role.
DEMO_LOGINS = [
    ("hq", roles.HQ_MANAGER, "HO"),
    ("auditor", roles.AUDITOR, "HO"),
    ("cc", roles.CC_MANAGER, "HO"),
    ("trainer", roles.TRAINER, "BJ"),
    ("supervisor", roles.SUPERVISOR, "BJ-HD"),
    ("complaints", roles.COMPLAINT_HANDLER, "BJ-HD"),
    ("head", roles.OUTLET_HEAD, "BJ-HD-01"),
    ("lobby", roles.LOBBY, "BJ-HD-01"),
    ("teller", roles.TELLER, "BJ-HD-01"),
    ("rm", roles.RM, "BJ-HD-01"),
    ("teller_b", roles.TELLER, "BJ-HD-02"),
]


@dataclass
class DemoBank:
    seed: int
    rng: random.Random
    head_office: OrgUnit
    tier1: list[OrgUnit] = field(default_factory=list)
    tier2: list[OrgUnit] = field(default_factory=list)
    outlets: list[OrgUnit] = field(default_factory=list)
    outlet_size: dict[str, str] = field(default_factory=dict)
    staff: list[User] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    customers: int = 0


class _Staffer:
    """Hands out sequential staff codes and realistic names; users are bulk-created."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_code = 100001
        self.password = make_password(DEMO_PASSWORD)
        self.pending: list[tuple[User, list[str]]] = []
        self.used_usernames: set[str] = set()

    def add(self, unit: OrgUnit, role_codes: list[str], username: str | None = None) -> User:
        gender = self.rng.choice("MF")
        code = f"S{self.next_code}"
        self.next_code += 1
        name = chinese_name(self.rng, gender)
        login = username or code.lower()
        user = User(username=login, display_name=name, staff_code=code, org_unit=unit, password=self.password)
        phone = f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"
        protected = pii.protect_phone(phone)
        user.phone_hash, user.phone_masked = protected.hash, protected.masked
        self.pending.append((user, role_codes))
        self.used_usernames.add(login)
        return user

    def flush(self) -> list[User]:
        users = User.objects.bulk_create([u for u, _ in self.pending])
        groups = {g.name: g for g in Group.objects.all()}
        through = User.groups.through
        links = [
            through(user_id=user.pk, group_id=groups[code].pk)
            for user, (_u, codes) in zip(users, self.pending, strict=True)
            for code in codes
        ]
        through.objects.bulk_create(links)
        self.pending = []
        return users


def _valid_id(rng: random.Random, region: str, birth: dt.date, gender: str) -> str:
    seq = rng.randrange(0, 100) * 10 + (
        rng.choice((1, 3, 5, 7, 9)) if gender == "M" else rng.choice((0, 2, 4, 6, 8))
    )
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + pii.id_check_char(first17)


@transaction.atomic
def build(*, seed: int = 20261124, customers: int = 20_000) -> DemoBank:
    """Create the whole demo bank; call on an empty database."""
    rng = random.Random(seed)
    ho = services.org_unit_create(
        actor=SYSTEM, parent=None, code="HO", name="总行", kind=OrgUnit.Kind.HEAD_OFFICE, city="北京"
    )
    bank = DemoBank(seed=seed, rng=rng, head_office=ho)
    staffer = _Staffer(rng)
    regions: dict[str, str] = {}
    for (t1_code, t1_name, t1_city), tier2s in TREE.items():
        t1 = services.org_unit_create(
            actor=SYSTEM, parent=ho, code=t1_code, name=t1_name, kind=OrgUnit.Kind.TIER1, city=t1_city
        )
        bank.tier1.append(t1)
        for t2_code, t2_name, t2_city, region, outlets in tier2s:
            t2 = services.org_unit_create(
                actor=SYSTEM, parent=t1, code=t2_code, name=t2_name, kind=OrgUnit.Kind.TIER2, city=t2_city
            )
            bank.tier2.append(t2)
            for o_code, o_name, size in outlets:
                outlet = services.org_unit_create(
                    actor=SYSTEM,
                    parent=t2,
                    code=o_code,
                    name=o_name,
                    kind=OrgUnit.Kind.OUTLET,
                    city=t2_city,
                    address=f"{t2_city}市{o_name.removesuffix('支行')}路{rng.randrange(1, 300)}号",
                )
                bank.outlets.append(outlet)
                bank.outlet_size[o_code] = size
                regions[o_code] = region

    fixed = {(unit_code, role): username for username, role, unit_code in DEMO_LOGINS}
    units = {u.code: u for u in [ho, *bank.tier1, *bank.tier2, *bank.outlets]}

    def add(unit: OrgUnit, role: str, extra: list[str] | None = None) -> None:
        username = fixed.pop((unit.code, role), None)
        staffer.add(unit, [role, *(extra or [])], username=username)
        if username:
            bank.logins.append((username, role, unit.code))

    for role, n in (
        (roles.HQ_MANAGER, 3),
        (roles.AUDITOR, 2),
        (roles.CC_MANAGER, 2),
        (roles.COMPLAINT_HANDLER, 2),
        (roles.TRAINER, 1),
    ):
        for _ in range(n):
            add(ho, role)
    for t1 in bank.tier1:
        for role, n in (
            (roles.SUPERVISOR, 5),
            (roles.COMPLAINT_HANDLER, 2),
            (roles.TRAINER, 1),
            (roles.HQ_MANAGER, 1),
        ):
            for _ in range(n):
                add(t1, role)
    for t2 in bank.tier2:
        for role, n in ((roles.SUPERVISOR, 3), (roles.COMPLAINT_HANDLER, 1)):
            for _ in range(n):
                add(t2, role)
    for outlet in bank.outlets:
        tellers, lobby, rms = OUTLET_STAFF[bank.outlet_size[outlet.code]]
        add(outlet, roles.OUTLET_HEAD)
        for _ in range(lobby):
            add(outlet, roles.LOBBY)
        # Teller_b's login is a second-outlet teller for the scoping demo; the rest are plain tellers.
        for _ in range(tellers):
            add(outlet, roles.TELLER)
        for _ in range(rms):
            add(outlet, roles.RM)
    for (unit_code, role), username in list(fixed.items()):
        staffer.add(units[unit_code], [role], username=username)
        bank.logins.append((username, role, unit_code))
    bank.staff = staffer.flush()

    bank.customers = _build_customers(bank, rng, regions, customers)
    return bank


def _build_customers(bank: DemoBank, rng: random.Random, regions: dict[str, str], total: int) -> int:
    weights = [CUSTOMER_SHARE[bank.outlet_size[o.code]] for o in bank.outlets]
    rms_by_outlet: dict[int, list[User]] = {}
    rm_group = Group.objects.get(name=roles.RM)
    for user in User.objects.filter(groups=rm_group):
        if user.org_unit_id is not None:
            rms_by_outlet.setdefault(user.org_unit_id, []).append(user)
    created = clock.now().replace(microsecond=0)
    today = clock.today()
    batch: list[Customer] = []
    count = 0
    for index in range(total):
        outlet = rng.choices(bank.outlets, weights=weights)[0]
        gender = rng.choice("MF")
        age = min(95, max(18, int(rng.gauss(46, 16))))
        birth = dt.date(today.year - age, rng.randrange(1, 13), rng.randrange(1, 29))
        roll = rng.random()
        tier = (
            Customer.Tier.PRIVATE
            if roll < 0.01
            else Customer.Tier.WEALTH
            if roll < 0.12
            else Customer.Tier.NORMAL
        )
        customer = Customer(
            customer_no=f"C{bank.seed % 97:02d}{index + 1:08d}",
            name=chinese_name(rng, gender),
            gender=gender,
            birth_date=birth,
            tier=tier,
            is_elderly=age >= 65,
            is_disabled=rng.random() < 0.015,
            is_pregnant=gender == "F" and 22 <= age <= 40 and rng.random() < 0.02,
            is_military=rng.random() < 0.005,
            home_outlet=outlet,
            created_at=created,
        )
        if tier != Customer.Tier.NORMAL and rms_by_outlet.get(outlet.pk):
            customer.relationship_manager = rng.choice(rms_by_outlet[outlet.pk])
        apply_identifiers(
            customer,
            id_number=_valid_id(rng, regions[outlet.code], birth, gender),
            phone=f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            card_number=f"62{rng.randrange(10**15):015d}",
        )
        batch.append(customer)
        if len(batch) >= 2000:
            Customer.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    if batch:
        Customer.objects.bulk_create(batch)
        count += len(batch)
    return count + _build_showcase(bank, rms_by_outlet, created)


@dataclass(frozen=True)
class Showcase:
    """A demo customer with identifiers printed for newcomers to type at the kiosk (#19)."""

    customer_no: str
    name: str
    tier: str
    age: int
    card: str
    phone: str
    what: str  # what typing it at the kiosk shows
    is_disabled: bool = False


SHOWCASE_OUTLET = "BJ-HD-01"
SHOWCASE = (
    Showcase(
        "CSHOW0001",
        "王秀英",
        Customer.Tier.PRIVATE,
        58,
        "6217000000000001",
        "13900000001",
        "private banking VIP: VIP mark on the lobby console, called ahead of ordinary customers",
    ),
    Showcase(
        "CSHOW0002",
        "李建国",
        Customer.Tier.WEALTH,
        72,
        "6217000000000002",
        "13900000002",
        "wealth VIP, aged 72: VIP mark on the lobby console, called ahead",
    ),
    Showcase(
        "CSHOW0003",
        "张桂兰",
        Customer.Tier.NORMAL,
        80,
        "6217000000000003",
        "13900000003",
        "special care (aged 80, disabled): special-care mark, priority routing, no VIP mark",
        is_disabled=True,
    ),
    Showcase(
        "CSHOW0004",
        "陈明",
        Customer.Tier.NORMAL,
        35,
        "6217000000000004",
        "13900000004",
        "an ordinary customer: recognised, ordinary place in line",
    ),
)


def _build_showcase(bank: DemoBank, rms_by_outlet: dict[int, list[User]], created: dt.datetime) -> int:
    outlet = next((o for o in bank.outlets if o.code == SHOWCASE_OUTLET), bank.outlets[0])
    rm = User.objects.filter(username="rm").first() or next(iter(rms_by_outlet.get(outlet.pk, [])), None)
    today = clock.today()
    rows = []
    for s in SHOWCASE:
        customer = Customer(
            customer_no=s.customer_no,
            name=s.name,
            gender="F" if s.name in ("王秀英", "张桂兰") else "M",
            birth_date=dt.date(today.year - s.age, 1, 15),
            tier=s.tier,
            is_elderly=s.age >= 65,
            is_disabled=s.is_disabled,
            home_outlet=outlet,
            created_at=created,
            relationship_manager=rm if s.tier != Customer.Tier.NORMAL else None,
        )
        rows.append(apply_identifiers(customer, id_number=None, phone=s.phone, card_number=s.card))
    Customer.objects.bulk_create(rows)
    return len(rows)


def showcase_lines() -> list[str]:
    """The printed guide to the showcase customers (the same table is in the README)."""
    name = OrgUnit.objects.filter(code=SHOWCASE_OUTLET).values_list("name", flat=True).first()
    lines = [
        f"customers to type at the kiosk of {name or SHOWCASE_OUTLET} (card or mobile; the lobby console shows them):"
    ]
    for s in SHOWCASE:
        lines.append(f"  card {s.card}  mobile {s.phone}  {s.name}: {s.what}")
    return lines


def describe(bank: Any) -> str:
    """What was built, then what to open per role (the README's table, from fuwu.demo.tour)."""
    from fuwu.demo import tour

    summary = (
        f"demo bank (seed {bank.seed}): 1 head office, {len(bank.tier1)} tier-1, {len(bank.tier2)} tier-2, "
        f"{len(bank.outlets)} outlets, {len(bank.staff)} staff, {bank.customers} customers"
    )
    return "\n".join([summary, tour.text(DEMO_PASSWORD), *showcase_lines()])
