"""Per-request batching: no N+1, whatever the page size.

GraphQL resolves a list depth-first, item by item, so a nested field of item 1 runs
before item 2 is even looked at. To batch anyway, every list we return is a *batch*:
each object remembers its siblings (`_liaison_batch`). The first time a nested field is
asked for one object, the loader fetches it for every sibling at once (one query),
caches the results on the request, and marks the fetched children as a batch of their
own — so the next level down is again one query, for the whole page. A page of 10 or
of 100 items therefore costs the same number of SQL queries.

    def resolve_division(position, info):
        return loaders.by_id(info, Division, position.division_id, position, "division_id")

    def resolve_checklist(position, info):
        return loaders.children(info, position, "position.checklist",
                                lambda ids: ChecklistItem.objects.filter(position_id__in=ids), "position_id")
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

BATCH_ATTR = "_liaison_batch"


def mark_batch(objects: Iterable[Any]) -> list[Any]:
    """Make `objects` one batch (siblings of each other) and return them as a list."""
    items = list(objects)
    for obj in items:
        try:
            setattr(obj, BATCH_ATTR, items)
        except AttributeError:  # pragma: no cover - immutable values are never batched
            pass
    return items


def batch_of(obj: Any) -> list[Any]:
    return getattr(obj, BATCH_ATTR, None) or [obj]


def _cache(info, key: str) -> dict:
    store = info.context.__dict__.setdefault("liaison_loaders", {})
    return store.setdefault(key, {})


def by_id(info, model, pk, obj: Any, attr: str, queryset_fn: Callable | None = None):
    """The `model` row `pk` referenced by `obj.<attr>`, fetched for all of obj's batch."""
    if pk is None:
        return None
    key = f"by_id:{model._meta.label}:{queryset_fn.__qualname__ if queryset_fn else ''}"
    cache = _cache(info, key)
    if pk not in cache:
        wanted = {getattr(o, attr, None) for o in batch_of(obj)} - set(cache) - {None}
        wanted.add(pk)
        qs = queryset_fn(model.objects.all()) if queryset_fn else model.objects.all()
        fetched = mark_batch(qs.filter(pk__in=wanted))
        for row in fetched:
            cache[row.pk] = row
        for missing in wanted - set(cache):
            cache[missing] = None
    return cache[pk]


def children(info, obj: Any, key: str, fetch: Callable[[list], Iterable[Any]], parent_attr: str,
             parent_key: Callable[[Any], Any] | None = None) -> list[Any]:
    """Rows pointing at `obj` (`row.<parent_attr> == obj.pk`), fetched for obj's whole batch.

    `fetch(ids)` returns the rows for a list of parent keys (one query, ordered as wanted).
    """
    pkey = parent_key or (lambda o: o.pk)
    cache = _cache(info, f"children:{key}")
    mine = pkey(obj)
    if mine not in cache:
        ids = [pkey(o) for o in batch_of(obj) if pkey(o) not in cache]
        if mine not in ids:
            ids.append(mine)
        grouped: dict[Any, list] = defaultdict(list)
        rows = mark_batch(fetch(ids))
        for row in rows:
            grouped[getattr(row, parent_attr)].append(row)
        for i in ids:
            cache[i] = grouped.get(i, [])
    return cache[mine]


def value(info, obj: Any, key: str, fetch: Callable[[list], dict], parent_key: Callable[[Any], Any] | None = None,
          default: Any = None) -> Any:
    """A computed value per object (a count, a flag), fetched for the whole batch:
    `fetch(ids)` returns {id: value}."""
    pkey = parent_key or (lambda o: o.pk)
    cache = _cache(info, f"value:{key}")
    mine = pkey(obj)
    if mine not in cache:
        ids = [pkey(o) for o in batch_of(obj) if pkey(o) not in cache]
        if mine not in ids:
            ids.append(mine)
        got = fetch(ids)
        for i in ids:
            cache[i] = got.get(i, default)
    return cache[mine]


def related(info, obj: Any, name: str, model, queryset_fn: Callable | None = None):
    """`obj.<name>` (a foreign key) for the whole batch in one query. If the batch came with
    it already joined (select_related), the joined rows are reused and made a batch."""
    pk = getattr(obj, f"{name}_id", None)
    if pk is None:
        return None
    cache = obj._state.fields_cache if hasattr(obj, "_state") else {}
    if name in cache and queryset_fn is None:
        target = cache[name]
        if target is not None and getattr(target, BATCH_ATTR, None) is None:
            siblings = {}
            for o in batch_of(obj):
                t = o._state.fields_cache.get(name) if hasattr(o, "_state") else None
                if t is not None:
                    siblings[id(t)] = t
            mark_batch(siblings.values())
        return target
    return by_id(info, model, pk, obj, f"{name}_id", queryset_fn)


def prefetch(info, obj: Any, lookup) -> Any:
    """Django's prefetch_related_objects over obj's whole batch, once; returns obj."""
    from django.db.models import prefetch_related_objects

    batch = batch_of(obj)
    cache = _cache(info, f"prefetch:{lookup if isinstance(lookup, str) else lookup.prefetch_to}")
    if id(batch) not in cache:
        cache[id(batch)] = batch  # keep the list alive so its id is not reused
        prefetch_related_objects(batch, lookup)
    return obj
