"""`manage.py load_demo`: the demo catalog and accounts, loaded twice without a difference."""

from datetime import date, timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.models import (
    AcademicYear,
    CancellationTier,
    Course,
    CourseUnit,
    Edition,
    Organizer,
    Session,
)
from portal.demo import academic_year_bounds, load_demo
from portal.demo_data import PASSWORD, POLICY_C_TIERS, URL, USERS
from portal.models import User, WorkEmailDomain
from portal.roles import ROLES

MODELS = (
    WorkEmailDomain,
    Organizer,
    AcademicYear,
    Course,
    CourseUnit,
    Edition,
    CancellationTier,
    Session,
    User,
    EmailAddress,
)


def snapshot():
    """Every row of every model the demo writes, so "the same rows" means the same values."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    rows["groups"] = list(User.groups.through.objects.order_by("pk").values())
    return rows


def run_command(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded(db):
    """Run twice; return the output of the second run and the rows after each run."""
    run_command()
    first = snapshot()
    output = run_command()
    return output, first, snapshot()


@pytest.mark.parametrize(
    ("day", "code", "start", "second_semester_start", "end"),
    [
        (date(2026, 11, 23), "2026-2027", date(2026, 9, 21), date(2027, 2, 8), date(2027, 9, 19)),
        (date(2027, 9, 19), "2026-2027", date(2026, 9, 21), date(2027, 2, 8), date(2027, 9, 19)),
        (date(2027, 9, 20), "2027-2028", date(2027, 9, 20), date(2028, 2, 14), date(2028, 9, 17)),
        (date(2026, 9, 1), "2025-2026", date(2025, 9, 15), date(2026, 2, 9), date(2026, 9, 20)),
    ],
)
def test_academic_year_bounds(day, code, start, second_semester_start, end):
    assert academic_year_bounds(day) == (code, start, second_semester_start, end)


def test_a_second_run_leaves_exactly_the_same_rows(loaded):
    _, first, second = loaded
    assert {name: len(rows) for name, rows in first.items()} == {
        name: len(rows) for name, rows in second.items()
    }
    assert first == second


def test_catalog(loaded):
    assert set(Organizer.objects.values_list("slug", flat=True)) == {"lla", "uhl"}
    assert Course.objects.count() >= 18
    assert set(Course.objects.values_list("language", flat=True)) == {"nl", "en"}
    assert set(Edition.objects.values_list("cancellation_policy", flat=True)) == set("ABCD")
    # The English academy uses A, C and D; the Dutch university B only.
    assert set(
        Edition.objects.filter(course__organizer__slug="lla").values_list(
            "cancellation_policy", flat=True
        )
    ) == set("ACD")
    assert set(
        Edition.objects.filter(course__organizer__slug="uhl").values_list(
            "cancellation_policy", flat=True
        )
    ) == {"B"}
    for course in Course.objects.prefetch_related("units", "editions"):
        assert 1 <= len(course.editions.all()) <= 2
        assert sum(unit.credits for unit in course.units.all()) == course.total_credits
        assert course.is_programme == (course.total_credits > 0)


def test_editions_in_the_current_and_next_academic_year(loaded):
    today = timezone.localdate()
    current = AcademicYear.objects.get(start__lte=today, end__gte=today)
    following = AcademicYear.objects.get(start=current.end + timedelta(days=1))
    assert current.editions.exists()
    assert following.editions.exists()
    for edition in Edition.objects.select_related("academic_year"):
        assert edition.academic_year.start <= edition.start <= edition.academic_year.end


def test_the_editions_a_demo_needs(loaded):
    today = timezone.localdate()
    editions = Edition.objects.all()
    assert set(editions.values_list("status", flat=True)) == set(Edition.Status.values)
    open_now = Edition.objects.open_for_registration(today)
    assert open_now.filter(start__lte=today + timedelta(days=30)).exists()  # starting soon
    # Open, but the registration deadline has passed: it starts within the week.
    assert (
        editions.filter(
            status=Edition.Status.OPEN, start__gt=today, start__lt=today + timedelta(days=7)
        )
        .exclude(pk__in=open_now)
        .exists()
    )
    assert editions.filter(start__lt=today, end__gte=today).exists()  # already running
    assert editions.filter(seats=2).count() == 1  # the waiting list
    assert not editions.exclude(seats=2).exclude(seats__range=(12, 60)).exists()
    assert editions.filter(admission_required=True).count() >= 2
    assert editions.filter(instalments_allowed=True, max_instalments=3).exists()
    assert editions.filter(kmo_eligible=True).exists()
    taxed = editions.filter(vat_treatment=Edition.VatTreatment.TAXED)
    assert 1 <= taxed.count() <= 2
    assert all(edition.total_price > edition.fee for edition in taxed)


def test_policies_carry_their_parameters(loaded):
    for edition in Edition.objects.filter(cancellation_policy="C").prefetch_related("tiers"):
        assert [(t.days, t.percent_kept) for t in edition.tiers.all()] == list(POLICY_C_TIERS)
    assert not CancellationTier.objects.exclude(edition__cancellation_policy="C").exists()
    assert not Edition.objects.filter(cancellation_policy="D").exclude(fee_amount=0).exists()
    policy_a = Edition.objects.filter(cancellation_policy="A")
    assert not policy_a.exclude(fee_kind="per_credit").exists()
    assert Edition.objects.filter(cancellation_policy="B", fee_kind="fixed").exists()
    assert Edition.objects.filter(cancellation_policy="B", fee_kind="per_credit").exists()


def test_sessions(loaded):
    for edition in Edition.objects.prefetch_related("sessions"):
        sessions = list(edition.sessions.all())
        assert 2 <= len(sessions) <= 10
        assert timezone.localtime(sessions[0].starts_at).date() == edition.start
        assert timezone.localtime(sessions[-1].starts_at).date() == edition.end
        for session in sessions:
            assert timezone.localtime(session.starts_at).weekday() < 5
            assert 7 <= timezone.localtime(session.starts_at).hour <= 18


def test_staff_participants_and_output(loaded, client):
    output, _, _ = loaded
    for role in ROLES:
        members = Group.objects.get(name=role).user_set.all()
        assert len(members) == 1
        assert members[0].is_staff
        assert members[0].email.endswith("@demo.lifelong.test")
    assert User.objects.get(email="admin@demo.lifelong.test").is_superuser
    participants = User.objects.filter(is_staff=False, email__endswith="@demo.lifelong.test")
    assert len(participants) == 2
    for participant in participants:
        assert not participant.is_staff
        assert not participant.groups.exists()
        assert participant.date_of_birth and participant.street and participant.phone
    assert URL in output
    for person in USERS:
        assert person.email in output
        line = next(line for line in output.splitlines() if person.email in line)
        assert PASSWORD in line and person.role in line


def test_every_demo_user_can_log_in(loaded, client):
    for person in USERS:
        assert EmailAddress.objects.get(email=person.email).verified
        assert client.login(email=person.email, password=PASSWORD), person.email
        client.logout()
        # Through allauth's form too: a verified address means no confirmation mail in the way.
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": PASSWORD}
        )
        assert response.status_code == 302, person.email
        assert "confirm-email" not in response.url
        assert client.session.get("_auth_user_id") == str(User.objects.get(email=person.email).pk)
        client.logout()


@pytest.mark.django_db
def test_another_day_moves_the_demo_without_piling_up(client):
    load_demo(date(2026, 11, 23))
    counts = {model: model.objects.count() for model in (Edition, Session, CancellationTier)}
    assert AcademicYear.objects.filter(code__in=["2026-2027", "2027-2028"]).count() == 2
    load_demo(date(2026, 11, 24))
    assert {model: model.objects.count() for model in counts} == counts
    # The running postgraduate's sessions moved with the day.
    zorg = Edition.objects.get(code="UHL-PG-ZORGMGT-2026")
    assert zorg.start == date(2026, 10, 27)


def test_the_demo_participants_have_registered_paid_and_are_reminded(loaded, client):
    """portal/demo_activity.py: through the real services, once; a second run adds nothing."""
    from billing.balances import PAID
    from billing.models import Invoice, LatePaymentStep, UnpaidFlag
    from billing.payments import balance_of
    from registrations.models import Registration

    today = timezone.localdate()
    an, ben = (User.objects.get(email=f"{name}@demo.lifelong.test") for name in ("an", "ben"))
    late, fresh = Invoice.objects.filter(user=an).order_by("issue_date")
    assert late.issue_date == today - timedelta(days=45) and late.due_date < today
    assert fresh.issue_date == today
    assert LatePaymentStep.objects.filter(invoice=late, kind="reminder").exists()
    assert UnpaidFlag.objects.filter(invoice=late, lifted_at__isnull=True).exists()
    (paid,) = Invoice.objects.filter(user=ben)
    assert balance_of(paid).status == PAID
    assert Registration.objects.filter(user__in=[an, ben]).count() == 3

    client.force_login(an)
    page = client.get(reverse("dashboard")).content.decode()
    assert late.number in page and fresh.number in page
