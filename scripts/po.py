"""Keep an app's zh_Hans catalogue in step with its source: `python scripts/po.py APP [msgid=译文 ...]`.

Adds every new msgid found in the app's templates and Python (`_("…")`, `{% translate "…" %}`,
`{% blocktranslate %}…`) to src/fuwu/APP/locale/zh_Hans/LC_MESSAGES/django.po, sets the translations
given on the command line, and lists the msgids still untranslated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "fuwu"
PATTERNS_HTML = [
    r'{%\s*translate\s+"([^"]+)"',
    r"{%\s*translate\s+'([^']+)'",
    r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate",
]
PATTERN_PY = r'\b(?:_|N_|gettext|gettext_lazy|gettext_noop|pgettext_lazy)\(\s*"([^"]+)"'


def extract(app_dir: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(app_dir.rglob("*")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            for pattern in PATTERNS_HTML:
                found += [re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", m) for m in re.findall(pattern, text, re.S)]
        elif path.suffix == ".py":
            found += re.findall(PATTERN_PY, path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(found))


def main() -> None:
    app = sys.argv[1]
    app_dir = ROOT / app
    po_path = app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    po = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
    wanted = extract(app_dir)
    for entry in [e for e in po if e.msgid not in wanted and not e.msgstr]:
        po.remove(entry)
    for msgid in wanted:
        if po.find(msgid) is None:
            po.append(polib.POEntry(msgid=msgid, msgstr=""))
    for pair in sys.argv[2:]:
        msgid, _, msgstr = pair.partition("=")
        entry = po.find(msgid)
        if entry is None:
            entry = polib.POEntry(msgid=msgid)
            po.append(entry)
        entry.msgstr = msgstr
    po.save(str(po_path))
    missing = [e.msgid for e in po if not e.msgstr]
    print(f"{po_path.relative_to(ROOT.parent.parent)}: {len(po)} entries, {len(missing)} untranslated")
    for msgid in missing:
        print(f"  {msgid!r}")


if __name__ == "__main__":
    main()
