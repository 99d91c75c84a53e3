"""The certificate download's Content-Disposition holds one file name, whatever the edition code
a course administrator typed (quotes, semicolons, backslashes, accents): the code must not add
parameters to the header or cut the name short (issue 10)."""

from email.message import Message

import pytest
from django.urls import reverse

from certificates.services import issue_registration_certificate


def _disposition(value: str) -> Message:
    message = Message()
    message["Content-Disposition"] = value
    return message


@pytest.mark.parametrize("code", ['TM"26', 'TM"; filename="evil.exe', "TM\\26;x", "TÉ-26"])
def test_the_file_name_is_one_parameter_whatever_the_code(client, short_registration, code):
    edition = short_registration.edition
    edition.code = code
    edition.save(update_fields=["code"])
    certificate = issue_registration_certificate(short_registration)
    client.force_login(short_registration.user)
    response = client.get(reverse("certificate_download", args=[certificate.pk]))
    assert response.status_code == 200
    header = _disposition(response["Content-Disposition"])
    assert header.get_content_disposition() == "attachment"
    params = [name for name, _value in header.get_params(header="content-disposition")[1:]]
    assert params in (["filename"], ["filename*"], ["filename", "filename*"])
    assert header.get_filename() == certificate.filename
