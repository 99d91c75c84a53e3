"""Every admin list page runs a fixed number of queries, whatever the number of rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory
from tests.security import world

pytestmark = pytest.mark.django_db

APPS = ("courses", "registrations", "exams", "certificates", "portal", "billing", "audit")


def changelist_queries(client) -> dict[str, int]:
    counts = {}
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label not in APPS:
            continue
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[opts.label] = len(queries)
    return counts


def build_again(monkeypatch, round_: int, staff_user):
    """The world once more: its fixed keys made unique for this round."""
    from django.db.models import QuerySet

    create = QuerySet.create

    def unique_create(queryset, **kwargs):
        for key in ("dedup_key", "code", "vat_number"):
            if kwargs.get(key) in ("access-matrix", "MATRIX10"):
                kwargs[key] = f"{kwargs[key]}{round_}"
        unique = {"billing.VatNumberCheck": ("vat_number",),
                  "django_celery_beat.SolarSchedule": ("event", "latitude", "longitude")}
        fields = unique.get(queryset.model._meta.label)
        if fields:
            existing = queryset.filter(**{f: kwargs[f] for f in fields}).first()
            if existing is not None:
                return existing
        return create(queryset, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(QuerySet, "create", unique_create)
        world.build(participant=UserFactory(), staff_user=staff_user)


def test_admin_list_pages_do_not_grow_with_the_rows(client, superuser, course_admin,
                                                    monkeypatch):
    client.force_login(superuser)
    build_again(monkeypatch, 0, course_admin)
    once = changelist_queries(client)
    for round_ in (1, 2):
        build_again(monkeypatch, round_, course_admin)
    thrice = changelist_queries(client)
    grown = {label: (once[label], thrice[label]) for label in once
             if thrice[label] > once[label]}
    assert not grown, grown


def test_the_change_notice_list_counts_as_its_page_does(client, course_admin):
    """The list's counts, in the list's query, are those the notice's own page counts."""
    from datetime import date, timedelta

    from django.test import RequestFactory

    from registrations.admin_cancellation import EditionChangeNoticeAdmin
    from registrations.models import ChangeResponse, EditionChangeNotice, Registration
    from tests.factories import EditionFactory, RegistrationFactory

    edition = EditionFactory()
    today = date.today()
    registrations = [RegistrationFactory(edition=edition, registered_on=today - timedelta(days=9))
                     for _ in range(4)]
    RegistrationFactory(edition=edition, registered_on=today)  # after the notice: not told
    Registration.objects.filter(pk=registrations[1].pk).update(status="cancelled")
    notice = EditionChangeNotice.objects.create(
        edition=edition, notice_date=today - timedelta(days=3), description_nl="Zaal",
        description_en="Room", created_by=course_admin)
    EditionChangeNotice.objects.create(  # another edition's, nobody to tell
        edition=EditionFactory(), notice_date=today, description_nl="Zaal",
        description_en="Room", created_by=course_admin)
    ChangeResponse.objects.create(notice=notice, registration=registrations[0],
                                  answer="accepted", answered_on=today)
    ChangeResponse.objects.create(notice=notice, registration=registrations[1],
                                  answer="cancelled", answered_on=today)
    model_admin = admin.site._registry[EditionChangeNotice]
    request = RequestFactory().get("/")
    request.user = course_admin
    listed = {n.pk: model_admin._counts(n) for n in model_admin.get_queryset(request)}
    each = {n.pk: EditionChangeNoticeAdmin._counts(None, n)
            for n in EditionChangeNotice.objects.all()}
    assert listed == each
    assert listed[notice.pk] == (1, 1, 2)
