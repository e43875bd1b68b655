"""Excel in and out: a template version as a workbook (round-trips), and the piece-rate tally for payroll."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from fuwu.core.errors import ValidationFailed
from fuwu.core.files import xlsx_append
from fuwu.inspections.models import Item, TemplateVersion
from fuwu.inspections.selectors import TallyRow
from fuwu.inspections.services import ItemSpec

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a template of a few hundred items is far smaller

HEADERS = ["分区", "编号", "检查项", "权重", "满分", "关键项", "不符合须拍照", "严重程度", "号位", "检查说明"]
SEVERITY = {"minor": "轻微", "normal": "一般", "major": "较重", "critical": "严重"}
SEVERITY_BACK = {v: k for k, v in SEVERITY.items()} | {k: k for k in SEVERITY}
YES = {"是", "Y", "y", "yes", "1", "TRUE", "True", "true", "√"}
INFO_SHEET = "模板"
ITEMS_SHEET = "检查项"


def template_workbook(version: TemplateVersion, items: list[Item]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    for row in (
        ["编号", version.template.code],
        ["名称", version.template.name],
        ["说明", version.template.description],
        ["版本", version.number],
    ):
        xlsx_append(info, row)
    sheet = wb.create_sheet(ITEMS_SHEET)
    xlsx_append(sheet, HEADERS)
    for i in items:
        xlsx_append(
            sheet,
            [
                i.section.title,
                i.code,
                i.text,
                i.weight,
                i.max_points if i.response == Item.Response.POINTS else None,
                "是" if i.critical else "否",
                "是" if i.photo_required else "否",
                SEVERITY[i.severity],
                i.position,
                i.guidance,
            ],
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _int(value: Any, row: int, field: str, problems: list[dict[str, Any]]) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        problems.append({"row": row, "field": field, "reason": _("Enter a whole number.")})
        return None


def read_template(content: bytes) -> tuple[dict[str, str], list[ItemSpec]]:
    """A workbook in the export's layout → template info and item specs; every bad row is named."""
    from openpyxl import load_workbook

    if len(content) > MAX_IMPORT_BYTES:  # callers read one byte over the cap, never the whole upload (#18)
        message = _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
        raise ValidationFailed(message, details=[{"field": "file", "reason": message}])
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ValidationFailed(
            _("The file is not an Excel workbook."),
            details=[{"field": "file", "reason": _("The file is not an Excel workbook.")}],
        ) from exc
    if INFO_SHEET not in wb.sheetnames or ITEMS_SHEET not in wb.sheetnames:
        raise ValidationFailed(
            _("The workbook needs the sheets 模板 and 检查项."),
            details=[{"field": "file", "reason": _("The workbook needs the sheets 模板 and 检查项.")}],
        )
    info = {
        str(r[0]): "" if r[1] is None else str(r[1])
        for r in wb[INFO_SHEET].iter_rows(values_only=True)
        if r and r[0]
    }
    problems: list[dict[str, Any]] = []
    specs: list[ItemSpec] = []
    for n, r in enumerate(wb[ITEMS_SHEET].iter_rows(min_row=2, values_only=True), start=2):
        cells = list(r) + [None] * (10 - len(r))
        if not any(c not in (None, "") for c in cells):
            continue
        severity = SEVERITY_BACK.get(str(cells[7] or "一般").strip())
        if severity is None:
            problems.append({"row": n, "field": "severity", "reason": _("Choose one of the offered values.")})
            severity = "normal"
        specs.append(
            ItemSpec(
                section=str(cells[0] or "").strip(),
                code=str(cells[1] or "").strip(),
                text=str(cells[2] or "").strip(),
                weight=_int(cells[3], n, "weight", problems) or 0 if cells[3] not in (None, "") else 1,
                points=_int(cells[4], n, "points", problems),
                critical=str(cells[5] or "").strip() in YES,
                photo=str(cells[6] or "").strip() in YES,
                severity=severity,
                position=_int(cells[8], n, "position", problems),
                guidance=str(cells[9] or "").strip(),
            )
        )
    if problems:
        raise ValidationFailed(_("The template has errors."), details=problems)
    return {
        "code": info.get("编号", ""),
        "name": info.get("名称", ""),
        "description": info.get("说明", ""),
    }, specs


def tally_workbook(month: str, rows: list[TallyRow], rate: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = month
    xlsx_append(
        sheet,
        [
            "督导员",
            "工号",
            "所属机构",
            "检查次数",
            "已验证问题",
            "待验证问题",
            "申诉撤销",
            "计件单价(元)",
            "计件金额(元)",
        ],
    )
    for r in rows:
        xlsx_append(
            sheet,
            [
                r.supervisor.display_name or r.supervisor.username,
                r.supervisor.staff_code or "",
                r.supervisor.org_unit.name if r.supervisor.org_unit else "",
                r.inspections,
                r.findings_verified,
                r.findings_open,
                r.findings_removed,
                rate,
                r.findings_verified * rate,
            ],
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
