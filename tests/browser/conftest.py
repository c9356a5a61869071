"""Browser tests: Debian's chromium, started once per test session, driven by Playwright.

Chromium runs as its own process for the whole session (`chromium_endpoint`); each test
connects to it over the DevTools protocol (`browser`). Playwright's sync API keeps an asyncio
loop running in the test's thread while it is open, which Django's ORM and `asyncio.run()`
elsewhere in the suite would trip over; connecting per test keeps that loop inside the browser
tests only, while the expensive part (starting Chromium) happens once.

A test module may still define its own `browser` fixture (tests/browser/test_import_wizard.py
does); pytest then uses that one there.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"  # git-ignored
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium_endpoint(tmp_path_factory) -> str:
    """One headless Chromium for the session; its DevTools websocket URL."""
    pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", *CHROMIUM_ARGS, "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--no-first-run",
         "--no-default-browser-check", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    endpoint = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and endpoint is None:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        if match := re.search(r"DevTools listening on (ws://\S+)", line):
            endpoint = match.group(1)
    if endpoint is None:
        proc.kill()
        pytest.fail("chromium did not start (no DevTools endpoint within 30 s)")
    # Keep reading stderr so a chatty browser never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    yield endpoint
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser(chromium_endpoint, monkeypatch):
    """The session's Chromium, connected for this test (close the contexts you open)."""
    from playwright import sync_api

    # Playwright's loop runs in this thread while connected; the ORM calls of the test are
    # plain synchronous calls all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.connect_over_cdp(chromium_endpoint)
        yield chromium
        for context in chromium.contexts[1:]:  # the first is the browser's default one
            context.close()
        # Connections opened while the loop runs belong to its context: close them before
        # it stops, or they outlive the test and keep the test database from being dropped.
        connections.close_all()


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
