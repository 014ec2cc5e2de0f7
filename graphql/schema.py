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

import graphene

from liaison.graphql.core import permissions
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
]


def _mixins(module: str, type_name: str) -> list[type]:
    found = []
    for domain in DOMAINS:
        name = f"liaison.graphql.{domain}.{module}"
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a domain without mutations
        mixin = getattr(mod, type_name)
        ops, prefecture_only = root_operations(type_name, mixin)
        permissions.ROOT_PERMISSIONS.update(ops)
        permissions.PREFECTURE_HOST_ONLY.update(prefecture_only)
        found.append(mixin)
    return found


_query_mixins = _mixins("queries", "Query")
_mutation_mixins = _mixins("mutations", "Mutation")

Query = type("Query", (*_query_mixins, graphene.ObjectType), {"__doc__": "Everything this host serves."})
Mutation = type("Mutation", (*_mutation_mixins, graphene.ObjectType), {"__doc__": "Changes, through the domain services."})

schema = graphene.Schema(query=Query, mutation=Mutation)
