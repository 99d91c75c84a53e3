from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        """The certificate PDF as an e-mail attachment the outbox renders at send time."""
        from certificates import pdf
        from portal.outbox import register_attachment_kind

        register_attachment_kind("certificate_pdf", pdf.certificate_attachment)
