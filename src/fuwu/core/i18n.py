"""Compile every .po under src/fuwu to .mo with polib (no GNU gettext needed on a fresh machine)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def compile_all(root: Path) -> int:
    count = 0
    for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    return count


if __name__ == "__main__":
    compiled = compile_all(Path(__file__).resolve().parent.parent)
    print(f"compiled {compiled} message catalogues", file=sys.stderr)
