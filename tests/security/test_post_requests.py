"""POST requests the access-control matrix (GET only) does not make (issue 10): every URL refuses
a POST without its CSRF token, and another participant's POST on the participant's objects
changes nothing and answers exactly as for an object that does not exist."""

import pytest
from django.db import transaction
from django.test import Client

from tests.security import world
from tests.security.paths import path_for
from tests.security.urlwalk import all_routes


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_its_csrf_token(participant, course_admin):
    objects = world.build(participant=participant, staff_user=course_admin)
    paths = {r.key: path_for(r.key, r.route, objects) for r in all_routes()}
    clients = {"participant": Client(enforce_csrf_checks=True),
               "staff": Client(enforce_csrf_checks=True)}
    clients["participant"].force_login(participant)
    clients["staff"].force_login(course_admin)
    accepted = []
    for role, client in clients.items():
        for key, path in paths.items():
            with transaction.atomic():
                response = client.post(path, {"language": "en", "next": "/"})
                transaction.set_rollback(True)
            if response.status_code != 403:
                accepted.append(f"{key} ({path}) as {role}: {response.status_code}")
    assert not accepted, "POSTs accepted without a CSRF token:\n" + "\n".join(accepted)


def _state(objects) -> dict:
    """What another participant's POSTs must leave as it was."""
    from portal.privacy.models import ErasureRequest
    from registrations.models import (
        Cart,
        CartItem,
        ChangeResponse,
        Registration,
        WaitingListEntry,
    )

    return {
        "item": CartItem.objects.filter(pk=objects["item"].pk).exists(),
        "cart_token": Cart.objects.get(pk=objects["item"].cart_id).checkout_token,
        "entry": WaitingListEntry.objects.get(pk=objects["entry"].pk).status,
        "registration": Registration.objects.get(pk=objects["registration"].pk).status,
        "answers": ChangeResponse.objects.count(),
        "second_chances": objects["registration"].exam_enrolments.count(),
        "erasure": ErasureRequest.objects.get(pk=objects["erasure"].pk).status,
        "erasure_user_requests": ErasureRequest.objects.filter(user=objects["item"].cart.user)
        .count(),
    }


def _seen(response) -> tuple:
    """What the answer tells: status, where it sends you, the messages it leaves."""
    from django.contrib.messages import get_messages

    return (response.status_code, response.get("Location"),
            [str(m) for m in get_messages(response.wsgi_request)])


@pytest.mark.django_db
def test_another_participants_post_changes_nothing_and_reveals_nothing(
        participant, other_participant, course_admin):
    from django.urls import reverse

    objects = world.build(participant=participant, staff_user=course_admin)
    # The erasure request of the world belongs to somebody else: the participant's own one.
    from portal.privacy.erasure import request_erasure

    objects["erasure"] = request_erasure(user=participant, note="")
    missing = 10**9
    token = str(objects["item"].cart.checkout_token)
    registration, notice = objects["registration"], objects["notice"]
    posts = {  # name: (the participant's object, one that does not exist, the form)
        "cart_remove": (reverse("cart_remove", args=[objects["item"].pk]),
                        reverse("cart_remove", args=[missing]), {}),
        "waiting_list_leave": (reverse("waiting_list_leave", args=[objects["entry"].pk]),
                               reverse("waiting_list_leave", args=[missing]), {}),
        "change_answer": (reverse("change_answer", args=[registration.pk, notice.pk]),
                          reverse("change_answer", args=[missing, notice.pk]),
                          {"answer": "cancel"}),
        "exam_second_chance": (reverse("exam_second_chance", args=[objects["enrolment"].pk]),
                               reverse("exam_second_chance", args=[missing]), {}),
        "privacy_withdraw": (reverse("privacy_withdraw", args=[objects["erasure"].pk]),
                             reverse("privacy_withdraw", args=[missing]), {}),
        "registration_cancel": (reverse("registration_cancel", args=[registration.pk]),
                                reverse("registration_cancel", args=[missing]), {}),
        "checkout_done": (reverse("checkout_done", args=[objects["checkout"].pk]),
                          reverse("checkout_done", args=[missing]), {}),
        "invoice_pdf": (reverse("invoice_pdf", args=[objects["invoice"].pk]),
                        reverse("invoice_pdf", args=[missing]), {}),
        "application_cv": (reverse("application_cv", args=[objects["application"].pk]),
                           reverse("application_cv", args=[missing]), {}),
        # The participant's cart token (hidden field) in somebody else's confirm.
        "checkout": ("/checkout/", "/checkout/",
                     {"token": token, "invoice_to": "person", "total": "0.00", "confirm": "1"}),
    }
    before = _state(objects)

    def post(path, data):  # a fresh session each time: no message left over from the last
        client = Client()
        client.force_login(other_participant)
        client.cookies["django_language"] = "en"
        return _seen(client.post(path, data))

    differs = []
    for name, (owned, nowhere, data) in posts.items():
        on_theirs, on_nothing = post(owned, data), post(nowhere, data)
        if on_theirs != on_nothing:
            differs.append(f"{name}: {on_theirs} but for nothing {on_nothing}")
        assert on_theirs[0] in (302, 404, 405), (name, on_theirs)
    assert not differs, "\n".join(differs)
    assert _state(objects) == before
