from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fuwu.core import roles
from fuwu.core.nav import NavItem
from fuwu.knowledge.services import knowledge_owner

_ALL_STAFF: frozenset[str] = frozenset()  # every staff member
_QUEUE = frozenset(
    {
        roles.LOBBY,
        roles.TELLER,
        roles.RM,
        roles.OUTLET_HEAD,
        roles.SUPERVISOR,
        roles.CC_MANAGER,
        roles.HQ_MANAGER,
    }
)
_EDITORS = frozenset({roles.TRAINER, roles.HQ_MANAGER})
_LANGUAGE = frozenset(
    {roles.OUTLET_HEAD, roles.SUPERVISOR, roles.CC_MANAGER, roles.TRAINER, roles.HQ_MANAGER, roles.AUDITOR}
)

SECTION = _("Knowledge")

NAV = [
    NavItem(
        _("Knowledge base"),
        "knowledge:search",
        _ALL_STAFF,
        _("Search answers, products, fees and documents"),
        order=400,
        permission="knowledge.view_entry",
    ),
    NavItem(
        _("Assistant queue"),
        "knowledge:queue",
        _QUEUE,
        _("Customer questions handed over by the assistant"),
        order=410,
        permission="knowledge.change_conversation",
    ),
    NavItem(
        _("Unanswered questions"),
        "knowledge:unanswered",
        _EDITORS,
        _("What the assistant could not answer, grouped"),
        order=420,
        permission="knowledge.view_unansweredquestion",
        unit=knowledge_owner,
    ),
    NavItem(
        _("Service language"),
        "knowledge:language",
        _LANGUAGE,
        _("Forbidden and required phrases and what was found"),
        order=430,
        permission="knowledge.view_languagefinding",
    ),
]
