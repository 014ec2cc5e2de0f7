"""The statistics catalogue: every raw fact a prefecture computes, and every figure the
province shows, with its definition. docs/STATISTICS.md is the prose version of this
file; the API, the dashboard and the exports all read their labels from here.

Raw facts are integers stored per (prefecture, area, month, metric, dimension) in the
public roll-up tables (liaison.platform.rollups). Two kinds:

- STOCK facts describe the state at the as-of time (month is NULL): positions by tier
  and status, deputies on the roll, coverage of 两个必建, opinions overdue now.
- FLOW facts count events in a calendar month (Asia/Shanghai) of their time basis
  (month is the first day of that month); "cumulative since D" is the sum of the
  months from D's month up to the as-of month.

Every fact is additive over areas and over prefectures (each row of a tenant table
belongs to exactly one area), so a prefecture's figure is the sum of its areas and the
province's figure is the sum of its prefectures. Rates are never averaged: they are
derived from summed numerators and denominators.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

STOCK = "stock"
FLOW = "flow"


@dataclass(frozen=True)
class Fact:
    key: str
    kind: str  # STOCK or FLOW
    label: str
    dimension: str  # what the dimension column holds ("" when none)
    definition: str


FACTS: dict[str, Fact] = {f.key: f for f in [
    # --- positions -------------------------------------------------------------------
    Fact("positions", STOCK, "阵地", "tier/status",
         "Position rows by tier and construction status, at the as-of time; area = the county of the position's division."),
    Fact("positions_established", FLOW, "新建成阵地", "tier",
         "Positions by the month of established_on (positions without a date are not counted here)."),
    Fact("townships", STOCK, "乡镇（街道）", "",
         "Divisions of level township (乡、镇、街道)."),
    Fact("townships_with_station", STOCK, "已建站乡镇（街道）", "",
         "Townships with a station (tier station) in operation (status open or standard) at the township itself (positions.selectors.coverage_two_musts)."),
    Fact("villages_required", STOCK, "应建室村（社区）", "",
         "Villages/communities where 3 or more active deputies on the roll have their constituency (the 两个必建 rule: such a place must have an office)."),
    Fact("villages_required_with_office", STOCK, "已建室的应建村（社区）", "",
         "Of villages_required, those with an office (tier office) in operation (status open or standard) at the village."),
    # --- deputies --------------------------------------------------------------------
    Fact("deputies", STOCK, "代表", "level",
         "Active deputies on this prefecture's roll (on_roll), by level; a person is on one roll only, so the province counts each once. Guests (provincial/national deputies stationed here from another roll) count on their own roll. Area = the county of the constituency."),
    Fact("deputies_stationed", STOCK, "进站代表", "level",
         "Of the active deputies on the roll, those with a current stationing (进站, start_on <= as-of date <= end_on or open) at any position (deputies.selectors.current_stationings)."),
    Fact("duty_slots", FLOW, "应到岗代表人次", "",
         "Deputies scheduled (ScheduledDeputy) on reception days held, by the month of the reception day."),
    Fact("duty_attended", FLOW, "实到岗代表人次", "",
         "Of duty_slots, those with a sign-in by that deputy."),
    Fact("cadence_deputies", STOCK, "履职频次应考核代表", "",
         "Active deputies on the roll, whose cadence (日在线、周驻室、月进站、常回家) is assessed (practice.selectors.cadence)."),
    Fact("cadence_met", STOCK, "履职频次达标代表", "rule",
         "Of cadence_deputies, those who kept the rule (online / office / station / home) in its last complete period before the as-of date, under this prefecture's settings."),
    Fact("grids", STOCK, "网格", "",
         "Grids (网格) under villages and communities; area = the county of the grid's village."),
    Fact("grids_with_deputy", STOCK, "有联系代表的网格", "",
         "Of grids, those with at least one assigned active deputy (代表+网格)."),
    # --- activities ------------------------------------------------------------------
    Fact("activities", FLOW, "开展活动", "kind",
         "Events with status held (activities.selectors.events), by kind, by the month of starts_at; area = the county of the event's position."),
    Fact("deputy_visits", FLOW, "代表进站人次", "",
         "Sign-ins (签到) at events, by the month of the event (person-times: one deputy at one event counts once), as activities.selectors.activity_totals."),
    Fact("people_received", FLOW, "接待群众人次", "",
         "Sum of people_received of the receptions recorded at events, by the month of the event."),
    # --- opinions (cohort: the month the opinion was registered) ---------------------
    Fact("opinions", FLOW, "收集意见建议", "",
         "Opinions registered in this prefecture (copies received from another prefecture by cross-referral excluded, so the province counts each once), by the month of registered_at."),
    Fact("opinions_by_category", FLOW, "收集意见建议（按类别）", "category",
         "Opinions registered, by province category code ('' = not yet classified)."),
    Fact("opinions_by_channel", FLOW, "收集意见建议（按渠道）", "channel",
         "Opinions registered, by channel."),
    Fact("opinions_referred", FLOW, "已交办", "",
         "Of the opinions registered in the month, those with at least one referral (交办/转办)."),
    Fact("opinions_replied", FLOW, "已答复", "",
         "Of the opinions registered in the month, those with at least one reply."),
    Fact("opinions_resolved", FLOW, "已解决（A类）", "",
         "Of the opinions registered in the month, those whose latest reply has outcome A (solved)."),
    Fact("opinions_replied_by_channel", FLOW, "已答复（按渠道）", "channel",
         "Of the opinions registered in the month, those with at least one reply, by channel (the denominator of 解决率)."),
    Fact("opinions_resolved_by_channel", FLOW, "已解决（A类，按渠道）", "channel",
         "Of the opinions registered in the month, those whose latest reply has outcome A, by channel (practice.resolution)."),
    Fact("opinions_due", FLOW, "已到答复期限", "",
         "Of the opinions registered in the month, those whose on-time status is decided: replied, or awaiting a reply past the deadline (opinions.selectors.overdue)."),
    Fact("opinions_on_time", FLOW, "按期答复", "",
         "Of opinions_due, those whose first reply was in round 1 and on or before its deadline (as opinions.selectors.counts)."),
    Fact("opinions_overdue", STOCK, "当前超期未答复", "",
         "Opinions awaiting a reply past their deadline on the as-of date (opinions.selectors.overdue)."),
    Fact("citizen_rated", FLOW, "群众评价", "rating",
         "Of the opinions registered in the month, the citizen's latest rating: satisfied / basically / dissatisfied."),
    Fact("deputy_rated", FLOW, "代表评价", "rating",
         "Of the opinions registered in the month, the deputy's latest rating: satisfied / basically / dissatisfied."),
    Fact("opinions_to_suggestions", FLOW, "转为代表建议", "",
         "Of the opinions registered in the month, those linked to a formal deputy suggestion (代表建议)."),
]}

TIERS = [("home", "代表之家"), ("station", "代表工作站"), ("office", "代表联络室"),
         ("online", "网上代表活动阵地"), ("professional", "专业代表工作站"), ("special", "特色代表工作站")]
STATUSES = [("planned", "规划中"), ("building", "建设中"), ("open", "已运行"), ("standard", "达标"), ("closed", "已关闭")]
LEVELS = [("national", "全国人大代表"), ("provincial", "省人大代表"), ("prefecture", "州市人大代表"),
          ("county", "县（市、区）人大代表"), ("township", "乡镇人大代表")]
RATINGS = [("satisfied", "满意"), ("basically", "基本满意"), ("dissatisfied", "不满意")]
IN_OPERATION = ("open", "standard")


class Raw:
    """Summed raw facts of one scope (a county, a prefecture or the province)."""

    def __init__(self, values: dict[tuple[str, str], int] | None = None):
        self.values: dict[tuple[str, str], int] = dict(values or {})
        self._metrics: dict[str, dict[str, int]] | None = None  # metric -> dimension -> value, built on first use

    def __getstate__(self):
        return {"values": self.values}

    def __setstate__(self, state):
        self.values, self._metrics = state["values"], None

    def add(self, metric: str, dimension: str, value: int) -> None:
        self.values[(metric, dimension)] = self.values.get((metric, dimension), 0) + value
        self._metrics = None

    def get(self, metric: str, dimension: str = "") -> int:
        return self.values.get((metric, dimension), 0)

    def _by_metric(self, metric: str) -> dict[str, int]:
        # The figures call total() ~15 times per scope: index the values once rather than scan them each time.
        if self._metrics is None:
            index: dict[str, dict[str, int]] = {}
            for (m, d), v in self.values.items():
                index.setdefault(m, {})[d] = v
            self._metrics = index
        return self._metrics.get(metric, {})

    def total(self, metric: str, where: Callable[[str], bool] | None = None) -> int:
        dims = self._by_metric(metric)
        return sum(dims.values()) if where is None else sum(v for d, v in dims.items() if where(d))

    def by_dimension(self, metric: str) -> dict[str, int]:
        return dict(self._by_metric(metric))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _tier(tier: str) -> Callable[[Raw], int]:
    return lambda r: r.total("positions", lambda d: d.startswith(tier + "/") and not d.endswith("/closed"))


def _status(*statuses: str) -> Callable[[Raw], int]:
    # Physical positions only (online positions have no premises to assess): positions.selectors.standards_met_count
    return lambda r: r.total("positions", lambda d: d.split("/")[1] in statuses and d.split("/")[0] != "online")


def _level(level: str) -> Callable[[Raw], int]:
    return lambda r: r.get("deputies", level)


ONLINE_CHANNELS = ("online",)  # as liaison.tenants.practice.resolution


def _resolution(online: bool | None) -> Callable[[Raw], float | None]:
    """解决率: resolved (latest reply outcome A) / replied, over every channel (None), the
    online channel (True) or the in-person ones (False)."""
    def keep(channel: str) -> bool:
        return online is None or (channel in ONLINE_CHANNELS) == online
    return lambda r: _ratio(r.total("opinions_resolved_by_channel", keep), r.total("opinions_replied_by_channel", keep))


def _rated(metric: str) -> Callable[[Raw], float | None]:
    return lambda r: _ratio(r.get(metric, "satisfied") + r.get(metric, "basically"), r.total(metric))


@dataclass(frozen=True)
class Figure:
    """A figure shown to people: a column of the report table."""

    key: str  # snake_case; GraphQL exposes it camelCased
    label: str  # Chinese column header
    kind: str  # "count" or "rate"
    compute: Callable[[Raw], float | int | None]
    definition: str
    basis: str  # "as_of" (state now) or "since" (cumulative since the since date)


FIGURES: list[Figure] = [
    Figure("positions_total", "阵地总数（家站室）", "count",
           lambda r: sum(_tier(t)(r) for t in ("home", "station", "office")),
           "Homes + stations + offices not closed (the published Yunnan total counts these three tiers).", "as_of"),
    Figure("homes", "代表之家", "count", _tier("home"), "Positions of tier home, not closed.", "as_of"),
    Figure("stations", "代表工作站", "count", _tier("station"), "Positions of tier station, not closed.", "as_of"),
    Figure("offices", "代表联络室", "count", _tier("office"), "Positions of tier office, not closed.", "as_of"),
    Figure("online_positions", "网上阵地", "count", _tier("online"), "Positions of tier online, not closed.", "as_of"),
    Figure("professional_stations", "专业代表工作站", "count", _tier("professional"), "Positions of tier professional, not closed.", "as_of"),
    Figure("special_stations", "特色代表工作站", "count", _tier("special"), "Positions of tier special, not closed.", "as_of"),
    Figure("positions_in_operation", "已运行阵地", "count", _status(*IN_OPERATION),
           "Physical positions (every tier but online) with status open or standard.", "as_of"),
    Figure("positions_standard", "达标阵地", "count", _status("standard"), "Physical positions with status standard (达标; derived from the 七有 checklist and stationed deputies by the positions app).", "as_of"),
    Figure("standard_rate", "达标率", "rate", lambda r: _ratio(_status("standard")(r), _status(*IN_OPERATION)(r)),
           "positions_standard / positions_in_operation.", "as_of"),
    Figure("townships", "乡镇（街道）数", "count", lambda r: r.get("townships"), "Townships (乡、镇、街道).", "as_of"),
    Figure("townships_with_station", "已建站乡镇（街道）", "count", lambda r: r.get("townships_with_station"),
           "Townships with a station in operation.", "as_of"),
    Figure("township_coverage", "乡镇建站覆盖率", "rate", lambda r: _ratio(r.get("townships_with_station"), r.get("townships")),
           "townships_with_station / townships.", "as_of"),
    Figure("villages_required", "应建室村（社区）", "count", lambda r: r.get("villages_required"),
           "Villages/communities with 3 or more active deputies.", "as_of"),
    Figure("villages_with_office", "已建室村（社区）", "count", lambda r: r.get("villages_required_with_office"),
           "Of those, villages/communities with an office in operation.", "as_of"),
    Figure("village_coverage", "村（社区）建室覆盖率", "rate",
           lambda r: _ratio(r.get("villages_required_with_office"), r.get("villages_required")),
           "villages_with_office / villages_required.", "as_of"),
    Figure("two_musts_coverage", "两个必建覆盖率", "rate",
           lambda r: _ratio(r.get("townships_with_station") + r.get("villages_required_with_office"),
                            r.get("townships") + r.get("villages_required")),
           "(townships_with_station + villages_with_office) / (townships + villages_required).", "as_of"),
    Figure("deputies", "代表总数", "count", lambda r: r.total("deputies"), "Active deputies on the roll, each once.", "as_of"),
    *[Figure(f"deputies_{code}", label, "count", _level(code), f"Active deputies of level {code}.", "as_of") for code, label in LEVELS],
    Figure("deputies_stationed", "进站代表", "count", lambda r: r.total("deputies_stationed"),
           "Active deputies stationed at a position in operation.", "as_of"),
    Figure("stationed_share", "代表进站率", "rate", lambda r: _ratio(r.total("deputies_stationed"), r.total("deputies")),
           "deputies_stationed / deputies.", "as_of"),
    *[Figure(f"cadence_{rule}_share", f"{label}达标率", "rate",
             (lambda rule: lambda r: _ratio(r.get("cadence_met", rule), r.get("cadence_deputies")))(rule),
             f"Share of active deputies on the roll who kept {label} ({rule}) in its last complete period (cadence_met / cadence_deputies).",
             "as_of")
      for rule, label in (("online", "日在线"), ("office", "周驻室"), ("station", "月进站"), ("home", "常回家"))],
    Figure("grids", "网格数", "count", lambda r: r.get("grids"), "Grids under villages and communities.", "as_of"),
    Figure("grid_coverage", "网格代表覆盖率", "rate", lambda r: _ratio(r.get("grids_with_deputy"), r.get("grids")),
           "grids_with_deputy / grids.", "as_of"),
    Figure("duty_attendance", "接待日到岗率", "rate", lambda r: _ratio(r.get("duty_attended"), r.get("duty_slots")),
           "duty_attended / duty_slots, since the since date.", "since"),
    Figure("activities", "开展活动（次）", "count", lambda r: r.total("activities"), "Activities held since the since date.", "since"),
    Figure("deputy_visits", "代表进站（人次）", "count", lambda r: r.get("deputy_visits"),
           "Deputy sign-ins at activities since the since date (person-times).", "since"),
    Figure("people_received", "接待群众（人次）", "count", lambda r: r.get("people_received"),
           "People received at activities since the since date.", "since"),
    Figure("opinions", "收集意见建议（件）", "count", lambda r: r.get("opinions"), "Opinions registered since the since date.", "since"),
    Figure("opinions_referred", "已交办（件）", "count", lambda r: r.get("opinions_referred"),
           "Of the opinions registered since the since date, those referred by the as-of time.", "since"),
    Figure("opinions_replied", "已答复（件）", "count", lambda r: r.get("opinions_replied"),
           "Of the opinions registered since the since date, those replied to by the as-of time.", "since"),
    Figure("reply_rate", "答复率", "rate", lambda r: _ratio(r.get("opinions_replied"), r.get("opinions")),
           "opinions_replied / opinions.", "since"),
    Figure("opinions_resolved", "已解决（A类，件）", "count", lambda r: r.get("opinions_resolved"),
           "Of the opinions registered since the since date, those whose latest reply has outcome A.", "since"),
    Figure("resolution_rate", "解决率", "rate", _resolution(None),
           "Resolved / replied: of the opinions registered since the since date that have a reply, those whose latest reply has outcome A (已解决).", "since"),
    Figure("resolution_rate_online", "网上渠道解决率", "rate", _resolution(True),
           "The resolution rate of opinions of the online channel (网上).", "since"),
    Figure("resolution_rate_in_person", "线下渠道解决率", "rate", _resolution(False),
           "The resolution rate of opinions of every other channel (接待日、代表收集、民情观察员、意见箱).", "since"),
    Figure("on_time_rate", "按期答复率", "rate", lambda r: _ratio(r.get("opinions_on_time"), r.get("opinions_due")),
           "opinions_on_time / opinions_due (opinions whose deadline passed or that were replied).", "since"),
    Figure("opinions_overdue", "当前超期（件）", "count", lambda r: r.get("opinions_overdue"),
           "Opinions past their deadline without a reply at the as-of time.", "as_of"),
    Figure("citizen_satisfaction", "群众满意率", "rate", _rated("citizen_rated"),
           "(satisfied + basically satisfied) / rated, citizens' latest ratings, opinions since the since date.", "since"),
    Figure("deputy_satisfaction", "代表满意率", "rate", _rated("deputy_rated"),
           "(satisfied + basically satisfied) / rated, deputies' latest ratings, opinions since the since date.", "since"),
    Figure("opinions_to_suggestions", "转为代表建议（件）", "count", lambda r: r.get("opinions_to_suggestions"),
           "Of the opinions registered since the since date, those carried up as a formal deputy suggestion.", "since"),
]
FIGURES_BY_KEY = {f.key: f for f in FIGURES}

# Monthly trend series (FLOW facts of one month; rates computed per month).
TREND_SERIES: list[Figure] = [
    Figure("opinions", "收集意见建议", "count", lambda r: r.get("opinions"), "Opinions registered in the month.", "month"),
    Figure("opinions_referred", "已交办", "count", lambda r: r.get("opinions_referred"), "Of those, referred by the as-of time.", "month"),
    Figure("opinions_replied", "已答复", "count", lambda r: r.get("opinions_replied"), "Of those, replied by the as-of time.", "month"),
    Figure("opinions_resolved", "已解决（A类）", "count", lambda r: r.get("opinions_resolved"), "Of those, outcome A.", "month"),
    Figure("on_time_rate", "按期答复率", "rate", lambda r: _ratio(r.get("opinions_on_time"), r.get("opinions_due")), "On-time replies / due.", "month"),
    Figure("resolution_rate", "解决率", "rate", _resolution(None), "Of the month's opinions with a reply, latest reply outcome A.", "month"),
    Figure("citizen_satisfaction", "群众满意率", "rate", _rated("citizen_rated"), "Citizens satisfied or basically satisfied / rated.", "month"),
    Figure("activities", "开展活动", "count", lambda r: r.total("activities"), "Activities held in the month.", "month"),
    Figure("deputy_visits", "代表进站人次", "count", lambda r: r.get("deputy_visits"), "Deputy sign-ins in the month.", "month"),
    Figure("people_received", "接待群众人次", "count", lambda r: r.get("people_received"), "People received in the month.", "month"),
    Figure("positions_established", "新建成阵地", "count", lambda r: r.total("positions_established"), "Positions established in the month.", "month"),
]


def compute_figures(raw: Raw, figures: list[Figure] = FIGURES) -> dict[str, float | int | None]:
    return {f.key: f.compute(raw) for f in figures}
