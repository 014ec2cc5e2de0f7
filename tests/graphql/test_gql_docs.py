"""docs/API.md runs: every ```graphql example is executed in order against the test
server with the credentials its `<!-- example host=… as=… -->` line names, and must
succeed (no top-level errors, no payload errors); the Python client is executed against
a real HTTP server."""
from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
import uuid
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from gql_helpers import gql
from liaison.graphql.core.relay import encode_global_id
from world import build_world

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"
EXAMPLE = re.compile(r"<!-- example (?P<meta>[^>]*?) -->\s*```graphql\n(?P<query>.*?)```(?:\s*```json\n(?P<vars>.*?)```)?", re.S)


def examples() -> list[dict]:
    out = []
    for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8")):
        meta = dict(part.split("=", 1) for part in m.group("meta").split())
        out.append({"meta": meta, "query": m.group("query"), "variables": m.group("vars")})
    return out


def test_the_doc_has_examples_for_each_kind_of_user():
    who = {e["meta"]["as"] for e in examples()}
    assert {"anonymous", "kunming_read", "kunming_staff", "kunming_write", "kunming_deputy", "province"} <= who
    assert len(examples()) >= 15


def _payload_errors(data) -> list:
    found = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "errors" and isinstance(v, list):
                found += v
            else:
                found += _payload_errors(v)
    elif isinstance(data, list):
        for v in data:
            found += _payload_errors(v)
    return found


def _dig(data, path: str):
    for part in path.split("."):
        data = data[part]
    return data


def test_every_example_of_the_doc_runs(kunming, make_key, make_user):
    w = build_world("kunming", stations=1, deputies_per_station=2, opinions_per_station=1, referrals=False)
    opinion = w.opinions[0]
    auth = {
        "anonymous": {},
        "kunming_read": {"key": make_key("kunming")},
        "kunming_write": {"key": make_key("kunming", write=True, personal=True)},
        "province": {"key": make_key(province=True)},
        "kunming_staff": {"user": make_user("station_staff", kunming)},
        "kunming_admin": {"user": make_user("prefecture_admin", kunming)},
        "kunming_deputy": {"user": make_user("deputy", kunming, deputy_id=w.deputies[0].pk)},
    }
    now = timezone.now()
    values = {
        "positionCode": w.stations[0].code, "idempotencyKey": str(uuid.uuid4()), "trackingCode": opinion.tracking_code,
        "positionId": encode_global_id("Position", w.stations[0].pk, "kunming"),
        "homeId": encode_global_id("Position", w.home.pk, "kunming"),
        "countyId": encode_global_id("Division", w.county.pk, "kunming"),
        "deputyId": encode_global_id("Deputy", w.deputies[0].pk, "kunming"),
        "opinionId": encode_global_id("Opinion", opinion.pk, "kunming"),
        "unitId": encode_global_id("HandlingUnit", w.units[0].pk, "kunming"),
        "now": now.isoformat(), "soon": (now + dt.timedelta(hours=1)).isoformat(),
        "later": (now + dt.timedelta(hours=4)).isoformat(),
    }

    def extended_due_on():
        with schema_context("kunming"):
            opinion.refresh_from_db()
            return (opinion.due_on + dt.timedelta(days=1)).isoformat()

    def fill(text: str) -> dict:
        def one(m):
            name = m.group(1)
            value = extended_due_on() if name == "extendedDueOn" else values[name]
            return json.dumps(value)[1:-1]
        return json.loads(re.sub(r"<(\w+)>", one, text))

    ran = 0
    for ex in examples():
        meta = ex["meta"]
        variables = fill(ex["variables"]) if ex["variables"] else None
        resp = gql(meta["host"], ex["query"], variables, **auth[meta["as"]])
        assert resp.status == 200 and not resp.errors, (meta, ex["query"][:80], resp.body)
        assert _payload_errors(resp.data) == [], (meta, ex["query"][:80], resp.body)
        if "capture" in meta:
            name, path = meta["capture"].split(":", 1)
            values[name] = _dig(resp.data, path)
        ran += 1
    assert ran == len(examples())
    with schema_context("kunming"):
        opinion.refresh_from_db()
        assert opinion.status == "closed"  # the loop in the examples went all the way round


# --- the Python client, over real HTTP -----------------------------------------------------

def _python_client() -> dict:
    block = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    namespace = {"__name__": "liaison_doc_client"}
    exec(compile(block, "docs/API.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_server(monkeypatch, kunming):
    """A real HTTP server (wsgiref, own thread and DB connection) serving the project.
    *.localhost names resolve to the loopback address here (RFC 6761), as browsers do."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def app(environ, start_response):
        try:
            return handler(environ, start_response)
        finally:
            connections.close_all()

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if isinstance(host, str) and (host == "localhost" or host.endswith(".localhost")):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_python_client_of_the_doc_works_over_http(http_server):
    client = _python_client()
    endpoint = f"http://kunming.localhost:{http_server}/graphql/"
    data = client["graphql"](endpoint, "{ categories { code name } host { schemaName } }")
    assert data["host"]["schemaName"] == "kunming" and len(data["categories"]) >= 8
    with pytest.raises(client["GraphQLError"]) as exc:
        client["graphql"](endpoint, "{ positions { totalCount } }")
    assert exc.value.code == "UNAUTHENTICATED" and exc.value.status == 401
    with pytest.raises(client["GraphQLError"]) as exc:
        client["graphql"](endpoint, "{ host { isProvince } }", key="lsk_00000000_" + "x" * 43)
    assert exc.value.status == 401
