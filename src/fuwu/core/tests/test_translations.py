"""Every message a user can read is translated: no DomainError raised with a bare string literal (#12)."""

from __future__ import annotations

import ast
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {
    "DomainError",
    "NotFound",
    "Conflict",
    "ValidationFailed",
    "Forbidden",
    "Unauthenticated",
    "Throttled",
}
TRANSLATORS = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "N_"}


def _untranslated(node: ast.expr) -> bool:
    """A message argument that is a plain or formatted string, not the result of a gettext call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # "…" % x without gettext
        return _untranslated(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _untranslated(node.func.value)
    return False


def _raised_messages() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or "testing" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ERRORS:
                continue
            message = node.args[0] if node.args else None
            message = message or next((k.value for k in node.keywords if k.arg == "message"), None)
            if message is not None and _untranslated(message):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(message)[:80]}")
    return found


def test_no_domain_error_is_raised_with_an_untranslated_message() -> None:
    found = _raised_messages()
    assert not found, "wrap these messages in gettext (_):\n" + "\n".join(found)


def test_every_catalogue_is_complete() -> None:
    """Each app's zh_Hans catalogue translates every msgid it holds (scripts/po.py adds new ones)."""
    missing = []
    for po_path in sorted(ROOT.rglob("locale/zh_Hans/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po_path)):
            if not entry.msgstr and not entry.obsolete:
                missing.append(f"{po_path.relative_to(ROOT)}: {entry.msgid!r}")
    assert not missing, "\n".join(missing)


def test_the_checker_sees_an_untranslated_message() -> None:
    """The scan itself works: a bare literal and an f-string are caught, a gettext call is not."""
    tree = ast.parse('raise Conflict("x")\nraise NotFound(f"{a}")\nraise Forbidden(_("y"))\n')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") in ERRORS]
    assert [_untranslated(c.args[0]) for c in calls] == [True, True, False]
