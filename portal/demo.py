"""Write the demo data of portal.demo_data into the database; `manage.py load_demo` calls this.

Idempotent: every row is found by its natural key (organizer slug, academic year code, course
organizer + code, unit course + code, edition code, tier edition + days, session edition + start,
user e-mail) and updated in place, so a second run on the same day changes nothing. Dates follow
the day it runs; sessions of a demo edition that a later day's run no longer plans are removed, so
re-running on another day moves the demo instead of piling up sessions.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from courses.models import (
    AcademicYear,
    CancellationTier,
    Course,
    CourseUnit,
    Edition,
    Organizer,
    Session,
)
from portal import demo_data
from portal.demo_activity import load_demo_activity
from portal.demo_data import (
    CURRENT,
    SECOND_SEMESTER,
    TODAY,
    YEAR_START,
    CourseSpec,
    Run,
    Timetable,
)
from portal.models import User, WorkEmailDomain

BRUSSELS = ZoneInfo("Europe/Brussels")


def academic_year_start(year: int) -> date:
    """The academic year starting in `year` begins on the Monday on or before 21 September."""
    day = date(year, 9, 21)
    return day - timedelta(days=day.weekday())


def academic_year_bounds(day: date) -> tuple[str, date, date, date]:
    """Code, start, start of the second semester (second Monday of February) and end of the
    academic year that contains `day`."""
    year = day.year if day >= academic_year_start(day.year) else day.year - 1
    february = date(year + 1, 2, 1)
    first_monday = february + timedelta(days=-february.weekday() % 7)
    return (
        f"{year}-{year + 1}",
        academic_year_start(year),
        first_monday + timedelta(days=7),
        academic_year_start(year + 1) - timedelta(days=1),
    )


def _weekday(day: date) -> date:
    """Nobody teaches at the weekend: Saturday and Sunday move to the Monday."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


class _Years:
    """The academic years the demo needs, created on first use: each edition belongs to the year
    that contains its start, which for a today-relative start near September may be a neighbour."""

    def __init__(self):
        self._by_code: dict[str, AcademicYear] = {}

    def containing(self, day: date) -> AcademicYear:
        code, start, second_semester_start, end = academic_year_bounds(day)
        if code not in self._by_code:
            self._by_code[code], _ = AcademicYear.objects.update_or_create(
                code=code,
                defaults={
                    "start": start,
                    "second_semester_start": second_semester_start,
                    "end": end,
                },
            )
        return self._by_code[code]


@transaction.atomic
def load_demo(today: date) -> list[tuple[str, str, str]]:
    """Load (or refresh) the demo for `today`; return the logins as (role, e-mail, password)."""
    for domain, note in demo_data.WORK_EMAIL_DOMAINS:
        WorkEmailDomain.objects.update_or_create(domain=domain, defaults={"note": note})
    organizers = {}
    for fields in demo_data.ORGANIZERS:
        fields = dict(fields)
        slug = fields.pop("slug")
        organizers[slug], _ = Organizer.objects.update_or_create(slug=slug, defaults=fields)
    _signatories(organizers)

    years = _Years()
    current = years.containing(today)
    slots = {CURRENT: current, demo_data.NEXT: years.containing(current.end + timedelta(days=1))}
    for spec in demo_data.COURSES:
        course = _course(spec, organizers[spec.organizer])
        units = _units(course, spec)
        for run in spec.runs:
            _edition(course, spec, run, units, today, slots[run.year], years)
    logins = [_user(person) for person in demo_data.USERS]
    load_demo_activity(today)
    return logins


def _signatories(organizers: dict[str, Organizer]) -> None:
    """Who signs each organizer's certificates (certificates.Signatory)."""
    from certificates.models import Signatory

    for slug, (name, function_nl, function_en) in demo_data.SIGNATORIES.items():
        Signatory.objects.update_or_create(
            organizer=organizers[slug], course=None,
            defaults={"name": name, "function_nl": function_nl, "function_en": function_en},
        )


def _course(spec: CourseSpec, organizer: Organizer) -> Course:
    course, _ = Course.objects.update_or_create(
        organizer=organizer,
        code=spec.code,
        defaults={
            "kind": spec.kind,
            "slug": slugify(f"{organizer.slug}-{spec.code}"),
            "title_nl": spec.title_nl,
            "title_en": spec.title_en,
            "description_nl": spec.description_nl,
            "description_en": spec.description_en,
            "language": spec.language,
            # The programme is the sum of its units; a short course has none.
            "total_credits": Decimal(sum(unit.credits for unit in spec.units)),
            "uses_weighted_percentage": spec.uses_weighted_percentage,
        },
    )
    return course


def _units(course: Course, spec: CourseSpec) -> list[CourseUnit]:
    units = []
    for position, unit in enumerate(spec.units, start=1):
        row, _ = CourseUnit.objects.update_or_create(
            course=course,
            code=unit.code,
            defaults={
                "title_nl": unit.title_nl,
                "title_en": unit.title_en,
                "credits": Decimal(unit.credits),
                "semester": unit.semester,
                "digital_exam": unit.digital_exam,
                "attendance_required": unit.attendance_required,
                "examinable_once_a_year": unit.examinable_once_a_year,
                "position": position,
            },
        )
        units.append(row)
    return units


def _edition(course, spec, run: Run, units, today, slot: AcademicYear, years: _Years) -> None:
    anchor = {
        TODAY: today,
        YEAR_START: slot.start,
        SECOND_SEMESTER: slot.second_semester_start,
    }[run.anchor]
    start = _weekday(anchor + timedelta(days=run.offset_days))
    timetable = spec.timetable
    days = _session_days(start, timetable)
    academic_year = years.containing(start)
    edition, _ = Edition.objects.update_or_create(
        # The slot's year, not the start's, so the code stays put when the start moves a little.
        code=f"{course.organizer.slug.upper()}-{spec.code}-{slot.start.year}",
        defaults={
            "course": course,
            "academic_year": academic_year,
            "start": start,
            "end": days[-1],
            "location": spec.location,
            "status": Edition.Status.OPEN,
            **spec.edition,
            **run.changes,
        },
    )
    _tiers(edition)
    planned = []
    for index, day in enumerate(days):
        starts_at = datetime.combine(day, timetable.starts, BRUSSELS)
        unit = _unit_for(day, index, units, academic_year)
        if unit is not None:
            topic = unit.title_en if course.language == demo_data.EN else unit.title_nl
        elif course.language == demo_data.EN:
            topic = f"Session {index + 1} of {len(days)}"
        else:
            topic = f"Sessie {index + 1} van {len(days)}"
        Session.objects.update_or_create(
            edition=edition,
            starts_at=starts_at,
            defaults={
                "ends_at": datetime.combine(day, timetable.ends, BRUSSELS),
                "unit": unit,
                "location": spec.location,
                "topic": topic,
            },
        )
        planned.append(starts_at)
    Session.objects.filter(edition=edition).exclude(starts_at__in=planned).delete()


def _session_days(start: date, timetable: Timetable) -> list[date]:
    """Every `every_days` (a multiple of 7, so always the start's weekday) from the start; a
    session that would fall in the Christmas break moves a week on, and the later ones with it."""
    days = [start]
    while len(days) < timetable.count:
        day = days[-1] + timedelta(days=timetable.every_days)
        while _christmas_break(day):
            day += timedelta(days=7)
        days.append(day)
    return days


def _christmas_break(day: date) -> bool:
    return (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 1)


def _unit_for(day: date, index: int, units: list[CourseUnit], year: AcademicYear):
    """Spread the sessions over the units taught in that semester (year-long units in both)."""
    if not units:
        return None
    semester = (
        CourseUnit.Semester.FIRST
        if day < year.second_semester_start
        else CourseUnit.Semester.SECOND
    )
    taught = [u for u in units if u.semester in (semester, CourseUnit.Semester.YEAR)] or units
    return taught[index % len(taught)]


def _tiers(edition: Edition) -> None:
    days = []
    if edition.cancellation_policy == Edition.Policy.TIERED:
        for days_before, percent_kept in demo_data.POLICY_C_TIERS:
            CancellationTier.objects.update_or_create(
                edition=edition, days=days_before, defaults={"percent_kept": percent_kept}
            )
            days.append(days_before)
    CancellationTier.objects.filter(edition=edition).exclude(days__in=days).delete()


def _user(person: demo_data.DemoUser) -> tuple[str, str, str]:
    user, _ = User.objects.update_or_create(
        email=person.email,
        defaults={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "is_active": True,
            "is_staff": person.is_staff,
            "is_superuser": person.is_superuser,
            "preferred_language": person.preferred_language,
            **person.profile,
        },
    )
    # Only when it differs: a fresh salt on every run would make the second run change a row.
    if not user.check_password(demo_data.PASSWORD):
        user.set_password(demo_data.PASSWORD)
        user.save(update_fields=["password"])
    # The groups come from the roles migrations; a missing one is a broken database, not a demo
    # detail to paper over.
    user.groups.set([Group.objects.get(name=person.group)] if person.group else [])
    # A verified primary address lets allauth log them in without a confirmation e-mail.
    EmailAddress.objects.update_or_create(
        user=user, email=person.email, defaults={"primary": True, "verified": True}
    )
    return person.role, person.email, demo_data.PASSWORD
