"""Browser fixtures: the app served on a real port, and Debian's chromium driven by Playwright.

``live_server`` is the base URL of the app running in a background thread (on SQLite, or on
PostgreSQL when SPACE_TEST_DATABASE_URL is set); ``live_app`` is that app, for reading the
database from the test. ``browser_page`` is a fresh page in a fresh browser context, which
records console errors, uncaught exceptions and CSP violations, and leaves a screenshot in
``tests/e2e/artifacts/<test>.png`` when the test fails.

Without a chromium binary the tests skip, unless SPACE_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from space.accounts import groups
from space.db import db
from tests.conftest import make_app

ARTIFACTS = Path(__file__).parent / "artifacts"
MISSING_BROWSER = "chromium not installed: apt-get install chromium"
# Playwright's own browser download does not work here: drive the system chromium instead.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _no_browser(reason: str):
    """Skip, or fail when the environment says browser tests must run (CI)."""
    if os.environ.get("SPACE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SPACE_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures know whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def live_app_config():
    """Override in a test module to change the live app's settings: return a dict."""
    return {}


@pytest.fixture
def live_app(database_url, tmp_path, live_app_config):
    # URLs must carry the real host and port, not the "localhost" the HTTP-client tests use.
    app = make_app(database_url, tmp_path, **{"SERVER_NAME": None, **live_app_config})
    with app.app_context():
        db.create_all()
        groups.ensure_automatic_groups()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class _InFlight:
    """A WSGI app counting the requests it is answering (Flask removes a request's database
    session before it returns the response)."""

    def __init__(self, app):
        self.app, self.count, self._lock = app, 0, threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.count -= 1

    def wait(self, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while self.count and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture
def live_server(live_app):
    """The base URL (``http://127.0.0.1:<port>``) of ``live_app`` served in a thread. When
    the test ends, requests still being answered (a page's script reporting as the browser
    closes it) finish before the app's connections are closed: a connection they held
    would be collected later, open, and its warning would fail another test."""
    answering = _InFlight(live_app)
    server = make_server("127.0.0.1", 0, answering, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    answering.wait()
    server.server_close()


@pytest.fixture(scope="package")
def _browser():
    """One chromium for the browser tests, closed after the last of them; each test gets its
    own context (cookies, storage)."""
    executable = chromium_path()
    if executable is None:
        _no_browser(MISSING_BROWSER)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        # launch() gives the browser a fresh temporary user-data dir and removes it on close.
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong in the page while the test ran, as readable lines."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]

    def assert_none(self) -> None:
        assert not self.console_errors, self.console_errors
        assert not self.page_errors, self.page_errors


@pytest.fixture
def page_problems():
    """Console errors, CSP violations and uncaught exceptions seen by ``browser_page``."""
    return PageProblems()


@pytest.fixture
def browser_page(_browser, request, page_problems):
    """A page at 1280×800 in English, in a context of its own; what goes wrong in it is
    recorded in ``page_problems`` (chromium reports CSP violations as console errors)."""
    context = _browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    problems = page_problems
    page.on(
        "console",
        lambda message: (
            problems.console_errors.append(
                f"{message.text} ({message.location.get('url') or page.url})"
            )
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.page_errors.append(f"{error} ({page.url})"))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"no screenshot for {name}: {error}")
    context.close()
