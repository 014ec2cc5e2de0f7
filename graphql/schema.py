"""The GraphQL schema served at /graphql/ on every host.

Query and Mutation are composed from one module per area so each area owns its file.
"""
from __future__ import annotations

import graphene

from liaison.graphql.core_api import CoreQuery
from liaison.graphql.ledger_api import LedgerQuery
from liaison.graphql.search_api import SearchQuery
from liaison.graphql.statistics_api import StatisticsQuery


class Query(CoreQuery, SearchQuery, StatisticsQuery, LedgerQuery, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query)
