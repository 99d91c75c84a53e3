"""Fuzzing what anyone can type into an address: the catalog's filters and page number, a
course or edition address, a certificate verification code. Never a server error: the page,
the page with the filter reported, or the neutral 404."""

from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.strategies import INPUT, SLOW

pytestmark = pytest.mark.django_db

FILTERS = ["q", "organizer", "kind", "language", "month", "open", "page"]


@SLOW
@given(query=st.dictionaries(st.sampled_from(FILTERS), INPUT, max_size=7))
@example(query={"month": "2026-13", "page": "-1", "organizer": "\x00"})
@example(query={"page": "99999999999999999999", "q": "%"})
def test_catalog_filters_never_break_the_page(client, edition, query):
    response = client.get("/", query)
    assert response.status_code == 200, response.status_code


@SLOW
@given(segment=INPUT.filter(lambda text: text.strip() not in ("", ".", "..")))
@example(segment="\x00")
@example(segment="E00000\x00")
def test_addresses_with_any_code_answer_200_or_404(client, participant, edition, segment):
    from django.core.cache import cache

    cache.clear()  # the verification page's rate limit
    quoted = quote(segment, safe="")
    for address in (f"/courses/{quoted}/", f"/editions/{quoted}/",
                    f"/certificates/verify/{quoted}/"):
        response = client.get(address)
        assert response.status_code in (200, 301, 404), (address, response.status_code)
    client.force_login(participant)
    for address in (f"/cart/add/{quoted}/", f"/waiting-list/{quoted}/join/",
                    f"/editions/{quoted}/apply/"):
        response = client.post(address)
        assert response.status_code in (200, 302, 404), (address, response.status_code)
    client.logout()
