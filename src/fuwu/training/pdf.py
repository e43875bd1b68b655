"""Certificate PDF: an HTML template rendered by WeasyPrint with Noto CJK, plus a QR code of the verification page."""

from __future__ import annotations

from django.template.loader import render_to_string

from fuwu.training.models import Certificate


def render_certificate(certificate: Certificate, verify_url: str) -> bytes:
    import segno
    from weasyprint import HTML

    qr = segno.make_qr(verify_url, error="m")
    svg = qr.svg_data_uri(scale=4, border=2)
    html = render_to_string(
        "training/certificate_pdf.html",
        {"cert": certificate, "qr": svg, "verify_url": verify_url},
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
