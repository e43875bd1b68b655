"""Access table rows for the appraisal services and selectors (see fuwu.core.testing.access)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.appraisal import selectors, services
from fuwu.appraisal.models import BriefingJob, Scorecard
from fuwu.core import clock, roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase

S = "fuwu.appraisal.services."
Q = "fuwu.appraisal.selectors."


def _nobody(w: Any) -> Any:
    """Staff of branch T2 with no role at all."""
    return w.person("norole", w.t2)


def _far_head(w: Any) -> Any:
    """An outlet head of another branch (OX under T1X)."""
    return w.person("head_x", w.outlet_x, roles.OUTLET_HEAD)


def _card(w: Any) -> None:
    w.card = services.scorecard_create(actor=SYSTEM, level="outlet", name="网点服务考核")
    w.item = services.scorecard_item_add(
        actor=SYSTEM, scorecard=w.card, measure="satisfaction", rule="target", target=90.0
    )
    services.scorecard_weight_set(actor=SYSTEM, item=w.item, effective_from=dt.date(2026, 1, 1), weight=40)


def _job(w: Any) -> None:
    w.job = BriefingJob.objects.create(unit=w.t2, quarter="2026-Q3", requested_at=clock.now())


def _job_with_file(w: Any) -> None:
    _job(w)
    folder = services.briefing_folder(w.job)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "briefing-T2-2026-Q3.xlsx").write_bytes(b"x")
    BriefingJob.objects.filter(pk=w.job.pk).update(files=["briefing-T2-2026-Q3.xlsx"], status="done")


def _round(w: Any) -> None:
    from fuwu.appraisal.tests.factories import rollup

    rollup(w.outlet_a, dt.date(2026, 10, 9), cut="staff", key=str(w.teller_a.pk), evaluated=20, satisfied=19)
    w.round = services.star_round_open(actor=SYSTEM, outlet=w.outlet_a, month="2026-10")


def _submitted(w: Any) -> None:
    _round(w)
    services.star_submit(actor=SYSTEM, round=w.round)


def _approved(w: Any) -> None:
    _submitted(w)
    services.star_approve(actor=SYSTEM, round=w.round)


def _sup(w: Any) -> Any:
    return w.person("sup_t2", w.t2, roles.SUPERVISOR)


def _far_sup(w: Any) -> Any:
    return w.person("sup_x", w.t1x, roles.SUPERVISOR)


CASES = [
    AccessCase(
        S + "scorecard_create",
        call=lambda w, who: services.scorecard_create(actor=who, level="tier2", name="二级分行考核"),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "scorecard_item_add",
        setup=_card,
        call=lambda w, who: services.scorecard_item_add(
            actor=who, scorecard=w.card, measure="avg_wait", rule="target", target=10.0
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "scorecard_weight_set",
        setup=_card,
        call=lambda w, who: services.scorecard_weight_set(
            actor=who, item=w.item, effective_from=dt.date(2026, 7, 1), weight=30
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "scorecard_item_remove",
        setup=_card,
        call=lambda w, who: services.scorecard_item_remove(actor=who, item=w.item),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "briefing_request",
        call=lambda w, who: services.briefing_request(actor=who, unit=w.t2, quarter="2026-Q3"),
        holder=lambda w: w.hq_manager,
        without=_nobody,
        outsider=_far_head,
    ),
    AccessCase(
        S + "briefing_run",
        setup=_job,
        call=lambda w, who: services.briefing_run(actor=who, job=w.job),
        holder=lambda w: w.hq_manager,
        without=_nobody,
        outsider=_far_head,
    ),
    AccessCase(
        Q + "scorecards",
        setup=_card,
        call=lambda w, who: selectors.scorecards(who),
        holder=lambda w: w.teller_a,
        without=_nobody,
        also=(Q + "scorecard_for_level",),
    ),
    AccessCase(
        Q + "scorecard_item",
        setup=_card,
        call=lambda w, who: selectors.scorecard_item(who, w.item.pk),
        holder=lambda w: w.teller_a,
        without=_nobody,
    ),
    AccessCase(
        Q + "scorecard",
        setup=_card,
        call=lambda w, who: selectors.scorecard(who, w.card.pk),
        holder=lambda w: w.teller_a,
        without=_nobody,
    ),
    AccessCase(
        Q + "ranking",
        setup=_card,
        call=lambda w, who: selectors.ranking(
            who, scorecard=Scorecard.objects.get(pk=w.card.pk), period_label="2026-Q3", within=w.t2
        ),
        holder=lambda w: w.hq_manager,
        without=_nobody,
        outsider=_far_head,
    ),
    AccessCase(
        Q + "briefing_jobs",
        setup=_job,
        call=lambda w, who: selectors.briefing_jobs(who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=_far_head,
        hides=lambda w, result: w.job not in result,
    ),
    AccessCase(
        Q + "briefing_job",
        setup=_job,
        call=lambda w, who: selectors.briefing_job(who, w.job.pk),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.person("sup_t2_teller", w.t2, roles.TELLER),
        outsider=_far_head,
    ),
    AccessCase(
        Q + "briefing_file",
        setup=_job_with_file,
        call=lambda w, who: selectors.briefing_file(who, job_id=w.job.pk, name="briefing-T2-2026-Q3.xlsx"),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.person("t2_teller", w.t2, roles.TELLER),
        outsider=_far_head,
    ),
    AccessCase(
        Q + "briefing_units",
        call=lambda w, who: selectors.briefing_units(who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
        outsider=_far_head,
        hides=lambda w, result: w.t2 not in result,
    ),
]

CASES += [
    AccessCase(
        S + "star_policy_set",
        call=lambda w, who: services.star_policy_set(
            actor=who,
            effective_from=dt.date(2026, 11, 1),
            upheld_action="deduct",
            deduction=20,
            critical_action="deduct",
            critical_deduction=30,
            min_evaluations=5,
            nomination_bonus=5,
            compliment_points=4,
            max_compliments=2,
            stars_per_outlet=1,
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "star_round_open",
        call=lambda w, who: services.star_round_open(actor=who, outlet=w.outlet_a, month="2026-10"),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_far_head,
    ),
    AccessCase(
        S + "star_round_rank",
        setup=_round,
        call=lambda w, who: services.star_round_rank(actor=who, round=w.round),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_far_head,
    ),
    AccessCase(
        S + "star_nominate",
        setup=_round,
        call=lambda w, who: services.star_nominate(
            actor=who, round=w.round, staff=w.teller_a, reason="热情周到"
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_far_head,
    ),
    AccessCase(
        S + "star_submit",
        setup=_round,
        call=lambda w, who: services.star_submit(actor=who, round=w.round),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_far_head,
    ),
    AccessCase(
        S + "star_approve",
        setup=_submitted,
        call=lambda w, who: services.star_approve(actor=who, round=w.round),
        holder=_sup,
        without=lambda w: w.head_a,
        outsider=_far_sup,
    ),
    AccessCase(
        S + "star_send_back",
        setup=_submitted,
        call=lambda w, who: services.star_send_back(actor=who, round=w.round),
        holder=_sup,
        without=lambda w: w.head_a,
        outsider=_far_sup,
    ),
    AccessCase(
        Q + "star_rounds",
        setup=_round,
        call=lambda w, who: selectors.star_rounds(who),
        holder=lambda w: w.teller_a,
        without=_nobody,
        outsider=_far_head,
        hides=lambda w, result: w.round not in result,
    ),
    AccessCase(
        Q + "star_round",
        setup=_round,
        call=lambda w, who: selectors.star_round(who, w.round.pk),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("norole_a", w.outlet_a),
        outsider=_far_head,
    ),
    AccessCase(
        Q + "star_candidates",
        setup=_round,
        call=lambda w, who: selectors.star_candidates(who, w.round),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("norole_a", w.outlet_a),
        outsider=_far_head,
    ),
    AccessCase(
        Q + "star_wall",
        setup=_approved,
        call=lambda w, who: selectors.star_wall(who),
        holder=lambda w: w.teller_a,
        without=lambda w: w.person("norole_a", w.outlet_a),
        outsider=_far_head,
        hides=lambda w, result: not any(c.round_id == w.round.pk for c in result),
    ),
    AccessCase(
        Q + "star_policy",
        call=lambda w, who: selectors.star_policy(who, month="2026-10"),
        holder=lambda w: w.teller_a,
        without=_nobody,
    ),
    AccessCase(
        Q + "star_policies",
        call=lambda w, who: selectors.star_policies(who),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.teller_a,
    ),
]


def _peer(w: Any) -> None:
    w.peer = services.peer_figure_set(
        actor=SYSTEM, bank="工商银行", year=2023, measure="lobby_staff_per_outlet", value=1.25, source="年报"
    )


CASES += [
    AccessCase(
        S + "peer_figure_set",
        call=lambda w, who: services.peer_figure_set(
            actor=who, bank="农业银行", year=2023, measure="lobby_staff_per_outlet", value=0.94, source="年报"
        ),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        S + "peer_figure_delete",
        setup=_peer,
        call=lambda w, who: services.peer_figure_delete(actor=who, figure=w.peer),
        holder=lambda w: w.hq_manager,
        without=lambda w: w.head_a,
    ),
    AccessCase(
        Q + "peer_figures",
        setup=_peer,
        call=lambda w, who: selectors.peer_figures(who),
        holder=lambda w: w.auditor,
        without=lambda w: w.teller_a,
        also=(Q + "benchmark",),
    ),
]

EXEMPT = {
    Q + "specs": "pure: a scorecard's lines as scored in a period (the caller already read the scorecard)",
    S + "briefing_folder": "pure path helper: where a job's files live (no read, no write)",
}
