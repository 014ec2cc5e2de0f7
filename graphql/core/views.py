"""The /graphql/ endpoint of every host (province and prefectures).

Order of checks for each request (each failure is a JSON body `{"errors": [...]}` whose
`extensions.code` says what went wrong):

1. credentials: `Authorization: Bearer <key>` or the session; a bad key → 401
   UNAUTHENTICATED. Session POSTs must carry the CSRF token (API keys need none).
2. host: credentials that are not valid on this host (a Kunming key on Qujing's host,
   a prefecture user on the province host) → 403 FORBIDDEN for the whole request.
   Anonymous callers pass and are limited to the public operations.
3. body: JSON object, or a batch (JSON list) of at most `max_batch` operations.
4. per operation: the document (query text, an automatic persisted query's hash, or a
   trusted document: core/documents.py), parse (400 GRAPHQL_PARSE_FAILED), validate with the standard rules
   plus the limits of liaison.graphql.limits (400), check every root field against the
   permission matrix (401/403), then execute with fresh per-request loaders; a mutation
   runs in one transaction.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from graphql import GraphQLError, OperationType, execute, get_operation_ast, parse, specified_rules, validate

from liaison.graphql.core import http, limits, permissions
from liaison.graphql.core.documents import DocumentError, document_for
from liaison.graphql.core.errors import error_code
from liaison.platform.accounts.principal import bearer_token, principal_for

log = logging.getLogger("liaison.graphql")

# Exceptions that only bad input produces (no database or programming error is among them).
INPUT_ERRORS = (ValueError, OverflowError, ArithmeticError, UnicodeError, RecursionError)

STATUS_BY_CODE = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "RATE_LIMITED": 429, "WRONG_HOST": 400}


class RequestError(Exception):
    def __init__(self, status: int, message: str, code: str, **extensions):
        super().__init__(message)
        self.status = status
        self.body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
        self.outcome = http.Outcome(invalid_credentials=extensions.pop("invalid_credentials", False))
        self.body["errors"][0]["extensions"].pop("invalid_credentials", None)


def format_error(error: GraphQLError) -> dict[str, Any]:
    formatted = error.formatted
    original = error.original_error
    ext = dict(formatted.get("extensions") or {})
    if original is not None and not isinstance(original, GraphQLError):
        from django.core.exceptions import ObjectDoesNotExist
        from django.http import Http404

        from liaison.tenants.common.errors import ServiceError

        if isinstance(original, (ObjectDoesNotExist, Http404)):
            formatted["message"] = "未找到 (not found)"
            ext["code"] = "NOT_FOUND"
        elif isinstance(original, ServiceError):  # a selector refusing input outside a mutation payload
            ext["code"] = "NOT_FOUND" if all(e.code == "not_found" for e in original.errors) else "BAD_USER_INPUT"
            ext["fields"] = [{"field": e.field, "message": e.message, "code": error_code(e.code)} for e in original.errors]
        elif isinstance(original, INPUT_ERRORS):
            # The last guard: a value the schema let through but Python cannot use (year 0
            # after a time-zone shift, a number too large, NaN) is the caller's input, not
            # our failure. Logged, so the rule that should have named the field gets written.
            log.warning("GraphQL input rejected late: %r", original)
            formatted["message"] = "输入值无法处理 (bad user input: a value is out of range or malformed)"
            ext["code"] = "BAD_USER_INPUT"
        else:
            log.error("GraphQL resolver error", exc_info=original)
            ext.setdefault("code", "INTERNAL_SERVER_ERROR")
            if not settings.DEBUG:
                formatted["message"] = "服务器内部错误 (internal server error)"
    ext.setdefault("code", "GRAPHQL_VALIDATION_FAILED" if not formatted.get("path") else "BAD_REQUEST")
    formatted["extensions"] = ext
    return formatted


class LiaisonGraphQLView(GraphQLView):
    """graphene-django's view for GraphiQL; our own request handling for everything else.

    GraphiQL (settings.LIAISON_GRAPHIQL, default DEBUG) loads every asset from this
    project's static files (liaison/graphiql.html): it works with no network. The pinned
    versions and SRI hashes are graphene-django's; the vendored files match them."""

    graphiql = True  # shown only when settings.LIAISON_GRAPHIQL is on (checked per request)
    graphiql_template = "liaison/graphiql.html"

    def dispatch(self, request, *args, **kwargs):
        # Anonymous API reads get no session or CSRF cookie and no `Vary: Cookie`: only a
        # request that arrives with a session cookie is a session client.
        session_client = settings.SESSION_COOKIE_NAME in request.COOKIES
        response = self._dispatch(request, session_client, *args, **kwargs)
        if not session_client and hasattr(request, "session"):
            request.session.accessed = False
        return response

    def _dispatch(self, request, session_client: bool, *args, **kwargs):
        media_type = http.response_media_type(request)
        if request.method not in ("GET", "POST"):
            return http.respond({"errors": [{"message": "GraphQL only supports GET and POST requests.",
                                             "extensions": {"code": "METHOD_NOT_ALLOWED"}}]}, 405, media_type,
                                http.Outcome(allow="GET, POST"))
        if bearer_token(request) is None and session_client:
            get_token(request)  # session clients (the web app) get the csrftoken cookie
        try:
            self._authorize_host(request)
            if settings.LIAISON_GRAPHIQL and request.method == "GET" and self.can_display_graphiql(request, request.GET):
                get_token(request)  # GraphiQL posts with the session and this token
                return super().dispatch(request, *args, **kwargs)
            body = self._parse_body(request)
            if isinstance(body, list):
                return self._batch(request, body, media_type)
            result, status, outcome = self.run_operation(request, body)
            return http.respond(result, status, media_type, outcome)
        except RequestError as exc:
            return http.respond(exc.body, exc.status, media_type, exc.outcome)

    # --- 1. + 2. credentials and host ----------------------------------------------
    def _authorize_host(self, request) -> None:
        token = bearer_token(request)
        if token is None and getattr(request, "user", None) is not None and request.user.is_authenticated \
                and request.method == "POST":
            reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if reason is not None:
                raise RequestError(403, "CSRF 校验失败：会话请求须带 X-CSRFToken (CSRF token missing or incorrect; "
                                        "API clients should use an API key instead of a session)", "CSRF_FAILED")
        p = principal_for(request)
        if p.credentials_error:
            raise RequestError(401, p.credentials_error, "UNAUTHENTICATED", invalid_credentials=True)
        schema = connection.schema_name
        if not p.has_access(schema):
            raise RequestError(403, f"无权访问此站点 (forbidden: {p.label} has no access to "
                                    f"{permissions.host_label(schema)})", "FORBIDDEN")

    # --- 3. body ------------------------------------------------------------------------
    def _parse_body(self, request) -> Any:
        if request.method == "GET":
            return {k: request.GET.get(k) for k in ("query", "variables", "operationName", "extensions") if k in request.GET}
        content_type = (request.content_type or "").split(";")[0].strip()
        if content_type == "application/graphql":
            return {"query": request.body.decode("utf-8", errors="replace")}
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {k: request.POST.get(k) for k in ("query", "variables", "operationName", "extensions") if k in request.POST}
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):   # RecursionError: JSON nested past Python's stack
            raise RequestError(400, "请求体不是有效的 JSON (POST body is not valid JSON)", "BAD_REQUEST") from None
        if not isinstance(body, (dict, list)):
            raise RequestError(400, "请求体须为 JSON 对象或数组 (body must be a JSON object or a batch list)", "BAD_REQUEST")
        return body

    def _batch(self, request, body: list, media_type: str) -> HttpResponse:
        cfg = limits.limits()
        if not body:
            raise RequestError(400, "批量请求为空 (empty batch)", "BAD_REQUEST")
        if len(body) > cfg["max_batch"]:
            raise RequestError(400, f"Batch of {len(body)} operations exceeds the limit of {cfg['max_batch']} operations "
                                    f"per request.", "BATCH_LIMIT_EXCEEDED", limit="max_batch", value=cfg["max_batch"],
                               actual=len(body))
        results = []
        retry_after = None
        for entry in body:
            if not isinstance(entry, dict):
                results.append({"errors": [{"message": "batch entries must be JSON objects", "extensions": {"code": "BAD_REQUEST"}}]})
                continue
            try:
                result, status, outcome = self.run_operation(request, entry)
                retry_after = max(filter(None, (retry_after, outcome.retry_after)), default=None)
            except RequestError as exc:
                result, status = exc.body, exc.status
            results.append({**result, "status": status})
        return http.respond(results, 200, media_type, http.Outcome(retry_after=retry_after), batch=True)

    # --- 4. one operation --------------------------------------------------------------
    def run_operation(self, request, entry: dict) -> tuple[dict, int, http.Outcome]:
        query, variables, operation_name = self._params(request, entry)
        cfg = limits.limits()
        if len(query) > cfg["max_query_length"]:
            raise RequestError(400, f"Query of {len(query)} characters exceeds the limit of {cfg['max_query_length']} "
                                    f"characters.", "QUERY_TOO_LARGE", limit="max_query_length",
                               value=cfg["max_query_length"], actual=len(query))
        schema = self.schema.graphql_schema
        try:
            document = parse(query)
        except GraphQLError as exc:
            err = format_error(exc)
            err["extensions"]["code"] = "GRAPHQL_PARSE_FAILED"
            return {"errors": [err]}, 400, http.Outcome()
        errors = validate(schema, document, list(specified_rules) + limits.validation_rules(variables), max_errors=50)
        if errors:
            return {"errors": [format_error(e) for e in errors]}, 400, http.Outcome()
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            msg = (f"Unknown operation named `{operation_name}`." if operation_name
                   else "Must provide operationName when the document contains several operations.")
            return {"errors": [{"message": msg, "extensions": {"code": "BAD_REQUEST"}}]}, 400, http.Outcome()
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            return {"errors": [{"message": f"Can only perform a {operation.operation.value} operation from a POST request.",
                                "extensions": {"code": "METHOD_NOT_ALLOWED"}}]}, 405, http.Outcome(allow="POST")
        p = principal_for(request)
        denied = permissions.check_operation(document, operation, p, connection.schema_name)
        if denied:
            status = max(STATUS_BY_CODE.get(e.extensions.get("code"), 403) for e in denied)
            return {"errors": [format_error(e) for e in denied]}, status, http.Outcome()
        request.liaison_loaders = {}
        kwargs = dict(context_value=request, variable_values=variables, operation_name=operation_name,
                      middleware=self.get_middleware(request))
        if operation.operation == OperationType.MUTATION:
            with transaction.atomic():
                result = execute(schema, document, **kwargs)
                errors = [format_error(e) for e in result.errors or ()]
                limited = [e for e in errors if e["extensions"].get("code") == "RATE_LIMITED"]
                if limited:
                    transaction.set_rollback(True)  # a refused operation changes nothing
        else:
            result = execute(schema, document, **kwargs)
            errors = [format_error(e) for e in result.errors or ()]
            limited = [e for e in errors if e["extensions"].get("code") == "RATE_LIMITED"]
        if limited:
            # Every rate limit is a request error: 429 with Retry-After, no partial data.
            retry = max(int(e["extensions"].get("retryAfter") or 1) for e in limited)
            return {"errors": limited}, 429, http.Outcome(retry_after=retry)
        response: dict[str, Any] = {}
        if errors:
            response["errors"] = errors
        response["data"] = result.data
        status = 200
        codes = {e.get("extensions", {}).get("code") for e in errors}
        if result.data is None and codes:
            status = max((STATUS_BY_CODE.get(c, 400) for c in codes), default=400)
        cache_seconds = None
        if request.method == "GET" and not errors and p.is_anonymous:
            cache_seconds = permissions.public_cache_seconds(document, operation)
        return response, status, http.Outcome(cache_seconds=cache_seconds, executed=True)

    def _params(self, request, entry: dict) -> tuple[str, dict, str | None]:
        try:  # automatic persisted queries and trusted documents (core/documents.py)
            query = document_for(entry, principal_for(request).api_key_id)
        except DocumentError as exc:
            raise RequestError(exc.status, exc.message, exc.code) from None
        if query is None:
            raise RequestError(400, "缺少查询 (must provide a query string)", "BAD_REQUEST")
        variables = entry.get("variables") or {}
        if isinstance(variables, str):
            try:
                variables = json.loads(variables)
            except (ValueError, RecursionError):
                raise RequestError(400, "variables 不是有效的 JSON (variables are not valid JSON)", "BAD_REQUEST") from None
        if not isinstance(variables, dict):
            raise RequestError(400, "variables 须为 JSON 对象 (variables must be a JSON object)", "BAD_REQUEST")
        operation_name = entry.get("operationName") or None
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError(400, "operationName 须为字符串 (operationName must be a string)", "BAD_REQUEST")
        return query, variables, operation_name


def graphql_view():
    return csrf_exempt(LiaisonGraphQLView.as_view())
