"""The case list, the one query behind the list page and `GET /api/v1/complaints` (#19).

Most urgent first by default (open, fast track, special groups, nearest deadline: `selectors.URGENT_FIRST`),
sortable, filtered by state, unit and below, period received, "mine" and text; the counts per state come from
one GROUP BY, which also gives the pager its total.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from fuwu.complaints import selectors
from fuwu.complaints.models import Status
from fuwu.complaints.schemas import ComplaintListIn
from fuwu.core import clock
from fuwu.core.listing import Listing, ListSpec, Sort, listing
from fuwu.core.principals import Principal

CASE_LIST = ListSpec(
    sorts=(
        Sort("urgent", gettext_lazy("Most urgent first"), selectors.URGENT_FIRST),
        Sort("due", gettext_lazy("Nearest deadline first"), ("-is_open", "due_at")),
        Sort("new", gettext_lazy("Newest first"), ("-received_at",)),
        Sort("old", gettext_lazy("Oldest first"), ("received_at",)),
    ),
    text=("reference", "content", "complainant_name"),
    state_field="status",
    states=Status.choices,
    state_counts=True,
    unit_field="outlet",
    date_field="received_at",
    mine=("handler",),
)


def case_list(request: HttpRequest, query: ComplaintListIn, *, principal: Principal) -> Listing:
    """One page of the cases `principal` may read, as `query` asks."""
    rows = selectors.complaints(fetched_by=principal, overdue_at=clock.now() if query.overdue else None)
    # merged_into: the API row names the case a resubmission was merged into.
    return listing(request, rows.select_related("merged_into"), CASE_LIST, principal=principal, query=query)
