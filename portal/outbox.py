"""The e-mail outbox: written in the use case's transaction, sent after commit, swept until sent.

Why a row first: a mail sent from inside a transaction that later rolls back tells a person
something that never happened, and a mail handed only to the broker is lost when Redis is down.
So `queue_email` writes an `OutgoingEmail` row in the caller's transaction and, on commit, asks a
Celery task to send it. If the broker is unreachable the row simply stays pending and
`sweep` (run every minute by beat, see migration 0004) sends it later.

Exactly once: `send_pending` locks the row (`SELECT ... FOR UPDATE SKIP LOCKED`), sends, marks it
sent and commits, all in one transaction. A second task, a redelivered task (`acks_late`), the
sweep or the admin action either finds the row locked (and skips it) or already sent.

The one remaining at-least-once window: the SMTP server has accepted the message but the process
dies (or loses the database) before the COMMIT that marks it sent. The row is still pending, so
the sweep sends it again. Both copies carry the same Message-ID (derived from the row), which
lets many mail clients and providers drop the duplicate; no database can close this window,
because the SMTP server and PostgreSQL do not share a transaction.

Languages: every mail is rendered in the recipient's language with `translation.override`. A
template `emails/<name>` is two files: `<name>.txt` (rendered without HTML escaping) and
`<name>.html` (extends `emails/base.html`). The subject is passed in, already translated by the
caller (a use case builds it with its own numbers and names); a lazy translation
(`gettext_lazy`) is also fine: it is evaluated in the recipient's language here.

Attachments are references (`{"kind": "invoice_pdf", "id": 42}`) rendered at send time by a
renderer registered for the kind; an app registers its kinds from its `AppConfig.ready()` so the
web process and the worker both know them.

Rendering at send time: a use case that queues its mail while it holds shared locks (the
checkout, under the organizer's number series) passes `context_references` (plain ids, e.g.
`{"invoice": 42}`) instead of a `context`. The row then stores the template and the references;
the sender rebuilds the context with the builder registered for the template (in the
recipient's language), renders both bodies, stores them on the row and sends, in one
transaction. Two templates rendered inside the checkout's locked section took ~1 ms of its ~5
(tests/bench/README.md, seat_rush). The mail then shows the data as of sending, normally seconds
later; build such mails from rows that do not change (an issued invoice).

Pre-rendered bodies: a mail rendered by someone else's templates (allauth's, see
portal/account_mail.py) passes `bodies=(text, html)` and a `kind` naming it instead of a template.

One-time secrets: a mail that holds a password-reset link or a verification key passes
`secret_valid_until` (when the link stops working). Such a row is not kept readable longer than
needed: its bodies are blanked in the transaction that marks it sent, and a row whose secret
expired before it could be sent is marked expired (bodies blanked) rather than sent, by the
sender and by the sweep: a link that no longer works only makes the person wait for a mail that
cannot help them, and a new request sends a fresh one. Recipient, subject, kind and dates stay,
so staff still see that the mail went out.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connections, transaction
from django.db.models.constants import OnConflict
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator

from portal.models import OutgoingEmail

logger = logging.getLogger(__name__)

# The task normally sends within seconds; the sweep leaves a fresh row alone this long.
SWEEP_GRACE = timedelta(minutes=1)
# Waits after the 1st, 2nd, ... failed attempt; after the last one the row is marked failed
# (about a day of retrying, so an SMTP outage over a weekend night still delivers).
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
SWEEP_BATCH_SIZE = 100
SUBJECT_MAX_LENGTH = OutgoingEmail._meta.get_field("subject").max_length
# Less than the sweep's period, so sweeps rarely overlap (overlapping is safe, only wasteful).
SWEEP_TIME_BUDGET_SECONDS = 45.0
# A row in one of these states is never sent again.
FINAL_STATUSES = (OutgoingEmail.Status.SENT, OutgoingEmail.Status.EXPIRED)

AttachmentRenderer = Callable[[int], tuple[str, bytes, str]]
ATTACHMENT_RENDERERS: dict[str, AttachmentRenderer] = {}


class UnknownAttachmentKind(LookupError):
    """No renderer is registered for an attachment's kind (the mail is not sent without it)."""


def register_attachment_kind(kind: str, renderer: AttachmentRenderer) -> None:
    """Register `renderer(id) -> (filename, content, mimetype)`; call it from AppConfig.ready()."""
    current = ATTACHMENT_RENDERERS.get(kind)
    if current is not None and current is not renderer:
        raise ValueError(f"Attachment kind {kind!r} is already registered to {current!r}.")
    ATTACHMENT_RENDERERS[kind] = renderer


def render_attachment(reference: dict) -> tuple[str, bytes, str]:
    renderer = ATTACHMENT_RENDERERS.get(reference.get("kind"))
    if renderer is None:
        raise UnknownAttachmentKind(f"No renderer for attachment kind {reference.get('kind')!r}.")
    return renderer(reference["id"])


ContextBuilder = Callable[[dict], dict]
CONTEXT_BUILDERS: dict[str, ContextBuilder] = {}


def register_context_builder(template: str, builder: ContextBuilder) -> None:
    """Register `builder(references) -> context` for mails of `template` rendered at send time;
    call it from AppConfig.ready(), like the attachment renderers."""
    current = CONTEXT_BUILDERS.get(template)
    if current is not None and current is not builder:
        raise ValueError(f"Template {template!r} already has the context builder {current!r}.")
    CONTEXT_BUILDERS[template] = builder


def portal_address(path: str) -> str:
    """The absolute address of `path` on the configured public address (PORTAL_BASE_URL): a
    mail is read outside any request, and the request's Host is not ours to trust."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def portal_url(name: str, *args) -> str:
    """The absolute address of a named portal page (see `portal_address`)."""
    return portal_address(reverse(name, args=args))


def dashboard_url() -> str:
    return portal_url("dashboard")


def render_email(template: str, context: dict, language: str) -> tuple[str, str]:
    """(text, html) of `emails/<template>` in `language`; the text part is not HTML-escaped."""
    engine = engines["django"].engine
    # Every mail may link to the dashboard: absolute, from the configured public address.
    context = {"dashboard_url": dashboard_url(), **context}
    with translation.override(language):
        text = engine.get_template(f"emails/{template}.txt").render(
            Context(context, autoescape=False)
        )
        html = engine.get_template(f"emails/{template}.html").render(Context(context))
    return text, html


def queue_email(
    *,
    to: str,
    subject: str,
    template: str = "",
    context: dict | None = None,
    language: str,
    user=None,
    attachments: Iterable[dict] = (),
    dedup_key: str | None = None,
    new_key: bool = False,
    context_references: dict | None = None,
    bodies: tuple[str, str] | None = None,
    kind: str = "",
    secret_valid_until: datetime | None = None,
) -> OutgoingEmail:
    """Write the mail in the caller's transaction; it is sent after that transaction commits.

    With a `dedup_key` a use case that runs twice queues one mail: the existing row is returned
    (also when a concurrent transaction inserted it first: the unique index decides).
    `new_key=True`: the caller guarantees no other transaction can hold that key (it names a
    row created in the caller's own transaction, e.g. a new invoice): no look-up, no savepoint,
    three statements fewer while the caller holds its locks; a duplicate still fails on the
    unique index.
    `context_references` instead of `context`: rendered at send time (see the module's doc).
    `bodies=(text, html)` instead of a template and a context: rendered by the caller; `kind`
    names the mail. `secret_valid_until`: the mail holds a one-time secret (module's doc).
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unsupported e-mail language {language!r}.")
    references = [_attachment_reference(item) for item in attachments]
    if dedup_key is not None and not new_key:
        existing = OutgoingEmail.objects.filter(dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    email = _row(
        Email(to=to, subject=subject, template=template, context=context, language=language,
              user=user, dedup_key=dedup_key, context_references=context_references,
              bodies=bodies, kind=kind, secret_valid_until=secret_valid_until),
        references,
    )
    if new_key:
        email.save()
        transaction.on_commit(partial(enqueue_send, email.pk))
        return email
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        existing = dedup_key and OutgoingEmail.objects.filter(dedup_key=dedup_key).first()
        if not existing:
            raise
        return existing
    transaction.on_commit(partial(enqueue_send, email.pk))
    return email


@dataclass(frozen=True)
class Email:
    """One mail for `queue_emails`: the arguments of `queue_email`."""

    to: str
    subject: str
    template: str
    context: dict | None
    language: str
    user: object = None
    attachments: tuple = ()
    dedup_key: str | None = None
    context_references: dict | None = None
    bodies: tuple[str, str] | None = None
    kind: str = ""
    secret_valid_until: datetime | None = None


def queue_emails(emails: Iterable[Email]) -> list[OutgoingEmail]:
    """The bulk form of `queue_email` for jobs that queue hundreds of mails in one transaction
    (the daily late-payment job): the same rows, rendered the same way, in a fixed number of
    statements whatever their number: one `SELECT` of the dedup keys already queued (those
    mails are not rendered again), then `INSERT ... ON CONFLICT DO NOTHING RETURNING` (a
    concurrent transaction that queued the same key first wins, without an error). Only the
    rows this call inserted are returned and published after commit; a mail whose key is
    already queued (or appears twice in `emails`) is queued once, as with `queue_email`."""
    emails = list(emails)
    for email in emails:
        if email.language not in dict(settings.LANGUAGES):
            raise ValueError(f"Unsupported e-mail language {email.language!r}.")
    keys = {email.dedup_key for email in emails if email.dedup_key is not None}
    queued = set(OutgoingEmail.objects.filter(dedup_key__in=keys)
                 .values_list("dedup_key", flat=True)) if keys else set()
    keyed, unkeyed = {}, []
    for email in emails:
        if email.dedup_key is None:
            unkeyed.append(_row(email))
        elif email.dedup_key not in queued and email.dedup_key not in keyed:
            keyed[email.dedup_key] = _row(email)
    inserted = OutgoingEmail.objects.bulk_create(unkeyed) if unkeyed else []
    if keyed:
        inserted += _insert_new(list(keyed.values()))
    for email in inserted:
        transaction.on_commit(partial(enqueue_send, email.pk))
    return inserted


def _row(email: Email, references: list | None = None) -> OutgoingEmail:
    """The row to write (rendered and validated), not saved; `references`: the attachments'
    references when the caller already checked them."""
    if references is None:
        references = [_attachment_reference(item) for item in email.attachments]
    with translation.override(email.language):
        # One line (no header injection), and never so long that the use case fails on it.
        subject = Truncator(" ".join(str(email.subject).split())).chars(SUBJECT_MAX_LENGTH)
    sources = (email.context, email.context_references, email.bodies)
    if sum(source is not None for source in sources) != 1:
        raise ValueError(
            "An e-mail has either a context or context references (or rendered bodies): one."
        )
    if email.bodies is not None:
        if email.template or not email.kind:
            raise ValueError("Rendered bodies come with a kind naming the mail, not a template.")
        text, html = email.bodies
        template, references_of_context = "", {}
    elif email.context_references is None:
        text, html = render_email(email.template, email.context, email.language)
        template, references_of_context = "", {}
    else:
        if email.template not in CONTEXT_BUILDERS:
            raise ValueError(f"No context builder is registered for {email.template!r}.")
        text, html = "", ""
        template, references_of_context = email.template, email.context_references
    row = OutgoingEmail(
        recipient=email.to, user=email.user, subject=subject, body_text=text, body_html=html,
        language=email.language, attachments=references, dedup_key=email.dedup_key,
        next_attempt_at=timezone.now() + SWEEP_GRACE, template=template,
        context_references=references_of_context, kind=email.kind or email.template,
        secret_valid_until=email.secret_valid_until,
    )
    # Uniqueness and check constraints are left to the database: no extra queries while the
    # caller holds its locks.
    row.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    return row


def _insert_new(rows: list[OutgoingEmail]) -> list[OutgoingEmail]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, dedup_key: the rows with a dedup key
    nobody has queued yet get their pk; the others are dropped. Django's `bulk_create(...,
    ignore_conflicts=True)` does not say which rows were inserted, hence the queryset's
    `_insert` (what bulk_create itself calls), one statement per batch of rows."""
    manager = OutgoingEmail._base_manager
    connection = connections[manager.db]
    meta = OutgoingEmail._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    returning = [meta.pk, meta.get_field("dedup_key")]
    size = max(connection.ops.bulk_batch_size(fields, rows), 1)
    by_key = {row.dedup_key: row for row in rows}
    inserted = []
    for start in range(0, len(rows), size):
        returned = manager.get_queryset()._insert(
            rows[start:start + size], fields=fields, returning_fields=returning,
            on_conflict=OnConflict.IGNORE,
        )
        for result in returned:
            if result is None:  # a single row that conflicted
                continue
            pk, key = result
            row = by_key[key]
            row.pk = pk
            row._state.adding, row._state.db = False, manager.db
            inserted.append(row)
    return inserted


def enqueue_send(pk: int) -> bool:
    """Ask a worker to send the row now. A broker outage must not fail the use case (it has
    committed already): log it and leave the row to the sweep. One publish attempt only
    (`retry=False`), because the sweep is the retry and the caller is waiting."""
    from portal.tasks import send_outgoing_email

    try:
        send_outgoing_email.apply_async(args=(pk,), retry=False)
    except Exception as error:
        logger.warning("Outbox: could not queue e-mail %s (%s); the sweep will send it.", pk, error)
        return False
    return True


def send_pending(pk: int) -> bool:
    """Send the row if it is not sent yet and no one else is sending it; True if this call sent.

    Failures (SMTP, an attachment that cannot be rendered) are recorded on the row, which stays
    pending for the sweep until MAX_ATTEMPTS, then becomes failed. A failed row can still be sent
    by calling this again (the admin's "send now"), unless it held a secret that has expired.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
        if email is None or email.status in FINAL_STATUSES:
            return False
        if email.secret_valid_until is not None and email.secret_valid_until <= timezone.now():
            _expire(email)
            return False
        try:
            # A savepoint: a database error inside a renderer must not break the failure record.
            with transaction.atomic():
                build_message(email).send()
        except Exception as error:
            _record_failure(email, error)
            return False
        email.status = OutgoingEmail.Status.SENT
        email.sent_at = timezone.now()
        fields = ["status", "sent_at"]
        if email.secret_valid_until is not None:
            # Sent: the link lives in the person's mailbox now, not in our database too.
            email.body_text = email.body_html = ""
            fields += ["body_text", "body_html"]
        email.save(update_fields=fields)
    return True


def _expire(email: OutgoingEmail) -> None:
    email.status = OutgoingEmail.Status.EXPIRED
    email.body_text = email.body_html = ""
    email.save(update_fields=["status", "body_text", "body_html"])
    logger.warning("Outbox: e-mail %s expired unsent (its one-time link no longer works).",
                   email.pk)


def expire_stale_secrets() -> int:
    """Mark unsent mails whose one-time secret has expired as expired and blank their bodies
    (failed ones too: staff's "send now" could not help and the link should not stay readable);
    return how many. One UPDATE: on a row a sender holds locked it waits for the sender's
    commit, and PostgreSQL then re-checks the condition, so a row just sent stays sent."""
    return OutgoingEmail.objects.filter(
        status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED],
        secret_valid_until__lte=timezone.now(),
    ).update(status=OutgoingEmail.Status.EXPIRED, body_text="", body_html="")


def sweep(
    *,
    batch_size: int = SWEEP_BATCH_SIZE,
    time_budget_seconds: float = SWEEP_TIME_BUDGET_SECONDS,
) -> int:
    """Send pending rows that are due, in pk order and batches of `batch_size`; return how many
    were sent. Each row is tried at most once per sweep (keyset on pk), so a row another worker
    holds locked does not keep the loop busy. First, mails whose one-time link has expired are
    marked expired (module's doc)."""
    deadline = time.monotonic() + time_budget_seconds
    expire_stale_secrets()
    sent = 0
    last_pk = 0
    while True:
        due = list(
            OutgoingEmail.objects.filter(
                status=OutgoingEmail.Status.PENDING,
                next_attempt_at__lte=timezone.now(),
                pk__gt=last_pk,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        for pk in due:
            if time.monotonic() >= deadline:
                return sent
            sent += _send_isolated(pk)
        if len(due) < batch_size:
            return sent
        last_pk = due[-1]


def _send_isolated(pk: int) -> bool:
    """`send_pending` records a mail's own failures (SMTP, rendering); this catches what it
    cannot, e.g. the row itself refusing the write. Without it the sweep stopped at that row,
    and as it stayed the first due row, every later sweep stopped there too. The attempt is
    recorded like any other failure (backoff, then failed), in a transaction of its own."""
    try:
        return send_pending(pk)
    except Exception as error:  # noqa: BLE001 - one row must not stop the sweep
        logger.exception("Outbox sweep: e-mail %s failed", pk)
        try:
            with transaction.atomic():
                email = OutgoingEmail.objects.select_for_update().filter(
                    pk=pk, status=OutgoingEmail.Status.PENDING).first()
                if email is not None:
                    _record_failure(email, error)
        except Exception:  # noqa: BLE001 - logged above; the sweep goes on
            logger.exception("Outbox sweep: the failure of e-mail %s could not be recorded", pk)
        return False


def render_at_send(email: OutgoingEmail) -> None:
    """Render and store the bodies of a mail queued with context references (once: a mail
    that failed after rendering keeps its bodies, unless its savepoint rolled them back)."""
    if not email.template or email.body_text or email.body_html:
        return
    builder = CONTEXT_BUILDERS.get(email.template)
    if builder is None:
        raise LookupError(f"No context builder is registered for {email.template!r}.")
    with translation.override(email.language):
        context = builder(email.context_references)
    email.body_text, email.body_html = render_email(email.template, context, email.language)
    email.save(update_fields=["body_text", "body_html"])


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    render_at_send(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        to=[email.recipient],
        headers={
            # Stable per row: a copy sent again in the at-least-once window can be recognised.
            "Message-ID": message_id(email),
            # RFC 3834: an automatic message; out-of-office replies should not answer it.
            "Auto-Submitted": "auto-generated",
        },
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for reference in email.attachments:
        message.attach(*render_attachment(reference))
    return message


def message_id(email: OutgoingEmail) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "portal.localhost"
    return f"<outbox.{email.pk}.{email.created_at.timestamp():.6f}@{domain}>"


def _attachment_reference(item: dict) -> dict:
    """Only plain references are stored: a kind and an id, nothing rendered."""
    if not isinstance(item, dict) or not isinstance(item.get("kind"), str) or "id" not in item:
        raise ValueError(f"An attachment is a reference {{'kind': str, 'id': ...}}, not {item!r}.")
    return {"kind": item["kind"], "id": item["id"]}


def _record_failure(email: OutgoingEmail, error: Exception) -> None:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= MAX_ATTEMPTS:
        email.status = OutgoingEmail.Status.FAILED
        logger.error("Outbox: e-mail %s failed for good: %s", email.pk, email.last_error)
    else:
        email.next_attempt_at = timezone.now() + RETRY_DELAYS[email.attempts - 1]
        logger.warning(
            "Outbox: e-mail %s not sent (attempt %s): %s",
            email.pk,
            email.attempts,
            email.last_error,
        )
    email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
