"""Search documents built from the opinions of the current prefecture schema.

A document is a plain dict both backends store. What goes in: title, content, reply
text, category, position and division names (the division's ancestors too, so 五华区
finds opinions of its villages), and the filter/sort fields. What never goes in: the
citizen's name and phone fields; and where the citizen's name or phone, a mobile number
or an ID-card number appears in the free text, it is masked first (`accounts.masking.scrub_text`, the one scrubber exports and GraphQL use too).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from datetime import datetime

from django.db import connection
from django.utils import timezone

from liaison.platform.accounts.masking import scrub_text
from liaison.tenants.divisions.models import Division
from liaison.tenants.opinions.models import Opinion

DEADLINE_FIELDS = ("due_on",)
REPLY_TEXT_FIELDS = ("content", "text", "body", "reply_text")


def doc_id(schema_name: str, opinion_id: int) -> str:
    return f"{schema_name}:{opinion_id}"


def split_doc_id(value: str) -> tuple[str, int]:
    schema, _, pk = value.partition(":")
    return schema, int(pk)


def _opinion_field_names() -> set[str]:
    return {f.name for f in Opinion._meta.get_fields()}


def _deadline_field() -> str | None:
    names = _opinion_field_names()
    return next((f for f in DEADLINE_FIELDS if f in names), None)


def awaiting_reply_statuses() -> set[str]:
    """Statuses in which a reply is awaited and a deadline runs (the opinions app's
    AWAITING_REPLY; overdue = awaiting a reply and past due_on)."""
    from liaison.tenants.opinions import models as opinion_models

    return {str(s) for s in getattr(opinion_models, "AWAITING_REPLY", ("referred",))}


def _reply_model():
    """The opinions app's reply model once it exists (looked up, not imported, so the
    search package works whatever stage the opinions work is at)."""
    from django.apps import apps

    for name in ("Reply", "OpinionReply"):
        try:
            return apps.get_model("opinions", name)
        except LookupError:
            continue
    return None


def _reply_texts(opinion_ids: list[int]) -> dict[int, str]:
    model = _reply_model()
    if model is None or not opinion_ids:
        return {}
    fields = {f.name for f in model._meta.get_fields()}
    text_field = next((f for f in REPLY_TEXT_FIELDS if f in fields), None)
    if text_field is None or "opinion" not in fields:
        return {}
    out: dict[int, list[str]] = {}
    for oid, text in model.objects.filter(opinion_id__in=opinion_ids).order_by("pk").values_list("opinion_id", text_field):
        if text:
            out.setdefault(oid, []).append(text)
    return {k: "\n".join(v) for k, v in out.items()}


def build_documents(opinion_ids: Iterable[int]) -> tuple[list[dict], list[int]]:
    """Documents for these opinions of the current schema, and the ids that no longer exist."""
    ids = sorted({int(i) for i in opinion_ids})
    if not ids:
        return [], []
    opinions = list(_queryset().filter(pk__in=ids))
    found = {o.pk for o in opinions}
    return _documents(opinions), [i for i in ids if i not in found]


def iter_documents(batch_size: int = 500) -> Iterator[list[dict]]:
    """Every opinion of the current schema, in batches of documents."""
    last = 0
    while True:
        batch = list(_queryset().filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield _documents(batch)
        last = batch[-1].pk


def _queryset():
    return Opinion.objects.select_related("position", "division", "category").order_by()


def _documents(opinions: list[Opinion]) -> list[dict]:
    schema = connection.schema_name
    deadline_field = _deadline_field()
    awaiting = awaiting_reply_statuses()
    replies = _reply_texts([o.pk for o in opinions])
    codes = {c for o in opinions for c in o.division.path.split("/")}
    # position is null for an opinion received from another prefecture
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    docs = []
    for o in opinions:
        division_codes = o.division.path.split("/")
        category = o.category
        personal = {"names": [o.citizen_name], "phones": [o.citizen_phone]}
        docs.append({
            "doc_id": doc_id(schema, o.pk),
            "schema_name": schema,
            "opinion_id": o.pk,
            "title": scrub_text(o.title, **personal),
            "content": scrub_text(o.content, **personal),
            "reply_text": scrub_text(replies.get(o.pk, ""), **personal),
            "category_code": category.code if category else "",
            "category_name": category.name if category else "",
            "status": o.status,
            "awaiting_reply": o.status in awaiting,
            "channel": o.channel,
            "tier": o.position.tier if o.position else "",
            "position_id": o.position_id,
            "position_name": o.position.name if o.position else "",
            "division_id": o.division_id,
            "division_code": o.division.code,
            "division_name": o.division.name,
            "division_codes": division_codes,
            # for matching only: the whole chain of division names (without the prefecture root)
            "division_names": " ".join(names.get(c, "") for c in division_codes[1:]) or o.division.name,
            "registered_at": o.registered_at,
            "due_on": _as_date(getattr(o, deadline_field)) if deadline_field else None,
        })
    return docs


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def weighted_fields(doc: dict) -> list[tuple[str, str]]:
    """The document's searchable text by weight: A title; B category, position and
    division names; C content and reply."""
    return [
        (doc["title"], "A"),
        (" ".join(x for x in (doc["category_name"], doc["position_name"], doc["division_names"]) if x), "B"),
        (doc["content"], "C"),
        (doc["reply_text"], "C"),
    ]
