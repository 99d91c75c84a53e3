"""VIES in the billing tests: never the real one (the fakes themselves are in tests/conftest.py)."""

import pytest

from tests.billing.fake_vies import run_fake_vies
from tests.conftest import use_fake_vies as _use


@pytest.fixture(autouse=True)
def _never_the_real_vies(settings):
    """No test here may reach ec.europa.eu: without a fake, VIES is a closed local port."""
    from billing.vies import clear_client_cache

    with run_fake_vies("down") as fake:
        _use(fake, settings)
        yield
    clear_client_cache()
