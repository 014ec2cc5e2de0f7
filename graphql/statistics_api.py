"""Statistics queries (owned by the statistics work)."""
import graphene


class StatisticsQuery(graphene.ObjectType):
    pass
