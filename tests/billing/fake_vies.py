"""A fake EU VIES: a real local HTTP server that answers checkVat like VIES does.

VIES is the only thing outside this machine that the VAT look-up talks to, so it is the only thing
the tests fake; the portal's own code and the zeep client run for real and send a real SOAP
envelope over a real socket. The answers are VIES's recorded ones (xavier/european_vat cassettes,
tests/samples/vies/, 2016) or built in the same shape from the WSDL's checkVatResponse.

Modes (``FakeVies.mode`` may be changed while the server runs, except to or from ``down``):

- ``answering``: answers from ``registry`` (number -> (name, address)); any other number of a
  VIES country is valid=false with "---"; another country is the recorded INVALID_INPUT fault,
  returned with HTTP 200 as VIES did. Setting ``fault`` makes every answer that SOAP fault.
- ``hanging``: reads the request and never answers (until the server stops).
- ``trickling``: starts a valid answer and sends one byte every 0.3 s, so that no single socket
  read times out but the answer takes minutes.
- ``malformed``: HTTP 200 with a truncated envelope.
- ``busy``: HTTP 503 with an HTML page (``busy_page``), as the Commission's front end sends.
- ``down``: nothing listens (a port that was bound, then closed): connection refused.
"""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lxml import etree

MODES = ("answering", "hanging", "trickling", "malformed", "busy", "down")
PATH = "/taxation_customs/vies/services/checkVatService"  # the WSDL's address, on 127.0.0.1

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TYPES = "urn:ec.europa.eu:taxud:vies:services:checkVat:types"

# VIES country codes: the member states with EL for Greece, and XI (Northern Ireland).
VIES_COUNTRIES = frozenset(
    ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU")
    + ("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI")
)

# Recorded answers (european_vat_vies_valid.json, european_vat_vies_invalid_country.json).
RECORDED_VALID = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<checkVatResponse xmlns="urn:ec.europa.eu:taxud:vies:services:checkVat:types">'
    b"<countryCode>BE</countryCode><vatNumber>0829071668</vatNumber>"
    b"<requestDate>2016-12-20+01:00</requestDate><valid>true</valid><name>SPRL BIGUP</name>"
    b"<address>RUE LONGUE 93\n1320 BEAUVECHAIN</address></checkVatResponse></soap:Body>"
    b"</soap:Envelope>"
)
FAULT_TEMPLATE = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    "<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{}</faultstring></soap:Fault>"
    "</soap:Body></soap:Envelope>"
)
RECORDED_INVALID_INPUT = FAULT_TEMPLATE.format("INVALID_INPUT").encode()

DEFAULT_REGISTRY = {
    "BE0403170701": ("KU LEUVEN", "Oude Markt 13\n3000 Leuven"),
}
RECORDED = {"BE0829071668": RECORDED_VALID}

# What the Commission's front end sends when it is overloaded or redirecting: HTML, not XML.
BUSY_PAGE = (
    b"<HTML><HEAD>\r\n<TITLE>Service Unavailable</TITLE>\r\n</HEAD>\r\n<BODY>\r\n"
    b"<big>Service Unavailable</big><BR>\r\n</BODY></HTML>\r\n"
)

TRICKLE_INTERVAL_SECONDS = 0.3
HANG_SECONDS = 300  # longer than any timeout; the server's stop event cuts it short

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class FakeVies:
    """One running fake: its ``url``, what it received, and knobs the test may turn."""

    def __init__(self, mode: str = "answering") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        self.url = ""
        self.registry = dict(DEFAULT_REGISTRY)
        self.fault: str | None = None  # e.g. "MS_UNAVAILABLE": every answer is this fault
        self.fault_status = 500  # SOAP 1.1 says 500; the recorded INVALID_INPUT came with 200
        self.busy_page = BUSY_PAGE  # the body in ``busy`` mode
        self.requests: list[tuple[str, str]] = []  # (countryCode, vatNumber) as received
        self.envelopes: list[bytes] = []  # the raw request bodies
        self.headers: list[dict[str, str]] = []  # the request headers
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeVies":
        if self.mode == "down":
            with socket.socket() as sock:  # take a free port, then let it go: nobody listens
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        else:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            self._server.daemon_threads = True
            self._server.fake = self  # type: ignore[attr-defined]
            port = self._server.server_address[1]
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-vies",
                daemon=True,
            ).start()
        self.url = f"http://127.0.0.1:{port}{PATH}"
        return self

    def stop(self) -> None:
        """Stop at once: release hanging and trickling handlers, then close the socket."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, country: str, number: str) -> tuple[int, bytes]:
        """The HTTP status and body VIES would send for a checkVat in ``answering`` mode."""
        if self.fault:
            return self.fault_status, FAULT_TEMPLATE.format(self.fault).encode()
        if country not in VIES_COUNTRIES or not number:
            return 200, RECORDED_INVALID_INPUT
        full = country + number
        if full in RECORDED:
            return 200, RECORDED[full]
        if full in self.registry:
            name, address = self.registry[full]
            return 200, check_vat_response(country, number, True, name, address)
        return 200, check_vat_response(country, number, False, "---", "---")


@contextmanager
def run_fake_vies(mode: str = "answering") -> Iterator[FakeVies]:
    """Run a fake VIES for the duration of the block (end-to-end tests, benchmarks).

    Point ``settings.VIES_ENDPOINT`` at ``.url`` and call ``billing.vies.clear_client_cache()``.
    """
    fake = FakeVies(mode).start()
    try:
        yield fake
    finally:
        fake.stop()


def check_vat_response(country: str, number: str, valid: bool, name: str, address: str) -> bytes:
    """A checkVatResponse envelope shaped like the recorded ones (default namespace, no prefix)."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    response = etree.SubElement(body, f"{{{TYPES}}}checkVatResponse", nsmap={None: TYPES})
    fields = (
        ("countryCode", country),
        ("vatNumber", number),
        ("requestDate", f"{date.today().isoformat()}+01:00"),
        ("valid", "true" if valid else "false"),
        ("name", name),
        ("address", address),
    )
    for tag, text in fields:
        etree.SubElement(response, f"{{{TYPES}}}{tag}").text = text
    return etree.tostring(envelope, encoding="UTF-8")


def parse_check_vat(body: bytes) -> tuple[str, str]:
    """countryCode and vatNumber of a checkVat request (ValueError when it is not one)."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from exc
    request = root.find(f"{{{SOAP_ENV}}}Body/{{{TYPES}}}checkVat")
    if request is None:
        raise ValueError("no soap:Body/checkVat")
    country = request.findtext(f"{{{TYPES}}}countryCode")
    number = request.findtext(f"{{{TYPES}}}vatNumber")
    if country is None or number is None:
        raise ValueError("checkVat without countryCode or vatNumber")
    return country.strip(), number.strip()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as VIES does: zeep's session reuses the connection
    # Headers and body go out in two writes; with Nagle on, a kept-alive connection waits 40 ms
    # for the client's delayed ACK before the body, which would dwarf the look-up in benchmarks.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # http.server's naming
        fake: FakeVies = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != PATH:
            self._send(404, b"Not Found", "text/plain")
            return
        fake.envelopes.append(body)
        fake.headers.append(dict(self.headers))
        try:
            country, number = parse_check_vat(body)
        except ValueError:
            self._send(500, FAULT_TEMPLATE.format("INVALID_INPUT").encode())
            return
        fake.requests.append((country, number))
        mode = fake.mode
        if mode == "hanging":
            fake.stopping.wait(HANG_SECONDS)
            self.close_connection = True
        elif mode == "trickling":
            self._trickle(fake, check_vat_response(country, number, True, "SLOW NV", "---"))
        elif mode == "malformed":
            status, answer = fake.answer(country, number)
            self._send(200, answer[: len(answer) // 2])
        elif mode == "busy":
            self._send(503, fake.busy_page, "text/html")
        else:
            self._send(*fake.answer(country, number))

    def _send(self, status: int, body: bytes, content_type: str = "text/xml; charset=UTF-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Server", "Europa")
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self, fake: FakeVies, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for i in range(len(body)):
            if fake.stopping.wait(TRICKLE_INTERVAL_SECONDS):
                break
            try:
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            except OSError:  # the client gave up
                break
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests assert on ``FakeVies.requests`` instead."""
