"""Every refusal a user reads is translated: a DomainError raised with a bare string literal (or an f-string)
as its message, or with a literal "reason" in its details, is an English sentence in a Chinese UI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FUWU = Path(__file__).resolve().parents[2]
ERRORS = {
    "DomainError",
    "NotFound",
    "Conflict",
    "ValidationFailed",
    "Forbidden",
    "Unauthenticated",
    "Throttled",
}
# Apps whose messages are all translated; add an app here once its catalogue is complete.
CHECKED = ("staffing", "measures")


def _untranslated(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in ERRORS and node.args and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                found.append(f"{path.relative_to(FUWU)}:{node.lineno} {name}(…) message")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "reason"
                    and isinstance(value, ast.JoinedStr | ast.Constant)
                    and isinstance(getattr(value, "value", ""), str)
                ):
                    found.append(f"{path.relative_to(FUWU)}:{node.lineno} literal reason")
    return found


@pytest.mark.parametrize("app", CHECKED)
def test_every_domain_error_message_and_reason_is_translated(app: str) -> None:
    sources = [
        p for p in (FUWU / app).rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts
    ]
    problems = [problem for path in sources for problem in _untranslated(path)]
    assert not problems, "wrap in gettext `_()`:\n" + "\n".join(problems)
