"""The audit trail in the admin: read-only for finance and superusers; the chain page shows OK
per organizer or the first broken link; other roles are refused."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.audit.conftest import credit, entries, invoice_for, tamper

pytestmark = pytest.mark.django_db
CHAIN = reverse("admin:audit_chain")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def chained(two_organizers, finance_user):
    gent, hasselt = two_organizers
    first = invoice_for(gent)
    credit(first, "50.00", finance_user)
    second = invoice_for(gent, "300.00")
    invoice_for(hasselt)
    return first, second


@pytest.mark.parametrize("role", ["finance_user", "superuser"])
def test_finance_and_superusers_see_every_chain_ok(english, role, request, chained):
    english.force_login(request.getfixturevalue(role))
    response = english.get(CHAIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Academie Gent" in page and "Hogeschool Hasselt" in page
    assert page.count('class="chain-ok"') == 2
    assert [(r.links, r.ok) for r in response.context["reports"]] == [(3, True), (1, True)]


def test_the_page_shows_the_first_broken_link(english, finance_user, chained):
    first, second = chained
    tamper("billing_invoice",
           "UPDATE billing_invoice SET net_total = 3.00, total = 3.00 WHERE id = %s",
           [second.pk])
    english.force_login(finance_user)
    page = english.get(CHAIN).content.decode()
    assert page.count('class="chain-ok"') == 1
    assert 'class="chain-broken"' in page
    link = entries("invoice.issued", second).get()
    assert f"document {second.number}" in page
    assert "link 3" in page
    assert reverse("admin:audit_auditentry_change", args=[link.pk]) in page
    assert "total: issued 300.00, now 3.00" in page


def test_the_chain_page_is_linked_from_the_list(english, finance_user, chained):
    english.force_login(finance_user)
    response = english.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 200
    assert CHAIN in response.content.decode()


def test_entries_are_read_only_even_for_finance(english, finance_user, chained):
    english.force_login(finance_user)
    entry = AuditEntry.objects.order_by("pk").first()
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    page = english.get(url)
    assert page.status_code == 200
    assert chained[0].number in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert english.post(url, {"action": "x"}).status_code == 403
    assert english.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert english.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code \
        == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


@pytest.mark.parametrize("role", ["course_admin", "exam_committee_member"])
def test_other_staff_are_refused(client, role, request, chained):
    client.force_login(request.getfixturevalue(role))
    assert client.get(CHAIN).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403


def test_participants_and_anonymous_are_sent_to_the_login(client, participant, chained):
    response = client.get(CHAIN)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(participant)
    response = client.get(CHAIN)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "Academie Gent" not in response.content.decode()
