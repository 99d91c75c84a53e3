"""Every form a participant or visitor types into keeps what was typed across a language switch
(static/js/keep_typing.js, loaded by base.html): the form carries data-keep-typing with a key
of its own, passwords are never kept, and forms with nothing to type (a button only: cancel,
answer a change notice, enrol for a second chance, join a waiting list...) need none. The
browser side is tests/e2e/test_keep_typing_journey.py."""

from collections import defaultdict

import pytest
from django.urls import reverse
from lxml import html

from tests.factories import EditionFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

TYPED = ("text", "email", "search", "date", "month", "tel", "number", "url", "checkbox",
         "radio", "textarea", "select-one", "select-multiple")


def field_type(field) -> str:
    if field.tag == "textarea":
        return "textarea"
    if field.tag == "select":
        return "select-multiple" if field.get("multiple") is not None else "select-one"
    return (field.get("type") or "text").lower()


def typed_forms(page: str):
    """(key or None, the names of the typed fields) of each form with something to type."""
    for form in html.fromstring(page).iter("form"):
        names = [field.get("name") for field in form.iter("input", "textarea", "select")
                 if field.get("name") and field_type(field) in TYPED]
        if names:
            yield form.get("data-keep-typing"), names


def pages(client, participant, edition):
    yield "catalog", client.get(reverse("catalog"))
    yield "edition", client.get(reverse("edition_detail", args=[edition.code]))
    yield "signup", client.get(reverse("account_signup"))
    yield "login", client.get(reverse("account_login"))
    yield "password reset", client.get(reverse("account_reset_password"))
    client.force_login(participant)
    client.post(reverse("cart_add", args=[edition.code]))
    admission = EditionFactory(admission_required=True)
    for name in ("profile", "privacy", "cart", "checkout", "dashboard", "account_email"):
        yield name, client.get(reverse(name))
    yield "apply", client.get(reverse("admission_apply", args=[admission.code]))
    registration = RegistrationFactory(user=participant, edition=EditionFactory())
    yield "cancel", client.get(reverse("registration_cancel", args=[registration.pk]))
    yield "my exams", client.get(reverse("my_exams"))


def test_every_typed_form_keeps_its_typing_under_its_own_key(client, participant, edition):
    keys = defaultdict(set)
    for name, response in pages(client, participant, edition):
        assert response.status_code == 200, name
        for key, fields in typed_forms(response.content.decode()):
            assert key, f"{name}: a form with {fields} has no data-keep-typing"
            keys[key].add(name)
        assert "js/keep_typing.js" in response.content.decode(), name
    assert {key: pages for key, pages in keys.items() if len(pages) > 1} == {}
    assert {"profile", "signup", "login", "password-reset", "email-change", "voucher",
            "catalog-filter", "privacy-erasure", "checkout"} <= set(keys)


def test_the_erasure_consent_is_read_again_after_a_switch(client, participant):
    client.force_login(participant)
    page = html.fromstring(client.get(reverse("privacy")).content.decode())
    assert page.xpath("//input[@name='confirm']/@data-keep-typing-skip") == [""]
    assert page.xpath("//textarea[@name='note']/@data-keep-typing-skip") == []
