"""The portal's URLs plus two views that fail, to check the error page in this process."""

from django.db import OperationalError
from django.urls import path

from portal.urls import handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def lost_database(request):
    raise OperationalError('connection to server at "10.0.0.5", port 5432 failed')


def bug(request):
    raise ZeroDivisionError("secret detail")


urlpatterns = [
    path("faults/lost-database/", lost_database),
    path("faults/bug/", bug),
    *portal_urlpatterns,
]
