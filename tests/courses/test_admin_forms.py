"""Staff edit editions, sessions, tiers, vouchers, settings, exam periods and signatories in the
admin: bad input is a form error in words, never a server error or a raw database constraint
name ("Constraint “…” is violated.")."""

import pytest
from django.test import Client
from django.urls import reverse

from registrations.models import Voucher
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    texts = [str(e) for e in response.context["adminform"].form.errors.values()]
    for inline in response.context.get("inline_admin_formsets", []):
        texts += [str(inline.formset.errors), str(inline.formset.non_form_errors())]
    return " ".join(texts)


def edition_data(client, edition, **changes):
    url = reverse("admin:courses_edition_change", args=[edition.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"course": edition.course_id, "academic_year": edition.academic_year_id,
                 "start": edition.start.isoformat(), "end": edition.end.isoformat()})
    for prefix in ("sessions", "tiers"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return url, data


@pytest.mark.parametrize(("changes", "message"), [
    ({"cancellation_policy": "D"}, "Policy D is for free training only"),
    ({"cancellation_policy": "A"}, "Policy A needs a fee per credit"),
    ({"end": "2000-01-01"}, "The end date cannot be before the start date."),
    ({"vat_rate_percent": "150"}, "The VAT rate is between 0 and 100 %."),
    ({"policy_b_percent_kept": "120"}, "Policy B: the percentage kept is between 0 and 100 %"),
    ({"attendance_threshold_percent": "150"}, "The attendance threshold is at most 100 %."),
    ({"tiers-TOTAL_FORMS": 1, "tiers-0-days": 10, "tiers-0-percent_kept": "140"},
     "The percentage kept is between 0 and 100 %."),
    ({"sessions-TOTAL_FORMS": 1, "sessions-0-starts_at_0": "2030-01-02",
      "sessions-0-starts_at_1": "10:00", "sessions-0-ends_at_0": "2030-01-02",
      "sessions-0-ends_at_1": "09:00"}, "A session ends after it starts."),
])
def test_bad_edition_input_is_a_form_error_in_words(client, course_admin, changes, message):
    edition = EditionFactory()
    client.force_login(course_admin)
    url, data = edition_data(client, edition, **changes)
    text = form_errors(client.post(url, data, HTTP_ACCEPT_LANGUAGE="en"))
    assert message in text and "Constraint" not in text


@pytest.fixture
def staff_client(request):
    def make(role):
        client = Client(raise_request_exception=False)
        client.force_login(request.getfixturevalue(role))
        return client
    return make


@pytest.mark.parametrize(("role", "name", "data", "message"), [
    ("course_admin", "admin:courses_session_add",
     {"starts_at_0": "2030-01-02", "starts_at_1": "10:00", "ends_at_0": "2030-01-02",
      "ends_at_1": "09:00"}, "A session ends after it starts."),
    ("course_admin", "admin:courses_academicyear_add",
     {"code": "2030-2031", "start": "2030-09-01", "second_semester_start": "2030-08-01",
      "end": "2031-08-31"}, "The second semester starts after the start"),
    ("course_admin", "admin:registrations_voucher_add",
     {"code": "X1", "kind": "percentage", "value": "150", "active": "on"},
     "A percentage is at most 100."),
    ("course_admin", "admin:registrations_voucher_add",
     {"code": "X2", "kind": "fixed", "value": "0", "active": "on"}, "The value is more than 0."),
    ("course_admin", "admin:registrations_voucher_add",
     {"code": "X3", "kind": "fixed", "value": "5", "valid_from": "2030-01-02",
      "valid_until": "2030-01-01", "active": "on"}, "“Valid until” cannot be before"),
    ("superuser", "admin:registrations_registrationsettings_add",
     {"cart_hold_minutes": "0", "offer_valid_hours": "0", "admission_payment_days": "1"},
     "A cart is held for at least 1 minute."),
    ("course_admin", "admin:exams_examperiod_add",
     {"chance": "1", "start": "2030-02-02", "end": "2030-01-01"},
     "The end date cannot be before the start date."),
    ("superuser", "admin:exams_examrules_add", {"decimal_places": "3", "extra_codes": ""},
     "A result has at most 2 decimals."),
])
def test_bad_input_in_other_staff_forms_is_an_error_in_words(staff_client, role, name, data,
                                                             message):
    edition = EditionFactory()
    data = {**data, "edition": edition.pk, "organizer": edition.course.organizer_id,
            "academic_year": edition.academic_year_id}
    response = staff_client(role).post(reverse(name), data, HTTP_ACCEPT_LANGUAGE="en")
    text = form_errors(response)
    assert message in text and "Constraint" not in text


def test_a_second_default_signatory_is_refused_in_words(staff_client):
    organizer = EditionFactory().course.organizer
    client = staff_client("course_admin")
    url = reverse("admin:certificates_signatory_add")
    assert client.post(url, {"organizer": organizer.pk, "name": "A"}).status_code == 302
    text = form_errors(client.post(url, {"organizer": organizer.pk, "name": "B"},
                                   HTTP_ACCEPT_LANGUAGE="en"))
    assert "This organizer already has a signatory for all its certificates" in text


def test_a_voucher_maximum_below_its_uses_is_refused_in_words(staff_client):
    voucher = Voucher.objects.create(code="ABC", kind="fixed", value=10, max_uses=5)
    Voucher.objects.filter(pk=voucher.pk).update(times_used=3)
    response = staff_client("course_admin").post(
        reverse("admin:registrations_voucher_change", args=[voucher.pk]),
        {"code": "ABC", "kind": "fixed", "value": "10", "max_uses": "2", "active": "on"},
        HTTP_ACCEPT_LANGUAGE="en")
    assert "This voucher was used 3 time(s) already" in form_errors(response)
    voucher.refresh_from_db()
    assert (voucher.max_uses, voucher.times_used) == (5, 3)



@pytest.fixture
def taken_after_reading(monkeypatch):
    """A checkout takes a seat, or uses a voucher, right after the admin read the row."""
    from django.contrib.admin import ModelAdmin
    from django.db.models import F

    read = ModelAdmin.get_object

    def then(model, field):
        def get_object(admin, request, object_id, from_field=None):
            obj = read(admin, request, object_id, from_field)
            if request.method == "POST" and isinstance(obj, model):
                model.objects.filter(pk=obj.pk).update(**{field: F(field) + 1})
            return obj
        monkeypatch.setattr(ModelAdmin, "get_object", get_object)
    return then


def test_saving_an_edition_keeps_a_seat_taken_meanwhile(client, course_admin,
                                                        taken_after_reading):
    from courses.models import Edition

    edition = EditionFactory(seats=20)
    Edition.objects.filter(pk=edition.pk).update(seats_taken=5)
    client.force_login(course_admin)
    url, data = edition_data(client, edition, seats=25)
    taken_after_reading(Edition, "seats_taken")
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert (edition.seats, edition.seats_taken) == (25, 6)


def test_seats_lowered_below_a_seat_taken_meanwhile_is_a_form_error(client, course_admin,
                                                                    taken_after_reading):
    from courses.models import Edition

    edition = EditionFactory(seats=20)
    Edition.objects.filter(pk=edition.pk).update(seats_taken=5)
    client.force_login(course_admin)
    url, data = edition_data(client, edition, seats=5)
    taken_after_reading(Edition, "seats_taken")
    text = form_errors(client.post(url, data, HTTP_ACCEPT_LANGUAGE="en"))
    assert "6 people are registered already" in text
    edition.refresh_from_db()
    assert (edition.seats, edition.seats_taken) == (20, 6)


def test_saving_a_voucher_keeps_a_use_made_meanwhile(client, course_admin, taken_after_reading):
    voucher = Voucher.objects.create(code="ABC", kind="fixed", value=10, max_uses=5)
    Voucher.objects.filter(pk=voucher.pk).update(times_used=3)
    taken_after_reading(Voucher, "times_used")
    client.force_login(course_admin)
    response = client.post(reverse("admin:registrations_voucher_change", args=[voucher.pk]),
                           {"code": "ABC", "kind": "fixed", "value": "12", "max_uses": "5",
                            "active": "on"})
    assert response.status_code == 302
    voucher.refresh_from_db()
    assert (voucher.value, voucher.times_used) == (12, 4)


@pytest.mark.parametrize(("typed", "stored"), [
    ("www.kuleuven.be/levenslang", "https://www.kuleuven.be/levenslang"),
    ("http://example.org", "http://example.org"),
])
def test_an_organizers_website_typed_without_a_scheme_is_https(typed, stored):
    from django.contrib import admin as django_admin

    from courses.models import Organizer

    form_class = django_admin.site._registry[Organizer].get_form(None)
    field = form_class.base_fields["website"]
    assert field.clean(typed) == stored
