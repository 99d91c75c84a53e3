from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        from portal.outbox import register_context_builder
        from registrations import notifications

        register_context_builder(notifications.CHECKOUT_CONFIRMED,
                                 notifications.checkout_confirmed_context)
