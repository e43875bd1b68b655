"""Test helpers that go through the services, like a user would."""

from __future__ import annotations

import io
from typing import Any

from fuwu.core import roles
from fuwu.core.principals import SYSTEM
from fuwu.inspections import services
from fuwu.inspections.models import Inspection, Item, RectificationTask


def setup(world: Any) -> Any:
    """Built-in templates plus a branch supervisor (北京分行) and a second one (海淀支行) on the world."""
    services.templates_install_builtin(actor=SYSTEM)
    if not hasattr(world, "sup"):
        world.sup = world.person("sup1", world.t1, roles.SUPERVISOR)
        world.sup2 = world.person("sup2", world.t2, roles.SUPERVISOR)
        world.sup_x = world.person("supx", world.t1x, roles.SUPERVISOR)
    return world


def jpeg(size: tuple[int, int] = (640, 480), exif_time: str | None = "2026:03:02 10:15:00") -> bytes:
    from PIL import Image

    img = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif_time:
        exif = Image.Exif()
        exif[0x0132] = exif_time
        img.save(out, "JPEG", exif=exif)
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def items(inspection: Inspection) -> list[Item]:
    return list(Item.objects.filter(version=inspection.version).order_by("section__order", "order"))


def fill(
    world: Any, inspection: Inspection, fail: set[str] = frozenset(), na: set[str] = frozenset()
) -> Inspection:  # type: ignore[assignment]
    """Answer every item: pass, except codes in `fail` (with a photo where needed) and `na`."""
    for item in items(inspection):
        if item.response == Item.Response.POINTS:
            pts = 0 if item.code in fail else item.max_points
            services.response_save(
                actor=world.sup,
                inspection=inspection,
                item_id=item.pk,
                points=pts,
                result="na" if item.code in na else "",
            )
        else:
            result = "fail" if item.code in fail else "na" if item.code in na else "pass"
            services.response_save(
                actor=world.sup,
                inspection=inspection,
                item_id=item.pk,
                result=result,
                note="大堂无人迎接" if result == "fail" else "",
            )
        if item.code in fail and item.photo_required:
            services.photo_add(actor=world.sup, inspection=inspection, item_id=item.pk, content=jpeg())
    inspection.refresh_from_db()
    return inspection


def submitted(
    world: Any,
    template: str = "SBZ",
    fail: set[str] = frozenset({"SBZ-2"}),
    kind: str = "onsite",  # type: ignore[assignment]
    outlet: Any = None,
) -> Inspection:
    setup(world)
    i = services.inspection_start_adhoc(
        actor=world.sup, outlet=outlet or world.outlet_a, template_code=template, kind=kind
    )
    fill(world, i, fail=fail)
    return services.inspection_submit(actor=world.sup, inspection=i)


def task_for(inspection: Inspection, code: str) -> RectificationTask:
    return RectificationTask.objects.get(finding__inspection=inspection, finding__item__code=code)
