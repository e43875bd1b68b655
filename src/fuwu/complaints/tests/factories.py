from __future__ import annotations

from typing import Any

from fuwu.complaints import services
from fuwu.complaints.models import Complaint
from fuwu.conftest import PASSWORD
from fuwu.core import roles
from fuwu.core import services as core_services
from fuwu.core.principals import SYSTEM


def staff(unit: Any, username: str, role: str, name: str = "") -> Any:
    return core_services.staff_create(
        actor=SYSTEM,
        org_unit=unit,
        username=username,
        display_name=name or username,
        roles=[role],
        password=PASSWORD,
        staff_code=username.upper(),
    )


def handler(world: Any) -> Any:
    """A complaint handler of the tier-2 branch above OA and OB."""
    return staff(world.t2, "handler", roles.COMPLAINT_HANDLER, "周处理")


def supervisor(world: Any) -> Any:
    """A service supervisor of the tier-1 branch (a superior unit of OA)."""
    return staff(world.t1, "supervisor", roles.SUPERVISOR, "吴督导")


def complaint(world: Any, *, actor: Any = None, **overrides: Any) -> Complaint:
    fields: dict[str, Any] = {
        "outlet": world.outlet_a,
        "source": "counter",
        "complainant_name": "刘建华",
        "content": "柜员办理转账时态度冷淡，让我等了四十分钟也不解释原因。",
        "channel_code": "01",
        "category_code": "04",
        "reason_code": "01",
        "phone": "13812345678",
    }
    fields.update(overrides)
    return services.complaint_register(actor=actor or world.teller_a, **fields)
