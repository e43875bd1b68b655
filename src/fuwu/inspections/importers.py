"""`fuwu import inspection-template FILE.xlsx`: a checklist in the export's layout becomes a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from django.utils.translation import gettext as _

from fuwu.core.principals import system
from fuwu.inspections import services, xlsx


def import_template(path: Path, out: TextIO | Any = None) -> str:
    """Workbook with sheets 模板 (编号/名称/说明) and 检查项; validated whole, saved as the template's next version."""
    info, specs = xlsx.read_template(path.read_bytes())
    version = services.template_version_create(
        actor=system("import"),
        code=info["code"],
        name=info["name"] or info["code"],
        description=info["description"],
        items=specs,
        note=f"import {path.name}",
    )
    return _("imported %(code)s v%(version)s with %(count)s items") % {
        "code": version.template.code,
        "version": version.number,
        "count": len(specs),
    }


IMPORTERS = {"inspection-template": import_template}
