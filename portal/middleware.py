"""Staff second factor (the security headers are in portal/security.py)."""


# What staff without a second factor may still open: allauth's pages (setting up TOTP,
# reauthenticating, logging out, the password) and the static files those pages need.
SECOND_FACTOR_EXEMPT = ("/accounts/", "/static/", "/language/")


class StaffSecondFactorMiddleware:
    """Staff use the portal only after setting up a second factor (TOTP), when required.

    allauth already asks for the code at every log-in once TOTP is configured; this closes the
    gap of staff who never configured it. On in a deployment, off in the embedded demo. Every
    page counts, not only the admin: staff permissions also open pages outside it (the CV of an
    admission application).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.mfa.utils import is_mfa_enabled
        from django.conf import settings
        from django.shortcuts import redirect

        user = getattr(request, "user", None)
        if (
            settings.STAFF_MFA_REQUIRED
            and not request.path.startswith(SECOND_FACTOR_EXEMPT)
            and user is not None
            and user.is_authenticated
            and (user.is_staff or user.is_superuser)  # a superuser holds every permission
            and not is_mfa_enabled(user, ["totp"])
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
