from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal import account_views, views

# Lazy, so the admin names the portal in the reader's language, as the public pages do.
admin.site.site_header = _("Lifelong Learning Portal")
admin.site.site_title = _("Lifelong Learning Portal")
# Staff log in through allauth, so the second factor (TOTP) applies to the admin too.
admin.site.login = views.admin_login
# The error page in the person's language; 503 while the database is away (portal/errors.py).
handler500 = "portal.errors.server_error"

urlpatterns = [
    path("", include("courses.urls")),
    path("", include("registrations.urls")),
    path("", include("billing.urls")),
    path("", include("exams.urls")),
    path("", include("certificates.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", include("portal.privacy.urls")),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    # Before allauth's own patterns, which would answer the same path.
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
