"""Answers are rich text shown to customers: only a small, safe subset of HTML survives (Ammonia via nh3)."""

from __future__ import annotations

TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "blockquote", "span",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize(html: str) -> str:
    """Scripts, event handlers, styles and javascript: links removed; plain text lines become paragraphs."""
    import nh3

    text = html.strip()
    if text and "<" not in text:
        from django.utils.html import escape

        text = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
    return str(
        nh3.clean(
            text,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes={"http", "https", "mailto", "tel"},
            link_rel="noopener noreferrer",
        )
    )
