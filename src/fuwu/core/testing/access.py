"""The access table: every public service and selector, proven to refuse the wrong principals.

Each app lists its rows in `fuwu/<app>/tests/access_table.py`:

    CASES = [
        AccessCase(
            "fuwu.complaints.services.complaint_decide",
            call=lambda w, who: services.complaint_decide(actor=who, complaint=w.case, …),
            holder=lambda w: w.handler,          # may do it: the call must succeed
            without=lambda w: w.teller_a,        # same unit, lacks the permission: Forbidden
            outsider=lambda w: w.person(…),      # has the role, another unit: NotFound
            setup=make_case,                     # optional: adds objects to the world first
        ),
    ]
    EXEMPT = {"fuwu.floor.services.format_number": "pure formatting, no principal"}

`core/tests/test_access_table.py` runs every row and checks that every public function in every app's
`services` and `selectors` modules is either covered by a row or exempt with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Who = Callable[[Any], Any]


@dataclass(frozen=True)
class AccessCase:
    target: str  # dotted name of the service or selector this row proves
    call: Callable[[Any, Any], Any]  # (world, principal) → calls the target
    holder: Who  # a principal that may: the call succeeds
    without: Who | None = None  # same unit, lacks the permission → Forbidden (or NotFound)
    outsider: Who | None = None  # holds the permission in another unit → NotFound
    setup: Callable[[Any], None] | None = None  # adds the objects the call needs to the world
    also: tuple[str, ...] = ()  # further functions this row proves (thin wrappers of the target)
    # For list reads, which refuse by leaving rows out rather than raising: true when `result` (already
    # a list) does not show the world's object. Without it, a refusal must raise.
    hides: Callable[[Any, list[Any]], bool] | None = None

    @property
    def id(self) -> str:
        return self.target.removeprefix("fuwu.")


def collect() -> tuple[list[AccessCase], dict[str, str]]:
    """Every app's access table rows and exemptions."""
    from fuwu.core.discovery import app_modules

    cases: list[AccessCase] = []
    exempt: dict[str, str] = {}
    for _app, module in app_modules("tests.access_table"):
        cases.extend(getattr(module, "CASES", []))
        exempt.update(getattr(module, "EXEMPT", {}))
    return cases, exempt


def public_functions() -> list[str]:
    """Dotted names of the public functions defined in every app's services and selectors modules."""
    import inspect

    from fuwu.core.discovery import app_modules

    names = []
    for kind in ("services", "selectors"):
        for _app, module in app_modules(kind):
            for name, obj in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(obj):
                    continue
                if obj.__module__ != module.__name__ and not obj.__module__.startswith(module.__name__ + "."):
                    continue  # imported from elsewhere (a services package's own submodules count)
                names.append(f"{module.__name__}.{name}")
    return sorted(names)
