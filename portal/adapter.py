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

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # Django's LocaleMiddleware reads the language cookie, then the browser's
        # Accept-Language (not the session): without the cookie the next page would be in the
        # browser's language, whatever the profile says.
        if user.preferred_language in {"nl", "en"}:
            from portal.views import _remember_language

            _remember_language(request, response, user.preferred_language)
        return response
