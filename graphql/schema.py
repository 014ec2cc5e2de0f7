"""The GraphQL schema served at /graphql/ on every host.

Query and Mutation are composed from one module per area so each area owns its file.
The pattern for an area module `liaison.graphql.<area>_api` (listed in AREA_MODULES):

    class LedgerQuery(graphene.ObjectType):          # any ObjectType named *Query
        ledger_exports = graphene.List(...)
    class LedgerMutation(graphene.ObjectType):       # any ObjectType named *Mutation
        import_ledger = ImportLedger.Field()
    ROOT_PERMISSIONS = {                             # every root field → the Op it needs
        "Query.ledgerExports": Op.READ,
        "Mutation.importLedger": Op.MANAGE,
    }
    PREFECTURE_HOST_ONLY = {"Query.ledgerExports"}   # optional: fields over tenant tables

Mixins are picked up by name (defined in that module, name ending in Query/Mutation);
root fields missing from ROOT_PERMISSIONS are refused at run time and fail
tests/graphql/test_schema_file.py. After changing the schema run
`liaison graphql_sdl` to reprint graphql/schema.graphql.
"""
from __future__ import annotations

import importlib

import graphene

from liaison.graphql import permissions

AREA_MODULES = [
    "liaison.graphql.core_api",
    "liaison.graphql.positions_api",
    "liaison.graphql.activities_api",
    "liaison.graphql.opinions_api",
    "liaison.graphql.citizen_api",
    "liaison.graphql.search_api",
    "liaison.graphql.statistics_api",
    "liaison.graphql.ledger_api",
]


def _mixins(suffix: str) -> list[type]:
    found = []
    for name in AREA_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for attr, value in vars(module).items():
            if (isinstance(value, type) and issubclass(value, graphene.ObjectType) and attr.endswith(suffix)
                    and value.__module__ == module.__name__ and value is not graphene.ObjectType):
                found.append(value)
        permissions.ROOT_PERMISSIONS.update(getattr(module, "ROOT_PERMISSIONS", {}))
        permissions.PREFECTURE_HOST_ONLY.update(getattr(module, "PREFECTURE_HOST_ONLY", ()))
    return found


_query_mixins = _mixins("Query")
_mutation_mixins = _mixins("Mutation")

Query = type("Query", (*_query_mixins, graphene.ObjectType), {"__doc__": "Everything this host serves."})
Mutation = (type("Mutation", (*_mutation_mixins, graphene.ObjectType), {"__doc__": "Changes, through the domain services."})
            if _mutation_mixins else None)

schema = graphene.Schema(query=Query, mutation=Mutation)
