"""The standard catalogue and counter layout an outlet starts from (Q1, Q10); outlets then adjust their own."""

from __future__ import annotations

from django.db import transaction

from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal
from fuwu.floor import services
from fuwu.floor.models import Counter, CounterKind, ServiceType

H, L, V, W, SS = (
    CounterKind.HIGH,
    CounterKind.LOW,
    CounterKind.VIP,
    CounterKind.WEALTH,
    CounterKind.SELF_SERVICE,
)

# code, name, prefix, complexity, cash, counter kinds, target wait (s), mean service (s), materials
STANDARD: list[tuple[str, str, str, str, bool, list[str], int, int, str]] = [
    (
        "CASH",
        "个人现金存取",
        "A",
        "simple",
        True,
        [H, V],
        900,
        240,
        "本人银行卡或存折\n大额取现（5万元以上）需提前一天预约\n本人有效身份证件",
    ),
    (
        "XFER",
        "转账汇款",
        "B",
        "simple",
        False,
        [H, L, V],
        900,
        300,
        "本人银行卡或存折\n收款人户名、账号、开户行\n本人有效身份证件",
    ),
    (
        "OPEN",
        "开户/挂失/密码重置",
        "C",
        "complex",
        False,
        [L, V],
        1200,
        600,
        "本人有效身份证件原件\n本人手机号码\n挂失需提供卡号或存折号",
    ),
    (
        "WLTH",
        "理财/贵宾业务",
        "V",
        "complex",
        False,
        [V, W],
        600,
        900,
        "本人有效身份证件\n银行卡\n风险承受能力评估问卷（首次购买）",
    ),
    (
        "CORP",
        "对公业务",
        "D",
        "complex",
        True,
        [H, L],
        1200,
        720,
        "营业执照\n法定代表人身份证件\n预留印鉴\n授权委托书（代办时）",
    ),
    (
        "LOAN",
        "个人贷款/信用卡",
        "E",
        "complex",
        False,
        [L, W],
        1200,
        840,
        "本人有效身份证件\n收入证明\n婚姻状况证明",
    ),
]

# high, low, vip, wealth counters by outlet size
LAYOUT = {"large": (4, 3, 2, 1), "medium": (3, 2, 1, 1), "small": (2, 1, 1, 0), "county": (2, 1, 0, 0)}


@transaction.atomic
def install(
    *, actor: Principal, outlet: OrgUnit, size: str = "medium"
) -> tuple[list[ServiceType], list[Counter]]:
    """Give an outlet the standard catalogue and counters sized for it (idempotent).

    A business no counter of this outlet can serve is kept in the catalogue but inactive (not offered).
    """
    present = {str(kind) for kind, count in zip((H, L, V, W), LAYOUT[size], strict=True) if count}
    catalogue = [
        services.service_type_save(
            actor=actor,
            outlet=outlet,
            code=code,
            name=name,
            prefix=prefix,
            complexity=complexity,
            is_cash=cash,
            counter_kinds=[str(k) for k in kinds],
            target_wait_seconds=target,
            mean_service_seconds=mean,
            materials=materials,
            sort_order=i,
            is_active=bool(present & {str(k) for k in kinds}),
        )
        for i, (code, name, prefix, complexity, cash, kinds, target, mean, materials) in enumerate(STANDARD)
    ]
    counters: list[Counter] = []
    number = 1
    for kind, count in zip((H, L, V, W), LAYOUT[size], strict=True):
        for _ in range(count):
            counters.append(
                services.counter_save(
                    actor=actor,
                    outlet=outlet,
                    code=f"{outlet.code}-W{number:02d}",
                    number=number,
                    kind=str(kind),
                )
            )
            number += 1
    return catalogue, counters
