"""Headless Debian Chromium driven by Playwright against pytest-django's live server."""

import os
import shutil

import pytest

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
def page(page, live_server):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Flemish participant: the browser asks for Dutch, as most of our users' browsers do.
    return {**browser_context_args, "locale": "nl-BE"}
