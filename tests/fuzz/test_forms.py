"""Fuzzing the participant's forms through the test client, as the participant: checkout (VAT
number and the company fields), voucher code, profile, admission application with its CV
upload, cancellation and the answer to a change notice. Each page answers with the form again
and a message (200) or goes on (302); never a server error, never half of the input saved."""

from pathlib import Path

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from portal.models import User
from registrations.models import AdmissionApplication, Cart, Checkout, Registration
from tests.factories import EditionFactory
from tests.fuzz.strategies import INPUT, SLOW, TYPED

pytestmark = pytest.mark.django_db

VAT_MESSAGES = (
    "This is not a valid enterprise or VAT number. Check the digits.",
    "A company invoice needs its VAT number.",
    "Ensure this value has at most 30 characters",
    "Null characters are not allowed.",
)


def english(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def page_text(response) -> str:
    return response.content.decode()


def assert_no_server_error(response):
    assert response.status_code in (200, 302), response.status_code
    assert b"Traceback" not in response.content


@pytest.fixture
def in_cart(client, participant, edition):
    english(client, participant)
    client.post(reverse("cart_add", args=[edition.code]))
    token = Cart.objects.get(user=participant).checkout_token
    return client, token


@SLOW
@given(vat=INPUT, name=INPUT, address=INPUT, instalments=INPUT)
@example(vat="BE0403170702", name="KU Leuven", address="Oude Markt 13", instalments="1")
@example(vat="0403.170.701", name="", address="", instalments="7")
@example(vat="\x00", name="\x00", address="\x00", instalments="\x00")
def test_checkout_form_answers_with_a_message_and_saves_nothing(in_cart, vat, name, address,
                                                                instalments):
    client, token = in_cart
    response = client.post(reverse("checkout"), {
        "token": str(token), "invoice_to": "company", "vat_number": vat, "company_name": name,
        "company_address": address, "instalments": instalments, "lookup": "1",
    })
    assert_no_server_error(response)
    assert response.status_code == 200  # "look up" never confirms: the page comes back
    form = response.context["form"]
    if "vat_number" in form.errors:
        assert any(message in error for error in form.errors["vat_number"]
                   for message in VAT_MESSAGES), form.errors["vat_number"]
    assert not Checkout.objects.exists() and not Registration.objects.exists()


@SLOW
@given(data=st.dictionaries(st.sampled_from(["token", "invoice_to", "vat_number",
                                             "third_party_name", "third_party_address",
                                             "kmo_portefeuille", "instalments", "confirm"]),
                            INPUT, max_size=8))
def test_a_tampered_checkout_post_never_breaks_the_page(in_cart, data):
    client, _token = in_cart
    before = Registration.objects.count()
    response = client.post(reverse("checkout"), data)
    assert_no_server_error(response)
    assert Registration.objects.count() == before  # without the cart's token: nothing


@SLOW
@given(code=INPUT)
@example(code="x" * 41)
@example(code="")
@example(code="a\x00b")
def test_voucher_code_answers_with_a_message(client, participant, edition, code):
    english(client, participant)
    response = client.post(reverse("cart_voucher"), {"code": code}, follow=True)
    assert_no_server_error(response)
    assert response.redirect_chain[-1][0] == reverse("cart")
    text = page_text(response)
    assert "This voucher code is not valid." in text
    assert Cart.objects.filter(user=participant, voucher__isnull=False).count() == 0


PROFILE_FIELDS = ["first_name", "last_name", "date_of_birth", "street", "postal_code", "city",
                  "country", "phone", "preferred_language"]


@SLOW
@given(data=st.fixed_dictionaries({"first_name": INPUT},
                                  optional={name: INPUT for name in PROFILE_FIELDS[1:]}))
@example(data={"first_name": "An", "last_name": "Peeters", "date_of_birth": "31-02-1990",
               "country": "BE", "preferred_language": "nl"})
@example(data={"first_name": "An", "last_name": "Peeters", "date_of_birth": "99999-01-01",
               "country": "BEL", "preferred_language": "fr"})
def test_profile_saves_all_or_nothing(client, participant, data):
    english(client, participant)
    before = User.objects.filter(pk=participant.pk).values(*PROFILE_FIELDS).get()
    response = client.post(reverse("profile"), data)
    assert_no_server_error(response)
    after = User.objects.filter(pk=participant.pk).values(*PROFILE_FIELDS).get()
    if response.status_code == 200:
        assert response.context["form"].errors  # the page says what to correct
        assert after == before  # nothing half-saved
    else:
        assert after["first_name"] == data.get("first_name", "").strip()


# --- Admission application and its CV ---------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
def _can_be_uploaded(name: str) -> bool:
    """A name that is a path without a file name ("/", " /") cannot even be built as a test
    upload (Django refuses it in SimpleUploadedFile); browsers send the file's own name."""
    try:
        SimpleUploadedFile(name, b"")
    except SuspiciousFileOperation:
        return False
    return True


CV_NAMES = st.one_of(
    TYPED.filter(lambda name: name.strip(". ") and _can_be_uploaded(name)),
    st.sampled_from([
        "../../etc/passwd.pdf", "..\\..\\windows\\cv.pdf", "/abs/path/cv.pdf", "C:\\cv.pdf",
        "cv\x00.pdf", "cv.pdf\x00.exe", "çv ünïcødé 履歴書.pdf", "\u202efdp.exe", "cv.PDF",
        "a" * 300 + ".pdf", "cv.pdf.html", ".htaccess", "con.pdf",
    ]),
)
CV_CONTENT = st.one_of(
    st.just(PDF),
    st.binary(max_size=200),
    st.builds(lambda tail: b"%PDF-" + tail, st.binary(max_size=200)),
    st.sampled_from([b"", b"%PDF", b"<html><script>alert(1)</script></html>", b"PK\x03\x04",
                     b"\x89PNG\r\n\x1a\n"]),
)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admission_edition(db):
    return EditionFactory(admission_required=True)


def private_files(settings) -> set:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@SLOW
@given(name=CV_NAMES, content=CV_CONTENT, motivation=INPUT)
@example(name="cv.pdf", content=PDF, motivation="Ik wil bijleren.")
@example(name="../../../x.pdf", content=PDF, motivation="Ik wil bijleren.")
def test_application_with_any_cv_is_kept_whole_or_refused_with_a_message(
        client, participant, admission_edition, settings, name, content, motivation):
    english(client, participant)
    AdmissionApplication.objects.filter(user=participant).delete()
    files_before = private_files(settings)
    response = client.post(reverse("admission_apply", args=[admission_edition.code]), {
        "motivation": motivation, "prior_knowledge": "Some", "experience": "Some",
        "cv": SimpleUploadedFile(name, content, content_type="application/pdf"),
    })
    assert_no_server_error(response)
    application = AdmissionApplication.objects.filter(user=participant).first()
    if response.status_code == 200:
        assert application is None
        assert private_files(settings) == files_before  # no orphan file on disk
        errors = response.context["form"].errors
        assert errors, "a refused application must say why"
        return
    if not application.cv:
        # Django drops control characters from the browser's file name; a name made only of
        # them leaves no name, and a file field without a name is "no file" (the CV is
        # optional). No browser sends such a name.
        assert not "".join(ch for ch in name if ch.isprintable())
        return
    # Accepted: a real PDF, stored under a random name in the private folder, never the
    # browser's name (which is kept for display only, without any path).
    assert content.startswith(b"%PDF-")
    assert application.cv.read() == content
    stored = application.cv.name
    assert "/" not in application.cv_name and "\\" not in application.cv_name
    assert ".." not in stored and "\x00" not in stored and not stored.startswith("/")
    assert (Path(settings.MEDIA_ROOT) / stored).resolve().is_relative_to(settings.MEDIA_ROOT)
    application.cv.delete(save=False)


def test_a_cv_over_5_mb_is_refused_with_a_message(client, participant, admission_edition,
                                                   settings):
    english(client, participant)
    files_before = private_files(settings)
    big = PDF + b"0" * (5 * 1024 * 1024)
    response = client.post(reverse("admission_apply", args=[admission_edition.code]), {
        "motivation": "m", "prior_knowledge": "p", "experience": "e",
        "cv": SimpleUploadedFile("cv.pdf", big, content_type="application/pdf"),
    })
    assert response.status_code == 200
    assert "The CV may be at most 5 MB." in page_text(response)
    assert not AdmissionApplication.objects.exists()
    assert private_files(settings) == files_before


# --- Cancellation and the answer to a change notice -------------------------------------------


@SLOW
@given(data=st.dictionaries(st.sampled_from(["answer", "confirm", "reason", "received_on",
                                             "force_majeure", "registration", "next"]),
                            INPUT, max_size=4),
       registration_id=st.integers(0, 2**63 - 1),
       notice_id=st.integers(0, 2**63 - 1))
def test_cancellation_forms_refuse_what_is_not_yours_without_an_error(
        client, participant, data, registration_id, notice_id):
    english(client, participant)
    response = client.post(reverse("registration_cancel", args=[registration_id]), data)
    assert response.status_code == 404
    response = client.post(reverse("change_answer", args=[registration_id, notice_id]), data,
                           follow=True)
    assert_no_server_error(response)
    assert "Registration not found." in page_text(response)


# --- Signing up, logging in, switching language (anonymous) -----------------------------------


@SLOW
@given(first=INPUT, last=INPUT, email=st.one_of(INPUT, st.emails().map(str)), password=INPUT,
       language=INPUT, next_url=st.one_of(INPUT, st.sampled_from(
           ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil"])))
def test_account_forms_answer_without_a_server_error(client, first, last, email, password,
                                                     language, next_url):
    from django.core.cache import cache

    cache.clear()  # allauth's rate limits would answer 429 after a few examples
    client.cookies["django_language"] = "en"
    before = User.objects.count()
    response = client.post(reverse("account_signup"), {
        "first_name": first, "last_name": last, "email": email, "password1": password,
        "password2": password})
    assert_no_server_error(response)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert User.objects.count() == before
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert_no_server_error(response)
    client.logout()
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    target = response.url
    assert not target.startswith(("//", "/\\")) and ":" not in target.split("/", 1)[0], target
