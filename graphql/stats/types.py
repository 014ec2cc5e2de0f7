"""Statistics: province figures on the province host, a prefecture's own (with its
county breakdown) on its host. Everything comes from liaison.platform.rollups.selectors,
the same source as the dashboard and the exports; definitions are in
liaison.tenants.stats.catalogue and docs/STATISTICS.md.
"""
from __future__ import annotations

import graphene

from liaison.platform.rollups import selectors
from liaison.tenants.registry import yunnan
from liaison.tenants.stats.catalogue import FIGURES, LEVELS, STATUSES, TIERS, TREND_SERIES


def _figures_type(name: str, figures, doc: str) -> type:
    fields = {}
    for f in figures:
        scalar = graphene.Float if f.kind == "rate" else graphene.Int
        fields[f.key] = scalar(description=f"{f.label}: {f.definition}" + (" Null when the denominator is zero." if f.kind == "rate" else ""))
        fields[f"resolve_{f.key}"] = (lambda key: lambda root, info: root.get(key))(f.key)
    return type(name, (graphene.ObjectType,), {"__doc__": doc, **fields})


StatisticsFigures = _figures_type("StatisticsFigures", FIGURES,
                                  "The report's figures for one scope. Counts with basis 'since' are cumulative since `since`; "
                                  "the others describe the state at `asOf`. Rates are 0..1.")
TrendFigures = _figures_type("TrendFigures", TREND_SERIES, "Figures of one calendar month (Asia/Shanghai).")


class Breakdown(graphene.ObjectType):
    """分项数字 (one value of a breakdown, with its code and label)."""

    code = graphene.String(required=True)
    label = graphene.String(required=True)
    value = graphene.Int(required=True)


class StatisticsRow(graphene.ObjectType):
    """The figures of the province, a prefecture, or an area (county / 州市本级)."""

    code = graphene.String(required=True, description="Division code (GB/T 2260).")
    name = graphene.String(required=True)
    slug = graphene.String(description="Prefecture slug (host name), for prefecture rows.")
    as_of = graphene.DateTime(description="When these figures were computed (null: never yet).")
    stale = graphene.Boolean(required=True, description="True when data changed after as_of (a refresh is queued).")
    figures = graphene.Field(StatisticsFigures, required=True, description="指标 (the report's figures for this scope).")
    positions_by_tier = graphene.List(graphene.NonNull(Breakdown), required=True, description="Positions not closed, by tier.")
    positions_by_status = graphene.List(graphene.NonNull(Breakdown), required=True, description="Positions of every tier, by status.")
    deputies_by_level = graphene.List(graphene.NonNull(Breakdown), required=True, description='代表按级别 (deputies by level).')
    opinions_by_category = graphene.List(graphene.NonNull(Breakdown), required=True, description="Cumulative since `since`.")
    opinions_by_channel = graphene.List(graphene.NonNull(Breakdown), required=True, description="Cumulative since `since`.")
    activities_by_kind = graphene.List(graphene.NonNull(Breakdown), required=True, description="Cumulative since `since`.")

    @staticmethod
    def resolve_figures(row, info):
        return row.figures

    @staticmethod
    def resolve_positions_by_tier(row, info):
        by = row.raw.by_dimension("positions")
        return [Breakdown(code=code, label=label, value=sum(v for d, v in by.items() if d.startswith(code + "/") and not d.endswith("/closed")))
                for code, label in TIERS]

    @staticmethod
    def resolve_positions_by_status(row, info):
        by = row.raw.by_dimension("positions")
        return [Breakdown(code=code, label=label, value=sum(v for d, v in by.items() if d.endswith("/" + code))) for code, label in STATUSES]

    @staticmethod
    def resolve_deputies_by_level(row, info):
        return [Breakdown(code=b[0], label=b[1], value=b[2]) for b in selectors.breakdown(row.raw, "deputies", LEVELS)]

    @staticmethod
    def resolve_opinions_by_category(row, info):
        return [Breakdown(code=b[0], label=b[1], value=b[2]) for b in selectors.breakdown(row.raw, "opinions_by_category", _loader(info, "categories", selectors.category_labels))]

    @staticmethod
    def resolve_opinions_by_channel(row, info):
        return [Breakdown(code=b[0], label=b[1], value=b[2]) for b in selectors.breakdown(row.raw, "opinions_by_channel", selectors.channel_labels())]

    @staticmethod
    def resolve_activities_by_kind(row, info):
        return [Breakdown(code=b[0], label=b[1], value=b[2]) for b in selectors.breakdown(row.raw, "activities", selectors.activity_kind_labels())]


def _loader(info, key, fn):
    cache = info.context.__dict__.setdefault("_liaison_stats_cache", {})
    if key not in cache:
        cache[key] = fn()
    return cache[key]


class TrendPoint(graphene.ObjectType):
    """一个月的指标 (the figures of one month)."""

    month = graphene.Date(required=True, description="First day of the month.")
    figures = graphene.Field(TrendFigures, required=True, description="当月指标 (the month's figures).")


class MetricKind(graphene.Enum):
    """指标类型 (what kind of number a figure or fact is)."""

    COUNT = "count"
    RATE = "rate"
    STOCK = "stock"
    FLOW = "flow"

    @property
    def description(self):
        return {"count": "计数 (a count)", "rate": "比率 (a rate, 0..1)", "stock": "存量 (a state at a time)",
                "flow": "流量 (events in a period)"}[self.value]


class MetricDefinition(graphene.ObjectType):
    """指标口径 (the definition of a figure or raw fact)."""

    key = graphene.String(required=True)
    label = graphene.String(required=True)
    kind = graphene.Field(MetricKind, required=True, description="指标类型 (count or rate for figures; stock or flow for facts).")
    basis = graphene.String(required=True, description="as_of, since, month (figures); the dimension (facts).")
    definition = graphene.String(required=True, description='口径 (how it is counted).')


class PublishedFigures(graphene.ObjectType):
    """Yunnan's published figures (tenants/registry/data/yunnan.json), for comparison."""

    positions_total = graphene.Int(description='阵地总数 (positions in total).')
    homes = graphene.Int(description='代表之家 (homes).')
    stations = graphene.Int(description='代表联络站 (stations).')
    offices = graphene.Int(description='代表联络室 (offices).')
    deputy_visits_since_2019 = graphene.Int(description='2019 年以来代表进站人次 (deputy visits since 2019).')
    people_received_since_2019 = graphene.Int(description='2019 年以来接待群众人次 (people received since 2019).')
    opinions_collected_since_2019 = graphene.Int(description='2019 年以来收集意见建议 (opinions collected since 2019).')
    converted_to_deputy_suggestions_since_2019 = graphene.Int(
                                                              description='2019 年以来转为代表建议 (opinions raised as deputy suggestions since 2019).')


def published() -> PublishedFigures:
    p = yunnan.published_figures()
    s = p["since_2019"]
    return PublishedFigures(positions_total=p["positions_total"], homes=p["homes"], stations=p["stations"], offices=p["offices"],
                            deputy_visits_since_2019=s["deputy_visits_person_times"], people_received_since_2019=s["people_received"],
                            opinions_collected_since_2019=s["opinions_collected"],
                            converted_to_deputy_suggestions_since_2019=s["converted_to_deputy_suggestions"])


class ProvinceStatistics(graphene.ObjectType):
    """全省统计 (province-wide figures, per prefecture and in total, with the monthly trend)."""

    since = graphene.Date(required=True, description="Cumulative figures count from this month.")
    as_of = graphene.DateTime(description="The oldest prefecture's as-of time: every figure is at least this fresh.")
    totals = graphene.Field(StatisticsRow, required=True, description="The province: the sum of the prefectures.")
    prefectures = graphene.List(graphene.NonNull(StatisticsRow), required=True)
    trend = graphene.List(graphene.NonNull(TrendPoint), required=True, description="Province figures by month, from `since`.")
    published = graphene.Field(PublishedFigures, required=True,
                               description="公开发布的数字 (the province's published figures, for comparison).")
    never_computed = graphene.List(graphene.NonNull(graphene.String), required=True, description="Prefectures without figures yet.")

    @staticmethod
    def resolve_prefectures(stats, info):
        return stats.rows

    @staticmethod
    def resolve_published(stats, info):
        return published()


class PrefectureStatistics(graphene.ObjectType):
    """州市统计 (a prefecture's figures, per county and in total, with the monthly trend)."""

    since = graphene.Date(required=True)
    as_of = graphene.DateTime()
    totals = graphene.Field(StatisticsRow, required=True, description="The whole prefecture: the sum of its areas.")
    counties = graphene.List(graphene.NonNull(StatisticsRow), required=True, description="州市本级 first, then each county.")
    trend = graphene.List(graphene.NonNull(TrendPoint), required=True,
                          description="逐月指标 (the prefecture's figures by month, from `since`).")

    @staticmethod
    def resolve_counties(stats, info):
        return stats.rows
