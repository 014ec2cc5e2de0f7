"""GraphQL over HTTP: the response's media type, status and headers.

- Media type: `application/graphql-response+json` when the client's Accept prefers it,
  else `application/json` (also for no Accept header, `*/*`, and anything else).
- Status: with `application/graphql-response+json`, a response that has `data` (the
  operation ran, even if `data` is null) is 200; request errors keep their 4xx (400
  invalid, 401, 403, 405, 429). With `application/json` the same, except that a response
  whose `data` is null because of errors takes the status of its error code (as before:
  401/403/429, else 400).
- 401 carries `WWW-Authenticate: Bearer`; 429 carries `Retry-After` (seconds).
- `Cache-Control`: anonymous GET queries whose root fields are all declared cacheable
  (`root_field(…, public_cache=seconds)`) are `public, max-age=<seconds>` with
  `Vary: Authorization`; everything else is `no-store`.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.http import JsonResponse
from django.utils.cache import patch_vary_headers

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@dataclass
class Outcome:
    retry_after: int | None = None
    invalid_credentials: bool = False
    cache_seconds: int | None = None
    executed: bool = False
    allow: str | None = None


def response_media_type(request) -> str:
    """The media type to answer with, from the Accept header (q-values honoured)."""
    best, best_q = JSON, -1.0
    for position, part in enumerate(request.headers.get("Accept", "").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        if media not in (GRAPHQL_RESPONSE, JSON):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q and q > 0:
            best, best_q = media, q
    return best


def respond(body, status: int, media_type: str, outcome: Outcome | None = None, batch: bool = False) -> JsonResponse:
    outcome = outcome or Outcome()
    if media_type == GRAPHQL_RESPONSE and not batch and isinstance(body, dict) and "data" in body and status != 429:
        status = 200  # the operation ran: field errors are in the body, not the status
    resp = JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False},
                        content_type=f"{media_type}; charset=utf-8")
    if status == 401:
        challenge = 'Bearer realm="liaison"'
        if outcome.invalid_credentials:
            challenge += ', error="invalid_token"'
        resp["WWW-Authenticate"] = challenge
    if outcome.retry_after:
        resp["Retry-After"] = str(int(outcome.retry_after))
    if outcome.allow and status == 405:
        resp["Allow"] = outcome.allow
    if outcome.cache_seconds and status == 200:
        resp["Cache-Control"] = f"public, max-age={int(outcome.cache_seconds)}"
        patch_vary_headers(resp, ("Authorization",))
    else:
        resp["Cache-Control"] = "no-store"
    return resp
