"""The results CSV has a size limit, like every other upload (the CV, the bank statement): the
import read the whole file into memory, whatever its size, then queried the database for each
line inside one request."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exams.models import Result

LIMIT = 1024 * 1024  # 1 MB: a results file of a few hundred lines is some 30 kB
HEADER = "email;unit;chance;result;registration;reason\r\n"


def test_a_results_csv_over_the_limit_is_refused_unread(client, exam_committee_member,
                                                       registration):
    line = f"participant@example.org;DATA1;1;14,5;{registration.pk};\r\n"
    body = HEADER + line * (LIMIT // len(line) + 1)
    assert len(body) > LIMIT
    client.force_login(exam_committee_member)
    for language, words in (("en", "may be at most 1 MB"), ("nl", "mag maximaal 1 MB")):
        response = client.post(reverse("admin:exams_result_upload"),
                               {"file": SimpleUploadedFile("results.csv", body.encode())},
                               HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert words in response.content.decode()
    assert not Result.objects.exists()


def test_a_results_csv_under_the_limit_still_imports(client, exam_committee_member,
                                                    registration):
    line = f"participant@example.org;DATA1;1;14,5;{registration.pk};\r\n"
    client.force_login(exam_committee_member)
    response = client.post(reverse("admin:exams_result_upload"),
                           {"file": SimpleUploadedFile("results.csv", (HEADER + line).encode())})
    assert response.status_code == 302
    assert Result.objects.count() == 1
