"""Looking up a VAT number in the EU VIES service (checkout of a company, and its later re-check).

VIES is the one outside service the portal calls, and it is often slow or down (a member state's
register is unavailable, too many concurrent requests...). Checkout must not wait for it or fail
because of it, so ``lookup_vat`` never raises for service trouble: it answers ``"unverified"``
with a ``detail`` saying why, and a background task asks again later.

The client is zeep, the same one python-stdnum's ``stdnum.eu.vat.check_vies`` uses. We build it
ourselves rather than call ``check_vies`` because stdnum's helper downloads the WSDL from the
Commission (module-level ``vies_wsdl``), keeps zeep's on-disk ``CachingClient`` and has no way to
change the service address. We ship the Commission's WSDL (``billing/wsdl/checkVatService.wsdl``,
byte for byte: zeep reads it as is, without the XML declaration and with CRLF line ends) and
point the service at ``settings.VIES_ENDPOINT`` when it is set (tests use a local fake VIES).
"""

import functools
import logging
import threading
from dataclasses import dataclass
from typing import Any, Literal

import requests
import zeep
import zeep.exceptions
from django.conf import settings
from lxml import etree

from billing.vat import normalise_vat

logger = logging.getLogger(__name__)

# The binding named in the WSDL; create_service() needs it to use another address.
_BINDING = "{urn:ec.europa.eu:taxud:vies:services:checkVat}checkVatBinding"

# Budget above the socket timeout before the caller stops waiting for the worker thread (see
# _call_with_deadline). Keeps the whole call under timeout + 1 s.
_DEADLINE_MARGIN_SECONDS = 0.5

# What VIES puts in name and address when the member state does not disclose them.
_UNKNOWN = "---"

Status = Literal["verified", "invalid", "unverified"]


@dataclass(frozen=True)
class VatLookup:
    """The answer to one look-up.

    ``verified``: VIES knows the number; ``name`` and ``address`` are what it returned (empty when
    the member state does not disclose them) for the user to confirm. ``invalid``: VIES says the
    number is not an active VAT number. ``unverified``: we could not get an answer; ``detail``
    says why, and the number should be checked again later.
    """

    number: str
    status: Status
    name: str = ""
    address: str = ""
    detail: str = ""


def lookup_vat(number: str, *, timeout: float | None = None) -> VatLookup:
    """Ask VIES about ``number`` and return within ``timeout`` + 1 s whatever VIES does.

    ``number`` should already be normalised with ``normalise_vat`` (that is where a user's typing
    errors get a form error); it is normalised again here so that any form is safe to pass. A
    number ``normalise_vat`` refuses raises its ``ValueError``: that is a caller's error, not
    service trouble. ``timeout`` defaults to ``settings.VIES_TIMEOUT_SECONDS``.
    """
    number = normalise_vat(number)
    if timeout is None:
        timeout = settings.VIES_TIMEOUT_SECONDS
    service = get_client(timeout)
    try:
        answer = _call_with_deadline(
            lambda: service.checkVat(countryCode=number[:2], vatNumber=number[2:]),
            timeout + _DEADLINE_MARGIN_SECONDS,
        )
    except Exception as exc:  # service trouble of any kind must not break checkout
        detail, expected = _describe(exc, timeout)
        # Known service trouble gets one line; anything else its traceback too.
        logger.warning(
            "VIES look-up of %s unverified: %s", number, detail, exc_info=None if expected else exc
        )
        return VatLookup(number=number, status="unverified", detail=detail)
    return _interpret(number, answer)


def get_client(timeout: float | None = None) -> Any:
    """The zeep service proxy for the current settings, built once per process and reused.

    Parsing the WSDL takes 10-20 ms and the HTTP session keeps its connection to VIES open, so
    the proxy is cached by (WSDL, endpoint, timeout); changing any of these settings gives a new
    one. ``clear_client_cache`` forgets them (tests).
    """
    if timeout is None:
        timeout = settings.VIES_TIMEOUT_SECONDS
    return _build_client(settings.VIES_WSDL, settings.VIES_ENDPOINT, float(timeout))


def clear_client_cache() -> None:
    """Forget the cached clients, e.g. after a test pointed VIES_ENDPOINT somewhere else."""
    _build_client.cache_clear()


@functools.lru_cache(maxsize=8)
def _build_client(wsdl: str, endpoint: str, timeout: float) -> Any:
    """Build the zeep client. A missing or broken WSDL raises: that is a deployment error.

    ``timeout`` bounds loading a WSDL given as a URL and every socket operation of a call (connect,
    each read). It does not bound DNS resolution, a redirect (the Commission's WSDL names an
    ``http://`` address that answers 307 to ``https://``) or a server that trickles bytes: that is
    what the deadline in ``lookup_vat`` is for.
    """
    transport = zeep.Transport(timeout=timeout, operation_timeout=timeout)
    client = zeep.Client(wsdl, transport=transport)
    if endpoint:
        return client.create_service(_BINDING, endpoint)
    return client.service


def _call_with_deadline(call: Any, deadline: float) -> Any:
    """Run ``call`` in a daemon thread and stop waiting for it after ``deadline`` seconds.

    The thread that is given up on ends by itself at its next socket timeout; being a daemon, it
    never holds up a worker's shutdown.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="vies-lookup", daemon=True).start()
    if not done.wait(deadline):
        raise TimeoutError(f"no complete answer within {deadline:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _interpret(number: str, answer: Any) -> VatLookup:
    """Turn zeep's checkVatResponse into a VatLookup (VIES's "---" means "not disclosed")."""
    valid = getattr(answer, "valid", None)
    if valid is True:
        return VatLookup(
            number=number,
            status="verified",
            name=_clean(getattr(answer, "name", None)),
            address=_clean(getattr(answer, "address", None)),
        )
    if valid is False:
        return VatLookup(number=number, status="invalid")
    detail = "VIES answer malformed: no valid flag"
    logger.warning("VIES look-up of %s unverified: %s", number, detail)
    return VatLookup(number=number, status="unverified", detail=detail)


def _clean(text: str | None) -> str:
    """Strip VIES's padding; map its "---" (not disclosed) and a missing value to ""."""
    text = (text or "").strip()
    return "" if text == _UNKNOWN else text


def _describe(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """A short reason for ``detail`` (shown to staff, stored with the number), and whether it is
    known service trouble (as opposed to something we did not foresee, logged with traceback)."""
    if isinstance(exc, zeep.exceptions.Fault):
        if exc.code is None:  # zeep's "Unknown fault occured": an error status, XML but no Fault
            return "VIES answer malformed: an error without a SOAP fault", True
        return f"VIES fault {exc.message or exc.code}", True  # MS_UNAVAILABLE, TIMEOUT...
    if isinstance(exc, requests.Timeout | TimeoutError):
        return f"VIES did not answer within {timeout:g} s", True
    if isinstance(exc, requests.ConnectionError):
        return "VIES unreachable (connection failed)", True
    if isinstance(exc, zeep.exceptions.TransportError):
        if exc.status_code == 200:
            return "VIES answer malformed: not XML", True
        return f"VIES answered HTTP {exc.status_code}", True
    if isinstance(exc, zeep.exceptions.Error | etree.LxmlError):
        return f"VIES answer malformed: {type(exc).__name__}", True
    return f"VIES look-up failed: {type(exc).__name__}", False
