"""Search queries (owned by the search work)."""
import graphene


class SearchQuery(graphene.ObjectType):
    pass
