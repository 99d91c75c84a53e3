"""Every field the course administrator and the exam committee see in the admin (as a column,
a filter or a form label) has a translatable name: without one Django shows the attribute's
name ("Joined at", "Invoice to", "Vat status") in English on a Dutch page."""

import pytest
from django.contrib import admin
from django.utils.functional import Promise
from django.utils.translation import override

APPS = ("courses", "registrations", "exams", "certificates")


def untranslated_fields() -> list[str]:
    found = []
    for model in admin.site._registry:
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.auto_created:
                continue
            if not isinstance(field.verbose_name, Promise):
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_every_admin_field_of_these_apps_has_a_translatable_name():
    assert untranslated_fields() == []


@pytest.mark.parametrize(("model", "field", "dutch"), [
    ("registrations.Registration", "credit_amount", "bedrag per studiepunt"),
    ("registrations.WaitingListEntry", "edition", "editie"),
    ("registrations.Checkout", "user", "deelnemer"),
    ("registrations.CancellationRequest", "credit_note", "creditnota"),
])
def test_names_the_dutch_catalogue_has_are_dutch_at_once(model, field, dutch):
    """Where an msgid of the same meaning exists, it is reused (the others are in
    TRANSLATIONS.po until the catalogue is regenerated)."""
    from django.apps import apps

    with override("nl"):
        assert str(apps.get_model(model)._meta.get_field(field).verbose_name) == dutch
