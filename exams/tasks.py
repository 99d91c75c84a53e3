"""Daily exam jobs (scheduled by exams/migrations/0003_schedule.py)."""

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True)
def auto_absent_task() -> int:
    from exams.services.absence import auto_absent

    return auto_absent(timezone.localdate())


@shared_task(acks_late=True)
def second_chance_reminders_task() -> int:
    from exams.services.reminders import send_digital_exam_reminders, send_second_chance_reminders

    today = timezone.localdate()
    return send_second_chance_reminders(today) + send_digital_exam_reminders(today)
