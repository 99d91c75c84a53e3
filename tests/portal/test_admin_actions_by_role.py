"""The admin's actions, posted by every staff role: whoever may run one runs it; the others get
a refusal (403, or the list again with "no action selected"), never a server error, and
nothing changes."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from certificates.models import Certificate
from courses.models import Edition
from registrations.models import (
    AdmissionApplication,
    BulkJob,
    CancellationRequest,
    EditionChangeNotice,
)
from tests.security import world

pytestmark = pytest.mark.django_db

ROLES = ("course_admin", "finance_user", "exam_committee_member")


def _state():
    return (
        list(Edition.objects.order_by("pk").values_list("status", flat=True)),
        list(AdmissionApplication.objects.order_by("pk").values_list("status", flat=True)),
        list(CancellationRequest.objects.order_by("pk").values_list("status", flat=True)),
        list(Certificate.objects.order_by("pk").values_list("revoked_at", "review")),
        Certificate.objects.count(),
        EditionChangeNotice.objects.count(),
        list(BulkJob.objects.order_by("pk").values_list("finished_at", flat=True)),
    )


# changelist, action, extra data, the object, who may run it
ACTIONS = [
    ("courses_edition", "cancel_edition", {}, "edition", {"course_admin"}),
    ("courses_edition", "notify_change",
     {"apply": "1", "description_nl": "Zaal", "description_en": "Room"}, "edition",
     {"course_admin"}),
    ("registrations_admissionapplication", "admit", {}, "application", {"course_admin"}),
    ("registrations_admissionapplication", "reject", {}, "application", {"course_admin"}),
    ("registrations_cancellationrequest", "confirm", {"apply": "1"}, "cancellation",
     {"course_admin"}),
    ("registrations_registration", "issue_certificates", {}, "registration", {"course_admin"}),
    ("certificates_certificate", "revoke", {"apply": "1", "reason": "Wrong name"},
     "certificate", {"course_admin"}),
    ("certificates_certificate", "keep", {"apply": "1", "reason": "The LEC let it stand"},
     "certificate", {"course_admin"}),
    ("registrations_bulkjob", "run_again", {}, "bulk_job", {"course_admin"}),
]


def test_admin_actions_answer_each_role(request, participant, course_admin):
    objects = world.build(participant=participant, staff_user=course_admin)
    objects["cancellation"] = CancellationRequest.objects.order_by("pk").first()
    objects["bulk_job"] = BulkJob.objects.order_by("pk").first()
    # A certificate marked "to review", for the keep action (what certificates.services.
    # review_certificates writes after a correction).
    Certificate.objects.filter(pk=objects["certificate"].pk).update(review="not_passed")
    wrong = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        client.force_login(request.getfixturevalue(role))
        for changelist, action, extra, key, allowed in ACTIONS:
            before = _state()
            with transaction.atomic():
                response = client.post(reverse(f"admin:{changelist}_changelist"), {
                    "action": action, "_selected_action": [objects[key].pk], **extra})
                after = _state()
                transaction.set_rollback(True)
            got = response.status_code
            changed = after != before
            if role in allowed:
                if got >= 400 or not changed:
                    wrong.append(f"{action} as {role}: {got}, changed={changed}")
            elif got not in (200, 302, 403) or changed:
                wrong.append(f"{action} as {role}: {got}, changed={changed}")
    assert not wrong, "\n".join(wrong)


def test_posting_a_change_or_an_add_without_the_permission_is_refused(
        request, participant, course_admin):
    """The matrix GETs every admin page; a POST to an add or change page by a role that may
    only look (or not even that) is refused too, and nothing is written."""
    from django.contrib import admin

    objects = world.build(participant=participant, staff_user=course_admin)
    assert objects
    wrong = []
    for role in ROLES:
        user = request.getfixturevalue(role)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for model in admin.site._registry:
            opts = model._meta
            if opts.app_label not in ("courses", "registrations", "exams", "certificates"):
                continue
            obj = world.admin_object(opts.label_lower)
            pages = [("add", reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))]
            if obj is not None:
                pages.append(("change", reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])))
            for view, url in pages:
                may = user.has_perm(f"{opts.app_label}.{view}_{opts.model_name}")
                with transaction.atomic():
                    response = client.post(url, {})
                    transaction.set_rollback(True)
                got = response.status_code
                if got >= 500 or (not may and got != 403):
                    wrong.append(f"POST {url} as {role}: {got}")
    assert not wrong, "\n".join(wrong)
