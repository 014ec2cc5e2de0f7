"""Browser tests: Playwright (PyPI `playwright`) driving Debian's chromium, a live server on
the prefecture hosts, logging in, and screenshots.

Fixtures (imported into tests/conftest.py, so every test folder has them):

- `chromium_browser` — one headless chromium per test process (session scope). Debian's
  `/usr/bin/chromium` through `executable_path`; Playwright's own browser download is never
  used. Missing chromium skips the test, or fails it under CI=true (.ci/run installs it).
- `browser_server` — the Django app on 127.0.0.1:<free port>, sharing the test's database
  connection: the browser sees the rows the test made inside its rolled-back transaction
  and nothing is committed. `browser_server.url("kunming", "/p/X/")` gives
  `http://kunming.localhost:<port>/p/X/` (`None` for the province host). Chromium resolves
  every `*.localhost` name to loopback (and the flags below say so too), so django-tenants
  routes each request by its Host as in production.
- `new_page(viewport=PHONE|DESKTOP)` — a fresh browser context (own cookies) and its page.
- `login(page, user, host)` — signs `user` in on `host` (force_login: no password needed)
  and gives the browser that session cookie.
- `screenshot(page, name)` — a full-page PNG in SCREENSHOT_DIR; the run prints the folder
  at the end (tests/conftest.py, pytest_terminal_summary).

Playwright itself runs on a thread of its own (see `_PlaywrightThread`); tests hold proxies.
The server answers one request at a time under a lock; a test that reads the database
while the browser may still be loading takes that lock with `browser_server.paused()`.
"""
from __future__ import annotations

import os
import queue
import shutil
import threading
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test import Client
from django.test.testcases import QuietWSGIRequestHandler

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-quic",
                 # *.localhost is loopback in Chromium already; the rule keeps it so whatever the resolver says
                 "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1"]
SCREENSHOT_DIR = Path(os.environ.get("LIAISON_SCREENSHOT_DIR")
                      or Path(__file__).resolve().parent.parent / ".liaison" / "screenshots")


def find_chromium() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _PlaywrightThread(threading.Thread):
    """Runs every Playwright call on a thread of its own.

    Playwright's sync API keeps its asyncio loop marked as running in the thread that uses
    it, between calls too. Django then takes that thread for async code: it refuses
    database calls there, and it hands out a different database connection (one outside the
    test's transaction). So the test thread never touches Playwright directly: it holds
    `Remote` proxies whose calls run here, one at a time, and wait for the answer.
    """

    def __init__(self):
        super().__init__(daemon=True, name="playwright")
        self.calls: queue.Queue = queue.Queue()

    def run(self):
        while (item := self.calls.get()) is not None:
            work, answer = item
            try:
                answer.set_result(work())
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
                answer.set_exception(exc)

    def call(self, work):
        if threading.current_thread() is self:  # an event handler calling back into Playwright
            return work()
        answer: Future = Future()
        self.calls.put((work, answer))
        return answer.result()

    def stop(self):
        self.calls.put(None)
        self.join(30)


def _wrap(value, runner):
    if isinstance(value, list | tuple):
        return type(value)(_wrap(v, runner) for v in value)
    if type(value).__module__.startswith("playwright."):
        return Remote(value, runner)
    return value


def _unwrap(value):
    if isinstance(value, Remote):
        return object.__getattribute__(value, "_obj")
    if isinstance(value, list | tuple):
        return type(value)(_unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    return value


class Remote:
    """A Playwright object (browser, context, page, locator, …) used from the test thread:
    attribute reads and method calls run on the Playwright thread."""

    __slots__ = ("_obj", "_runner")

    def __init__(self, obj, runner):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_runner", runner)

    def __getattr__(self, name):
        obj, runner = object.__getattribute__(self, "_obj"), object.__getattribute__(self, "_runner")
        value = runner.call(lambda: getattr(obj, name))
        if not callable(value) or type(value).__module__.startswith("playwright."):
            return _wrap(value, runner)

        def method(*args, **kwargs):
            return _wrap(runner.call(lambda: value(*_unwrap(args), **_unwrap(kwargs))), runner)

        return method

    def __enter__(self):
        return self.__getattr__("__enter__")()

    def __exit__(self, *exc):
        return self.__getattr__("__exit__")(*exc)

    def __repr__(self):
        return f"Remote({object.__getattribute__(self, '_obj')!r})"


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless chromium per test process."""
    binary = find_chromium()
    if binary is None:
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    runner = _PlaywrightThread()
    runner.start()
    playwright = runner.call(lambda: sync_playwright().start())
    browser = runner.call(lambda: playwright.chromium.launch(executable_path=binary, args=CHROMIUM_ARGS))
    try:
        yield Remote(browser, runner)
    finally:
        runner.call(browser.close)
        runner.call(playwright.stop)
        runner.stop()


@pytest.fixture
def new_page(chromium_browser):
    contexts = []

    def make(viewport: dict = DESKTOP, **options):
        context = chromium_browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                               is_mobile=viewport["width"] < 600, has_touch=viewport["width"] < 600,
                                               **options)
        context.set_default_timeout(60_000)  # generous: the test machines are shared and slow at times
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def host_name(slug: str | None) -> str:
    """The host of a prefecture (`None`: the province) as the browser types it: `kunming.localhost`
    (`kunming.yn.localhost` in a test that sets LIAISON_BASE_HOST to `yn.localhost`)."""
    base = settings.LIAISON_BASE_HOST
    return f"{slug}.{base}" if slug else base


def cookie_domain(host: str) -> str:
    """Where the session cookie lives: the province-wide domain when one is configured."""
    return settings.SESSION_COOKIE_DOMAIN or host


@pytest.fixture
def login():
    def sign_in(page, user, host: str = "localhost") -> None:
        client = Client(HTTP_HOST=host)
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session,
                                   "domain": cookie_domain(host), "path": "/"}])

    return sign_in


@pytest.fixture
def screenshot():
    def shoot(page, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


def screenshots_taken_since(start: float) -> list[Path]:
    if not SCREENSHOT_DIR.is_dir():
        return []
    return sorted(p for p in SCREENSHOT_DIR.glob("*.png") if p.stat().st_mtime >= start)


# --- the live server ------------------------------------------------------------------

class _Server(ThreadedWSGIServer):
    def _close_connections(self):
        pass  # the connection is the test's: it stays open


class SharedConnectionServer(threading.Thread):
    """Serve the Django app on 127.0.0.1:<free port> with the calling thread's DB connection.

    Connections are accepted on threads (an idle socket Chromium opened in advance must not
    block the others), but requests run one at a time under `lock`, so the database
    connection is never used by two threads at once.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.connection = connections["default"]
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.error: Exception | None = None
        self.port = 0

    def url(self, slug: str | None, path: str = "/") -> str:
        return f"http://{host_name(slug)}:{self.port}{path}"

    @contextmanager
    def paused(self):
        """Hold requests while the test itself uses the database connection."""
        with self.lock:
            yield

    def _serialised(self, app):
        def wsgi(environ, start_response):
            with self.lock:
                # Django closes "old" connections at request boundaries; here that connection
                # is the test's open transaction. Off for each request, since the test
                # client turns the hooks back on after each of its own requests.
                request_started.disconnect(close_old_connections)
                request_finished.disconnect(close_old_connections)
                result = app(environ, start_response)
                try:
                    return list(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return wsgi

    def __enter__(self):
        self.connection.inc_thread_sharing()
        self.start()
        self.ready.wait(10)
        if self.error:
            raise self.error
        return self

    def run(self):
        connections["default"] = self.connection
        try:
            self.httpd = _Server(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=False,
                                 connections_override={"default": self.connection})
            self.port = self.httpd.server_address[1]
            self.httpd.set_app(self._serialised(StaticFilesHandler(WSGIHandler())))
            self.ready.set()
            self.httpd.serve_forever(poll_interval=0.1)
        except Exception as exc:  # noqa: BLE001 - reported to the test thread
            self.error = exc
            self.ready.set()

    def __exit__(self, *exc):
        if hasattr(self, "httpd"):
            self.httpd.shutdown()
            self.httpd.server_close()
        self.join(10)
        self.connection.dec_thread_sharing()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        return False


@pytest.fixture
def browser_server(db, chromium_browser):
    """The live server; asks for chromium first so a missing browser skips before serving."""
    with SharedConnectionServer() as server:
        yield server
