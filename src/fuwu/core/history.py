"""Wiring for simple-history: the acting user and the request IP on every history row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model
from simple_history.signals import pre_create_historical_record

from fuwu.core.audit import current_ip
from fuwu.core.models import User

if TYPE_CHECKING:
    from fuwu.core.principals import Principal

M = TypeVar("M", bound=Model)


def by(instance: M, actor: Principal) -> M:
    """Mark `instance` so its next history row names `actor` (services run outside requests too)."""
    if isinstance(actor, User):
        instance._history_user = actor  # type: ignore[attr-defined]
    return instance


def _stamp_ip(sender: Any, history_instance: Any, **_: Any) -> None:
    if hasattr(history_instance, "ip_address") and history_instance.ip_address is None:
        history_instance.ip_address = current_ip()


def connect() -> None:
    pre_create_historical_record.connect(_stamp_ip, dispatch_uid="fuwu.core.history.ip")
