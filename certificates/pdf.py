"""Certificate PDFs (rules.md §7): WeasyPrint, in the holder's preferred language, from the
certificate's snapshot; the verification code printed with a QR code (segno, an inline SVG data
URI) that links to the public verification page. Nothing is fetched over the network
(billing.pdf's fetcher)."""

from datetime import date

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from billing.pdf import PDF_MIMETYPE, html_to_pdf
from certificates.models import Certificate
from courses.models import Course

TEMPLATES = {
    Certificate.Kind.REGISTRATION: "certificates/registration_pdf.html",
    Certificate.Kind.PARTICIPATION: "certificates/certificate_pdf.html",
    Certificate.Kind.PROGRAMME: "certificates/certificate_pdf.html",
    Certificate.Kind.CREDIT: "certificates/certificate_pdf.html",
}


def verification_url(certificate: Certificate) -> str:
    """The absolute address of the certificate's public verification page."""
    base = getattr(settings, "PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("certificate_verify", args=[certificate.code])


def qr_data_uri(payload: str) -> str:
    return segno.make_qr(payload, error="m").svg_data_uri(
        border=4, omitsize=True, xmldecl=False, nl=False
    )


def _dates(details: dict) -> dict:
    """The ISO dates of the snapshot's details as dates, for the templates' date filters."""
    out = {}
    for key in ("start", "end", "registered_on", "date_of_birth", "admitted_on"):
        if details.get(key):
            out[key] = date.fromisoformat(details[key])
    return out


HEADINGS = {
    Certificate.Kind.REGISTRATION: _("Registration certificate"),
    Certificate.Kind.PARTICIPATION: _("Participation certificate"),
    Certificate.Kind.PROGRAMME: pgettext_lazy("passed programme", "Certificate"),
    Certificate.Kind.CREDIT: _("Credit certificate"),
}


def certificate_context(certificate: Certificate) -> dict:
    """The template's context, in the active language."""
    from exams.views import GRADE_LABELS

    details = certificate.details
    url = verification_url(certificate)
    language = (get_language() or "nl")[:2]
    kind = details.get("course_kind", "")
    return {
        "certificate": certificate,
        "details": details,
        "dates": _dates(details),
        "heading": str(HEADINGS[certificate.kind]),
        "course_kind": str(Course.Kind(kind).label) if kind in Course.Kind.values else "",
        "grade_label": str(GRADE_LABELS.get(certificate.grade, "")),
        "programme_title": details.get(f"programme_{language}") or details.get("programme_nl", ""),
        "verification_url": url,
        "qr": qr_data_uri(url),
    }


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as issued, in its holder's preferred language."""
    certificate = Certificate.objects.select_related("user", "unit").get(pk=certificate.pk)
    with translation.override(certificate.user.preferred_language or settings.LANGUAGE_CODE):
        html = render_to_string(TEMPLATES[certificate.kind], certificate_context(certificate))
    return html_to_pdf(html)


def certificate_attachment(certificate_id: int) -> tuple[str, bytes, str]:
    """The outbox renderer of kind ``certificate_pdf``."""
    certificate = Certificate.objects.select_related("user", "unit").get(pk=certificate_id)
    return certificate.filename, render_certificate_pdf(certificate), PDF_MIMETYPE
