"""The full PII crawl (#18): ten spellings of one phone and one ID number in every free-text field, then
every page, API read, export and log line, as every role: nobody reads one of them unmasked.

The numbers go in through the services (the write path people use): complaint text, demand, product and
complainant, the handler's findings, decision, reply and revisit note, feedback text and contact name with
the staff reply and the follow-up note, the assistant chat and the staff answer in it, a complaint document's
note, a supervisor's finding and observation, an approval's title and comment, a trainee's short answer and
its grading feedback, a star nomination's reason, a peer figure's source and note, a target's note, the
address and payee typed into a customer form, an inspection template's description, item text, guidance
and change note, a call transcript, labelled sentiment text, and a knowledge entry's question, answer and
paraphrases and change note. Also: a course's title and description, its material's title and uploaded file
name, a session's place, an exam's title, a question's text and explanation; the file names of complaint and
approval attachments; an appointment's customer name; a typical case's title and lesson; a review request's,
an extension's and a pause's reason; a remediation task and its accountability note; the evaluation pad's
comment; a survey file's name, provider and comments; the ledger's evidence and reopening note. Knowledge text
is published and nobody holds a right to read a personal number in it, so it
is masked on save for every reader (a number there is a content error, not data to reveal). Then each role walks
every URL pattern (path parameters filled with the planted objects) and every link those pages offer one
level deep (which is how the exports are found: CSV, Excel and PDF are read as text), every GET
operation of the API, and the pre-filled customer forms (page and API), which only presenting the ID reaches;
the transfer's payee shown there was confirmed with the page's own token. A superuser reads every admin change
list (an appointment's customer name shows nowhere else). A call transcript shows only as the excerpt around
a forbidden phrase, so each spelling is planted beside one. The log is the console handler's own output (the
one with the PII filter).

Roles with the reveal right (complaint handler, auditor) are held to the same bar: GET never reveals; the
full value comes only from the audited POST reveal, checked last.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fuwu.api import api
from fuwu.appraisal import services as appraisal_services
from fuwu.approvals import services as approval_services
from fuwu.approvals.tests import factories as approval_factories
from fuwu.complaints import services as complaint_services
from fuwu.conftest import World
from fuwu.core import pii, roles
from fuwu.core.models import AuditEvent, User
from fuwu.core.principals import SYSTEM, DevicePrincipal, system
from fuwu.core.services import device_token_authenticate
from fuwu.core.tests.test_pii import SPELLINGS
from fuwu.customers import services as customer_services
from fuwu.customers.services import customer_create
from fuwu.feedback import services as feedback_services
from fuwu.feedback.models import FollowUp
from fuwu.feedback.tests import factories as feedback_factories
from fuwu.floor import services as floor_services
from fuwu.floor.tests import factories as floor_factories
from fuwu.inspections import services as inspection_services
from fuwu.inspections.models import Inspection
from fuwu.inspections.tests import factories as inspection_factories
from fuwu.knowledge import services as knowledge_services
from fuwu.measures import services as measure_services
from fuwu.training import services as training_services
from fuwu.training.tests import factories as training_factories

pytestmark = pytest.mark.django_db

# What masking hides: 139****5678 keeps neither "1391234" nor, in 110***********3015, "19850612". Any
# spelling (spaces, hyphens, full width) is brought to plain digits before looking for them.
PHONE_CORE, ID_CORE = "1391234", "19850612"
PLANT = "态度很差，非常不满意，投诉！号码：" + "；".join(s for s, _masked in SPELLINGS)
_WIDE = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\-\u00a0\u3000+]+(?=\d)")

# Not pages a role reads: the admin is for superusers only (its change lists are read as one, below); logout ends the crawl's session; the
# reveal endpoints are the audited way to the full value (checked on their own at the end); the API
# is read operation by operation from its schema.
SKIP = re.compile(r"^/(admin|static|media|i18n|logout|api/)|/reveal|/logout")
MAX_PER_ROLE = 400


def unmasked(text: str) -> list[str]:
    """Each unmasked core found, with the text before it (which field it is)."""
    flat = _BETWEEN_DIGITS.sub("", text.translate(_WIDE))
    found = ((core, flat.find(core)) for core in (PHONE_CORE, ID_CORE))
    return [f"{core} after {' '.join(flat[max(0, at - 60) : at].split())!r}" for core, at in found if at >= 0]


@dataclass
class Planted:
    complaint: Any
    items: list[Any]
    tokens: list[str]
    follow_up: Any
    conversation: Any
    customer: Any
    path_values: dict[str, str] = field(default_factory=dict)


def _cast(world: World) -> dict[str, Any]:
    cast = {
        roles.LOBBY: world.person("lobby_a", world.outlet_a, roles.LOBBY),
        roles.TELLER: world.teller_a,
        roles.RM: world.person("rm_a", world.outlet_a, roles.RM),
        roles.OUTLET_HEAD: world.head_a,
        roles.COMPLAINT_HANDLER: world.person("handler_t2", world.t2, roles.COMPLAINT_HANDLER),
        roles.SUPERVISOR: world.person("supervisor_t1", world.t1, roles.SUPERVISOR),
        roles.CC_MANAGER: world.person("cc_ho", world.ho, roles.CC_MANAGER),
        roles.TRAINER: world.person("trainer_t1", world.t1, roles.TRAINER),
        roles.HQ_MANAGER: world.hq_manager,
        roles.AUDITOR: world.auditor,
    }
    assert set(cast) == roles.ROLE_CODES
    return cast


def _plant(world: World, cast: dict[str, Any]) -> Planted:
    handler = cast[roles.COMPLAINT_HANDLER]
    customer = customer_create(
        actor=SYSTEM,
        customer_no="C18",
        name="刘建华",
        home_outlet=world.outlet_a,
        phone="13912345678",
        id_number="110108198506123015",
    )
    complaint = complaint_services.complaint_register(
        actor=world.teller_a,
        outlet=world.outlet_a,
        source="counter",
        complainant_name="刘先生" + SPELLINGS[0][0],
        content=PLANT,
        demand=PLANT,
        product=("理财" + "、".join(s for s, _m in SPELLINGS))[:100],
        channel_code="01",
        category_code="04",
        reason_code="01",
        phone="13912345678",
        customer=customer,
    )
    complaint_services.complaint_assign(actor=world.head_a, complaint=complaint, handler=handler)
    complaint_services.complaint_investigate(actor=handler, complaint=complaint, root_cause=PLANT)
    complaint_services.complaint_decide(
        actor=handler, complaint=complaint, facts=PLANT, basis=PLANT, remedy=PLANT, upheld=True
    )
    complaint_services.complaint_reply(actor=handler, complaint=complaint, method="phone", text=PLANT)
    complaint_services.complaint_revisit(
        actor=handler, complaint=complaint, satisfaction="satisfied", note=PLANT
    )
    items, tokens = [], []
    for n, (spelling, _masked) in enumerate(SPELLINGS):
        item, raw = feedback_services.feedback_submit(
            actor=SYSTEM,
            outlet=world.outlet_a,
            text=PLANT,
            client=f"10.18.0.{n}",
            contact_name=("王" + spelling)[:40],
            phone="13912345678",
        )
        items.append(item)
        tokens.append(raw)
    feedback_services.feedback_reply(actor=world.head_a, item=items[0], text=PLANT)
    follow_up = FollowUp.objects.filter(feedback=items[0]).get()
    feedback_services.follow_up_close(actor=world.head_a, follow_up=follow_up, outcome="resolved", note=PLANT)
    turn = knowledge_services.conversation_ask(
        actor=system("assistant"), question="转人工 " + PLANT, outlet_code="OA"
    )
    knowledge_services.conversation_reply(actor=world.head_a, conversation=turn.conversation, text=PLANT)
    # A supervisor's finding and observation note, and an approver's comment: staff free text too.
    supervisor = inspection_factories.setup(world).sup
    inspection = inspection_services.inspection_start_adhoc(
        actor=supervisor, outlet=world.outlet_a, template_code="SBZ", kind="onsite"
    )
    inspection_factories.fill(world, inspection, fail={"SBZ-2"})
    failed = next(i for i in inspection_factories.items(inspection) if i.code == "SBZ-2")
    inspection_services.response_save(
        actor=supervisor, inspection=inspection, item_id=failed.pk, result="fail", note=PLANT
    )
    inspection_services.inspection_observe(
        actor=supervisor, inspection=inspection, staff_id=None, position=None, note=PLANT
    )
    inspection_services.inspection_submit(actor=supervisor, inspection=inspection)
    approval_factories.small_loan()
    started = approval_factories.start(world, "50000")
    approval_services.step_approve(
        actor=cast[roles.RM], step=approval_factories.active(started), comment=PLANT
    )
    more = _plant_more(world, cast, complaint)
    # A case whose title quotes the numbers (the approved one above carries them in its comment).
    approval_services.case_start(
        actor=world.teller_a, process_code="LOAN", outlet=world.outlet_a, title=PLANT, amount=Decimal("50000")
    )
    planted = Planted(complaint, items, tokens, follow_up, turn.conversation, customer)
    planted.path_values = {
        "complaints/<int:pk>": str(complaint.pk),
        "item_pk": str(items[0].pk),
        "feedback/inbox/<int:pk>": str(items[0].pk),
        "feedback/follow-ups/<int:pk>": str(follow_up.pk),
        "knowledge/queue/<int:pk>": str(turn.conversation.pk),
        "inspections/<int:pk>": str(inspection.pk),
        "approvals/<int:pk>": str(started.pk),
        "/inspections/{pk}": str(inspection.pk),
        "/approvals/cases/{pk}": str(started.pk),
        "customer_no": customer.customer_no,
        "outlet_code": "OA",
        "token": tokens[0],
        "fmt": "csv",
        "kind": "decision",
        "/complaints/{pk}": str(complaint.pk),
        "/knowledge/conversations/{token}": turn.conversation.token,
        "/my-ticket/{token}": tokens[0],
        **more,
    }
    return planted


def _plant_more(world: World, cast: dict[str, Any], complaint: Any) -> dict[str, str]:
    """The staff-written free text beyond complaints and feedback: one call per field, through its service.

    Returns the path values of the pages that show them.
    """
    handler, head = cast[roles.COMPLAINT_HANDLER], world.head_a
    complaint_services.attachment_add(
        actor=handler, complaint=complaint, name="letter.jpg", content=inspection_factories.jpeg(), note=PLANT
    )
    # An upload keeps the name the customer gave the file, and people name files after themselves.
    for spelling, _masked in SPELLINGS:
        complaint_services.attachment_add(
            actor=handler,
            complaint=complaint,
            name=f"来信{spelling}.jpg",
            content=inspection_factories.jpeg(),
        )
    # Training: a trainee's short answer quoting the customer, and the grader's feedback on it.
    training_factories.bank()
    training_services.question_save(
        actor=SYSTEM,
        code="S18",
        category="简答",
        kind="short",
        text="客户留下号码时怎么办？" + PLANT,
        explanation=PLANT,
        points=2,
    )
    course = training_factories.course(world, code="PII", kind="skills", title=PLANT[:200], description=PLANT)
    exam = training_services.exam_create(actor=SYSTEM, course=course, title=PLANT[:200], draw={"简答": 1})
    training_services.material_add(
        actor=SYSTEM,
        course=course,
        title=PLANT[:200],
        file=ContentFile(b"%PDF-1.4\n", name=f"{PLANT[:80]}.pdf"),
    )
    session = training_services.session_create(
        actor=SYSTEM,
        course=course,
        org_unit=world.outlet_a,
        trainer=cast[roles.TRAINER],
        starts_at=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 4, 1, 11, tzinfo=dt.UTC),
        place=PLANT[:200],
    )
    attempt = training_services.attempt_start(actor=world.teller_a, exam=exam, rng=training_factories.rng())
    training_services.attempt_submit(
        actor=world.teller_a,
        attempt=attempt,
        answers={item.position: {"text": PLANT} for item in attempt.items.all()},
    )
    training_services.attempt_grade(
        actor=cast[roles.TRAINER], attempt=attempt, position=1, awarded=1, feedback=PLANT
    )
    # Appraisal: a star nomination's reason; a peer bank's figure with its source and note.
    round_ = appraisal_services.star_round_open(actor=head, outlet=world.outlet_a, month="2026-03")
    appraisal_services.star_nominate(actor=head, round=round_, staff=world.teller_a, reason=PLANT[:200])
    appraisal_services.peer_figure_set(
        actor=SYSTEM,
        bank="某同业",
        year=2025,
        measure="avg_wait",
        value=5.0,
        source=PLANT[:200],
        note=PLANT[:200],
    )
    measure_services.target_set(
        actor=SYSTEM,
        measure="avg_wait",
        unit=world.outlet_a,
        baseline=10.0,
        value=4.0,
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 12, 31),
        note=PLANT[:200],
    )
    # Customer forms: the address a customer gives, and a transfer's payee.
    for kind, values in (("address_change", {"address": PLANT[:200]}), ("transfer", {"payee_name": PLANT})):
        customer_services.form_submit(
            actor=world.teller_a,
            outlet=world.outlet_a,
            kind=kind,
            values=values,
            id_number=ID_NUMBER,
        )
    # Knowledge: an entry's question, answer and paraphrases; a call transcript; labelled training text.
    entry = knowledge_services.entry_create(
        actor=SYSTEM,
        data=knowledge_services.EntryData(
            kind="faq",
            question="号码挂失 " + SPELLINGS[0][0],
            answer_html=f"<p>{PLANT}</p>",
            visibility="public",
            paraphrases=tuple(f"挂失 {s}" for s, _m in SPELLINGS),
        ),
        note=PLANT[:200],
    )
    knowledge_services.paraphrase_add(actor=SYSTEM, entry=entry, text="我的号码 " + SPELLINGS[3][0])
    knowledge_services.transcripts_record(
        actor=SYSTEM,
        rows=[
            knowledge_services.TranscriptRow(
                "CALL18",
                None,
                "A18",
                world.outlet_a,
                dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC),
                # A transcript is shown only as the excerpt around a forbidden phrase: one beside each spelling.
                "。".join(f"不知道，号码{spelling}" for spelling, _m in SPELLINGS),
            )
        ],
    )
    knowledge_services.sentiment_labels_add(actor=SYSTEM, rows=[(PLANT, "negative")])
    # Inspections: a template's description, item text and guidance, and its change note.
    inspection_services.template_version_create(
        actor=SYSTEM,
        code="PII",
        name="隐私检查",
        description=PLANT,
        items=[inspection_services.ItemSpec(section="一", code="PII-1", text=PLANT, guidance=PLANT)],
        note=PLANT[:200],
    )
    return {
        **_plant_rest(world, cast, complaint),
        "training/courses/<int:pk>": str(course.pk),
        "training/sessions/<int:pk>": str(session.pk),
        "training/attempts/<int:pk>": str(attempt.pk),
        "round_id": str(round_.pk),
        "knowledge/entries/<int:pk>": str(entry.pk),
    }


def _plant_rest(world: World, cast: dict[str, Any], complaint: Any) -> dict[str, str]:
    """File names, the typical-case library, the complaint's later steps, the pad, surveys, appointments and
    the rectification ledger (#18 review): each free-text field a person types, through its service."""
    handler, head = cast[roles.COMPLAINT_HANDLER], world.head_a
    # The complaint library: a remediation task, a typical case (de-identified, planted anyway), a review.
    complaint_services.remediation_create(
        actor=handler,
        complaint=complaint,
        action=PLANT,
        owner=head,
        due_date=dt.date(2099, 1, 1),
        accountable_staff=world.teller_a,
        accountability_note=PLANT,
    )
    complaint_services.typical_case_create(
        actor=handler, complaint=complaint, polarity="negative", title=PLANT[:100], lesson=PLANT
    )
    complaint_services.complaint_request_review(actor=world.teller_a, complaint=complaint, reason=PLANT)
    # A second case, still open: an extension's reason and a pause's reason.
    second = complaint_services.complaint_register(
        actor=world.teller_a,
        outlet=world.outlet_a,
        source="counter",
        complainant_name="刘先生",
        content="排队太久",
        channel_code="01",
        category_code="04",
        reason_code="01",
    )
    complaint_services.complaint_assign(actor=head, complaint=second, handler=handler)
    complaint_services.complaint_extension_request(actor=handler, complaint=second, reason=PLANT)
    complaint_services.complaint_pause(actor=handler, complaint=second, reason=PLANT, customer_notified=True)
    # An approval's attachments, named by the applicant.
    case = approval_services.case_start(
        actor=world.teller_a,
        process_code="LOAN",
        outlet=world.outlet_a,
        title="贷款",
        amount=Decimal("50000"),
    )
    for spelling, _masked in SPELLINGS:
        approval_services.attachment_add(
            actor=world.teller_a,
            case=case,
            file=ContentFile(b"%PDF-1.4\n"),
            name=f"身份证{spelling}.pdf",
        )
    # The evaluation pad's comment, a survey file's name and its comments.
    counter = floor_factories.floor(world.outlet_a)["high1"]
    token = device_token_authenticate(feedback_factories.pad_token(world.outlet_a, counter.code))
    assert token is not None
    ticket = feedback_factories.finished_ticket(world.outlet_a, counter=counter, staff=world.teller_a)
    feedback_services.evaluation_record(
        actor=DevicePrincipal(token), ticket=ticket, rating="dissatisfied", comment=PLANT
    )
    feedback_services.survey_batch_import(
        actor=SYSTEM,
        org_unit=world.outlet_a,
        file_name=f"回访{SPELLINGS[0][0]}.xlsx",
        provider="回访" + SPELLINGS[3][0],
        rows=[
            feedback_services.SurveyRow(
                external_id=f"S18-{n}",
                outlet=world.outlet_a,
                responded_on=dt.date(2026, 3, 1),
                nps=0,
                service_csat=1,
                overall_csat=1,
                comment=PLANT,
            )
            for n in range(2)
        ],
    )
    # An appointment booked for a customer who gave their number as their name.
    for spelling, _masked in SPELLINGS:
        floor_services.appointment_book(
            actor=SYSTEM,
            outlet=world.outlet_a,
            service_code="CASH",
            starts_at=dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC),
            customer_name=f"刘{spelling}",
        )
    # The rectification ledger: the outlet's evidence, and the supervisor's reason to reopen.
    task = inspection_factories.task_for(Inspection.objects.get(version__template__code="SBZ"), "SBZ-2")
    inspection_services.task_submit_evidence(actor=head, task=task, evidence=PLANT)
    inspection_services.task_reopen(actor=inspection_factories.setup(world).sup, task=task, note=PLANT)
    return {"inspections/ledger/<int:pk>": str(task.pk), "approvals/<int:pk>": str(case.pk)}


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield "/" + prefix + str(p.pattern)


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(route: str, planted: Planted) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        for key, found in planted.path_values.items():
            if (
                "/" in key
                and route.startswith("/" + key.split("<")[0])
                and key.endswith(f"<{converter}:{name}>")
            ):
                return found
        if name in planted.path_values:
            return planted.path_values[name]
        return "1" if converter in ("int", "path") else "x"

    return _PARAM.sub(value, route)


def _text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(body)
            pdf.flush()
            return subprocess.run(
                ["pdftotext", pdf.name, "-"], capture_output=True, text=True, check=True
            ).stdout
    text = body.decode("utf-8-sig", errors="replace")
    if "json" in kind:
        # \uXXXX escapes would hide full-width digits from the search.
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return unescape(text)


_HREF = re.compile(r'(?:href|src|hx-get|data-url)="(/[^"#]*)"')


@dataclass
class Crawl:
    pages: int = 0
    apis: int = 0
    exports: int = 0
    leaks: list[tuple[str, str, list[str]]] = field(default_factory=list)


def _is_export(response: Any) -> bool:
    kind = response.get("Content-Type", "")
    return any(k in kind for k in ("csv", "spreadsheetml", "pdf")) or "attachment" in response.get(
        "Content-Disposition", ""
    )


def _crawl_pages(client: Client, role: str, routes: list[str], crawl: Crawl) -> None:
    seen: set[str] = set()
    queue = [(url, 0) for url in routes]
    while queue and len(seen) < MAX_PER_ROLE:
        url, depth = queue.pop(0)
        parts = urlsplit(url)
        # Pages differ by path; a query only matters when it asks for a download.
        key = url if re.search(r"format|fmt|export|download", parts.query) else parts.path
        if key in seen or SKIP.search(parts.path):
            continue
        seen.add(key)
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = _text_of(response)
        if _is_export(response):
            crawl.exports += 1
        else:
            crawl.pages += 1
        if found := unmasked(text):
            crawl.leaks.append((role, url, found))
        if depth < 1 and "html" in response.get("Content-Type", ""):
            queue += [(unescape(link), depth + 1) for link in _HREF.findall(text)]


def _api_reads(planted: Planted, unit_code: str, today: dt.date) -> list[str]:
    spec = api.get_openapi_schema(path_prefix="/api/v1/")
    query_values = {
        "start": (today - dt.timedelta(days=30)).isoformat(),
        "end": today.isoformat(),
        "date": today.isoformat(),
        "unit": unit_code,
        "year": str(today.year),
        "quarter": str((today.month - 1) // 3 + 1),
        "period": today.strftime("%Y-%m"),
        "line": "95588",
    }
    urls = []
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        url = path
        for template, found in planted.path_values.items():
            if template.startswith("/") and path.endswith(template):
                url = path.replace(template.rsplit("/", 1)[1], found)
        url = re.sub(r"\{[^}]+\}", lambda m: "OA" if "code" in m.group(0) else "1", url)
        required = [
            p["name"]
            for p in operations["get"].get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]
        query = "&".join(f"{name}={query_values.get(name, '1')}" for name in required)
        urls.append(f"{url}?{query}" if query else url)
    return urls


ID_NUMBER = "110108198506123015"
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _confirm_by_token(client: Client) -> None:
    """The counter's own path: the ID presented, the pre-filled page and its token, the form confirmed with it."""
    page = client.post("/customers/forms/transfer/", {"id_number": ID_NUMBER})
    assert page.status_code == 200, page.status_code
    token = _TOKEN.search(page.content.decode())
    assert token is not None, "the pre-filled page carries its token"
    saved = client.post(
        "/customers/forms/transfer/",
        {"token": token.group(1), "confirm": "1", "payee_name": SPELLINGS[7][0] + "、" + SPELLINGS[9][0]},
    )
    assert saved.status_code == 200, saved.status_code


def _crawl_prefilled(client: Client, role: str, crawl: Crawl) -> int:
    """The pre-filled forms (page and API): reached only by presenting the ID, so no link leads to them."""
    shown = 0
    for kind in ("address_change", "transfer"):
        page = client.post(f"/customers/forms/{kind}/", {"id_number": ID_NUMBER})
        api_read = client.post(
            f"/api/v1/customers/forms/{kind}/prefill",
            {"id_number": ID_NUMBER},
            content_type="application/json",
        )
        for url, response in (
            (f"/customers/forms/{kind}/ (ID)", page),
            (f"/api/v1/customers/forms/{kind}/prefill", api_read),
        ):
            if response.status_code != 200:
                continue
            if url.startswith("/api/"):
                crawl.apis += 1
            else:
                crawl.pages += 1
                shown += bool(_TOKEN.search(response.content.decode()))
            if found := unmasked(_text_of(response)):
                crawl.leaks.append((role, url, found))
    return shown


_CHANGELIST = re.compile(r'href="(/admin/\w+/\w+/)"')


def _crawl_admin(admin: Any, crawl: Crawl) -> int:
    """Django admin's change lists as a superuser: some fields (an appointment's customer name) show only there."""
    client = Client()
    client.force_login(admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    lists = sorted(set(_CHANGELIST.findall(index.content.decode())))
    for url in lists:
        response = client.get(url)
        assert response.status_code == 200, url
        crawl.pages += 1
        if found := unmasked(_text_of(response)):
            crawl.leaks.append(("superuser", url, found))
    return len(lists)


@pytest.fixture
def console_log() -> Iterator[io.StringIO]:
    """The configured console handler's own output (its PII filter included), written to a buffer."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, pii.PiiLogFilter) for f in h.filters)
    ]
    assert handlers, "the console handler with the PII filter is configured"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers]
    try:
        yield buffer
    finally:
        for h, stream in zip(handlers, previous, strict=True):
            h.setStream(stream)


def test_no_role_reads_a_planted_number_unmasked_anywhere(
    world: World,
    frozen_clock: Any,
    seeded_calendar: Any,
    console_log: io.StringIO,
    settings: Any,
    tmp_path: Any,
) -> None:
    """#18: every page, API read, export and the log, as every role: 0 unmasked spellings."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cast = _cast(world)
    planted = _plant(world, cast)
    # One logged line carrying every spelling, as an error quoting its input would.
    logging.getLogger("fuwu.test.crawl").warning("caller said %s", PLANT)
    routes = sorted({_fill(route, planted) for route in _patterns(get_resolver().url_patterns)})
    today = frozen_clock.now().date()
    crawl = Crawl()
    teller = Client()
    teller.force_login(cast[roles.TELLER])
    _confirm_by_token(teller)
    prefilled = 0
    for role, user in cast.items():
        client = Client()
        client.force_login(user)
        _crawl_pages(client, role, routes, crawl)
        prefilled += _crawl_prefilled(client, role, crawl)
        for url in _api_reads(planted, user.org_unit.code, today):
            response = client.get(url)
            if response.status_code == 200:
                crawl.apis += 1
                if found := unmasked(_text_of(response)):
                    crawl.leaks.append((role, url, found))
    admin_lists = _crawl_admin(
        User.objects.create_superuser("root18", password=None, org_unit=world.ho), crawl
    )
    log = console_log.getvalue()
    assert "caller said" in log and "139****5678" in log  # the log was captured, masked
    if found := unmasked(log):
        crawl.leaks.append(("log", "console", found))
    print(
        f"\nPII crawl: {crawl.pages} pages ({admin_lists} admin lists), {crawl.apis} API reads, "
        f"{crawl.exports} exports; leaks:"
    )
    for leak in crawl.leaks:
        print("  ", *leak)
    assert crawl.pages > 200 and crawl.apis > 50 and crawl.exports > 10
    assert prefilled >= 2  # at least the counter's roles saw the pre-filled forms
    assert crawl.leaks == []

    # The right to see the full number is the audited reveal, and only that.
    client = Client()
    client.force_login(cast[roles.COMPLAINT_HANDLER])
    revealed = client.post(f"/api/v1/complaints/{planted.complaint.pk}/reveal-phone")
    assert revealed.json() == {"phone": "13912345678"}
    assert AuditEvent.objects.filter(action="pii.reveal", actor=cast[roles.COMPLAINT_HANDLER]).exists()
