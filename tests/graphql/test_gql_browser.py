"""In Debian's chromium (Playwright; fixtures in tests/browser_support.py):

- a page served from another origin (another loopback port) runs `submitOpinion` and
  `trackOpinion` against kunming's /graphql/ once that origin is on kunming's list, and
  the same page on an origin not listed is refused by the browser (no CORS headers);
- GraphiQL renders with no network: every request that is not to this machine is blocked.
"""
from __future__ import annotations

import http.server
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.test import override_settings
from world import build_world

from liaison.platform.apiaccess import origins

PAGE = """<!doctype html><meta charset="utf-8"><title>county portal</title>
<script>
async function gql(endpoint, query, variables) {
  const r = await fetch(endpoint, {method: "POST", headers: {"Content-Type": "application/json",
    "Accept": "application/graphql-response+json"}, body: JSON.stringify({query, variables})});
  return {status: r.status, body: await r.json()};
}
window.runPortal = async function (endpoint, positionCode) {
  try {
    const submitted = await gql(endpoint,
      "mutation($input: SubmitOpinionInput!) { submitOpinion(input: $input) { created tracking { trackingCode status } errors { field message code } } }",
      {input: {positionCode, title: "路灯坏了", content: "小区门口的路灯坏了一周。", idempotencyKey: crypto.randomUUID()}});
    const code = submitted.body.data.submitOpinion.tracking.trackingCode;
    const tracked = await gql(endpoint, "query($code: String!) { trackOpinion(code: $code) { trackingCode status statusLabel } }", {code});
    return {ok: true, submitted, tracked};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
};
</script><h1>县级门户</h1>"""


@contextmanager
def portal_origin():
    """A static page on http://127.0.0.1:<another port>: a different origin from the API's."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_an_allowed_origin_submits_and_tracks_and_another_origin_is_refused(kunming, browser_server, new_page):
    build_world("kunming", stations=1, deputies_per_station=1)
    endpoint = browser_server.url("kunming", "/graphql/")
    with portal_origin() as allowed, portal_origin() as other:
        origins.add_origin(kunming, allowed)
        page = new_page()
        page.goto(allowed + "/")
        result = page.evaluate("([e, c]) => window.runPortal(e, c)", [endpoint, "kunming-S000"])
        assert result["ok"], result
        assert result["submitted"]["status"] == 200 and result["submitted"]["body"]["data"]["submitOpinion"]["created"]
        tracked = result["tracked"]["body"]["data"]["trackOpinion"]
        assert tracked["trackingCode"] == result["submitted"]["body"]["data"]["submitOpinion"]["tracking"]["trackingCode"]
        assert tracked["statusLabel"]

        refused = new_page()
        refused.goto(other + "/")
        blocked = refused.evaluate("([e, c]) => window.runPortal(e, c)", [endpoint, "kunming-S000"])
        assert not blocked["ok"] and "Failed to fetch" in blocked["error"]


@override_settings(LIAISON_GRAPHIQL=True)
def test_graphiql_renders_with_no_network(kunming, browser_server, new_page, screenshot):
    page = new_page()
    outside = []

    def only_this_machine(route):
        host = urlsplit(route.request.url).hostname or ""
        if host == "127.0.0.1" or host == "localhost" or host.endswith(".localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_machine)
    page.goto(browser_server.url("kunming", "/graphql/"))
    page.wait_for_selector(".graphiql-container", timeout=20_000)
    page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=20_000)
    # the schema was introspected through the page: the documentation explorer lists Query
    page.click("button[aria-label='Show Documentation Explorer']")
    page.wait_for_function("() => document.querySelector('.graphiql-doc-explorer')"
                           " && document.querySelector('.graphiql-doc-explorer').innerText.includes('Mutation')",
                           timeout=20_000)
    screenshot(page, "graphiql-offline")
    assert outside == []
