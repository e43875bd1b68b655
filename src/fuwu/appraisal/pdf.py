"""The briefing as an A4 PDF: HTML typeset by WeasyPrint in Noto Sans CJK SC, charts as matplotlib SVG.

The font is named explicitly (Debian fonts-noto-cjk; the project's setup installs it) so no other CJK font
is picked up by chance; charts draw their text as paths, so they need no font in the PDF at all. Page
numbers "第 n 页 / 共 m 页" and the repeated table headers come from CSS paged media.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django.template.loader import render_to_string

from fuwu.appraisal.briefing import Briefing, Section, cell_text

FONT_FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_FAMILY = "Noto Sans CJK SC"


def chart_svg(section: Section) -> str | None:
    """A horizontal bar chart of the section's chart column, as SVG text with the glyphs as paths."""
    if section.chart is None or not section.rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    chart = section.chart
    points = [
        ("·".join(str(row[c]) for c in chart.category), float(row[chart.value]))
        for row in section.rows[: chart.max_points]
        if row[chart.value] is not None
    ]
    if not points:
        return None
    font = font_manager.FontProperties(fname=FONT_FILE)
    labels = [p[0] for p in reversed(points)]
    values = [p[1] for p in reversed(points)]
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "fuwu"}):
        fig, ax = plt.subplots(figsize=(7.0, max(1.6, 0.28 * len(points) + 0.8)))
        bars = ax.barh(range(len(values)), values, color="#2f6fb3")
        ax.set_yticks(range(len(labels)), labels, fontproperties=font, fontsize=8)
        ax.set_xlabel(chart.title, fontproperties=font, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:g}", va="center", fontsize=7
            )
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
        plt.close(fig)
    return out.getvalue()


def html(briefing: Briefing) -> str:
    sections: list[dict[str, Any]] = []
    for section in briefing.sections:
        svg = chart_svg(section)
        sections.append(
            {
                "section": section,
                "rows": [
                    [
                        {"text": cell_text(section.kind(r, c), value), "kind": section.kind(r, c)}
                        for c, value in enumerate(row)
                    ]
                    for r, row in enumerate(section.rows)
                ],
                "chart": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
                if svg
                else None,
            }
        )
    return render_to_string(
        "appraisal/briefing_pdf.html",
        {"briefing": briefing, "sections": sections, "font_family": FONT_FAMILY},
    )


def render(briefing: Briefing) -> bytes:
    """The briefing's PDF bytes."""
    import logging

    # Its per-step INFO lines (some logged while it imports) are noise in the CLI and the worker's log.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from weasyprint import HTML

    data: bytes = HTML(string=html(briefing), base_url="/").write_pdf()
    return data
