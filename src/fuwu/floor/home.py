"""The branch floor on the home page (#19): the teller's counter and day, the outlet's queue for its head and lobby."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from fuwu.core import roles
from fuwu.core.access import has, home_unit
from fuwu.core.models import OrgUnit
from fuwu.core.nav import user_roles
from fuwu.core.principals import Principal
from fuwu.core.worklists import Count, Panel, Row
from fuwu.floor import selectors

_AT_THE_COUNTER = {roles.TELLER, roles.RM}


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def _minutes_count(label: str, seconds: float | None) -> Count:
    # No unit beside a dash: nothing measured yet today.
    return Count(label, _minutes(seconds), unit=_("min") if seconds is not None else "")


def panels(principal: Principal) -> list[Panel]:
    found: list[Panel] = []
    held = user_roles(principal)
    if held & _AT_THE_COUNTER and has(principal, "floor.change_ticket"):
        found.append(_my_day(principal))
    unit = home_unit(principal)
    if unit is not None and unit.kind == OrgUnit.Kind.OUTLET and held & {roles.OUTLET_HEAD, roles.LOBBY}:
        found.append(_outlet_today(principal, unit))
    return found


def _my_day(principal: Principal) -> Panel:
    day = selectors.my_day(fetched_by=principal)
    console = reverse("floor:counter")
    rows: list[Row] = []
    if day.counter is None:
        rows.append(Row(_("No counter is assigned to you yet: open the counter console."), url=console))
    else:
        state = _("open") if day.counter.is_open else _("closed")
        rows.append(
            Row(
                _("Window %(n)s") % {"n": day.counter.number},
                f"{day.counter.get_kind_display()} · {state}",
                console,
            )
        )
        if day.current is not None:
            rows.append(
                Row(
                    _("Now serving %(number)s") % {"number": day.current.number},
                    day.current.service.name,
                    console,
                )
            )
    return Panel(
        title=_("My counter and my day"),
        rows=rows,
        counts=[
            Count(_("Served today"), day.served),
            _minutes_count(_("Average handle time"), day.average_handle_seconds),
        ],
        more_url=console,
        more_label=_("Open the counter console"),
        order=5,
    )


def _outlet_today(principal: Principal, unit: OrgUnit) -> Panel:
    day = selectors.outlet_day(fetched_by=principal, outlet=unit)
    lobby = reverse("floor:lobby") if has(principal, "floor.divert_ticket") else ""
    rows = []
    if day.longest_wait_seconds > 15 * 60:
        rows.append(
            Row(
                _("Longest wait now: %(m)s min") % {"m": _minutes(day.longest_wait_seconds)},
                url=lobby,
                urgent=True,
            )
        )
    return Panel(
        title=_("Today's queue at %(outlet)s") % {"outlet": unit.name},
        rows=rows,
        counts=[
            Count(_("Waiting"), day.waiting, lobby),
            Count(_("VIP or special care waiting"), day.waiting_vip, lobby),
            Count(_("Served today"), day.served),
            _minutes_count(_("Average wait"), day.average_wait_seconds),
            Count(_("Waited past target"), day.over_target),
            Count(_("Counters open"), f"{day.counters_open}/{day.counters}"),
        ],
        more_url=lobby,
        more_label=_("Open the lobby console"),
        order=6,
    )
