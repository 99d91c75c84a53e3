"""A bulk job keeps the registrations it acts on (its `total`), so that `done` counts the same
set and the progress ends at 100 % (it used to count the edition's cancelled registrations too).

Jobs made before this migration did not keep that set; it is rebuilt as well as the data
allows: the edition's registrations still confirmed, plus, for a cancelled edition, the ones
this job cancelled (organizer-cancelled requests), and, for a change notice, the ones it
notified (their mail's dedup key). `total` becomes that count, and a finished job's `done` too.
"""

from django.db import migrations, models
from django.db.models import Q


def keep_the_set_of_earlier_jobs(apps, schema_editor):
    BulkJob = apps.get_model("registrations", "BulkJob")
    Registration = apps.get_model("registrations", "Registration")
    OutgoingEmail = apps.get_model("portal", "OutgoingEmail")
    through = BulkJob.registrations.through
    for job in BulkJob.objects.all().iterator():
        acted_on = Q(status="confirmed")
        if job.kind == "cancel_edition":
            acted_on |= Q(cancellations__reason="organizer_cancelled")
        elif job.notice_id is not None:
            prefix = f"change-notice:{job.notice_id}:"
            notified = [int(key[len(prefix):]) for key in OutgoingEmail.objects.filter(
                dedup_key__startswith=prefix).values_list("dedup_key", flat=True)]
            acted_on |= Q(pk__in=notified)
        ids = set(Registration.objects.filter(acted_on, edition_id=job.edition_id)
                  .values_list("pk", flat=True))
        through.objects.bulk_create(
            [through(bulkjob_id=job.pk, registration_id=pk) for pk in sorted(ids)],
            ignore_conflicts=True)
        job.total = len(ids)
        job.done = job.total if job.finished_at else min(job.done, job.total)
        job.save(update_fields=["total", "done"])


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0003_outgoingemail"),
        ("registrations", "0008_bulk_job_failures"),
    ]

    operations = [
        migrations.AddField(
            model_name="bulkjob",
            name="registrations",
            field=models.ManyToManyField(blank=True, related_name="+",
                                         to="registrations.registration",
                                         verbose_name="registrations"),
        ),
        migrations.RunPython(keep_the_set_of_earlier_jobs, migrations.RunPython.noop),
    ]
