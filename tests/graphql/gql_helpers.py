"""HTTP helpers for the GraphQL tests: post like a third-party client does."""
from __future__ import annotations

import json
from dataclasses import dataclass

from django.test import Client

HOSTS = {"kunming": "kunming.localhost", "qujing": "qujing.localhost", "province": "localhost"}


@dataclass
class Response:
    status: int
    body: object

    @property
    def data(self):
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def errors(self):
        return self.body.get("errors") if isinstance(self.body, dict) else None

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in (self.errors or [])]

    def ok(self):
        assert self.status == 200 and not self.errors, (self.status, self.body)
        return self.data


_CLIENTS: dict[str, Client] = {}


def _client(host: str) -> Client:
    """One test Client per host, reused: building its middleware chain (WhiteNoise scans
    the static files) costs more than the request. Cookies are cleared for each call."""
    c = _CLIENTS.get(host)
    if c is None:
        c = _CLIENTS[host] = Client(HTTP_HOST=host)
    c.cookies.clear()
    return c


def post(host: str, payload, key: str | None = None, user=None, client: Client | None = None, **extra) -> Response:
    c = client or _client(HOSTS.get(host, host))
    if user is not None:
        c.force_login(user)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    headers.update(extra)
    resp = c.post("/graphql/", json.dumps(payload), content_type="application/json", HTTP_HOST=HOSTS.get(host, host),
                  **headers)
    try:
        body = json.loads(resp.content)
    except ValueError:
        body = resp.content.decode()
    return Response(resp.status_code, body)


def gql(host: str, query: str, variables: dict | None = None, key: str | None = None, user=None, **extra) -> Response:
    payload = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return post(host, payload, key=key, user=user, **extra)
