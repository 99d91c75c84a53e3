"""The page a person sees when the portal fails: in their language, without any detail of the
failure (DEBUG is off in a deployment, and nothing here reads the exception's text).

The database being away (restarted, failed over, out of connections) is a temporary outage,
not a bug: 503 with Retry-After, so a proxy or a monitoring check can tell the two apart. The
view touches neither the database nor the session, which may be what is broken; the next
request reconnects by itself (CONN_HEALTH_CHECKS in portal/settings.py).
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import get_language

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    """OperationalError/InterfaceError: the connection failed or was lost, not a query bug."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError)
        and isinstance(error.__cause__, (OperationalError, InterfaceError))
    )


def server_error(request, template_name: str = "500.html") -> HttpResponse:
    unavailable = database_unavailable(sys.exc_info()[1])
    html = loader.get_template(template_name).render(
        {"unavailable": unavailable, "language": get_language() or "nl"}
    )
    response = HttpResponse(html, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
