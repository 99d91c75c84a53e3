"""Periodic jobs live in django-celery-beat's tables, created by data migrations that call these.

Historical models fire no signals, so PeriodicTasks (beat's change marker) is touched by hand:
a running beat then reloads its schedule instead of waiting for a restart.
"""

from django.utils import timezone


def _mark_schedule_changed(apps):
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def schedule_every(apps, *, name, task, minutes, description, expire_seconds=None):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": task,
            "interval": interval,
            "enabled": True,
            "expire_seconds": expire_seconds,
            "description": description,
        },
    )
    _mark_schedule_changed(apps)


def unschedule(apps, name):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
    _mark_schedule_changed(apps)


def schedule_daily(apps, *, name, task, hour, minute=0, description=""):
    """Every day at hour:minute in Europe/Brussels (beat's crontab with the site's time zone)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute), hour=str(hour), day_of_week="*", day_of_month="*",
        month_of_year="*", timezone="Europe/Brussels",
    )
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={"task": task, "crontab": crontab, "interval": None, "enabled": True,
                  "description": description},
    )
    _mark_schedule_changed(apps)
