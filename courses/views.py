"""The public catalog: a filtered list of editions, a course page and an edition page.

Each page runs a fixed number of queries whatever the number of editions, sessions, units or
tiers (select_related / prefetch_related below; tests/courses/test_catalog_pages.py checks it).
"""

from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, When
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from courses.conditions import (
    cancellation_conditions,
    is_open_for_registration,
    registration_closes_on,
)
from courses.forms import CatalogFilterForm
from courses.models import Course, CourseUnit, Edition, Session
from registrations.state import registration_state

PER_PAGE = 20


def _with_registration_state(editions, today):
    """Attach the last registration day and whether registration is open now."""
    for edition in editions:
        edition.registration_closes_on = registration_closes_on(edition)
        edition.is_open = is_open_for_registration(edition, today)
        # Every seat taken by a confirmed registration: only the waiting list is left.
        edition.is_full = edition.seats_taken >= edition.seats
    return editions


def catalog(request):
    today = timezone.localdate()
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # invalid fields are shown with their error and not applied
    editions = (
        form.filter(Edition.objects.published().for_catalog())
        # What is still to come first, by start date; editions under way or over after them.
        .alias(started=Case(When(start__lt=today, then=1), default=0))
        .order_by("started", "start", "code")
    )
    page = Paginator(editions, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "editions": _with_registration_state(list(page.object_list), today),
    }
    return render(request, "courses/catalog.html", context)


def course_detail(request, slug):
    """A course and its published editions; a course with none is not in the catalog (404)."""
    course = get_object_or_404(
        Course.objects.select_related("organizer").prefetch_related(
            Prefetch(
                "editions",
                queryset=Edition.objects.published().select_related("academic_year"),
                to_attr="published_editions",
            ),
            "units",
        ),
        slug=slug,
    )
    if not course.published_editions:
        raise Http404
    for edition in course.published_editions:
        edition.course = course  # the fee of a per-credit edition reads the course's credits
    _with_registration_state(course.published_editions, timezone.localdate())
    return render(request, "courses/course_detail.html", {"course": course})


def edition_detail(request, code):
    edition = get_object_or_404(
        Edition.objects.published()
        .for_catalog()
        .prefetch_related(
            Prefetch("sessions", queryset=Session.objects.select_related("unit")),
            Prefetch("course__units", queryset=CourseUnit.objects.order_by("position", "code")),
            "tiers",
        ),
        code=code,
    )
    _with_registration_state([edition], timezone.localdate())
    context = {
        "edition": edition,
        "course": edition.course,
        "conditions": cancellation_conditions(edition),
        "credit_part": edition.credit_amount * edition.course.total_credits,
        "state": registration_state(edition, request.user),
    }
    return render(request, "courses/edition_detail.html", context)
