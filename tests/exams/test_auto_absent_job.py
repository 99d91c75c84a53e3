"""The daily `A` job at scale (seed 2 art. 8.5): one selection query whatever the data, a fixed
number of queries per `A` written, nothing (and a constant few queries) on the next runs, and a
unit that fails is rolled back alone, logged and counted while the others get their `A`."""

import logging
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams.models import Enrolment, ExamPeriod, Result
from exams.services.absence import auto_absent
from registrations.models import Registration
from tests.exams.conftest import enter, participants
from tests.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db
AFTER_THE_WINDOW = date(2027, 8, 9)


def decoys(programme, period, committee_member):
    """Registrations that must get no `A`, whatever the data size: both units passed, an
    exemption, a failed result corrected to a pass, a cancelled registration, an unpublished
    programme; and a first-chance `A` (failed: it gets one) with its correction the other way."""
    [passed] = participants(1, programme, period, committee_member, results=("12", "V"))
    [corrected] = participants(1, programme, period, committee_member, results=("7", "10"))
    enter(corrected, "DATA1", "10", committee_member, reason="counting error")
    [absent] = participants(1, programme, period, committee_member, results=("A", "14"))
    [worse] = participants(1, programme, period, committee_member, results=("11", "12"))
    enter(worse, "DATA2", "9", committee_member, reason="counting error")
    [cancelled] = participants(1, programme, period, committee_member)
    Registration.objects.filter(pk=cancelled.pk).update(status="cancelled")
    return {"should_get_a": {(absent.pk, "DATA1"), (worse.pk, "DATA2")},
            "never": {passed.pk, corrected.pk, cancelled.pk}}


def a_results():
    return set(Result.objects.filter(code="A", enrolment__chance=2)
               .values_list("enrolment__registration_id", "enrolment__unit__code"))


def queries_of(today):
    with CaptureQueriesContext(connection) as queries:
        created = auto_absent(today)
    return created, len(queries)


def test_the_selection_is_exact_and_costs_the_same_at_any_size(periods, programme,
                                                               exam_committee_member):
    picked = decoys(programme, periods[0], exam_committee_member)
    first = participants(2, programme, periods[0], exam_committee_member)
    created_1x, queries_1x = queries_of(AFTER_THE_WINDOW)
    assert created_1x == 2 + len(picked["should_get_a"])
    assert a_results() == picked["should_get_a"] | {(r.pk, "DATA1") for r in first}
    created_0, idle_1x = queries_of(AFTER_THE_WINDOW)
    assert created_0 == 0

    more = participants(20, programme, periods[0], exam_committee_member)
    created_10x, queries_10x = queries_of(AFTER_THE_WINDOW)
    assert created_10x == 20
    assert a_results() - picked["should_get_a"] == {(r.pk, "DATA1") for r in first + more}
    assert not Enrolment.objects.filter(chance=2, registration_id__in=picked["never"]).exists()
    created_0, idle_10x = queries_of(AFTER_THE_WINDOW)
    assert created_0 == 0

    # The selection: one query, however much data; then a fixed number per `A` written.
    assert idle_1x == idle_10x == 1
    per_a = (queries_1x - idle_1x) / created_1x
    assert per_a == (queries_10x - idle_10x) / created_10x
    assert per_a <= 6, f"{per_a} queries per A"
    print(f"auto_absent: {idle_1x} selection query, {per_a:.0f} queries per A written")


def test_past_years_cost_nothing_once_settled(periods, programme, exam_committee_member):
    """The years before are still looked at (a result published late gets its `A`), but in the
    selection query only: their settled units add no query."""
    past_year = AcademicYearFactory(code="2025-2026", start=date(2025, 9, 22),
                                    end=date(2026, 9, 20),
                                    second_semester_start=date(2026, 2, 9))
    past_period = ExamPeriod.objects.create(academic_year=past_year,
                                            organizer=programme.organizer, chance=1,
                                            start=date(2026, 6, 1), end=date(2026, 6, 30))
    past = participants(10, programme, past_period, exam_committee_member)
    assert auto_absent(date(2026, 8, 9)) == 10
    now = participants(1, programme, periods[0], exam_committee_member)
    assert auto_absent(AFTER_THE_WINDOW) == 1
    assert a_results() == {(r.pk, "DATA1") for r in past + now}
    assert queries_of(AFTER_THE_WINDOW) == (0, 1)


def test_one_failing_unit_does_not_stop_the_others(periods, programme, exam_committee_member,
                                                   caplog):
    people = participants(4, programme, periods[0], exam_committee_member)
    failing = people[1]
    with connection.cursor() as cursor:  # the `A` of this one registration cannot be written
        cursor.execute(
            "CREATE FUNCTION test_refuse_a() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
            "IF (SELECT registration_id FROM exams_enrolment WHERE id = NEW.enrolment_id) = "
            f"{int(failing.pk)} THEN RAISE EXCEPTION 'test fault: no result'; END IF; "
            "RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER test_refuse_a BEFORE INSERT ON exams_result "
                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_a()")

    with caplog.at_level(logging.INFO, logger="exams.services.absence"):
        assert auto_absent(AFTER_THE_WINDOW) == 3

    assert a_results() == {(r.pk, "DATA1") for r in people if r.pk != failing.pk}
    # Nothing half-saved: the failing unit has no second-chance enrolment without its `A`.
    assert not Enrolment.objects.filter(registration=failing, chance=2).exists()
    assert any(r.exc_info and f"enrolment {failing.exam_enrolments.get(unit__code='DATA1').pk}"
               in r.getMessage() for r in caplog.records)
    assert any("1 failed" in r.getMessage() for r in caplog.records)

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_a ON exams_result")
    assert auto_absent(AFTER_THE_WINDOW) == 1
    assert (failing.pk, "DATA1") in a_results()
    assert auto_absent(AFTER_THE_WINDOW) == 0


def test_a_unit_enrolled_after_the_selection_is_skipped_not_failed(periods, programme,
                                                                  exam_committee_member,
                                                                  caplog):
    """Staff enrol someone for the second chance while the job runs: the job's own insert then
    breaks the unique (registration, unit, chance), as a trigger makes it here."""
    participants(1, programme, periods[0], exam_committee_member)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_enrolled_meanwhile() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF NEW.chance = 2 THEN RAISE unique_violation USING MESSAGE = "
            "'duplicate key value violates unique constraint \"exam_enrolment_unique\"'; "
            "END IF; RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER test_enrolled_meanwhile BEFORE INSERT ON exams_enrolment "
                       "FOR EACH ROW EXECUTE FUNCTION test_enrolled_meanwhile()")
    with caplog.at_level(logging.INFO, logger="exams.services.absence"):
        assert auto_absent(AFTER_THE_WINDOW) == 0
    assert not Result.objects.filter(enrolment__chance=2).exists()
    messages = [r.getMessage() for r in caplog.records]
    assert any("enrolled meanwhile" in m for m in messages)
    assert not any("failed" in m for m in messages)
