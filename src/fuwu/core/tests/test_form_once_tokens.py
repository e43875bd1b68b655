"""Every shipped POST form that creates a record carries `{% once_token %}` (#18, core.idempotency).

A double-clicked "Save" or a browser retry of a create form must have one effect. The scan reads every
`<form method="post">` of every template and fails naming file:line for a form without the token, unless
the form is listed in EXEMPT with the reason a repeat is harmless. A new form is a create form until
someone says otherwise here.
"""

from __future__ import annotations

import re
from pathlib import Path

import fuwu

ROOT = Path(fuwu.__file__).parent
FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
POST = re.compile(r"""method\s*=\s*["']post["']""", re.IGNORECASE)
TARGET = re.compile(r"""(?:action|hx-post)="\{%\s*url\s+'([^']+)'([^%]*)%\}""")
TESTID = re.compile(r'data-testid="([^"]+)"')

TRANSITION = "a state-machine transition: a repeat is refused (409) by the state check"
SETTING = "sets (creates or replaces) one value: a repeat stores the same value"
READ = "changes no business record (session, language, read marks, an audited reveal)"
IMPORT = (
    "an all-or-nothing import keyed by the rows' own codes; it must not run inside the request-wide "
    "transaction the token adds (on SQLite that would hold the write lock through validation)"
)
HTMX = "an htmx swap answered 200 with a partial: the token keeps only redirects, so it could not help"
REMOVE = "removes or revokes: a repeat finds nothing left to remove"
RECOMPUTE = "recomputes derived data from scratch: a repeat gives the same result"

EXEMPT: dict[str, str] = {
    # appraisal
    "appraisal/templates/appraisal/star_round.html appraisal:star_act": TRANSITION,
    "appraisal/templates/appraisal/scorecards.html appraisal:weight_set": SETTING,
    "appraisal/templates/appraisal/star_policy.html appraisal:star_policy_set": SETTING,
    "appraisal/templates/appraisal/peers.html appraisal:peer_import": IMPORT,
    # approvals
    "approvals/templates/approvals/detail.html #case-actions": TRANSITION,
    "approvals/templates/approvals/detail.html #step-actions": TRANSITION,
    "approvals/templates/approvals/detail.html approvals:reassign": TRANSITION,
    # complaints
    "complaints/templates/complaints/list.html complaints:alert_ack": READ,
    **{
        f"complaints/templates/complaints/detail.html complaints:action {step}": TRANSITION
        for step in (
            "assign",
            "investigate",
            "decide",
            "resume",
            "pause",
            "reply",
            "revisit",
            "review_decide",
            "reclassify",
            "withdraw",
            "review_request",
        )
    },
    "complaints/templates/complaints/detail.html complaints:extension_decide": TRANSITION,
    # core
    "core/templates/core/partials/language_switch.html set_language": READ,
    "core/templates/core/login.html (self)": READ,
    "core/templates/core/base.html core:logout": READ,
    "core/templates/core/notifications.html core:notification_read_all": READ,
    "core/templates/core/notifications.html core:notification_read": READ,
    "core/templates/core/devices.html core:device_revoke": REMOVE,
    # customers
    "customers/templates/customers/partials/compact.html customers:suggestion_react": HTMX,
    "customers/templates/customers/household.html #member-remove": REMOVE,
    "customers/templates/customers/portfolio.html #reassign": TRANSITION,
    "customers/templates/customers/detail.html customers:reveal": READ,
    "customers/templates/customers/form.html #prefill-lookup": "looks the presented ID up to fill the form: stores nothing",
    "customers/templates/customers/form.html #prefilled": (
        "answers 200 with the saved form, not a redirect, so a token would roll the save back; the save "
        "applies the confirmed values to the profile (a repeat applies the same values) and records the form"
    ),
    # feedback
    "feedback/templates/feedback/surveys.html #survey-import": IMPORT,
    "feedback/templates/feedback/surveys.html #target-form": SETTING,
    "feedback/templates/feedback/follow_up.html #start-form": TRANSITION,
    "feedback/templates/feedback/follow_up.html #close-form": TRANSITION,
    "feedback/templates/feedback/follow_ups.html feedback:pad_settings": SETTING,
    # floor
    "floor/templates/floor/partials/my_ticket_status.html floor:my_ticket_leave": TRANSITION,
    # inspections
    "inspections/templates/inspections/task.html inspections:task_act verify": TRANSITION,
    "inspections/templates/inspections/task.html inspections:task_act reopen": TRANSITION,
    "inspections/templates/inspections/task.html inspections:task_act defer": TRANSITION,
    "inspections/templates/inspections/task.html inspections:task_act appeal": TRANSITION,
    "inspections/templates/inspections/task.html inspections:task_act decide": TRANSITION,
    "inspections/templates/inspections/detail.html inspections:start": TRANSITION,
    "inspections/templates/inspections/detail.html inspections:save": (
        "the visit's autosave: stores the answers as they are now (one answer per item)"
    ),
    "inspections/templates/inspections/detail.html inspections:submit": TRANSITION,
    "inspections/templates/inspections/detail.html inspections:cancel": TRANSITION,
    # knowledge
    "knowledge/templates/knowledge/partials/sentiment_label.html knowledge:sentiment_correct": HTMX,
    "knowledge/templates/knowledge/unanswered.html knowledge:gaps_rebuild": RECOMPUTE,
    "knowledge/templates/knowledge/conversation.html knowledge:conversation_close": TRANSITION,
    # measures
    "measures/templates/measures/partials/progress.html measures:target_remove": REMOVE,
    "measures/templates/measures/targets.html measures:target_save": SETTING,
    # staffing
    "staffing/templates/staffing/partials/plan_grid.html staffing:shift_save": HTMX,
    "staffing/templates/staffing/partials/plan_grid.html staffing:shift_delete": REMOVE,
    "staffing/templates/staffing/plan.html staffing:plan_roster": TRANSITION,
    "staffing/templates/staffing/plan.html staffing:plan_publish": TRANSITION,
    # training
    "training/templates/training/index.html training:complete_online": TRANSITION,
    "training/templates/training/attempt.html training:submit": TRANSITION,
    "training/templates/training/attempt.html training:grade": TRANSITION,
    "training/templates/training/manage.html training:bank_import": IMPORT,
    "training/templates/training/checkin.html (self)": (
        "answers 200, not a redirect; the service returns the existing attendance on a repeat check-in"
    ),
}


def post_forms(path: Path) -> list[tuple[int, str, bool]]:
    """(line, key, has the token) of each POST form in a template."""
    source = path.read_text(encoding="utf-8")
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for match in FORM.finditer(source):
        tag = match.group(0)
        if not POST.search(tag):
            continue
        end = source.find("</form>", match.end())
        body = source[match.end() : end if end != -1 else len(source)]
        target = TARGET.search(tag)
        testid = TESTID.search(tag)
        if target:
            literals = re.findall(r"'([^']+)'", target.group(2))
            key = " ".join([rel, target.group(1), *literals])
        elif testid:
            key = f"{rel} #{testid.group(1)}"
        else:
            key = f"{rel} (self)"
        line = source.count("\n", 0, match.start()) + 1
        found.append((line, key, "{% once_token %}" in body))
    return found


def all_forms() -> list[tuple[str, int, str, bool]]:
    return [
        (path.relative_to(ROOT).as_posix(), line, key, has)
        for path in sorted(ROOT.glob("*/templates/**/*.html"))
        for line, key, has in post_forms(path)
    ]


def test_every_create_form_carries_a_one_time_token() -> None:
    missing = [
        f"{rel}:{line} ({key})" for rel, line, key, has in all_forms() if not has and key not in EXEMPT
    ]
    assert not missing, "POST forms that create a record need {% once_token %} (or an EXEMPT reason):\n" + (
        "\n".join(missing)
    )


def test_the_exemptions_name_real_forms_and_none_carries_a_token_it_says_it_does_not_need() -> None:
    keys = {key: has for _rel, _line, key, has in all_forms()}
    assert not [k for k in EXEMPT if k not in keys], "stale exemptions"
    assert not [k for k in EXEMPT if keys[k]], "exempt forms that carry the token anyway: drop the exemption"


def test_the_scan_sees_a_form_without_the_token(tmp_path: Path) -> None:
    """The scan can fail: a create form without the token is reported, the same form with it is not."""
    folder = tmp_path / "demoapp" / "templates"
    folder.mkdir(parents=True)
    bare = '<form method="post" action="{% url \'x:new\' %}">{% csrf_token %}</form>'
    path = folder / "f.html"
    path.write_text(bare, encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert post_forms(path) == [(1, "demoapp/templates/f.html x:new", False)]
        path.write_text(
            bare.replace("{% csrf_token %}", "{% csrf_token %}{% once_token %}"), encoding="utf-8"
        )
        assert post_forms(path) == [(1, "demoapp/templates/f.html x:new", True)]
    finally:
        ROOT = saved


def test_a_double_submitted_device_form_issues_one_token(world: object) -> None:
    """One of the forms given the token (#18): the same page's form posted twice has one effect."""
    from django.test import Client

    from fuwu.core.models import DeviceToken

    client = Client()
    client.force_login(world.head_a)  # type: ignore[attr-defined]
    page = client.get("/devices/").content.decode()
    token = re.search(r'name="once_token" value="([^"]+)"', page)
    assert token is not None
    form = {"outlet_code": "OA", "kind": "kiosk", "name": "大堂一号机", "once_token": token.group(1)}
    first = client.post("/devices/issue/", form)
    second = client.post("/devices/issue/", form)
    assert first.status_code == second.status_code == 302
    assert second["Idempotent-Replayed"] == "true"
    assert DeviceToken.objects.count() == 1
