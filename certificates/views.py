"""Certificate pages: the holder's downloads and the public verification page (rules.md §7)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from certificates.models import Certificate
from certificates.pdf import render_certificate_pdf
from certificates.services import CertificateRefused, issue_registration_certificate
from portal.ratelimit import hit
from portal.security import client_ip
from registrations.models import Registration


def _pdf_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(render_certificate_pdf(certificate), content_type="application/pdf")
    # The name holds the edition and unit codes staff typed: quoted by Django, never pasted in.
    response["Content-Disposition"] = content_disposition_header(True, certificate.filename)
    return response


@login_required
def download(request, pk):
    """A certificate of one's own, valid or revoked; anyone else's is not found."""
    certificate = get_object_or_404(Certificate, pk=pk, user=request.user)
    return _pdf_response(certificate)


@login_required
def registration_certificate(request, pk):
    """The registration certificate from the dashboard: issued on first download if the
    periodic job has not done so yet."""
    registration = get_object_or_404(Registration, pk=pk, user=request.user)
    certificate = registration.certificates.filter(kind=Certificate.Kind.REGISTRATION).first()
    if certificate is None:
        try:
            certificate = issue_registration_certificate(registration)
        except CertificateRefused as error:
            raise Http404 from error
    return _pdf_response(certificate)


@require_GET
@never_cache
def verify(request, code):
    """Public, no log-in: valid or revoked, holder, programme or course, credits, date; nothing
    else. An unknown code gets the same neutral page (404) whatever other codes exist."""
    limit = getattr(settings, "CERTIFICATE_VERIFICATIONS_PER_MINUTE", 30)
    if not hit("certificate-verify", client_ip(request), limit=limit):
        response = render(request, "certificates/verify.html", {"rate_limited": True},
                          status=429)
        response["Retry-After"] = "60"
        return response
    certificate = (
        Certificate.objects.filter(code=code).select_related("unit").first()
        if len(code) <= 64 else None
    )
    status = 200 if certificate is not None else 404
    context = {"certificate": certificate, "code": code}
    if certificate is not None and certificate.kind == Certificate.Kind.CREDIT:
        context["programme"] = _programme_title(certificate)
    response = render(request, "certificates/verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _programme_title(certificate: Certificate) -> str:
    from django.utils.translation import get_language

    language = (get_language() or "nl")[:2]
    details = certificate.details
    return details.get(f"programme_{language}") or details.get("programme_nl", "")
