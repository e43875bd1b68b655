"""Transitions as data: each stateful aggregate declares its actions once, and one entry point applies them.

An `Action` says from which states it may run, which state it leads to, which permission it needs and what
it is called on screens. A `Machine` holds the actions of one model and is the only way that model's state
changes:

    machine.apply(obj, "decide", actor=principal, effect=write_the_decision)

locks the row, checks access (`core.access.require` with the object's unit), checks the state (a refusal is a
409 `Conflict` carrying the current state), runs the effect, moves the state, records the domain event and the
audit row — all in one transaction. Screens ask `allowed_actions(obj, principal)` for the buttons to show; no
template or script compares status strings. Hand-written fast paths (the floor's one-statement counter steps)
read `action.source` / `action.target` from the same declaration instead of restating them.

Why not django-fsm-2: its transitions are decorated model methods that check `user.has_perm` and leave
locking, the audit row and the org-unit scope to the caller; fuwu needs all three on every transition, for
devices and the system principal as well as users, and needs the states as data to generate SQL. This module
is that table plus one `apply`, about the size of the glue django-fsm-2 would have needed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from fuwu.core import access, audit
from fuwu.core.errors import Conflict, DomainError, NotFound
from fuwu.core.history import by
from fuwu.core.models import OrgUnit
from fuwu.core.principals import Principal

M = TypeVar("M", bound=Model)
R = TypeVar("R")

Guard = Callable[[Any, Principal], None]


@dataclass(frozen=True)
class Action:
    """One allowed move of an aggregate: from `source` states to `target` (None: the state stays)."""

    name: str
    source: frozenset[str]
    target: str | None
    permission: str
    label: Promise | str
    # Extra refusals beyond state and permission (回避, "resume the clock first"); raises a DomainError.
    guard: Guard | None = None
    # Shown as a primary button when true; purely presentational.
    primary: bool = False


def action(
    name: str,
    source: Iterable[str],
    target: str | None,
    permission: str,
    label: Promise | str,
    *,
    guard: Guard | None = None,
    primary: bool = False,
) -> Action:
    return Action(name, frozenset(str(s) for s in source), target, permission, label, guard, primary)


_MACHINES: dict[type[Model], Machine[Any]] = {}


@dataclass
class Machine(Generic[M]):
    """The declared actions of one model and the one way to apply them."""

    model: type[M]
    actions: Iterable[Action]
    unit: Callable[[M], OrgUnit]
    audit_prefix: str
    field: str = "status"
    # For counter terminals: the counter code an action on this object happens at.
    counter: Callable[[M], str | None] | None = None
    # Writes the aggregate's own event row (ticket events, clock events) in the same transaction.
    record_event: Callable[[M, Action, Principal, dict[str, Any]], None] | None = None
    # Extra keys for a refusal's details (the floor's device API names the ticket number).
    describe: Callable[[M], Mapping[str, Any]] | None = None
    # Sets stored fields derived from the state (the complaint's indexed open flag) with every move of the
    # state, here and nowhere else: not in save() or a signal, which bulk writes and updates would bypass.
    follow: Callable[[M], None] | None = None
    # The floor's ticket events are its audit trail; other aggregates also write an AuditEvent row.
    audit: bool = True
    select_related: tuple[str, ...] = ()
    _by_name: dict[str, Action] = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.actions = tuple(self.actions)
        self._by_name = {a.name: a for a in self.actions}
        if len(self._by_name) != len(self.actions):
            raise ValueError(f"{self.model.__name__}: duplicate action names")
        _MACHINES[self.model] = self

    # --- questions -------------------------------------------------------------------------------

    def action(self, name: str) -> Action:
        return self._by_name[name]

    def names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    def state(self, obj: M) -> str:
        return str(getattr(obj, self.field))

    def check(self, obj: M, principal: Principal, act: Action) -> None:
        """Access first (NotFound outside the principal's units, Forbidden without the right), then state."""
        counter = self.counter(obj) if self.counter is not None else None
        access.require(principal, act.permission, unit=self.unit(obj), counter=counter)
        if self.state(obj) not in act.source:
            raise self.refusal(obj, act)
        if act.guard is not None:
            act.guard(obj, principal)

    def refusal(self, obj: M, act: Action) -> Conflict:
        state = self.state(obj)
        display = getattr(obj, f"get_{self.field}_display", lambda: state)()
        details: dict[str, Any] = {"status": state, "action": act.name, "allowed_from": sorted(act.source)}
        if self.describe is not None:
            details.update(self.describe(obj))
        return Conflict(
            _("This is %(state)s: “%(action)s” is not possible now.")
            % {"state": display, "action": act.label},
            code="illegal_transition",
            details=details,
        )

    def allowed(self, obj: M, principal: Principal) -> list[Action]:
        """The actions `principal` may take on `obj` now, in declaration order (for buttons and screen JSON)."""
        found = []
        for act in self.actions:
            try:
                self.check(obj, principal, act)
            except DomainError:
                continue
            found.append(act)
        return found

    # --- the one entry point ---------------------------------------------------------------------

    def lock(self, obj: M) -> M:
        """Re-read `obj` under a row lock so two requests cannot both pass the state check.

        PostgreSQL: SELECT … FOR UPDATE blocks the second request until the first commits, and it then sees
        the new state. SQLite: settings open every transaction IMMEDIATE, so writers are serialized at BEGIN
        and the re-read inside the transaction is already the latest.
        """
        qs = self.model._default_manager.select_related(*self.select_related)
        if connection.features.has_select_for_update:
            qs = qs.select_for_update(of=("self",)) if self.select_related else qs.select_for_update()
        try:
            return qs.get(pk=obj.pk)
        except ObjectDoesNotExist as exc:
            raise NotFound(_("Not found.")) from exc

    @overload
    def apply(self, obj: M, name: str, *, actor: Principal, data: dict[str, Any] | None = None) -> M: ...

    @overload
    def apply(
        self,
        obj: M,
        name: str,
        *,
        actor: Principal,
        effect: Callable[[M], R],
        data: dict[str, Any] | None = None,
    ) -> R: ...

    def apply(
        self,
        obj: M,
        name: str,
        *,
        actor: Principal,
        effect: Callable[[M], Any] | None = None,
        data: dict[str, Any] | None = None,
    ) -> Any:
        """Lock, check access and state, run `effect`, move the state, write event and audit row: atomically.

        `effect(locked)` does the action's own work on the locked instance (validate input, write child rows,
        set fields) and may raise a DomainError, which rolls everything back. The caller's `obj` is updated
        in place from the locked row afterwards.
        """
        act = self._by_name[name]
        data = dict(data or {})
        with transaction.atomic():
            locked = self.lock(obj)
            self.check(locked, actor, act)
            before = self.state(locked)
            result = effect(locked) if effect is not None else locked
            if act.target is not None:
                setattr(locked, self.field, act.target)
                if self.follow is not None:
                    self.follow(locked)
            _save(locked, actor)
            if self.record_event is not None:
                self.record_event(locked, act, actor, data)
            if self.audit:
                audit.record(
                    actor=actor,
                    action=f"{self.audit_prefix}.{act.name}",
                    target=locked,
                    org_unit=self.unit(locked),
                    data={"from": before, "to": self.state(locked), **data},
                )
        _copy_fields(locked, obj)
        return result


def _save(obj: Model, actor: Principal) -> None:
    by(obj, actor).save()


def _copy_fields(source: Model, target: Model) -> None:
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def machines() -> list[Machine[Any]]:
    """Every declared machine (the audit trail names state changes by their declared labels)."""
    from fuwu.core.discovery import app_modules

    # Machines are declared at import of their app's states/services modules; make sure they are loaded.
    for hook in ("states", "services"):
        app_modules(hook)
    return list(_MACHINES.values())


def machine_for(obj: Model) -> Machine[Any]:
    try:
        return _MACHINES[type(obj)]
    except KeyError as exc:
        raise LookupError(f"{type(obj).__name__} declares no transitions") from exc


def allowed_actions(obj: Model, principal: Principal) -> list[Action]:
    """The actions the screen may offer `principal` on `obj` (ask this; never compare status strings)."""
    return machine_for(obj).allowed(obj, principal)


def allowed_names(obj: Model, principal: Principal) -> frozenset[str]:
    return frozenset(a.name for a in allowed_actions(obj, principal))


def actions_json(obj: Model, principal: Principal) -> list[dict[str, str]]:
    """`allowed_actions` for screen JSON: [{"name": …, "label": …}]."""
    return [{"name": a.name, "label": str(a.label)} for a in allowed_actions(obj, principal)]
