"""An edition's code is part of public addresses (/editions/<code>/, the cart, the waiting list):
a code the URL cannot carry ("/") made the course page and every page linking the edition fail
with a server error. The admin refuses it (issue 10)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import translation

from courses.models import Edition
from tests.factories import EditionFactory


def _form(user, edition, code):
    request = RequestFactory().post("/")
    request.user = user
    model_admin = admin.site._registry[Edition]
    form_class = model_admin.get_form(request, edition)
    form = form_class(instance=edition)
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data["code"] = code
    return form_class(data, instance=edition)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["BIO/2026", "BIO\n2026", "BIO\x002026"])
def test_the_admin_refuses_a_code_an_address_cannot_carry(superuser, code):
    edition = EditionFactory(code="BIO-2026")
    with translation.override("en"):
        form = _form(superuser, edition, code)
        assert not form.is_valid()
        assert "code" in form.errors


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["BIO-2026-B", "BIO 2026", "ÉCO_26.1"])
def test_the_admin_takes_an_ordinary_code(superuser, code):
    edition = EditionFactory(code="BIO-2026")
    form = _form(superuser, edition, code)
    form.is_valid()
    assert "code" not in form.errors
