"""Access table rows for the feedback app's services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM, DevicePrincipal
from fuwu.core.services import device_token_authenticate
from fuwu.core.testing.access import AccessCase
from fuwu.feedback import selectors, services
from fuwu.feedback.models import FeedbackItem, FollowUp
from fuwu.feedback.tests import factories as f

S = "fuwu.feedback.services."
Q = "fuwu.feedback.selectors."
TODAY = dt.date(2026, 3, 2)


def _head_b(w: Any) -> Any:
    return w.person("head_b", w.outlet_b, roles.OUTLET_HEAD)


def _sup_b(w: Any) -> Any:
    """A supervisor whose tier-2 branch is not outlet A's: holds the survey rights elsewhere."""
    from fuwu.core import services as core_services

    other = core_services.org_unit_create(
        actor=SYSTEM, parent=w.t1, code="T2X", name="朝阳支行", kind="tier2"
    )
    return w.person("sup_x", other, roles.SUPERVISOR)


def _pad(w: Any, outlet: Any, code: str) -> DevicePrincipal:
    token = device_token_authenticate(f.pad_token(outlet, code))
    assert token is not None
    return DevicePrincipal(token)


def _floor(w: Any) -> None:
    """A counter at each outlet with a pad, and a ticket just finished at outlet A's counter."""
    w.counter = f.counter(w.outlet_a, 1, staff=w.teller_a)
    w.pad = _pad(w, w.outlet_a, w.counter.code)
    w.pad_b = _pad(w, w.outlet_b, f.counter(w.outlet_b, 1).code)
    w.ticket = f.finished_ticket(w.outlet_a, counter=w.counter, staff=w.teller_a)


def _item(w: Any) -> None:
    w.item, _raw = services.feedback_submit(
        actor=SYSTEM, outlet=w.outlet_a, text="柜员态度很差，排队太久了", client="access-table"
    )
    w.follow_up = FollowUp.objects.get(feedback=w.item)


def _overdue(w: Any) -> None:
    _item(w)
    past = clock.now() - dt.timedelta(days=10)
    FeedbackItem.objects.filter(pk=w.item.pk).update(reply_due_at=past)
    FollowUp.objects.filter(pk=w.follow_up.pk).update(due_at=past)


def _rated(w: Any) -> None:
    _floor(w)
    services.evaluation_record(actor=w.pad, ticket=w.ticket, rating="dissatisfied", reasons=["服务态度"])


def _survey_row(w: Any) -> Any:
    return services.SurveyRow(
        external_id=f"R{id(w)}",
        outlet=w.outlet_a,
        responded_on=TODAY,
        nps=3,
        service_csat=2,
        overall_csat=2,
        comment="等太久",
    )


def _figures() -> Any:
    return selectors.SurveyFigures(responses=0, nps=None, service_csat=None, overall_csat=None)


def _sees_item(w: Any, rows: list[Any]) -> bool:
    return w.item not in rows


CASES = [
    # --- services ---------------------------------------------------------------------------------------
    AccessCase(
        S + "pad_config_set",
        call=lambda w, who: services.pad_config_set(
            actor=who, outlet=w.outlet_a, window_seconds=120, reasons=["排队太久"]
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "evaluation_record",
        setup=_floor,
        call=lambda w, who: services.evaluation_record(actor=who, ticket=w.ticket, rating="satisfied"),
        holder=lambda w: w.pad,
        without=lambda w: w.head_a,  # staff do not rate on the customer's behalf
        outsider=lambda w: w.pad_b,  # another outlet's pad
    ),
    AccessCase(
        S + "feedback_submit",
        call=lambda w, who: services.feedback_submit(
            actor=who, outlet=w.outlet_a, text="网点环境很好，服务周到", client=f"c{id(who)}"
        ),
        holder=lambda w: SYSTEM,  # the public box acts as the system
        without=lambda w: w.head_a,  # staff do not post as customers
    ),
    AccessCase(
        S + "feedback_reply",
        setup=_item,
        call=lambda w, who: services.feedback_reply(actor=who, item=w.item, text="感谢您的意见，已改进。"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "feedback_compliment_set",
        setup=_item,
        call=lambda w, who: services.feedback_compliment_set(
            actor=who, item=w.item, is_compliment=True, staff=w.teller_a
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "follow_up_start",
        setup=_item,
        call=lambda w, who: services.follow_up_start(actor=who, follow_up=w.follow_up),
        holder=lambda w: w.head_a,
        without=lambda w: w.auditor,  # reads follow-ups, may not work them
        outsider=_head_b,
    ),
    AccessCase(
        S + "follow_up_close",
        setup=_item,
        call=lambda w, who: services.follow_up_close(
            actor=who, follow_up=w.follow_up, outcome="resolved", note="已电话致歉，客户理解"
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        S + "follow_ups_escalate",
        setup=_overdue,
        call=lambda w, who: services.follow_ups_escalate(actor=who),
        holder=lambda w: SYSTEM,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "feedback_escalate_overdue",
        setup=_overdue,
        call=lambda w, who: services.feedback_escalate_overdue(actor=who),
        holder=lambda w: SYSTEM,
        without=lambda w: w.teller_a,
    ),
    AccessCase(
        S + "survey_batch_import",
        call=lambda w, who: services.survey_batch_import(
            actor=who, org_unit=w.outlet_a, file_name="s.csv", provider="", rows=[_survey_row(w)]
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_b,
    ),
    AccessCase(
        S + "survey_target_set",
        call=lambda w, who: services.survey_target_set(
            actor=who, org_unit=w.outlet_a, measure="service_csat", target=Decimal("90")
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
        outsider=_sup_b,
    ),
    # --- selectors ------------------------------------------------------------------------------------
    AccessCase(
        Q + "pad_pending_ticket",
        setup=_floor,
        call=lambda w, who: selectors.pad_pending_ticket(fetched_by=who),
        holder=lambda w: w.pad,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "rating_ticket",
        setup=_floor,
        call=lambda w, who: selectors.rating_ticket(fetched_by=who, ticket_id=w.ticket.pk),
        holder=lambda w: w.pad,
        without=lambda w: w.teller_a,
        outsider=lambda w: w.pad_b,
    ),
    AccessCase(
        Q + "pad_settings",
        call=lambda w, who: selectors.pad_settings(fetched_by=who, outlet=w.outlet_a),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "evaluation_table",
        setup=_rated,
        call=lambda w, who: selectors.evaluation_table(
            fetched_by=who, start=clock.today(), end=clock.today(), within=w.outlet_a
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.pad,  # the pad rates; it reads no figures
        outsider=_head_b,
    ),
    AccessCase(
        Q + "feedback_items",
        setup=_item,
        call=lambda w, who: selectors.feedback_items(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=_sees_item,
    ),
    AccessCase(
        Q + "feedback_item",
        setup=_item,
        call=lambda w, who: selectors.feedback_item(fetched_by=who, pk=w.item.pk),
        holder=lambda w: w.auditor,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "term_insights",
        setup=_item,
        call=lambda w, who: selectors.term_insights(
            fetched_by=who, unit=w.outlet_a, start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "reason_counts",
        call=lambda w, who: selectors.reason_counts(
            fetched_by=who, unit=w.outlet_a, start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "rated_with_reason",
        call=lambda w, who: selectors.rated_with_reason(
            fetched_by=who, unit=w.outlet_a, reason="服务态度", start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "feedback_filtered",
        setup=_item,
        call=lambda w, who: selectors.feedback_filtered(
            fetched_by=who, where=selectors.FeedbackFilter(unit=w.outlet_a, term="排队")
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "sentiment_trend",
        setup=_item,
        call=lambda w, who: selectors.sentiment_trend(
            fetched_by=who,
            where=selectors.FeedbackFilter(unit=w.outlet_a, start=clock.today(), end=clock.today()),
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "compliment_choices",
        call=lambda w, who: selectors.compliment_choices(fetched_by=who, outlet=w.outlet_a),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "compliment_targets",
        setup=_item,
        call=lambda w, who: selectors.compliment_targets(
            fetched_by=who, item=w.item, staff_id=w.teller_a.pk, counter_id=None
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "follow_ups",
        setup=_item,
        call=lambda w, who: selectors.follow_ups(fetched_by=who),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
        hides=lambda w, rows: w.follow_up not in rows,
    ),
    AccessCase(
        Q + "follow_up",
        setup=_item,
        call=lambda w, who: selectors.follow_up(fetched_by=who, pk=w.follow_up.pk),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "own_stream",
        setup=_floor,
        call=lambda w, who: selectors.own_stream(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=lambda w: w.pad,  # a device has no stream of its own
    ),
    AccessCase(
        Q + "stream_entries",
        setup=_floor,
        call=lambda w, who: selectors.stream_entries(
            fetched_by=who, rows=list(selectors.own_stream(fetched_by=w.teller_a))
        ),
        holder=lambda w: w.teller_a,
        without=lambda w: w.pad,  # a device has no stream of its own
    ),
    AccessCase(
        Q + "my_ratings_today",
        setup=_floor,
        call=lambda w, who: selectors.my_ratings_today(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=lambda w: w.pad,  # a device has no ratings of its own
    ),
    AccessCase(
        Q + "survey_figures",
        call=lambda w, who: selectors.survey_figures(fetched_by=who, unit=w.outlet_a, start=TODAY, end=TODAY),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "target_progress",
        call=lambda w, who: selectors.target_progress(fetched_by=who, unit=w.outlet_a, figures=_figures()),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "trending_terms",
        setup=_item,
        call=lambda w, who: selectors.trending_terms(
            fetched_by=who, unit=w.outlet_a, start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
    AccessCase(
        Q + "topic_and_sentiment_counts",
        setup=_item,
        call=lambda w, who: selectors.topic_and_sentiment_counts(
            fetched_by=who, unit=w.outlet_a, start=clock.today(), end=clock.today()
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_b,
    ),
]

EXEMPT = {
    S
    + "survey_responses_taken": "which of the given response ids are stored already: the import checks its own "
    "file with it before writing and learns nothing but ids it supplied",
    Q + "evaluation_rate": "pure arithmetic on counts a selector already read",
    Q + "satisfaction": "pure arithmetic on counts a selector already read",
    Q + "nps": "pure arithmetic on scores a selector already read",
    Q + "csat": "pure arithmetic on scores a selector already read",
    Q + "feedback_by_link": "the customer's private reply link is the credential (a 32-byte random token)",
    Q + "public_outlets": "the public feedback box: outlet names are public facts",
    Q + "public_outlet": "the public feedback box: outlet names are public facts",
    Q + "public_services": "the public feedback box: an outlet's business types are public facts",
}
