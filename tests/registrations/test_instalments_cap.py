"""An invoice is split into at most 9 parts (billing.Instalment holds parts 1 to 9): an edition
cannot promise more, and one stored with more before the cap offers 9."""

import pytest
from django.core.exceptions import ValidationError

from courses.models import MAX_INSTALMENTS
from registrations.services.checkout import max_instalments
from tests.factories import EditionFactory


@pytest.mark.django_db
@pytest.mark.parametrize(("asked", "valid"), [(0, False), (1, True), (9, True), (10, False),
                                              (12, False)])
def test_an_edition_allows_between_1_and_9_instalments(asked, valid):
    edition = EditionFactory(instalments_allowed=True)
    edition.max_instalments = asked
    if valid:
        edition.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            edition.full_clean()
        assert "max_instalments" in refused.value.message_dict


@pytest.mark.django_db
def test_an_edition_stored_with_more_than_9_offers_9():
    edition = EditionFactory(instalments_allowed=True, max_instalments=12)
    other = EditionFactory(instalments_allowed=True, max_instalments=3)
    assert MAX_INSTALMENTS == 9
    assert max_instalments([edition]) == 9
    assert max_instalments([edition, other]) == 3
    assert max_instalments([edition, EditionFactory(instalments_allowed=False)]) == 1
