"""Fixtures for the VIES look-up: a fake VIES on 127.0.0.1, wired in through the settings."""

import pytest

from tests.billing.fake_vies import FakeVies, run_fake_vies


def _use(fake: FakeVies, settings) -> FakeVies:
    from billing.vies import clear_client_cache

    settings.VIES_ENDPOINT = fake.url
    clear_client_cache()
    return fake


@pytest.fixture(autouse=True)
def _never_the_real_vies(settings):
    """No test here may reach ec.europa.eu: without a fake, VIES is a closed local port."""
    from billing.vies import clear_client_cache

    with run_fake_vies("down") as fake:
        _use(fake, settings)
        yield
    clear_client_cache()


@pytest.fixture
def fake_vies(settings):
    """A VIES that answers (see tests/billing/fake_vies.py for its table of numbers)."""
    with run_fake_vies("answering") as fake:
        yield _use(fake, settings)


@pytest.fixture
def hanging_vies(settings):
    """A VIES that takes the request and never answers."""
    with run_fake_vies("hanging") as fake:
        yield _use(fake, settings)


@pytest.fixture
def down_vies(settings):
    """A VIES where nothing listens: connection refused."""
    with run_fake_vies("down") as fake:
        yield _use(fake, settings)
