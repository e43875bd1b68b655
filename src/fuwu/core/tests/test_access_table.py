"""Every public service and selector refuses a principal without the right and one of another unit."""

from __future__ import annotations

from typing import Any

import pytest

from fuwu.core.errors import Forbidden, NotFound
from fuwu.core.testing.access import AccessCase, collect, public_functions

CASES, EXEMPT = collect()


def _run(case: AccessCase, world: Any, who: Any) -> Any:
    result = case.call(world, who)
    # Selectors return lazy querysets: evaluate so a refusal inside iteration counts too.
    if hasattr(result, "__iter__") and not isinstance(result, str | bytes | dict):
        return list(result)
    return result


def _refused(case: AccessCase, world: Any, who: Any, expected: tuple[type[Exception], ...]) -> None:
    """Refused: the call raises `expected`, or (a list read with `hides`) leaves the object out."""
    try:
        result = _run(case, world, who)
    except expected:
        return
    assert case.hides is not None, f"{case.id} did not refuse {who}"
    assert case.hides(world, result), f"{case.id} showed the object to {who}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_service_and_selector_refuses_the_wrong_principal(case: AccessCase, world: Any) -> None:
    if case.setup is not None:
        case.setup(world)
    if case.without is not None:
        _refused(case, world, case.without(world), (Forbidden, NotFound))
    if case.outsider is not None:
        _refused(case, world, case.outsider(world), (NotFound,))
    # Last, on objects the refusals left unchanged: the holder succeeds (and, for a list read, sees the
    # object), so the row is not vacuous — a call that always raised or always hid would fail here.
    result = _run(case, world, case.holder(world))
    if case.hides is not None:
        assert not case.hides(world, result), f"{case.id}: the holder does not see the object"


def test_every_public_service_and_selector_is_in_an_access_table() -> None:
    covered = {c.target for c in CASES} | {name for c in CASES for name in c.also}
    missing = [n for n in public_functions() if n not in covered and n not in EXEMPT]
    assert not missing, "not in any app's tests/access_table.py (add a row or an exemption):\n" + "\n".join(
        missing
    )


def test_rows_and_exemptions_name_functions_that_exist() -> None:
    known = set(public_functions())
    stale = sorted(({c.target for c in CASES} | set(EXEMPT)) - known)
    assert not stale, f"access table rows for functions that no longer exist: {stale}"
