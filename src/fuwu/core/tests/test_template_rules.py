"""Templates ask which actions are allowed or read a model's property; they never compare states (DESIGN, #14).

The scan reads every `{% if %}` / `{% elif %}` of every template the way Django parses it and refuses:
- a state-like value (its last name part is status, state or stage, e.g. `t.status`, `get_status_display`)
  compared with a literal (`t.status == "open"`, `"open" != t.status`, `a.state < 3`);
- a membership test of a state (`t.status in open_states`, `t.status not in "a b"`) or in a set of states
  (`x in open_states`).
A comparison of two variables (`value == q.status` marking the selected filter option) is not a rule and
passes. No allow-list: a template that needs the distinction asks a property (`t.is_overdue`) instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, Token, TokenType

import fuwu

ROOT = Path(fuwu.__file__).parent
STATE_WORDS = {"status", "statuses", "state", "states", "stage", "stages"}
COMPARISONS = {"==", "!=", "<", ">", "<=", ">="}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _is_literal(bit: str) -> bool:
    return bit[:1] in {'"', "'"} or bool(NUMBER.match(bit))


def _is_state(bit: str) -> bool:
    """A variable whose last name part is a state word (`t.status`, `open_states`, `a.get_status_display`)."""
    if _is_literal(bit):
        return False
    last = bit.split("|", 1)[0].rsplit(".", 1)[-1]
    return bool(STATE_WORDS & set(last.lower().split("_")))


def violations(source: str) -> list[tuple[int, str]]:
    """(line, tag) of each state comparison in a template's source."""
    found = []
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        bits = Token(TokenType.BLOCK, token.contents).split_contents()
        if not bits or bits[0] not in {"if", "elif"}:
            continue
        for i, bit in enumerate(bits[1:], start=1):
            if i + 1 >= len(bits):
                break
            left = bits[i - 2] if bits[i - 1] == "not" and bit == "in" and i >= 2 else bits[i - 1]
            right = bits[i + 1]
            compares = bit in COMPARISONS and (
                (_is_state(left) and _is_literal(right)) or (_is_state(right) and _is_literal(left))
            )
            member = bit == "in" and (_is_state(left) or _is_state(right))
            if compares or member:
                found.append((token.lineno or 0, f"{{% {token.contents} %}}"))
                break
    return found


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.glob("*/templates/**/*") if p.is_file() and p.suffix in {".html", ".txt"})


@pytest.mark.parametrize(
    "source",
    [
        '{% if t.status == "open" %}x{% endif %}',
        "{% if a %}{% elif 'done' != t.status %}x{% endif %}",
        "{% if t.status in open_states and t.due < today %}x{% endif %}",
        '{% if t.status not in "open closed" %}x{% endif %}',
        "{% if x in open_states %}x{% endif %}",
        '{% if t.get_status_display == "Open" %}x{% endif %}',
        "{% if error.status == 404 %}x{% endif %}",
        '{% if a.state|lower == "open" %}x{% endif %}',
    ],
)
def test_the_scan_finds_state_comparisons(source: str) -> None:
    assert violations(source), source


@pytest.mark.parametrize(
    "source",
    [
        "{% if v == q.status %} selected{% endif %}",
        '{% if value|stringformat:"s" == v.state %} selected{% endif %}',
        "{% if t.is_overdue %}x{% endif %}",
        '{% if "approve" in actions %}x{% endif %}',
        "{% if q.status %}x{% endif %}",
        '<p>{{ t.status }} == "open"</p>',
    ],
)
def test_the_scan_leaves_what_is_not_a_state_comparison(source: str) -> None:
    assert violations(source) == [], source


def test_no_template_compares_a_state() -> None:
    templates = _templates()
    assert len(templates) > 50  # the glob found the apps' templates
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {tag}"
        for path in templates
        for line, tag in violations(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "templates compare states; ask a property or allowed_actions:\n" + "\n".join(
        offenders
    )
