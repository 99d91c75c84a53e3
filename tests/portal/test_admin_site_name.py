"""The admin's header and page titles name the portal in the reader's language, as the public
pages do ("Portaal Levenslang Leren"), not in English above a Dutch admin."""

import pytest
from django.conf import settings


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [
    ("nl", "Portaal Levenslang Leren"), ("en", "Lifelong Learning Portal"),
])
def test_the_admin_names_the_portal_in_the_readers_language(admin_client, language, name):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<title>{'Websitebeheer' if language == 'nl' else 'Site administration'} | {name}" \
        in page
    assert f'<a href="/admin/">{name}</a>' in page
