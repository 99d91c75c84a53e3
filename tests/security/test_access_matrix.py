"""The access-control matrix (issue 10): every URL pattern of the portal, requested as every role,
answers as tests/security/matrix.py says. A URL pattern without an entry fails the test.

Object URLs carry objects that belong to `participant`: `other_participant` must get 404."""

import os
import re

import pytest
from django.db import transaction
from django.test import Client

from tests.security import matrix, world
from tests.security.paths import path_for
from tests.security.urlwalk import all_routes

ROLES = matrix.ROLES
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def answer(response) -> str:
    """200, 302 to a log-in page ("login"), another redirect ("302"), 403, 404, 405..."""
    if response.status_code in (301, 302):
        location = response["Location"].split("?")[0]
        return "login" if location.endswith(LOGIN_PATHS) else "302"
    return str(response.status_code)


# What the Content-Security-Policy (portal/security.py) would refuse to run or apply.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>")
INLINE_STYLE = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>|\sstyle=[\"']")
INLINE_HANDLER = re.compile(r"\son[a-z]+=[\"']|javascript:")


def inline_code(response) -> list[str]:
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return []
    html = response.content.decode()
    return [m[0] for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER)
            for m in pattern.finditer(html)]


def test_every_url_pattern_has_an_entry_in_the_matrix():
    expected = matrix.expected()
    missing = sorted(r.key for r in all_routes() if r.key not in expected)
    assert not missing, (
        "URL patterns without an entry in tests/security/matrix.py (add what each role may get):\n"
        + "\n".join(missing))
    gone = sorted(set(expected) - {r.key for r in all_routes()})
    assert not gone, "matrix entries for URL patterns that no longer exist:\n" + "\n".join(gone)


def walk(user, role: str, paths: dict[str, str], blocked: list[str]) -> dict[str, str]:
    """GET every path as `user` (None: signed out); the answers by key."""
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    answers = {}
    for key, path in paths.items():
        with transaction.atomic():  # a page that breaks must not break the ones after it
            response = client.get(path)
            transaction.set_rollback(True)
        answers[key] = answer(response)
        blocked.extend(f"{path} as {role}: {code}" for code in inline_code(response))
    return answers


@pytest.mark.django_db
def test_every_url_answers_every_role_as_the_matrix_says(
        participant, other_participant, course_admin, finance_user, exam_committee_member,
        superuser):
    users = {
        "anonymous": None,
        "participant": participant,
        "other": other_participant,
        "course_admin": course_admin,
        "finance": finance_user,
        "exams": exam_committee_member,
    }
    objects = world.build(participant=participant, staff_user=course_admin)
    expected = matrix.expected()
    printing = bool(os.environ.get("ACCESS_MATRIX_PRINT"))  # to write entries for new URLs
    routes = [r for r in all_routes() if printing or r.key in expected]
    paths = {r.key: path_for(r.key, r.route, objects) for r in routes}

    observed: dict[str, dict[str, str]] = {key: {} for key in paths}
    blocked: list[str] = []
    for role in ROLES:
        for key, got in walk(users[role], role, paths, blocked).items():
            observed[key][role] = got
    # Superusers are not in the matrix (they may do everything), but every admin page is rendered
    # once as one, including those no role above may open: none may break.
    admin_paths = {key: path for key, path in paths.items() if path.startswith("/admin/")}
    as_superuser = walk(superuser, "superuser", admin_paths, blocked)

    if printing:
        for key in sorted(observed):
            print(f"{key!r}: {' '.join(observed[key][r] for r in ROLES)!r},  # {paths[key]}")

    wrong = [
        f"{key} ({paths[key]}) as {role}: expected {expected.get(key, {}).get(role)}, got {got}"
        for key in sorted(observed)
        for role, got in observed[key].items()
        if got != expected.get(key, {}).get(role)
    ]
    assert not wrong, "\n".join(wrong)
    # No page relies on inline code that the Content-Security-Policy blocks.
    assert not blocked, "\n".join(sorted(set(blocked)))
    # Every role really got somewhere and nobody saw a server error.
    assert all("500" not in answers.values() for answers in observed.values())
    broken = {key: got for key, got in as_superuser.items() if got.startswith("5")}
    assert not broken, f"admin pages that a superuser cannot open: {broken}"
    assert all(as_superuser[key] == "200" for key in as_superuser if key.endswith("_changelist"))
    assert observed["dashboard"]["participant"] == "200"
