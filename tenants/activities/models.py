"""Activities of positions and deputies: annual plans, events (reception days and
others), scheduled deputies, sign-ins (签到) and receptions."""
from __future__ import annotations

from django.db import models


class AnnualPlan(models.Model):
    """A position's activity plan for one year (年度活动计划)."""

    position = models.ForeignKey("positions.Position", on_delete=models.CASCADE, related_name="annual_plans", verbose_name="阵地")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("计划内容", blank=True)
    reception_days_planned = models.PositiveSmallIntegerField("计划接待日次数", default=0)
    other_activities_planned = models.PositiveSmallIntegerField("计划其他活动次数", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "position"]
        verbose_name = "年度活动计划"
        verbose_name_plural = "年度活动计划"
        constraints = [models.UniqueConstraint(fields=["position", "year"], name="plan_one_per_position_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class EventKind(models.TextChoices):
    RECEPTION_DAY = "reception_day", "接待日"
    VISIT = "visit", "走访"
    INSPECTION = "inspection", "视察"
    SURVEY = "survey", "调研"
    TRAINING = "training", "培训"
    CAMPAIGN = "campaign", "主题活动"
    REPORT = "report", "向选民述职"


class EventStatus(models.TextChoices):
    PLANNED = "planned", "已安排"
    ANNOUNCED = "announced", "已公告"
    HELD = "held", "已举行"
    CANCELLED = "cancelled", "已取消"


class Event(models.Model):
    position = models.ForeignKey("positions.Position", on_delete=models.PROTECT, related_name="events", verbose_name="阵地")
    plan = models.ForeignKey(AnnualPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="events", verbose_name="所属年度计划")
    kind = models.CharField("活动类型", max_length=16, choices=EventKind.choices, db_index=True)
    title = models.CharField("标题", max_length=200)
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=255, blank=True)
    description = models.TextField("内容", blank=True)
    status = models.CharField("状态", max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED, db_index=True)
    announced_at = models.DateTimeField("公告时间", null=True, blank=True)
    deputies = models.ManyToManyField("deputies.Deputy", through="ScheduledDeputy", related_name="scheduled_events", verbose_name="安排代表")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "活动"
        verbose_name_plural = "活动（接待日等）"
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_kind_display()}）"


class ScheduledDeputy(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="scheduled", verbose_name="活动")
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="schedulings", verbose_name="代表")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "deputy"]
        verbose_name = "安排代表"
        verbose_name_plural = "安排代表"
        constraints = [models.UniqueConstraint(fields=["event", "deputy"], name="scheduled_once_per_event")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.event}"


class SignIn(models.Model):
    class Method(models.TextChoices):
        STAFF = "staff", "工作人员登记"
        QR = "qr", "扫码签到"
        SELF = "self", "代表本人"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sign_ins", verbose_name="活动")
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="sign_ins", verbose_name="代表")
    signed_at = models.DateTimeField("签到时间")
    method = models.CharField("签到方式", max_length=8, choices=Method.choices, default=Method.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "signed_at"]
        verbose_name = "签到"
        verbose_name_plural = "签到"
        constraints = [models.UniqueConstraint(fields=["event", "deputy"], name="sign_in_once_per_event")]

    def __str__(self) -> str:
        return f"{self.deputy} 签到 {self.event}"


class Reception(models.Model):
    """What a reception day produced: how many people were received, by which deputy."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receptions", verbose_name="接待日")
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="receptions",
                               verbose_name="接待代表")
    people_received = models.PositiveIntegerField("接待群众人次")
    summary = models.TextField("接待情况", blank=True)
    recorded_at = models.DateTimeField("登记时间")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "recorded_at"]
        verbose_name = "接待记录"
        verbose_name_plural = "接待记录"
        constraints = [
            # One record per reception day and deputy (NULL deputy = the day as a whole).
            models.UniqueConstraint(fields=["event", "deputy"], name="reception_once_per_deputy", nulls_distinct=False,
                                    violation_error_message="该接待日的这条接待记录已登记过"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.people_received} 人次"


class Visitor(models.Model):
    """A person received (personal data): only where the person agreed to give details."""

    reception = models.ForeignKey(Reception, on_delete=models.CASCADE, related_name="visitors", verbose_name="接待记录")
    name = models.CharField("姓名", max_length=64)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    address = models.CharField("住址", max_length=255, blank=True)
    matter = models.CharField("反映事项", max_length=255, blank=True)

    class Meta:
        ordering = ["reception", "id"]
        verbose_name = "来访群众"
        verbose_name_plural = "来访群众"

    def __str__(self) -> str:
        return self.name
