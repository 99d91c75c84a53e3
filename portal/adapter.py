from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request, user):
        super().login(request, user)
        # The portal speaks the person's preferred language from the moment they log in.
        if user.preferred_language:
            translation.activate(user.preferred_language)
            request.session["_language"] = user.preferred_language
            request.LANGUAGE_CODE = user.preferred_language
