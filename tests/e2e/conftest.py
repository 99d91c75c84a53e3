"""Headless Debian Chromium driven by Playwright against pytest-django's live server."""

import os
import shutil

import pytest
from playwright.sync_api import expect

# Playwright runs an event loop in the test thread; Django's ORM calls from the test are safe here
# because the live server runs in its own thread with its own connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def page(page, live_server, settings):
    # The portal's public address is the live server's, as a deployment's is its own: the links
    # in mails (allauth's included) are built from it, never from the request's host.
    settings.PORTAL_BASE_URL = live_server.url
    # Generous: a loaded 2-core machine renders PDFs and runs the live server in one process.
    page.set_default_timeout(30_000)
    expect.set_options(timeout=15_000)
    return page


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Flemish participant: the browser asks for Dutch, as most of our users' browsers do.
    return {**browser_context_args, "locale": "nl-BE"}
