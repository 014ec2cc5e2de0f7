"""The GraphQL schema served at /graphql/ on every host (province and prefectures).

Layout (docs/API.md, "Code layout"): `core/` holds what every domain builds on; each
domain is a package listed in DOMAINS with

    types.py      ObjectTypes and enums (Meta.name is the GraphQL name)
    filters.py    filter inputs + their django-filter FilterSets, order enums
    queries.py    `class Query(graphene.ObjectType)`: root fields, each declared with
                  `root_field(Op.READ, …)` (the Op of principal.MATRIX it needs)
    mutations.py  ServiceMutation subclasses (class attribute `op`) and
                  `class Mutation(graphene.ObjectType)` listing them

Query and Mutation are composed from those classes in DOMAINS order; the Op of every
root field is collected into core.permissions.ROOT_PERMISSIONS here. A root field with
no Op is refused at run time and named by tests/graphql/test_gql_permissions.py. After
changing the schema run `liaison graphql_sdl` to reprint graphql/schema.graphql.
"""
from __future__ import annotations

import importlib
import importlib.util

import graphene

from liaison.graphql.core import permissions
from liaison.graphql.core.descriptions import describe
from liaison.graphql.core.fields import root_operations

DOMAINS = [
    "registry",
    "accounts",
    "divisions",
    "positions",
    "deputies",
    "activities",
    "opinions",
    "citizen",
    "search",
    "stats",
    "ledger",
    "practice",
]


# Domains that only read: they have no mutations.py. Every other domain must have one;
# a missing or renamed module fails at import rather than silently dropping fields.
QUERY_ONLY = {"registry", "accounts", "divisions", "search", "stats"}


def _mixins(module: str, type_name: str, domains: list[str]) -> list[type]:
    found = []
    for domain in domains:
        mod = importlib.import_module(f"liaison.graphql.{domain}.{module}")
        mixin = getattr(mod, type_name)
        declared = root_operations(type_name, mixin)
        permissions.ROOT_PERMISSIONS.update(declared.ops)
        permissions.PREFECTURE_HOST_ONLY.update(declared.prefecture_only)
        permissions.PUBLIC_CACHE.update(declared.public_cache)
        found.append(mixin)
    return found


for _domain in QUERY_ONLY:
    if importlib.util.find_spec(f"liaison.graphql.{_domain}.mutations") is not None:
        raise ImportError(f"graphql/{_domain}/mutations.py exists but {_domain} is listed in QUERY_ONLY (graphql/schema.py)")

_query_mixins = _mixins("queries", "Query", DOMAINS)
_mutation_mixins = _mixins("mutations", "Mutation", [d for d in DOMAINS if d not in QUERY_ONLY])

Query = type("Query", (*_query_mixins, graphene.ObjectType), {"__doc__": "Everything this host serves."})
Mutation = type("Mutation", (*_mutation_mixins, graphene.ObjectType), {"__doc__": "Changes, through the domain services."})

schema = graphene.Schema(query=Query, mutation=Mutation)
describe(schema.graphql_schema)  # conventions, model verbose names, enum labels, the glossary
