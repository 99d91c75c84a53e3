"""The public catalog pages: list and filters, course page, edition page, layout, query counts.

Template strings are checked in English (cookie ``django_language=en``): the Dutch wording comes
from locale files the lead compiles later. Course titles, amounts and dates do not depend on them.
"""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, CourseUnit, Edition
from tests.factories import (
    AcademicYearFactory,
    CancellationTierFactory,
    CourseFactory,
    CourseUnitFactory,
    EditionFactory,
    OrganizerFactory,
    SessionFactory,
)

CATALOG = reverse("catalog")


def edition_url(edition):
    return reverse("edition_detail", args=[edition.code])


def course_url(course):
    return reverse("course_detail", args=[course.slug])


@pytest.fixture(params=["anonymous", "participant", "course_admin"])
def visitor(request, client, db):
    """A client as each kind of visitor the public pages serve."""
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    client.kind = request.param
    return client


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def codes(response):
    return [edition.code for edition in response.context["editions"]]


# --- the catalog list ----------------------------------------------------------------------


@pytest.fixture
def catalog(db):
    """Editions of two organizers, of each kind, in both languages, in several states."""
    today = timezone.localdate()
    ugent = OrganizerFactory(name="Academie Gent", slug="gent")
    uhasselt = OrganizerFactory(name="Academie Hasselt", slug="hasselt")
    data = {}
    data["data"] = EditionFactory(
        code="DATA-1",
        course=CourseFactory(
            organizer=ugent,
            code="DATA",
            title_nl="Datawetenschap voor juristen",
            title_en="Data science for lawyers",
            description_nl="Over algoritmen en privacy.",
            description_en="About algorithms and privacy.",
        ),
        start=date(today.year + 1, 3, 15),
        fee_amount=Decimal("1234.50"),
    )
    data["postgrad"] = EditionFactory(
        code="PG-1",
        course=CourseFactory(
            organizer=uhasselt,
            code="PGFIN",
            kind=Course.Kind.POSTGRADUATE,
            language="en",
            title_nl="Postgraduaat financiën",
            title_en="Postgraduate finance",
            total_credits=Decimal("20"),
        ),
        start=date(today.year + 1, 9, 20),
        fee_kind=Edition.FeeKind.PER_CREDIT,
        programme_amount=Decimal("500.00"),
        credit_amount=Decimal("60.00"),
        cancellation_policy=Edition.Policy.ACADEMIC_YEAR,
    )
    data["micro"] = EditionFactory(
        code="MC-1",
        course=CourseFactory(
            organizer=uhasselt,
            code="MCAI",
            kind=Course.Kind.MICROCREDENTIAL,
            title_nl="Microcredential AI in de zorg",
            title_en="Micro-credential AI in care",
        ),
        start=date(today.year + 1, 3, 1),
    )
    data["closed"] = EditionFactory(
        code="CLOSED-1",
        course=CourseFactory(organizer=ugent, title_nl="Gesloten cursus", title_en="Closed one"),
        status=Edition.Status.CLOSED,
    )
    data["cancelled"] = EditionFactory(
        code="CANC-1",
        course=CourseFactory(organizer=ugent, title_nl="Geschrapte cursus", title_en="Dropped"),
        status=Edition.Status.CANCELLED,
    )
    data["late"] = EditionFactory(  # open, but the last registration day has passed
        code="LATE-1",
        course=CourseFactory(organizer=ugent, title_nl="Te laat", title_en="Too late"),
        start=today + timedelta(days=3),
    )
    data["draft"] = EditionFactory(
        code="DRAFT-1",
        course=CourseFactory(organizer=ugent, title_nl="Geheim ontwerp", title_en="Secret draft"),
        status=Edition.Status.DRAFT,
    )
    return data


def test_catalog_lists_published_editions_for_every_visitor(visitor, catalog):
    response = visitor.get(CATALOG)
    assert response.status_code == 200
    assert set(codes(response)) == {"DATA-1", "PG-1", "MC-1", "CLOSED-1", "CANC-1", "LATE-1"}
    content = response.content.decode()
    assert "Datawetenschap voor juristen" in content  # Dutch is the default language
    assert "Academie Gent" in content
    assert "€ 1.234,50" in content
    assert "€ 1.700,00" in content  # 500 + 60 x 20 credits
    assert "Geheim ontwerp" not in content
    assert "DRAFT-1" not in content
    assert f'href="{edition_url(catalog["data"])}"' in content


def test_catalog_cards_in_english(english, catalog):
    response = english.get(CATALOG)
    content = response.content.decode()
    assert "Data science for lawyers" in content
    assert "Datawetenschap voor juristen" not in content
    assert "€1,234.50" in content
    last_day = catalog["data"].start - timedelta(days=7)
    assert f"Open for registration until {last_day:%d/%m/%Y}" in content
    assert "Registration closed" in content  # CLOSED-1 and LATE-1
    assert "Cancelled" in content
    assert "6 editions" in content


def test_catalog_shows_what_is_to_come_first(client, catalog):
    today = timezone.localdate()
    EditionFactory(code="STARTED", start=today - timedelta(days=10))
    EditionFactory(code="TODAY", start=today)
    editions = client.get(CATALOG).context["editions"]
    upcoming = [edition.start for edition in editions if edition.start >= today]
    assert upcoming == sorted(upcoming)
    assert editions[0].code == "TODAY"
    assert editions[-1].code == "STARTED"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"organizer": "hasselt"}, {"PG-1", "MC-1"}),
        ({"kind": "postgraduate"}, {"PG-1"}),
        ({"kind": "microcredential"}, {"MC-1"}),
        ({"language": "en"}, {"PG-1"}),
        ({"open": "on"}, {"DATA-1", "PG-1", "MC-1"}),
        ({"q": "juristen"}, {"DATA-1"}),  # Dutch title
        ({"q": "LAWYERS"}, {"DATA-1"}),  # English title, any case
        ({"q": "privacy"}, {"DATA-1"}),  # description
        ({"q": "algoritmen"}, {"DATA-1"}),  # Dutch description
        ({"q": "pgfin"}, {"PG-1"}),  # course code
        ({"q": "MC-1"}, {"MC-1"}),  # edition code
        ({"q": "data lawyers"}, {"DATA-1"}),  # every word must match
        ({"q": "data finance"}, set()),
        ({"q": "geheim"}, set()),  # drafts are never found
        ({"organizer": "gent", "open": "on"}, {"DATA-1"}),
        ({"organizer": "hasselt", "kind": "short"}, set()),
    ],
)
def test_each_filter_narrows_the_list(client, catalog, query, expected):
    response = client.get(CATALOG, query)
    assert response.status_code == 200
    assert set(codes(response)) == expected


def test_month_filter(client, catalog):
    march = catalog["data"].start
    response = client.get(CATALOG, {"month": f"{march:%Y-%m}"})
    assert set(codes(response)) == {"DATA-1", "MC-1"}
    response = client.get(CATALOG, {"month": f"{catalog['postgrad'].start:%Y-%m}"})
    assert set(codes(response)) == {"PG-1"}


def test_month_filter_in_december_reaches_the_end_of_the_year(client, db):
    year = timezone.localdate().year + 1
    EditionFactory(code="DEC", start=date(year, 12, 31))
    EditionFactory(code="JAN", start=date(year + 1, 1, 1))
    assert codes(client.get(CATALOG, {"month": f"{year}-12"})) == ["DEC"]


def test_invalid_filters_are_reported_and_ignored(english, catalog):
    response = english.get(CATALOG, {"month": "March", "organizer": "nobody", "kind": "x"})
    assert response.status_code == 200
    assert len(codes(response)) == 6
    form = response.context["form"]
    assert set(form.errors) == {"month", "organizer", "kind"}
    assert "Enter a month as YYYY-MM" in response.content.decode()


def test_filter_form_keeps_its_values(english, catalog):
    content = english.get(CATALOG, {"q": "data", "organizer": "gent", "open": "on"}).content
    content = content.decode()
    assert 'value="data"' in content
    assert '<option value="gent" selected>' in content
    assert 'name="open" id="id_open" checked' in content


def test_no_results(english, catalog):
    response = english.get(CATALOG, {"q": "nothing-matches-this"})
    assert "No courses match your search." in response.content.decode()


def test_pagination_keeps_the_filters(english, db):
    for _ in range(23):
        EditionFactory(course__language="en")
    EditionFactory(course__language="nl")
    first = english.get(CATALOG, {"language": "en"})
    assert len(codes(first)) == 20
    content = first.content.decode()
    assert "Page 1 of 2" in content
    assert "?language=en&amp;page=2" in content
    second = english.get(CATALOG, {"language": "en", "page": 2})
    assert len(codes(second)) == 3
    assert not set(codes(first)) & set(codes(second))
    assert english.get(CATALOG, {"page": "999"}).status_code == 200  # last page, not an error


# --- the layout ----------------------------------------------------------------------------


def test_layout_for_an_anonymous_visitor(english, db):
    response = english.get(CATALOG)
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert 'name="viewport"' in content
    assert "/static/css/portal.css" in content
    assert reverse("account_login") in content
    assert reverse("account_signup") in content
    assert reverse("dashboard") not in content
    assert reverse("account_logout") not in content
    assert reverse("admin:index") not in content
    assert f'action="{reverse("set_language")}"' in content
    assert 'name="language" value="nl"' in content and ">Nederlands</button>" in content
    assert 'name="language" value="en"' in content and ">English</button>" in content
    assert 'name="next" value="/"' in content


def test_layout_for_a_participant(client, participant):
    client.force_login(participant)
    content = client.get(CATALOG + "?q=x").content.decode()
    assert '<html lang="nl">' in content
    assert reverse("dashboard") in content
    assert reverse("profile") in content
    assert f'action="{reverse("account_logout")}"' in content
    assert reverse("admin:index") not in content
    assert reverse("account_signup") not in content
    assert 'name="next" value="/?q=x"' in content


def test_layout_for_staff(client, course_admin):
    client.force_login(course_admin)
    assert reverse("admin:index") in client.get(CATALOG).content.decode()


def test_messages_are_shown_with_their_level(rf, db):
    request = rf.get("/")
    messages = [
        Message(constants.SUCCESS, "Your profile has been saved."),
        Message(constants.WARNING, "Mind the work address."),
        Message(constants.ERROR, "Something went wrong."),
    ]
    content = render_to_string("base.html", {"messages": messages}, request=request)
    # The live region is inside the item: a role on the <li> would take it out of its list.
    for level, role, text in (("success", "status", "Your profile has been saved."),
                              ("warning", "status", "Mind the work address."),
                              ("error", "alert", "Something went wrong.")):
        assert f'class="message message-{level}"><div role="{role}">{text}</div>' in content


def test_language_switch_comes_back_in_english(client, catalog):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": CATALOG}, follow=True
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Data science for lawyers" in content


@pytest.mark.parametrize("page", ["catalog", "course", "edition"])
def test_pages_respect_the_content_security_policy(client, catalog, page):
    url = {
        "catalog": CATALOG,
        "course": course_url(catalog["data"].course),
        "edition": edition_url(catalog["data"]),
    }[page]
    response = client.get(url)
    content = response.content.decode()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style=" not in content
    assert "<style" not in content
    # Scripts only as our own static files (the catalog's filter keeps its typing across a
    # language switch, static/js/keep_typing.js): no inline script.
    scripts = re.findall(r"(<script[^>]*>)(.*?)</script>", content, re.S)
    assert scripts == [(tag, "") for tag, _body in scripts]
    assert all(re.fullmatch(r'<script src="/static/js/[\w.]+\.js" defer>', tag)
               for tag, _body in scripts), scripts
    assert content.count("<script") == len(scripts)
    assert "http://" not in content and "https://" not in content  # no CDN, no web fonts


# --- the edition page ----------------------------------------------------------------------


def test_edition_page_for_every_visitor(visitor, catalog):
    edition = catalog["data"]
    SessionFactory(edition=edition, topic="Kick-off")
    response = visitor.get(edition_url(edition))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Datawetenschap voor juristen" in content
    assert "Academie Gent" in content
    assert "€ 1.234,50" in content
    last_day = edition.start - timedelta(days=7)
    assert f"{last_day:%d/%m/%Y}" in content
    assert "Kick-off" in content
    assert 'id="register"' in content
    staff_link = reverse("admin:courses_edition_change", args=[edition.pk])
    assert (staff_link in content) == (visitor.kind == "course_admin")


def test_edition_page_in_english(english, catalog):
    edition = catalog["data"]
    content = english.get(edition_url(edition)).content.decode()
    assert "Data science for lawyers" in content
    assert "About algorithms and privacy." in content
    last_day = edition.start - timedelta(days=7)
    assert f"Registration open until {last_day:%d/%m/%Y}" in content
    assert "Exempt from VAT" in content
    assert "Vrijgesteld van btw, art. 44 §2 4° W.btw" in content


def test_edition_page_in_dutch_states_the_exemption_once(client, catalog):
    content = client.get(edition_url(catalog["data"])).content.decode()
    assert "Vrijgesteld van btw, art. 44 §2 4° W.btw" in content
    assert "Vrijgesteld van btw: Vrijgesteld van btw" not in content


def test_edition_page_sessions_in_brussels_time(english, db):
    edition = EditionFactory(start=date(2027, 3, 15), end=date(2027, 6, 30))
    # 08:00 UTC in winter is 09:00 in Brussels; 07:30 UTC in summer is 09:30.
    SessionFactory(
        edition=edition,
        starts_at=datetime(2027, 3, 15, 8, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 15, 11, 0, tzinfo=UTC),
        location="Aula Max",
        topic="Introduction",
    )
    SessionFactory(
        edition=edition,
        starts_at=datetime(2027, 6, 1, 7, 30, tzinfo=UTC),
        ends_at=datetime(2027, 6, 1, 10, 0, tzinfo=UTC),
        location="",
        topic="",
        unit=CourseUnitFactory(course=edition.course, title_en="Ethics"),
    )
    content = english.get(edition_url(edition)).content.decode()
    assert "15/03/2027" in content and "09:00–12:00" in content
    assert "01/06/2027" in content and "09:30–12:00" in content
    assert "Aula Max" in content
    assert "Introduction" in content
    assert "Ethics" in content  # a session without a topic shows its unit
    assert edition.location in content  # a session without a location is at the edition's


def test_edition_page_units_and_credits(english, db):
    course = CourseFactory(kind=Course.Kind.MICROCREDENTIAL, total_credits=Decimal("7.5"))
    CourseUnitFactory(
        course=course,
        code="AI-01",
        title_en="Machine learning basics",
        credits=Decimal("4.5"),
        semester=CourseUnit.Semester.FIRST,
        digital_exam=True,
    )
    CourseUnitFactory(
        course=course,
        code="AI-02",
        title_en="Clinical practice",
        credits=Decimal("3"),
        semester=CourseUnit.Semester.YEAR,
        attendance_required=True,
        attendance_threshold_percent=80,
    )
    edition = EditionFactory(course=course)
    content = english.get(edition_url(edition)).content.decode()
    assert "7.5 ECTS credits" in content
    assert "AI-01" in content and "Machine learning basics" in content and "4.5" in content
    assert "First semester" in content and "Year-long" in content
    assert "Yes, on your own device" in content
    assert "Yes, at least 80 %" in content


def test_edition_page_per_credit_fee_with_vat(english, db):
    course = CourseFactory(total_credits=Decimal("10"))
    edition = EditionFactory(
        course=course,
        fee_kind=Edition.FeeKind.PER_CREDIT,
        programme_amount=Decimal("250.00"),
        credit_amount=Decimal("75.00"),
        vat_treatment=Edition.VatTreatment.TAXED,
    )
    content = english.get(edition_url(edition)).content.decode()
    assert "Amount per programme" in content and "€250.00" in content
    assert "€75.00 per credit × 10 credits" in content and "€750.00" in content
    assert "€1,000.00" in content
    assert "21 % VAT" in content and "€210.00" in content
    assert "Total incl. VAT" in content and "€1,210.00" in content
    assert "Exempt from VAT" not in content


def test_edition_page_cancellation_policy_a(english, db):
    course = CourseFactory(kind=Course.Kind.POSTGRADUATE, total_credits=Decimal("20"))
    CourseUnitFactory(course=course, credits=Decimal("12"), semester=CourseUnit.Semester.FIRST)
    CourseUnitFactory(course=course, credits=Decimal("8"), semester=CourseUnit.Semester.SECOND)
    edition = EditionFactory(
        course=course,
        academic_year=AcademicYearFactory(),  # 2026-2027, starts 21/09/2026
        cancellation_policy=Edition.Policy.ACADEMIC_YEAR,
        fee_kind=Edition.FeeKind.PER_CREDIT,
        programme_amount=Decimal("500.00"),
        credit_amount=Decimal("60.00"),
    )
    content = english.get(edition_url(edition)).content.decode()
    assert "Before the start of the academic year (21/09/2026): the full fee is refunded." in (
        content
    )
    assert "Within 14 days after your registration" in content
    assert "up to and including 30/11/2026: you owe only the amount per programme (€500.00)" in (
        content
    )
    assert "plus €60.00 per credit of the first-semester and year-long course units" in content
    assert "For this programme: 12 credits, €1,220.00 in all." in content
    assert "From 15/03/2027: nothing is refunded." in content


def test_edition_page_cancellation_policy_b(english, db):
    edition = EditionFactory(start=date(2027, 2, 1), fee_amount=Decimal("2400.00"))
    content = english.get(edition_url(edition)).content.decode()
    assert "Up to and including 25/01/2027 you can cancel: 10 % of the fee, at least €50.00" in (
        content
    )
    assert "For this edition: €240.00 is kept and €2,160.00 is refunded." in content
    assert "force majeure" in content
    assert "Registration deadline" in content and "Up to and including 25/01/2027" in content


def test_edition_page_cancellation_policy_c(english, db):
    edition = EditionFactory(
        start=date(2027, 3, 15),
        fee_amount=Decimal("450.00"),
        cancellation_policy=Edition.Policy.TIERED,
    )
    CancellationTierFactory(edition=edition, days=15, percent_kept=Decimal("0"))
    CancellationTierFactory(edition=edition, days=7, percent_kept=Decimal("50"))
    content = english.get(edition_url(edition)).content.decode()
    first = content.index("Cancel at least 15 days before the start (up to and including 28/02")
    second = content.index("Cancel at least 7 days before the start (up to and including 08/03")
    assert first < second
    assert "50 % of the fee is kept (€225.00)" in content
    assert "Later: the full fee is kept." in content


def test_edition_page_cancellation_policy_d(english, db):
    edition = EditionFactory(fee_amount=Decimal("0.00"), cancellation_policy=Edition.Policy.FREE)
    content = english.get(edition_url(edition)).content.decode()
    assert "Free training: notifying us is enough." in content
    assert ">Free<" in content


def test_edition_page_registration_states(english, catalog):
    closed = english.get(edition_url(catalog["closed"])).content.decode()
    assert "Registration closed" in closed
    late = english.get(edition_url(catalog["late"])).content.decode()
    assert "Registration closed" in late
    cancelled = english.get(edition_url(catalog["cancelled"])).content.decode()
    assert "This edition has been cancelled." in cancelled
    open_ = english.get(edition_url(catalog["data"])).content.decode()
    assert "Registration open until" in open_
    assert "Log in to register" in open_


def test_edition_page_does_not_show_seats_taken(english, catalog):
    content = english.get(edition_url(catalog["data"])).content.decode()
    assert "Seats" in content
    assert "taken" not in content.lower()


@pytest.mark.parametrize("user", [None, "participant", "course_admin"])
def test_draft_and_unknown_editions_are_not_found(client, catalog, user, request):
    if user:
        client.force_login(request.getfixturevalue(user))
    assert client.get(edition_url(catalog["draft"])).status_code == 404
    assert client.get(reverse("edition_detail", args=["NO-SUCH-CODE"])).status_code == 404


# --- the course page -----------------------------------------------------------------------


def test_course_page_lists_its_published_editions(visitor, db):
    course = CourseFactory(title_nl="Fiscaal recht", title_en="Tax law")
    CourseUnitFactory(course=course, code="FR-1", title_nl="Btw")
    first = EditionFactory(course=course, start=date(2027, 2, 1), fee_amount=Decimal("300"))
    second = EditionFactory(course=course, start=date(2027, 10, 4))
    draft = EditionFactory(course=course, status=Edition.Status.DRAFT)
    response = visitor.get(course_url(course))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Fiscaal recht" in content
    assert "FR-1" in content and "Btw" in content
    assert edition_url(first) in content and edition_url(second) in content
    assert edition_url(draft) not in content
    assert content.index("01/02/2027") < content.index("04/10/2027")
    assert "€ 300,00" in content


def test_course_page_in_english(english, db):
    course = CourseFactory(title_nl="Fiscaal recht", title_en="Tax law")
    EditionFactory(course=course)
    content = english.get(course_url(course)).content.decode()
    assert "Tax law" in content and "Fiscaal recht" not in content


def test_course_without_published_editions_is_not_found(client, db):
    course = CourseFactory()
    assert client.get(course_url(course)).status_code == 404
    EditionFactory(course=course, status=Edition.Status.DRAFT)
    assert client.get(course_url(course)).status_code == 404
    assert client.get(reverse("course_detail", args=["no-such-course"])).status_code == 404
