"""The upload wizard in a real browser (Debian's chromium through Playwright): a zipped
shapefile of the 117 desa of Kubu Raya goes up in pieces over a connection that drops twice,
is previewed, imported by a real `manage.py procrastinate worker` and reported."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection, connections
from procrastinate.contrib.django.models import ProcrastinateJob

from importers.models import ImportJob, JobStatus, UploadSession
from layers.models import AdministrativeArea
from tests.importers.wizard_support import (
    kubu_raya_zip,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
PHONE = {"width": 390, "height": 844}


def live_database_url() -> str:
    """The test database as a DATABASE_URL, for a process started from the test."""
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    query = {k: v for k, v in {**db.get("OPTIONS", {}), "host": db.get("HOST") or
                               db.get("OPTIONS", {}).get("host"),
                               "port": db.get("PORT") or None}.items() if v}
    return f"postgis://{user}@/{db['NAME']}?{urlencode(query)}"




@pytest.fixture
def worker(import_dir, empty_queue, live_server):
    """`manage.py procrastinate worker`, as `make run` starts it, on the test database."""
    env = {**os.environ, "DATABASE_URL": live_database_url(),
           "SIG_IMPORT_DIR": str(import_dir), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "manage.py", "procrastinate", "worker"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    yield proc
    proc.send_signal(signal.SIGTERM)
    try:
        output, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
    print(output)  # shown when the test fails


@pytest.fixture
def browser(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    # Playwright's sync API keeps an event loop running in this thread, and Django then
    # refuses ORM calls from the test; they are plain synchronous calls, so allow them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # While Playwright's loop runs, Django keeps this thread's connections in the loop's
        # context; close them here, or they outlive the test and block dropping the test DB.
        connections.close_all()


def staff_context(browser, live_server, client, user, **options):
    """A browser context signed in as `user` (the session cookie of a test-client login)."""
    client.force_login(user)
    context = browser.new_context(locale="id-ID", **options)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_zipped_shapefile_goes_up_in_pieces_through_drops_and_is_imported(
        browser, live_server, worker, client, staff_user, tmp_path):
    archive = kubu_raya_zip(tmp_path)
    chunk = max(16 * 1024, math.ceil(archive.stat().st_size / 6))  # about six pieces
    context = staff_context(browser, live_server, client, staff_user,
                            viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error))  # shown on failure
    page.goto(f"{live_server.url}/impor/baru/")
    assert page.locator("h1").inner_text() == "Impor data"
    assert page.locator("#new-layer-field").is_hidden()  # only for a new thematic layer

    # The connection drops twice: once before the 2nd piece reaches the server, once after
    # the 4th arrived but before its answer did. Both times the page must resume.
    puts: list[str] = []

    def flaky(route, request):
        if request.method != "PUT":
            return route.continue_()
        puts.append(request.url)
        if len(puts) == 2:
            return route.abort("connectionreset")
        if len(puts) == 5:  # the 4th piece (the 2nd was sent twice)
            route.fetch()
            return route.abort("connectionreset")
        return route.continue_()

    page.route("**/impor/unggah/**", flaky)
    page.eval_on_selector("#import-upload", """(form, chunk) => {
        form.dataset.chunkSize = String(chunk); form.dataset.retryMs = "200"; }""", chunk)
    page.select_option("#id_target", "admin_areas")
    page.set_input_files("#import-file", str(archive))
    shoot(page, "import-upload-desktop")
    phone = staff_context(browser, live_server, client, staff_user, viewport=PHONE,
                          is_mobile=True, device_scale_factor=2).new_page()
    phone.goto(page.url)
    shoot(phone, "import-upload-phone")
    page.click("#import-upload button[type=submit]")

    page.wait_for_url("**/pratinjau/", timeout=60_000)
    upload = UploadSession.objects.get()
    assert upload.completed and upload.received == archive.stat().st_size
    assert upload.path.read_bytes() == archive.read_bytes()
    offsets = [int(url.rsplit("offset=", 1)[1]) for url in puts]
    assert offsets[1] == offsets[2] == chunk  # sent again after the first drop
    assert offsets[5] == 4 * chunk  # after the lost answer: the server's offset, not a repeat
    assert page.locator("#feature-count").inner_text() == "117"
    assert page.locator("#source-crs").inner_text().startswith("EPSG:4326")
    assert page.locator("#id_map_code").input_value() == "kode"
    assert page.locator("#would-create").inner_text() == "117"
    shoot(page, "import-preview-desktop")
    phone.goto(page.url)
    shoot(phone, "import-preview-phone")

    page.click("#run-import")
    page.wait_for_url("**/tugas/*/")
    page.wait_for_selector("#report-counts", timeout=120_000)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert ProcrastinateJob.objects.get(task_name="importers.run_import_job").status \
        == "succeeded"  # the worker process ran it, from the queue in PostgreSQL
    assert page.locator("[data-count=created]").inner_text() == "117"
    assert page.locator("[data-count=skipped]").inner_text() == "0"
    assert page.locator("#job-status").inner_text() == "Selesai"
    assert AdministrativeArea.objects.filter(code__startswith="61.12.").count() == 117
    assert not upload.path.exists()  # the worker removed the upload
    shoot(page, "import-report-desktop")
    phone.goto(page.url)
    shoot(phone, "import-report-phone")

    csv = page.request.get(f"{page.url}masalah.csv")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.body().startswith("\ufefffeature,code,message,skipped".encode())
