from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        """Celery tasks act as "system" (with the task's name) unless a service says who."""
        from audit import context

        context.connect_celery_signals()
