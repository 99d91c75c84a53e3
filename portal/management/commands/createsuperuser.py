"""Django's `createsuperuser`, whose new account's e-mail address counts as verified.

Log-in (the admin's too) goes through allauth with mandatory verification, which sent the first
administrator, typed at the server's console, a verification mail instead of letting them in;
before SMTP is set up they could not get in at all. Whoever runs this command on the server
vouches for the address."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        superusers = get_user_model()._default_manager.db_manager(options["database"])
        before = set(superusers.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in superusers.filter(is_superuser=True).exclude(pk__in=before):
            EmailAddress.objects.db_manager(options["database"]).update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True})
