"""The exam reminders as the participant receives them (documents audit): they send the person
to their exams page, with a link that works, in both parts; the digital-exam reminder no longer
refers to instructions that exist nowhere."""

from datetime import date

import pytest

from exams.services.reminders import send_digital_exam_reminders, send_second_chance_reminders
from portal.models import OutgoingEmail
from tests.exams.conftest import participants
from tests.portal.test_mails_as_received import BASE, assert_links_work, parts, sent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_exam_reminders_link_the_exams_page(client, periods, programme,
                                                exam_committee_member, language):
    programme.units.filter(code="DATA2").update(digital_exam=True)
    [person] = participants(1, programme, periods[0], exam_committee_member)
    person.user.preferred_language = language
    person.user.save(update_fields=["preferred_language"])
    send_second_chance_reminders(date(2027, 7, 11))
    send_digital_exam_reminders(date(2027, 5, 25))

    for prefix in ("exams-second-chance", "exams-digital"):
        message = sent(OutgoingEmail.objects.get(dedup_key__startswith=prefix))
        text, _html = parts(message)
        assert f"{BASE}/exams/" in text  # "on your exams page": the page itself
        # No instructions exist anywhere: the mail no longer refers to them.
        assert "instructi" not in text
        assert_links_work(message, client, person.user)
