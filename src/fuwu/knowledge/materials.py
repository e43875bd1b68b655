"""The core.materials hook: the kiosk's "required materials" come from the public business guides (#20, Q10)."""

from __future__ import annotations

from fuwu.core.principals import system
from fuwu.knowledge import selectors


def required_documents(service_code: str) -> list[str]:
    """The documents the published guide of a floor business lists ([] without one): public information,
    read for the kiosk whatever device asks."""
    return selectors.required_documents(fetched_by=system("kiosk materials"), service_code=service_code)
