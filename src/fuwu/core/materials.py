"""What a customer must bring for a floor business (Q10): one source, the knowledge base's business guides (#20).

The floor (a lower layer) never imports the knowledge app. An app that keeps the guides offers a
`materials.py` hook module found at run time (core.discovery), defining:

    required_documents(service_code: str) -> list[str]     # [] when it has no guide for that business

`required()` asks the hooks and falls back to the list kept on the floor's own catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from fuwu.core.discovery import app_modules


@cache
def _hooks() -> list[Callable[[str], list[str]]]:
    return [module.required_documents for _app, module in app_modules("materials", exclude=("fuwu.core",))]


def required(service_code: str, fallback: list[str]) -> list[str]:
    """The documents for a business: a published guide's list if any app has one, else `fallback`."""
    for hook in _hooks():
        documents = hook(service_code)
        if documents:
            return list(documents)
    return fallback
