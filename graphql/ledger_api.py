"""Ledger import/export over GraphQL (owned by the ledger work)."""
import graphene


class LedgerQuery(graphene.ObjectType):
    pass
