"""Deputy activity positions (代表活动阵地): homes, stations, offices and their kin."""
from __future__ import annotations

from django.db import models

from liaison.tenants.common.audit import audited


class Tier(models.TextChoices):
    HOME = "home", "代表之家"
    STATION = "station", "代表工作站"
    OFFICE = "office", "代表联络室"
    ONLINE = "online", "网上代表活动阵地"
    PROFESSIONAL = "professional", "专业代表工作站"
    SPECIAL = "special", "特色代表工作站"


class SpecialKind(models.TextChoices):
    BUILDING = "building", "楼宇"
    BUSINESS_DISTRICT = "business_district", "商圈"
    CAMPUS = "campus", "校园"


class Status(models.TextChoices):
    PLANNED = "planned", "规划中"
    BUILDING = "building", "建设中"
    OPEN = "open", "已运行"
    STANDARD = "standard", "达标"
    CLOSED = "closed", "已关闭"


@audited
class Position(models.Model):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=128)
    tier = models.CharField("类型", max_length=16, choices=Tier.choices, db_index=True)
    special_kind = models.CharField("特色类型", max_length=24, choices=SpecialKind.choices, blank=True)
    field = models.CharField("专业领域", max_length=32, blank=True, help_text="专业代表工作站的领域，如旅游、生态、卫生")
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="positions", verbose_name="所在区划")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级阵地")
    status = models.CharField("建设状态", max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    address = models.CharField("地址", max_length=255, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=255, blank=True)
    established_on = models.DateField("建成日期", null=True, blank=True)
    status_since = models.DateField("当前状态起始日期", null=True, blank=True, editable=False)
    # Online positions pair with one physical position (or stand alone: counterpart empty).
    counterpart = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="online_counterpart",
                                       verbose_name="对应实体阵地", help_text="仅网上阵地：所对应的实体阵地")
    online_url = models.URLField("网上阵地地址", blank=True, help_text="网上阵地的访问地址（小程序/网页）；二维码指向它")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "代表活动阵地"
        verbose_name_plural = "代表活动阵地"
        indexes = [models.Index(fields=["division", "tier"], name="position_division_tier")]

    def __str__(self) -> str:
        return self.name


PHYSICAL_TIERS = (Tier.HOME, Tier.STATION, Tier.OFFICE, Tier.PROFESSIONAL, Tier.SPECIAL)
STATION_TIERS = (Tier.STATION, Tier.PROFESSIONAL, Tier.SPECIAL)  # need ≥3 stationed deputies
OPERATING_STATUSES = (Status.OPEN, Status.STANDARD)


class PositionStatusChange(models.Model):
    """Every status change of a position, with the date it took effect (建设状态履历)."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="status_history", verbose_name="阵地")
    from_status = models.CharField("原状态", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=Status.choices)
    changed_on = models.DateField("生效日期")
    note = models.CharField("说明", max_length=255, blank=True)
    derived = models.BooleanField("由标准清单自动判定", default=False)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["position", "changed_on", "id"]
        verbose_name = "建设状态变更"
        verbose_name_plural = "建设状态变更"

    def __str__(self) -> str:
        return f"{self.position} {self.from_status or '—'} → {self.to_status} ({self.changed_on})"


class StandardItem(models.Model):
    """This prefecture's standards checklist (initialised from the province template, then editable)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("达标要求", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)
    from_template = models.BooleanField("来自全省模板", default=False, editable=False)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "阵地标准项"
        verbose_name_plural = "阵地标准清单"

    def __str__(self) -> str:
        return self.name


def evidence_upload_to(instance, filename: str) -> str:
    from django.db import connection

    return f"{connection.schema_name}/standards/{instance.position_id}/{instance.item_id}/{filename}"


class StandardCheck(models.Model):
    """One position's record against one checklist item: met or not, with evidence and date."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="standard_checks", verbose_name="阵地")
    item = models.ForeignKey(StandardItem, on_delete=models.CASCADE, related_name="checks", verbose_name="标准项")
    met = models.BooleanField("是否达标", default=False)
    evidence_note = models.TextField("佐证说明", blank=True)
    evidence_photo = models.FileField("佐证照片", upload_to=evidence_upload_to, blank=True)
    checked_on = models.DateField("核查日期")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "item__order"]
        verbose_name = "标准核查记录"
        verbose_name_plural = "标准核查记录"
        constraints = [models.UniqueConstraint(fields=["position", "item"], name="standard_check_once_per_item")]

    def __str__(self) -> str:
        return f"{self.position} · {self.item}: {'达标' if self.met else '未达标'}"


class StaffRole(models.TextChoices):
    HEAD = "head", "站长"
    DEPUTY_HEAD = "deputy_head", "副站长"
    LIAISON = "liaison", "联络员"
    CONSULTANT = "consultant", "咨询员"
    OBSERVER = "observer", "民情观察员"
    NETWORK_ADMIN = "network_admin", "网络管理员"


@audited
class Staff(models.Model):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="staff", verbose_name="阵地")
    role = models.CharField("岗位", max_length=16, choices=StaffRole.choices, db_index=True)
    name = models.CharField("姓名", max_length=64)
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="staff_roles",
                               verbose_name="由代表担任")
    # Private contact details.
    phone = models.CharField("联系电话", max_length=32, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    start_on = models.DateField("任职日期")
    end_on = models.DateField("离任日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "role", "name"]
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"
        constraints = [
            models.UniqueConstraint(fields=["position"], condition=models.Q(role="head", end_on__isnull=True),
                                    name="staff_one_current_head"),
            models.CheckConstraint(condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                                   name="staff_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"
