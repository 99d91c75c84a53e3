"""Django's minimum-length check with a message Dutch readers get in Dutch.

Django 5.2 reworded the "too short" error (``%d`` instead of ``%(min_length)d``) and its Dutch
catalog has no translation of the new wording yet, so sign-up, password change and password
reset showed it in English on a Dutch page. The earlier wording is translated in Django's catalog
(and in the portal's, which makemessages keeps because it is used here)."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
