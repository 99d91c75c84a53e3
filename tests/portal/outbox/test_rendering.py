"""Attachments and bodies rendered at send time (context builders, pre-rendered bodies)."""

from datetime import date

import pytest
from django.core import mail

from portal import outbox
from portal.models import OutgoingEmail
from portal.outbox import queue_email, send_pending
from tests.portal.outbox.helpers import (
    queue,
)


@pytest.mark.django_db
def test_attachments_are_rendered_at_send_time(monkeypatch):
    calls = []

    def render_blob(pk):
        calls.append(pk)
        return f"blob-{pk}.pdf", f"%PDF blob {pk}".encode(), "application/pdf"

    monkeypatch.setitem(outbox.ATTACHMENT_RENDERERS, "test_blob", render_blob)
    email = queue(attachments=[{"kind": "test_blob", "id": 7}])
    assert calls == []
    assert OutgoingEmail.objects.get(pk=email.pk).attachments == [{"kind": "test_blob", "id": 7}]

    assert send_pending(email.pk) is True
    assert calls == [7]
    [message] = mail.outbox
    assert message.attachments == [("blob-7.pdf", b"%PDF blob 7", "application/pdf")]


@pytest.mark.django_db
def test_unknown_attachment_kind_is_recorded_and_not_sent():
    email = queue(attachments=[{"kind": "no_such_kind", "id": 1}])

    assert send_pending(email.pk) is False
    email.refresh_from_db()
    assert mail.outbox == []
    assert email.status == OutgoingEmail.Status.PENDING and email.attempts == 1
    assert "UnknownAttachmentKind" in email.last_error and "no_such_kind" in email.last_error


def test_a_kind_cannot_be_registered_twice(monkeypatch):
    monkeypatch.setattr(outbox, "ATTACHMENT_RENDERERS", {})
    renderer = lambda pk: ("a", b"", "text/plain")  # noqa: E731
    outbox.register_attachment_kind("x", renderer)
    outbox.register_attachment_kind("x", renderer)  # the same one again: an app reloaded
    with pytest.raises(ValueError, match="already registered"):
        outbox.register_attachment_kind("x", lambda pk: ("b", b"", "text/plain"))


# Rendering at send time ---------------------------------------------------------------------


def example_context(references):
    """A context builder for the example template: reads its data at send time."""
    from django.utils import translation

    return {"title": f"Order {references['order']} & co ({translation.get_language()})",
            "when": date(2025, 1, 15)}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "month"), [("en", "15 January 2025"),
                                                 ("nl", "15 januari 2025")])
def test_a_mail_with_context_references_is_rendered_when_sent(monkeypatch, language, month):
    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", example_context)
    email = queue(context=None, context_references={"order": 7}, language=language)

    row = OutgoingEmail.objects.get(pk=email.pk)
    assert (row.template, row.context_references) == ("example", {"order": 7})
    assert (row.body_text, row.body_html) == ("", "")

    assert send_pending(email.pk) is True
    [message] = mail.outbox
    assert f"Order 7 & co ({language})" in message.body and month in message.body
    [(html, _mimetype)] = message.alternatives
    assert f"Order 7 &amp; co ({language})" in html
    row.refresh_from_db()
    assert (row.body_text, row.body_html) == (message.body, html)
    assert row.status == OutgoingEmail.Status.SENT


@pytest.mark.django_db
def test_a_builder_that_fails_is_recorded_and_retried_from_blank_bodies(monkeypatch):
    def broken(references):
        raise OutgoingEmail.DoesNotExist("order 8 is gone")

    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", broken)
    email = queue(context=None, context_references={"order": 8})

    assert send_pending(email.pk) is False
    email.refresh_from_db()
    assert mail.outbox == [] and email.attempts == 1 and "order 8 is gone" in email.last_error
    assert (email.body_text, email.body_html) == ("", "")

    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", example_context)
    assert send_pending(email.pk) is True
    assert "Order 8" in mail.outbox[0].body


@pytest.mark.django_db
def test_context_and_references_are_one_or_the_other_and_need_a_builder(monkeypatch):
    with pytest.raises(ValueError, match="No context builder"):
        queue(context=None, context_references={"order": 1})
    monkeypatch.setitem(outbox.CONTEXT_BUILDERS, "example", example_context)
    with pytest.raises(ValueError, match="either a context or context references"):
        queue(context_references={"order": 1})
    with pytest.raises(ValueError, match="either a context or context references"):
        queue(context=None)
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_pre_rendered_bodies_are_sent_as_given_under_their_kind():
    email = queue_email(to="given@example.org", subject="Given", language="nl",
                        bodies=("plain & text", "<p>h</p>"), kind="account/email/example")
    assert (email.kind, email.template, email.body_text) == ("account/email/example", "",
                                                            "plain & text")
    assert queue().kind == "example"  # a template-rendered mail is named by its template
    assert send_pending(email.pk) is True
    [message] = mail.outbox
    assert message.body == "plain & text" and message.alternatives[0][0] == "<p>h</p>"
    email.refresh_from_db()
    assert email.body_text == "plain & text"  # no secret: the body stays for staff


@pytest.mark.django_db
def test_pre_rendered_bodies_come_with_a_kind_and_nothing_else():
    with pytest.raises(ValueError, match="with a kind"):
        queue_email(to="a@example.org", subject="s", bodies=("t", ""), language="en")
    with pytest.raises(ValueError, match="with a kind"):
        queue(context=None, bodies=("t", ""), kind="k")  # and a template
    with pytest.raises(ValueError, match="either a context or context references"):
        queue(bodies=("t", ""), kind="k")  # and a context
    assert not OutgoingEmail.objects.exists()


def test_a_template_cannot_get_a_second_builder(monkeypatch):
    monkeypatch.setattr(outbox, "CONTEXT_BUILDERS", {})
    outbox.register_context_builder("x", example_context)
    outbox.register_context_builder("x", example_context)  # the same one again
    with pytest.raises(ValueError, match="already has the context builder"):
        outbox.register_context_builder("x", lambda references: {})
