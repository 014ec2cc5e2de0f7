"""Headless Chromium over the DevTools protocol (pipe transport, no extra package), and a
live Django server that shares the test's database connection.

Chromium: Debian's `chromium` package. `--remote-debugging-pipe` makes it read DevTools
commands from fd 3 and write replies and events to fd 4, NUL-separated JSON.

Live server: a WSGI server in a thread that uses the test's own database connection, so
it sees the rows the test made inside its (rolled-back) transaction and nothing is
committed. Connections are accepted on threads (an idle socket Chromium opened in advance
must not block the others), but requests run one at a time under a lock while the test
thread waits on the browser, so the database connection is never used by two threads at once.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test.testcases import QuietWSGIRequestHandler

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1800",
         "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1"]


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    pass


class Chromium:
    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="liaison-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        self.log = open(Path(self.profile) / "chromium.log", "wb")  # noqa: SIM115
        script = f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.proc = subprocess.Popen(["/bin/bash", "-c", script, "chromium", binary, *FLAGS, f"--user-data-dir={self.profile}",
                                      "--remote-debugging-pipe", "about:blank"],
                                     pass_fds=(to_chrome_r, from_chrome_w), stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    # --- protocol -------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._from_chrome], [], [], remaining)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise CDPError(f"chromium exited ({self.proc.poll()}); see {self.log.name}")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    # --- conveniences ---------------------------------------------------------------
    def new_page(self) -> str:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable", session=session)
        return session

    def set_cookie(self, session: str, name: str, value: str, domain: str) -> None:
        self.send("Network.setCookie", {"name": name, "value": value, "domain": domain, "path": "/"}, session=session)

    def evaluate(self, session: str, expression: str, timeout: float = 30):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                           session=session, timeout=timeout)
        if "exceptionDetails" in result:
            raise CDPError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def navigate_and_wait(self, session: str, url: str, ready_js: str, timeout: float = 60) -> None:
        self.send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(session, ready_js):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{url}: page not ready after {timeout}s: {self.evaluate(session, 'document.title')}")

    def screenshot(self, session: str, path: Path) -> Path:
        import base64

        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class _Server(ThreadedWSGIServer):
    def _close_connections(self):
        pass  # the connection is the test's: it stays open


def _serialised(app):
    lock = threading.Lock()

    def wsgi(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()

    return wsgi


class SharedConnectionServer(threading.Thread):
    """Serve the Django app on 127.0.0.1:<free port> with the calling thread's DB connection."""

    def __init__(self):
        super().__init__(daemon=True)
        self.connection = connections["default"]
        self.ready = threading.Event()
        self.error: Exception | None = None
        self.port = 0

    def __enter__(self):
        # Django closes "old" connections at request boundaries; here that connection is
        # the test's open transaction, so those hooks are off while the server runs.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
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
            self.httpd.set_app(_serialised(StaticFilesHandler(WSGIHandler())))
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
