"""Browser fixtures: one Chromium for the session, a fresh context per person and test.

Chromium is Debian's (Playwright cannot download its own here). If it cannot start, every
browser test errors: a browser suite that skips itself proves nothing in CI.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
# Slows each page's CPU down this many times (Chromium's DevTools throttling), to see on a
# fast machine the timing a busy CI machine or a cheap phone gives: e.g. 20.
CPU_THROTTLE = float(os.environ.get("BROWSER_TESTS_CPU_THROTTLE", "1"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TIME_ZONE = "Europe/Paris"
LOCALES = {"en": "en-GB", "fr": "fr-FR"}
PASSWORD = "correct-horse-battery"  # what tests.factories.make_user sets

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"

# Uploads are inspected and re-encoded (videos remuxed) in a subprocess before the panel
# answers; on a busy 2-core CI machine that can take longer than expect()'s default 5 s.
expect.set_options(timeout=15_000)

# Axe impacts that fail a page; "moderate" and "minor" are reported by axe but allowed.
BLOCKING_IMPACTS = {"serious", "critical"}


# Violations in templates this suite's authors may not change, reported to their owner:
# (axe rule, text in the offending element's HTML). Remove an entry once it is fixed.
def corpus_file(relative):
    path = CORPUS / relative
    if not path.is_file():
        pytest.fail(f"corpus file {path} is missing: the evidence corpus must be present")
    return path


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests, stopped as soon as they are done.

    Package scope, not session: Playwright's event loop and driver process should not
    outlive these tests and sit under the rest of the suite.
    """
    # Playwright's sync API keeps an event loop in the test's thread, which makes Django
    # refuse ORM calls there; the tests' own database work is not async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
            except PlaywrightError as error:
                pytest.fail(f"Chromium ({CHROMIUM}) could not start: {error}", pytrace=False)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class SerialLiveServerThread(LiveServerThread):
    """A live server answering one request at a time.

    The tests' in-memory SQLite connection is shared with the server thread. Django's
    threaded server lets two requests (a page's thumbnails) use it at once, which SQLite
    answers with "bad parameter or other API misuse" and a 500.
    """

    def _create_server(self, connections_override=None):
        return WSGIServer(
            (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
        )


@pytest.fixture(scope="package")
def live_server():
    """pytest-django's live server, made serial (see ``SerialLiveServerThread``)."""
    server = LiveServer("localhost", start=False)
    thread = server.thread
    server.thread = SerialLiveServerThread(
        thread.host,
        static_handler=thread.static_handler,
        connections_override=thread.connections_override,
        port=thread.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def axe():
    return Axe()


class Visit:
    """One person's browser tab: navigation, screenshots and an axe check of each page."""

    def __init__(self, page: Page, *, base_url, axe, shots_dir, language, javascript=True):
        self.page = page
        self.javascript = javascript
        self.base_url = base_url
        self.axe = axe
        self.shots_dir = shots_dir
        self.language = language
        self.shot_count = 0
        self.console_errors = []
        page.on("console", self._note_console_error)
        # Playwright turns file-chooser interception on without waiting for it, when the
        # first "filechooser" listener is added. expect_file_chooser() followed at once by a
        # key press (Space on a file input) can then reach Chromium first: the chooser opens
        # unintercepted and the event never comes. Listening from the start means interception
        # is on long before any test opens a chooser.
        page.on("filechooser", lambda chooser: None)

    def _note_console_error(self, message):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location['url']})")

    def goto(self, path):
        self.page.goto(self.base_url + path)

    def new_tab(self):
        """The same person in a second tab: same browser context, so same session."""
        page = self.page.context.new_page()
        throttle(page)
        return Visit(
            page,
            base_url=self.base_url,
            axe=self.axe,
            shots_dir=self.shots_dir.with_name(f"{self.shots_dir.name}-tab"),
            language=self.language,
        )

    def shot(self, name):
        """A full-page screenshot for a person to look at, numbered in journey order."""
        self.shot_count += 1
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{self.shot_count:02d}-{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def check_a11y(self, name=""):
        """Fail on any serious or critical axe-core violation of the page as it is now.

        Axe is a script: in a page that runs none it cannot run (and Playwright would wait).
        """
        if not self.javascript:
            return
        results = self.axe.run(self.page)
        blocking = [
            violation
            for violation in results.response["violations"]
            if violation["impact"] in BLOCKING_IMPACTS
        ]
        if blocking:
            lines = [f"axe: {len(blocking)} blocking violation(s) on {name or self.page.url}"]
            for violation in blocking:
                lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
                lines.extend(f"    {node['target']}" for node in violation["nodes"][:5])
            pytest.fail("\n".join(lines), pytrace=False)

    def check_console(self, name=""):
        """Fail on any error the page logged: a script that broke, a blocked resource, a
        Content-Security-Policy violation."""
        errors, self.console_errors = self.console_errors, []
        if errors:
            pytest.fail(f"console errors on {name or self.page.url}: {errors}", pytrace=False)

    def step(self, name):
        """Screenshot, console and accessibility check of the page just reached."""
        self.page.wait_for_load_state("load")
        self.shot(name)
        self.check_console(name)
        self.check_a11y(name)

    def log_in(self, username, password=PASSWORD, *, admin=False):
        """Log in through the real form (the site's or the admin's)."""
        self.goto("/admin/login/" if admin else "/accounts/login/")
        self.step("admin-login" if admin else "login")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.page.locator("#id_password").press("Enter")
        self.page.wait_for_load_state("load")
        expect(self.page).not_to_have_url(re.compile(r"/login/"))


def throttle(page):
    """Apply ``BROWSER_TESTS_CPU_THROTTLE`` to a new page."""
    if CPU_THROTTLE > 1:
        session = page.context.new_cdp_session(page)
        session.send("Emulation.setCPUThrottlingRate", {"rate": CPU_THROTTLE})


def ready(locator):
    """Wait until htmx has wired ``locator`` up (its script sets ``data-ready``); return it.

    htmx swaps new content in at once but attaches its listeners only when it settles, a
    moment later; a test that acts in between races the page. The wizard and the evidence
    panel say when they are live; tests wait for that, never for a fixed time.
    """
    expect(locator).to_have_attribute("data-ready", "true")
    return locator


@pytest.fixture
def open_visit(browser, live_server, axe, request):
    """Open a browser context for one person: ``open_visit("buyer", viewport=PHONE, ...)``;
    ``javascript=False`` for a buyer whose browser runs none."""
    contexts = []
    test_dir = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def open_(who, *, viewport=PHONE, language="en", javascript=True):
        context = browser.new_context(
            java_script_enabled=javascript,
            viewport=viewport,
            locale=LOCALES[language],
            timezone_id=TIME_ZONE,
            is_mobile=viewport == PHONE,
            has_touch=viewport == PHONE,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        throttle(page)
        return Visit(
            page,
            base_url=live_server.url,
            axe=axe,
            shots_dir=test_dir / who,
            language=language,
            javascript=javascript,
        )

    yield open_
    report = getattr(request.node, "rep_call", None)
    for number, context in enumerate(contexts, start=1):
        if report is not None and report.failed:
            # What each person saw when the test failed, next to the step screenshots.
            for index, page in enumerate(context.pages):
                test_dir.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=test_dir / f"failure-{number}-{index}.png")
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
