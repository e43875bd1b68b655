"""Floor permissions per role (tellers work counters, lobby staff issue and divert, heads do both) and per
device kind (a kiosk issues tickets, a counter terminal operates its own counter, a display board reads)."""

from __future__ import annotations

from fuwu.core import roles

_VIEW = ["floor.view_ticket", "floor.view_servicetype", "floor.view_counter", "floor.view_positionassignment"]
_COUNTER = ["floor.add_ticket", "floor.change_ticket"]
_LOBBY = ["floor.add_ticket", "floor.divert_ticket", "floor.add_appointment"]

ROLE_PERMISSIONS = {
    roles.TELLER: [*_VIEW, *_COUNTER, "floor.add_appointment"],
    roles.RM: [*_VIEW, *_COUNTER, "floor.add_appointment"],
    roles.LOBBY: _VIEW + _LOBBY,
    roles.OUTLET_HEAD: _VIEW + _COUNTER + _LOBBY + ["floor.change_servicetype", "floor.change_counter"],
    roles.SUPERVISOR: _VIEW,
    roles.HQ_MANAGER: [*_VIEW, "floor.change_servicetype"],
    roles.AUDITOR: _VIEW,
}

# What a device sees is its own outlet (core.access); a counter terminal acts only at its own counter.
_DEVICE_VIEW = ["floor.view_ticket", "floor.view_servicetype", "floor.view_counter"]

DEVICE_PERMISSIONS = {
    "kiosk": [*_DEVICE_VIEW, "floor.add_ticket"],
    "counter": [*_DEVICE_VIEW, "floor.change_ticket"],
    "display": _DEVICE_VIEW,
}
