"""What counts as personal data in logs and error reports, and how it is removed.

Citizens give their name, phone number and the text of their opinion; deputies' rolls
carry phones and ID numbers. None of that may leave the process in a log line or a
Sentry event. Two rules, applied by both the log formatter and the Sentry scrubber:

1. By key: any mapping key that names personal or secret data (``citizen_name``,
   ``citizenPhone``, ``content``, ``variables``, ``password``, ``authorization`` …)
   has its value replaced by ``[Filtered]``, however deep it sits.
2. By pattern: inside free text (exception messages, log messages, breadcrumbs)
   mainland mobile and landline numbers, resident ID numbers, e-mail addresses and
   the row values PostgreSQL quotes in its error details (``DETAIL: Key (…)=(…)``,
   ``Failing row contains (…)``) are replaced by ``[Filtered]``.

A Chinese name inside free text cannot be recognised by a pattern, so the places where
such text travels are removed structurally (request bodies, query strings, GraphQL
variables, local variables, task arguments that are not plain identifiers): see
liaison.platform.ops.sentry.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FILTERED = "[Filtered]"

# Keys are compared in snake_case (citizenName → citizen_name); a key matches when it is,
# or ends with, one of these words.
SENSITIVE_KEY_WORDS = (
    "name", "phone", "mobile", "tel", "telephone", "id_number", "idnumber", "id_card", "idcard",
    "content", "title", "text", "body", "reply", "answer", "address", "email", "contact",
    "password", "passwd", "secret", "token", "authorization", "cookie", "cookies", "sessionid",
    "csrftoken", "api_key", "apikey", "key_secret", "variables", "dsn",
)
# Keys that end like a sensitive word but carry no personal data.
SAFE_KEYS = frozenset({
    "operation_name", "schema_name", "logger_name", "task_name", "app_name", "field_name",
    "view_name", "url_name", "host_name", "server_name", "type_name", "parent_type_name",
    "content_type", "content_length",
})

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_SENSITIVE_KEY = re.compile(r"(?:^|_)(?:" + "|".join(re.escape(w) for w in SENSITIVE_KEY_WORDS) + r")$")

TEXT_PATTERNS = [
    # PostgreSQL quotes row values in error details: keep the column list, drop the values.
    (re.compile(r"(Key \([^)\n]*\)=\()[^\n]*(\) (?:already exists|is not present|conflicts))"), rf"\g<1>{FILTERED}\g<2>"),
    (re.compile(r"(Key \([^)\n]*\)=\()(?!\[Filtered\]\) )[^\n]*"), rf"\g<1>{FILTERED})"),
    (re.compile(r"(Failing row contains \()[^\n]*(\))"), rf"\g<1>{FILTERED}\g<2>"),
    # Resident identity card numbers (18 characters, last may be X).
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), FILTERED),
    # Mainland mobile numbers, with or without +86.
    (re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9A-Za-z])"), FILTERED),
    # Landlines with an area code: 0871-12345678, 087112345678.
    (re.compile(r"(?<![0-9A-Za-z])0\d{2,3}[- ]?\d{7,8}(?![0-9A-Za-z])"), FILTERED),
    # E-mail addresses.
    (re.compile(r"[\w.+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+"), FILTERED),
]

# Values that may stay where data is otherwise withheld (task arguments): numbers, and
# short identifiers such as schema names, codes and tracking numbers.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


def snake(key: str) -> str:
    return _CAMEL.sub(r"_\1", key).replace("-", "_").lower()


def is_sensitive_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    k = snake(key)
    return k not in SAFE_KEYS and bool(_SENSITIVE_KEY.search(k))


def scrub_text(text: str) -> str:
    """Replace phone numbers, ID numbers, e-mails and quoted row values in free text."""
    if not text:
        return text
    for pattern, replacement in TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub(value: Any, depth: int = 0, *, keys: bool = True) -> Any:
    """Deep copy of ``value`` with sensitive keys filtered (unless ``keys=False``) and
    free text scrubbed."""
    if depth > 20:
        return FILTERED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {k: (FILTERED if keys and is_sensitive_key(k) and v not in (None, "", [], {})
                    else scrub(v, depth + 1, keys=keys)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v, depth + 1, keys=keys) for v in value]
    return value


def identifiers_only(value: Any, depth: int = 0) -> Any:
    """Keep numbers, booleans and short identifiers; withhold any other text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        # Sentry may hand task arguments over as repr() strings: strip the quotes.
        bare = value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value
        return value if _IDENTIFIER.match(bare) and scrub_text(bare) == bare else FILTERED
    if depth > 10:
        return FILTERED
    if isinstance(value, Mapping):
        return {k: (FILTERED if is_sensitive_key(k) else identifiers_only(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [identifiers_only(v, depth + 1) for v in value]
    return FILTERED
