"""Deputies on a prefecture's roll."""
from __future__ import annotations

from django.db import models

from liaison.tenants.common.audit import audited


class Level(models.TextChoices):
    NATIONAL = "national", "全国人大代表"
    PROVINCIAL = "provincial", "省人大代表"
    PREFECTURE = "prefecture", "州市人大代表"
    COUNTY = "county", "县（市、区）人大代表"
    TOWNSHIP = "township", "乡镇人大代表"


@audited
class Deputy(models.Model):
    roll_number = models.CharField("代表证号", max_length=40, unique=True, help_text="本州市代表名册上的编号")
    name = models.CharField("姓名", max_length=64)
    level = models.CharField("代表层级", max_length=12, choices=Level.choices, db_index=True)
    # Required for deputies on this prefecture's roll; empty only for a provincial/national
    # deputy on another prefecture's roll who is stationed here (on_roll=False).
    constituency = models.ForeignKey("divisions.Division", null=True, blank=True, on_delete=models.PROTECT, related_name="deputies", verbose_name="选区")
    gender = models.CharField("性别", max_length=8, blank=True)
    ethnicity = models.CharField("民族", max_length=16, blank=True)
    occupation = models.CharField("职业/单位", max_length=128, blank=True)
    # Private: never on a public profile, masked in the API without the personal-data scope.
    phone = models.CharField("联系电话", max_length=32, blank=True)
    id_number = models.CharField("身份证号", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    bio = models.TextField("简介", blank=True, help_text="公开展示")
    active = models.BooleanField("在任", default=True)
    # Provincial and national deputies: the one province-wide identity (public schema).
    identity = models.ForeignKey("roster.ProvinceDeputy", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="全省代表身份")
    on_roll = models.BooleanField("本州市名册", default=True, help_text="否：外州市的省级及以上代表，仅在本州市进站")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["roll_number"]
        verbose_name = "人大代表"
        verbose_name_plural = "人大代表"
        constraints = [
            models.UniqueConstraint(fields=["identity"], name="deputy_one_local_row_per_identity"),
            models.CheckConstraint(condition=models.Q(on_roll=False) | models.Q(constituency__isnull=False),
                                   name="deputy_on_roll_has_constituency"),
            models.CheckConstraint(condition=models.Q(on_roll=True) | models.Q(identity__isnull=False, level__in=["national", "provincial"]),
                                   name="deputy_guest_is_province_wide"),
        ]

    def __str__(self) -> str:
        return self.name


class StationingBasis(models.TextChoices):
    AREA = "area", "按区域"
    FIELD = "field", "按专业领域"


@audited
class Stationing(models.Model):
    """A deputy stationed at a position (进站) for a period: by area, or by field at a professional station."""

    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="stationings", verbose_name="代表")
    position = models.ForeignKey("positions.Position", on_delete=models.PROTECT, related_name="stationings", verbose_name="阵地")
    basis = models.CharField("进站方式", max_length=8, choices=StationingBasis.choices, default=StationingBasis.AREA)
    start_on = models.DateField("进站日期")
    end_on = models.DateField("离站日期", null=True, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "start_on", "id"]
        verbose_name = "进站代表"
        verbose_name_plural = "进站代表"
        indexes = [models.Index(fields=["position", "end_on"], name="stationing_position_current")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                                   name="stationing_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} @ {self.position}"


class Metric(models.TextChoices):
    DUTY_DAY = "duty_day", "接待日签到"
    RECEPTION = "reception", "接待记录"
    PEOPLE_RECEIVED = "people_received", "接待群众人次"
    VISIT = "visit", "走访"
    INSPECTION = "inspection", "视察"
    SURVEY = "survey", "调研"
    TRAINING = "training", "培训"
    CAMPAIGN = "campaign", "主题活动"
    REPORT = "report", "向选民述职"
    OPINION = "opinion", "收集意见建议"
    SUGGESTION = "suggestion", "提出代表建议"


class PointsRule(models.Model):
    """This prefecture's optional points scheme for the performance record (积分制): points per unit of a metric."""

    metric = models.CharField("履职项目", max_length=20, choices=Metric.choices, unique=True)
    points = models.DecimalField("每次积分", max_digits=6, decimal_places=2)
    cap_per_year = models.DecimalField("年度上限", max_digits=8, decimal_places=2, null=True, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["metric"]
        verbose_name = "履职积分规则"
        verbose_name_plural = "履职积分规则"

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.points}"
