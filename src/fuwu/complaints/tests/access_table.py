"""Access table rows for every public complaints service and selector (see fuwu.core.testing.access).

The world's case is at outlet OA. Holders: the complaint handler of tier-2 T2 (above OA), OA's head and
teller; "without": a trainer or a staff member without roles at OA; outsiders: the same roles at outlet OX
(another tier-1 branch), who must get NotFound.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fuwu.complaints import selectors, services
from fuwu.complaints.services.codes import CodeRow
from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.core.testing.access import AccessCase

S = "fuwu.complaints.services."
Q = "fuwu.complaints.selectors."


def _handler(w: Any) -> Any:
    if not hasattr(w, "handler"):
        w.handler = w.person("handler_t2", w.t2, roles.COMPLAINT_HANDLER)
    return w.handler


def _handler_x(w: Any) -> Any:
    return w.person("handler_x", w.outlet_x, roles.COMPLAINT_HANDLER)


def _head_x(w: Any) -> Any:
    return w.person("head_x", w.outlet_x, roles.OUTLET_HEAD)


def _teller_x(w: Any) -> Any:
    return w.person("teller_x", w.outlet_x, roles.TELLER)


def _trainer_a(w: Any) -> Any:
    return w.person("trainer_a", w.outlet_a, roles.TRAINER)


def _trainer_x(w: Any) -> Any:
    return w.person("trainer_x", w.outlet_x, roles.TRAINER)


def _nobody_a(w: Any) -> Any:
    return w.person("nobody_a", w.outlet_a)


def _register(w: Any, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "outlet": w.outlet_a,
        "source": "counter",
        "content": "柜员办理转账时态度冷淡，让我等了四十分钟也不解释原因。",
        "complainant_name": "刘建华",
        "channel_code": "01",
        "category_code": "04",
        "reason_code": "01",
        "phone": "13812345678",
    }
    fields.update(extra)
    return services.complaint_register(actor=SYSTEM, **fields)


def _case(w: Any) -> None:
    w.case = _register(w)
    _handler(w)


def _assigned(w: Any) -> None:
    _case(w)
    services.complaint_assign(actor=SYSTEM, complaint=w.case, handler=w.handler)


def _investigated(w: Any) -> None:
    _assigned(w)
    services.complaint_investigate(actor=w.handler, complaint=w.case, root_cause="高峰期人手不足")


def _decided(w: Any) -> None:
    _investigated(w)
    services.complaint_decide(
        actor=w.handler, complaint=w.case, facts="属实", basis="规范第5条", remedy="致歉"
    )


def _replied(w: Any) -> None:
    _decided(w)
    services.complaint_reply(actor=w.handler, complaint=w.case, method="phone", text="已致歉")


def _paused(w: Any) -> None:
    _assigned(w)
    services.complaint_pause(actor=w.handler, complaint=w.case, reason="笔迹鉴定", customer_notified=True)


def _extension(w: Any) -> None:
    _assigned(w)
    w.extension = services.complaint_extension_request(actor=w.handler, complaint=w.case, reason="需调取录像")


def _under_review(w: Any) -> None:
    _replied(w)
    services.complaint_request_review(actor=w.teller_a, complaint=w.case, reason="不服")


def _remediated(w: Any) -> None:
    _decided(w)
    services.remediation_create(
        actor=w.handler, complaint=w.case, action="增开窗口", owner=w.head_a, due_date=dt.date(2099, 1, 1)
    )


def _alerted(w: Any) -> None:
    w.case = _register(w, severity="major")
    w.alert = w.case.alerts.get(org_unit=w.outlet_a)


def _typical(w: Any) -> None:
    _replied(w)
    services.typical_case_create(actor=w.handler, complaint=w.case, polarity="negative", title="等候未解释")


# A one-pixel PNG: the smallest real photo a case can keep.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _documented(w: Any) -> None:
    _case(w)
    w.document = services.attachment_add(actor=_handler(w), complaint=w.case, name="photo.png", content=PNG)


def _feedback(w: Any) -> None:
    from fuwu.feedback.services import feedback_submit

    w.item, _token = feedback_submit(
        actor=SYSTEM, outlet=w.outlet_a, text="网点排队太久，柜员态度冷淡，没有人解释原因。", client="1.2.3.4"
    )


def _categories() -> list[tuple[str, str]]:
    from fuwu.complaints.models import ClassificationCode

    return list(ClassificationCode.objects.filter(dimension="category").values_list("code", "name"))


def _customer(w: Any) -> None:
    from fuwu.customers.services import customer_create

    customer_create(actor=SYSTEM, customer_no="C1", name="孙秀英", home_outlet=w.outlet_a)


CASES = [
    # --- services --------------------------------------------------------------------------------------
    AccessCase(
        S + "complaint_register",
        call=lambda w, who: services.complaint_register(
            actor=who,
            outlet=w.outlet_a,
            source="counter",
            content="排队太久",
            complainant_name="王",
            channel_code="01",
            category_code="04",
            reason_code="01",
        ),
        holder=lambda w: w.teller_a,
        without=_trainer_a,
        outsider=_teller_x,
    ),
    AccessCase(
        S + "complaint_assign",
        setup=_case,
        call=lambda w, who: services.complaint_assign(actor=who, complaint=w.case, handler=w.handler),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        S + "complaint_investigate",
        setup=_assigned,
        call=lambda w, who: services.complaint_investigate(
            actor=who, complaint=w.case, root_cause="人手不足"
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_extension_request",
        setup=_assigned,
        call=lambda w, who: services.complaint_extension_request(actor=who, complaint=w.case, reason="复杂"),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_extension_decide",
        setup=_extension,
        call=lambda w, who: services.complaint_extension_decide(
            actor=who, extension=w.extension, approve=True, customer_notified=True
        ),
        holder=lambda w: w.head_a,
        without=lambda w: w.teller_a,
        outsider=_head_x,
    ),
    AccessCase(
        S + "complaint_pause",
        setup=_assigned,
        call=lambda w, who: services.complaint_pause(
            actor=who, complaint=w.case, reason="笔迹鉴定", customer_notified=True
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_resume",
        setup=_paused,
        call=lambda w, who: services.complaint_resume(actor=who, complaint=w.case),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_withdraw",
        setup=_assigned,
        call=lambda w, who: services.complaint_withdraw(actor=who, complaint=w.case, reason="撤诉"),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_decide",
        setup=_investigated,
        call=lambda w, who: services.complaint_decide(
            actor=who, complaint=w.case, facts="属实", basis="规范"
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_reply",
        setup=_decided,
        call=lambda w, who: services.complaint_reply(
            actor=who, complaint=w.case, method="phone", text="已答复"
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_revisit",
        setup=_replied,
        call=lambda w, who: services.complaint_revisit(actor=who, complaint=w.case, satisfaction="satisfied"),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_request_review",
        setup=_replied,
        call=lambda w, who: services.complaint_request_review(actor=who, complaint=w.case, reason="不服"),
        holder=lambda w: w.teller_a,
        without=_trainer_a,
        outsider=_teller_x,
    ),
    AccessCase(
        S + "complaint_review_decide",
        setup=_under_review,
        call=lambda w, who: services.complaint_review_decide(
            actor=who, complaint=w.case, facts="维持", basis="办法"
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_reclassify",
        setup=_assigned,
        call=lambda w, who: services.complaint_reclassify(
            actor=who,
            complaint=w.case,
            channel_code="01",
            category_code="04",
            reason_code="01",
            severity="complex",
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "remediation_create",
        setup=_decided,
        call=lambda w, who: services.remediation_create(
            actor=who, complaint=w.case, action="增开窗口", owner=w.head_a, due_date=dt.date(2099, 1, 1)
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "typical_case_create",
        setup=_replied,
        call=lambda w, who: services.typical_case_create(
            actor=who, complaint=w.case, polarity="negative", title="等候未解释"
        ),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "alert_acknowledge",
        setup=_alerted,
        call=lambda w, who: services.alert_acknowledge(actor=who, alert=w.alert),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_teller_x,
    ),
    AccessCase(
        S + "code_table_replace",
        call=lambda w, who: services.code_table_replace(
            actor=who, rows=[CodeRow(2, "category", code, name) for code, name in _categories()]
        ),
        holder=lambda w: SYSTEM,
        without=lambda w: w.hq_manager,
    ),
    AccessCase(
        S + "deadlines_sweep",
        setup=_case,
        call=lambda w, who: services.deadlines_sweep(actor=who),
        holder=lambda w: SYSTEM,
        without=lambda w: w.teller_a,
    ),
    # --- selectors -------------------------------------------------------------------------------------
    AccessCase(
        Q + "complaints",
        setup=_case,
        call=lambda w, who: selectors.complaints(fetched_by=who),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
        hides=lambda w, rows: w.case not in rows,
    ),
    AccessCase(
        Q + "complaint",
        setup=_case,
        call=lambda w, who: selectors.complaint(fetched_by=who, pk=w.case.pk),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
    ),
    AccessCase(
        Q + "extension",
        setup=_extension,
        call=lambda w, who: selectors.extension(fetched_by=who, pk=w.extension.pk),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
    ),
    AccessCase(
        Q + "alerts",
        setup=_alerted,
        call=lambda w, who: selectors.alerts(fetched_by=who),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
        hides=lambda w, rows: w.alert not in rows,
    ),
    AccessCase(
        Q + "alert",
        setup=_alerted,
        call=lambda w, who: selectors.alert(fetched_by=who, pk=w.alert.pk),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
    ),
    AccessCase(
        Q + "typical_cases",
        setup=_typical,
        call=lambda w, who: selectors.typical_cases(fetched_by=who),
        holder=_trainer_a,
        without=_nobody_a,
        outsider=_trainer_x,
        hides=lambda w, rows: not any(c.complaint_id == w.case.pk for c in rows),
    ),
    AccessCase(
        Q + "codes",
        call=lambda w, who: selectors.codes(fetched_by=who, dimension="channel"),
        holder=lambda w: w.teller_a,
        without=_nobody_a,
    ),
    AccessCase(
        Q + "code_names",
        call=lambda w, who: selectors.code_names(fetched_by=who),
        holder=lambda w: w.teller_a,
        without=_nobody_a,
    ),
    AccessCase(
        Q + "handlers_for",
        setup=_case,
        call=lambda w, who: selectors.handlers_for(fetched_by=who, complaint=w.case),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
    ),
    AccessCase(
        Q + "remediations",
        setup=_remediated,
        call=lambda w, who: selectors.remediations(fetched_by=who, complaint=w.case),
        holder=_handler,
        without=_trainer_a,
        outsider=_handler_x,
        hides=lambda w, rows: not rows,
    ),
    AccessCase(
        Q + "staff_member",
        call=lambda w, who: selectors.staff_member(fetched_by=who, staff_code="TELLER_A"),
        holder=lambda w: w.head_a,
        without=_nobody_a,
        outsider=_handler_x,
    ),
    AccessCase(
        Q + "customer",
        setup=_customer,
        call=lambda w, who: selectors.customer(fetched_by=who, customer_no="C1"),
        holder=lambda w: w.teller_a,
        without=_nobody_a,
        outsider=_teller_x,
    ),
    AccessCase(
        Q + "unit",
        call=lambda w, who: selectors.unit(fetched_by=who, code="OA"),
        holder=lambda w: w.teller_a,
        without=_nobody_a,
        outsider=_teller_x,
    ),
    AccessCase(
        S + "attachment_add",
        setup=_case,
        call=lambda w, who: services.attachment_add(actor=who, complaint=w.case, name="p.png", content=PNG),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "attachment_download",
        setup=_documented,
        call=lambda w, who: services.attachment_download(actor=who, attachment=w.document),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_head_x,
    ),
    AccessCase(
        S + "letter_render",
        setup=_decided,
        call=lambda w, who: services.letter_render(actor=who, complaint=w.case, kind="decision"),
        holder=_handler,
        without=lambda w: w.teller_a,
        outsider=_handler_x,
    ),
    AccessCase(
        S + "complaint_from_feedback",
        setup=_feedback,
        call=lambda w, who: services.complaint_from_feedback(actor=who, item=w.item),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "timeline",
        setup=_documented,
        call=lambda w, who: selectors.timeline(fetched_by=who, complaint=w.case),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "attachment",
        setup=_documented,
        call=lambda w, who: selectors.attachment(fetched_by=who, pk=w.document.pk),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_head_x,
    ),
    AccessCase(
        Q + "default_handler",
        setup=_case,
        call=lambda w, who: selectors.default_handler(fetched_by=who, complaint=w.case),
        holder=lambda w: w.head_a,
        without=_trainer_a,
        outsider=_handler_x,
    ),
]

EXEMPT = {
    Q + "readable": "narrows a queryset the calling selector (or stats read) already checked and scoped",
}
