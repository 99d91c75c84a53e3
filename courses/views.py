from django.shortcuts import get_object_or_404, render

from courses.models import Course, Edition


def catalog(request):
    editions = Edition.objects.published().for_catalog()
    return render(request, "courses/catalog.html", {"editions": editions})


def course_detail(request, slug):
    course = get_object_or_404(Course, slug=slug)
    return render(request, "courses/course_detail.html", {"course": course})


def edition_detail(request, code):
    edition = get_object_or_404(Edition.objects.published().for_catalog(), code=code)
    return render(request, "courses/edition_detail.html", {"edition": edition})
