"""What to open after `make demo`, per role: one source for the README's first screen and the demo's own output (#19).

`fuwu demo` prints `text()`; the README carries `markdown()` verbatim (demo/tests/test_tour.py keeps them equal).
"""

from __future__ import annotations

from dataclasses import dataclass

from fuwu.core import roles

BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Stop:
    login: str
    role: str
    unit: str  # the unit's name in the demo bank
    path: str
    try_this: str


TOUR = (
    Stop(
        "head",
        roles.OUTLET_HEAD,
        "中关村支行",
        "/",
        "Home opens on today's queue, follow-ups due today and overdue rectifications: open a follow-up and close it",
    ),
    Stop(
        "teller",
        roles.TELLER,
        "中关村支行",
        "/floor/counter/",
        "Call the next customer, serve and finish; the home page keeps your day (served, handle time, ratings)",
    ),
    Stop(
        "lobby",
        roles.LOBBY,
        "中关村支行",
        "/floor/lobby/",
        "See who waits (VIP and special-care marks) and divert a customer to self-service",
    ),
    Stop("rm", roles.RM, "中关村支行", "/approvals/inbox/", "Decide the approval step waiting for you"),
    Stop(
        "complaints",
        roles.COMPLAINT_HANDLER,
        "海淀支行",
        "/",
        "Open the case with the nearest deadline from your worklist and take the next step",
    ),
    Stop(
        "supervisor",
        roles.SUPERVISOR,
        "海淀支行",
        "/inspections/",
        "Start a planned inspection (a phone works) and score the checklist",
    ),
    Stop(
        "cc",
        roles.CC_MANAGER,
        "总行",
        "/staffing/centre/",
        "Today's calls, 20 s service level and agents against the plan",
    ),
    Stop(
        "trainer",
        roles.TRAINER,
        "北京分行",
        "/training/manage/",
        "Grade a submitted exam, or assign a course to a role in an outlet",
    ),
    Stop(
        "hq",
        roles.HQ_MANAGER,
        "总行",
        "/feedback/follow-ups/",
        "Every outlet's follow-ups, newest first: filter by unit, state and period",
    ),
    Stop(
        "auditor",
        roles.AUDITOR,
        "总行",
        "/audit/",
        "Filter the trail by person, action or date and export it (CSV or Excel)",
    ),
    Stop(
        "teller_b",
        roles.TELLER,
        "五道口支行",
        "/complaints/",
        "A teller of another outlet: only the complaints they took in, nothing of 中关村支行",
    ),
)


def markdown(password: str) -> str:
    """The README's table."""
    lines = [
        f"Log in at {BASE_URL}/ with password `{password}`:",
        "",
        "| login | role | unit | open | the one thing to try |",
        "|---|---|---|---|---|",
    ]
    for s in TOUR:
        lines.append(
            f"| `{s.login}` | {_role(s.role)} | {s.unit} | [{s.path}]({BASE_URL}{s.path}) | {s.try_this} |"
        )
    return "\n".join(lines)


def text(password: str) -> str:
    """The same table as the demo command prints it."""
    lines = [f"log in at {BASE_URL}/ with password {password}:"]
    for s in TOUR:
        lines.append(f"  {s.login:<11} {_role(s.role):<31} {s.unit:<6} {BASE_URL}{s.path}")
        lines.append(f"  {'':<11} → {s.try_this}")
    return "\n".join(lines)


def _role(code: str) -> str:
    # English role names, as the README is written; the UI shows them in Chinese.
    return {
        roles.LOBBY: "lobby staff",
        roles.TELLER: "teller",
        roles.RM: "relationship manager",
        roles.OUTLET_HEAD: "outlet head",
        roles.COMPLAINT_HANDLER: "complaint handler",
        roles.SUPERVISOR: "service supervisor",
        roles.CC_MANAGER: "contact-centre manager",
        roles.TRAINER: "trainer",
        roles.HQ_MANAGER: "head-office service management",
        roles.AUDITOR: "auditor",
    }[code]
