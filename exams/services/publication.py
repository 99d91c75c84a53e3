"""The LEC publishes a period's results of a programme after checking them (seed 2, art.
10.2 c); before that, participants see nothing."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import record
from certificates.tasks import issue_certificates_for_publication_task
from exams.models import Committee, CommitteeMember, ExamPeriod, Publication
from portal.queueing import enqueue_on_commit


class PublicationRefused(Exception):
    pass


def may_publish(user, course) -> bool:
    return user.is_superuser or CommitteeMember.objects.filter(
        committee__course=course, committee__kind=Committee.Kind.LEC, user=user
    ).exists()


@transaction.atomic
def publish(period: ExamPeriod, course, user) -> Publication:
    """Publish; idempotent (the first publication stands)."""
    if course.organizer_id != period.organizer_id:
        raise PublicationRefused(_("The programme belongs to another organizer."))
    if not may_publish(user, course):
        raise PublicationRefused(_("Only a member of the programme's LEC publishes results."))
    publication, created = Publication.objects.get_or_create(
        period=period, course=course, defaults={"published_by": user}
    )
    if created:
        record("results.published", publication, actor=user, organizer=course.organizer_id,
               before={"published": False},
               after={"published": True, "period": period.pk, "course": course.pk})
    # Getuigschriften and credit certificates may now be due (rules.md §7).
    enqueue_on_commit(issue_certificates_for_publication_task, publication_id=publication.pk)
    return publication
