"""Citizens' opinions and suggestions (群众意见建议), their handling and the formal
deputy suggestions (代表建议) they may become.

The rules live in workflow.py (statuses, transitions) and services/; these models
hold the data and the invariants a database can keep.
Every change of state is a Transition row, so the ledger (台账) can be rebuilt.
"""
from __future__ import annotations

import secrets

from django.db import connection, models

from liaison.tenants.common.audit import audited

from .workflow import AWAITING_REPLY, OPEN_STATUSES, Status, SuggestionStatus  # noqa: F401 (re-exported)

# No 0/O, 1/I/L: read aloud or copied from paper without mistakes. 31^10 ≈ 8·10^14 codes.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


class Channel(models.TextChoices):
    RECEPTION = "reception", "接待日"
    DEPUTY = "deputy", "代表收集"
    OBSERVER = "observer", "民情观察员"
    BOX = "box", "意见箱"
    ONLINE = "online", "网上"


# The statuses and the transition table live in workflow.py (the rulebook).


class Outcome(models.TextChoices):
    A = "A", "A类（已解决）"
    B = "B", "B类（正在解决）"
    C = "C", "C类（列入计划解决）"
    D = "D", "D类（留作参考、解释说明）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class CloseReason(models.TextChoices):
    RATED = "rated", "已评价"
    UNRATED = "unrated", "逾期未评价"
    ORIGIN_CLOSED = "origin_closed", "转出州市已办结"
    DUPLICATE = "duplicate", "重复件随主件办结"


class JurisdictionLevel(models.TextChoices):
    TOWNSHIP = "township", "乡镇"
    COUNTY = "county", "县级"
    PREFECTURE = "prefecture", "州市"
    PROVINCE = "province", "省级"
    NOT_ACCEPTABLE = "not_acceptable", "不予受理（依法疏导）"


class Opinion(models.Model):
    tracking_code = models.CharField("查询码", max_length=16, unique=True, default=new_tracking_code)
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices, db_index=True)
    # Null only for an opinion received from another prefecture (it came through no position here).
    position = models.ForeignKey("positions.Position", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions", verbose_name="阵地")
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="opinions", verbose_name="所属区划")
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions", verbose_name="收集代表")
    # 代表+网格: the grid (网格) the matter lies in, when known (set by practice.services.grids).
    grid = models.ForeignKey("practice.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions", verbose_name="所属网格")
    # Personal data: masked wherever the reader has no need, never indexed for search.
    citizen_name = models.CharField("群众姓名", max_length=64, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=32, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    category = models.ForeignKey("province.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="类别")
    jurisdiction_level = models.CharField("管辖层级", max_length=16, choices=JurisdictionLevel.choices, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    registered_at = models.DateTimeField("登记时间", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # --- handling (written by services only) ---------------------------------------------
    handling_unit = models.ForeignKey("HandlingUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions", verbose_name="承办单位")
    due_on = models.DateField("办理期限", null=True, blank=True, db_index=True, help_text="当前答复期限（逾期由期限计算，不另存标记）")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    triaged_at = models.DateTimeField("研判时间", null=True, blank=True)
    referred_at = models.DateTimeField("交办时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_reason = models.CharField("办结方式", max_length=16, choices=CloseReason.choices, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates", verbose_name="重复于")
    suggestion = models.ForeignKey("Suggestion", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions", verbose_name="转为代表建议")
    # --- provenance ------------------------------------------------------------------------
    source_reference = models.CharField("来源编号", max_length=120, blank=True, db_index=True, help_text="导入台账时原表格中的编号")
    idempotency_key = models.CharField("幂等键", max_length=64, null=True, blank=True, unique=True, help_text="客户端重试同一提交时不重复登记")
    # A copy received from another prefecture (跨州市转办): where the original lives.
    origin_schema = models.CharField("转出州市", max_length=63, blank=True)
    origin_id = models.BigIntegerField("转出意见编号", null=True, blank=True)
    cross_referral_id = models.BigIntegerField("跨州市转办编号", null=True, blank=True, help_text="province.CrossReferral")

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = "群众意见建议"
        verbose_name_plural = "群众意见建议"
        constraints = [
            models.CheckConstraint(condition=~models.Q(duplicate_of=models.F("id")), name="opinion_not_duplicate_of_itself"),
            models.CheckConstraint(condition=models.Q(status="closed") | models.Q(closed_at__isnull=True), name="opinion_closed_at_only_when_closed"),
        ]
        indexes = [models.Index(fields=["division", "status"], name="opinion_division_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_copy(self) -> bool:
        return bool(self.origin_schema)


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"opinions/{connection.schema_name}/{instance.opinion_id}/{secrets.token_hex(8)}-{filename[-80:]}"


class Attachment(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="attachments", verbose_name="意见")
    file = models.FileField("文件", upload_to=attachment_path, max_length=255, blank=True)
    url = models.URLField("外部链接", max_length=500, blank=True, help_text="导入或外部系统中的附件地址")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "附件"
        verbose_name_plural = "附件"
        constraints = [models.CheckConstraint(condition=~models.Q(file="") | ~models.Q(url=""), name="attachment_file_or_url")]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    TOWNSHIP_GOVERNMENT = "township_government", "乡镇人民政府（街道办事处）"
    TOWNSHIP_PRESIDIUM = "township_presidium", "乡镇人大主席团（街道人大工委）"
    COUNTY_DEPARTMENT = "county_department", "县级部门"
    COUNTY_STANDING_COMMITTEE = "county_standing_committee", "县级人大常委会"
    PREFECTURE_DEPARTMENT = "prefecture_department", "州市级部门"
    PREFECTURE_STANDING_COMMITTEE = "prefecture_standing_committee", "州市人大常委会"
    PROVINCE_DEPARTMENT = "province_department", "省级部门"
    OTHER = "other", "其他单位"


class UnitLevel(models.TextChoices):
    TOWNSHIP = "township", "乡镇"
    COUNTY = "county", "县级"
    PREFECTURE = "prefecture", "州市"
    PROVINCE = "province", "省级"


LEVEL_ORDER = [UnitLevel.TOWNSHIP, UnitLevel.COUNTY, UnitLevel.PREFECTURE, UnitLevel.PROVINCE]


@audited
class HandlingUnit(models.Model):
    """A unit opinions are referred to (承办单位), registered per prefecture."""

    name = models.CharField("名称", max_length=128)
    kind = models.CharField("类型", max_length=32, choices=UnitKind.choices)
    level = models.CharField("层级", max_length=12, choices=UnitLevel.choices, db_index=True)
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="handling_units", verbose_name="所在区划")
    categories = models.ManyToManyField("province.Category", blank=True, related_name="+", verbose_name="承办类别", help_text="留空表示综合承办各类")
    supervises = models.BooleanField("督办机关", default=False, help_text="接收下级逾期督办通知（如县人大常委会代表工委）")
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    notify_channel = models.CharField("通知渠道", max_length=12, default="console", help_text="console / email / sms / wechat")
    notify_address = models.CharField("通知地址", max_length=255, blank=True, help_text="邮箱、手机号或微信 openid；留空则用单位名称（控制台）")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["level", "division__code", "name"]
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        constraints = [models.UniqueConstraint(fields=["division", "name"], name="handlingunit_unique_name")]

    def __str__(self) -> str:
        return self.name


@audited
class DeadlinePolicy(models.Model):
    """Deadlines of one prefecture, per jurisdiction level (a blank level is the default)."""

    level = models.CharField("层级", max_length=12, choices=UnitLevel.choices, blank=True, unique=True, help_text="留空为本州市默认")
    referral_working_days = models.PositiveSmallIntegerField("交办答复期限（工作日）", default=15)
    referral_extension_max_working_days = models.PositiveSmallIntegerField("交办最长延期（工作日）", default=15)
    suggestion_months = models.PositiveSmallIntegerField("代表建议办理期限（月）", default=3)
    suggestion_max_months = models.PositiveSmallIntegerField("代表建议最长期限（月，经批准延期）", default=6)
    rehandle_months = models.PositiveSmallIntegerField("不满意重新办理期限（月）", default=1)
    remind_before_working_days = models.PositiveSmallIntegerField("到期前提醒（工作日）", default=3)
    rating_window_days = models.PositiveSmallIntegerField("评价期限（自然日）", default=15, help_text="答复送达后逾期未评价即按未评价办结")

    class Meta:
        verbose_name = "办理期限规则"
        verbose_name_plural = "办理期限规则"
        constraints = [
            models.CheckConstraint(condition=models.Q(suggestion_max_months__gte=models.F("suggestion_months")), name="policy_max_not_below_base"),
            models.CheckConstraint(condition=models.Q(referral_working_days__gte=1), name="policy_referral_positive"),
        ]

    def __str__(self) -> str:
        return self.get_level_display() or "默认"


class Referral(models.Model):
    """One referral (交办/转办) of an opinion, with its deadline; a new row per round."""

    class State(models.TextChoices):
        ACTIVE = "active", "办理中"
        ANSWERED = "answered", "已答复"
        SUPERSEDED = "superseded", "已改派"

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="referrals", verbose_name="意见")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    unit = models.ForeignKey(HandlingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals", verbose_name="承办单位")
    to_schema = models.CharField("转往州市", max_length=63, blank=True)
    cross_referral_id = models.BigIntegerField("跨州市转办编号", null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.ACTIVE, db_index=True)
    referred_at = models.DateTimeField("交办时间")
    due_on = models.DateField("答复期限")
    original_due_on = models.DateField("原定期限")
    extended_at = models.DateTimeField("延期批准时间", null=True, blank=True)
    extension_approved_by = models.CharField("延期批准人", max_length=128, blank=True)
    note = models.TextField("交办意见", blank=True)

    class Meta:
        ordering = ["opinion", "referred_at", "id"]
        verbose_name = "交办记录"
        verbose_name_plural = "交办记录"
        constraints = [
            models.UniqueConstraint(fields=["opinion"], condition=models.Q(state="active"), name="referral_one_active_per_opinion"),
            models.CheckConstraint(condition=models.Q(unit__isnull=False) | ~models.Q(to_schema=""), name="referral_has_a_target"),
        ]

    def __str__(self) -> str:
        return f"{self.opinion_id} → {self.unit or self.to_schema}"


class ReplyKind(models.TextChoices):
    ANSWER = "answer", "办理答复"
    EXPLANATION = "explanation", "解释说明（依法疏导）"
    SUGGESTION_ANSWER = "suggestion_answer", "代表建议答复"
    FROM_PREFECTURE = "from_prefecture", "外州市答复"


class Reply(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="replies", verbose_name="意见")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies", verbose_name="交办记录")
    round = models.PositiveSmallIntegerField("轮次", default=1)
    kind = models.CharField("答复类型", max_length=20, choices=ReplyKind.choices, default=ReplyKind.ANSWER)
    content = models.TextField("答复内容")
    outcome = models.CharField("办理结果", max_length=1, choices=Outcome.choices)
    unit = models.ForeignKey(HandlingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="replies", verbose_name="答复单位")
    from_schema = models.CharField("答复来自州市", max_length=63, blank=True)
    replied_at = models.DateTimeField("答复时间")
    replied_by = models.CharField("答复登记人", max_length=128, blank=True)
    due_on = models.DateField("当时期限", null=True, blank=True)
    delivered_to_citizen_at = models.DateTimeField("送达群众时间", null=True, blank=True)
    delivered_to_deputy_at = models.DateTimeField("送达代表时间", null=True, blank=True)
    delivered_to_origin_at = models.DateTimeField("回复转出州市时间", null=True, blank=True)

    class Meta:
        ordering = ["opinion", "replied_at", "id"]
        verbose_name = "答复"
        verbose_name_plural = "答复"
        constraints = [models.CheckConstraint(condition=~models.Q(content=""), name="reply_has_content")]

    def __str__(self) -> str:
        return f"{self.opinion_id} · {self.get_outcome_display()}"

    @property
    def delivered(self) -> bool:
        return bool(self.delivered_to_citizen_at or self.delivered_to_deputy_at or self.delivered_to_origin_at)


class Rater(models.TextChoices):
    CITIZEN = "citizen", "群众"
    DEPUTY = "deputy", "代表"


class Evaluation(models.Model):
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="evaluations", verbose_name="答复")
    rater = models.CharField("评价人", max_length=8, choices=Rater.choices)
    deputy = models.ForeignKey("deputies.Deputy", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="评价代表")
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices)
    comment = models.TextField("评价意见", blank=True)
    rated_at = models.DateTimeField("评价时间")

    class Meta:
        ordering = ["reply", "rated_at"]
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        constraints = [models.UniqueConstraint(fields=["reply", "rater"], name="evaluation_once_per_rater")]

    def __str__(self) -> str:
        return f"{self.get_rater_display()} {self.get_satisfaction_display()}"


class Suggestion(models.Model):
    """A formal deputy suggestion (代表建议), raised from one or more opinions."""

    number = models.CharField("编号", max_length=32, unique=True)
    title = models.CharField("案由", max_length=200)
    content = models.TextField("内容")
    level = models.CharField("层级", max_length=12, choices=UnitLevel.choices)
    lead_deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="led_suggestions", verbose_name="领衔代表")
    co_signers = models.ManyToManyField("deputies.Deputy", blank=True, related_name="cosigned_suggestions", verbose_name="附议代表")
    lead_unit = models.ForeignKey(HandlingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="led_suggestions", verbose_name="主办单位")
    co_units = models.ManyToManyField(HandlingUnit, blank=True, related_name="cohandled_suggestions", verbose_name="协办单位")
    status = models.CharField("状态", max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.FILED, db_index=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    filed_at = models.DateTimeField("提出时间")
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    due_on = models.DateField("答复期限", null=True, blank=True, db_index=True)
    max_due_on = models.DateField("最长期限", null=True, blank=True)
    extension_approved_by = models.CharField("延期批准人", max_length=128, blank=True)
    answer = models.TextField("答复内容", blank=True)
    outcome = models.CharField("办理结果", max_length=1, choices=Outcome.choices, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    deputy_satisfaction = models.CharField("代表满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = "代表建议"
        verbose_name_plural = "代表建议"

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Transition(models.Model):
    """One step in the life of an opinion or a suggestion (归档留痕): who, when, from, to, what."""

    class ActorKind(models.TextChoices):
        USER = "user", "平台用户"
        DEPUTY = "deputy", "代表"
        CITIZEN = "citizen", "群众"
        SYSTEM = "system", "系统"
        PREFECTURE = "prefecture", "外州市"

    opinion = models.ForeignKey(Opinion, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions", verbose_name="意见")
    suggestion = models.ForeignKey(Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions", verbose_name="代表建议")
    action = models.CharField("操作", max_length=32, db_index=True)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    actor_kind = models.CharField("操作人类型", max_length=12, choices=ActorKind.choices)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_label = models.CharField("操作人", max_length=128, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        constraints = [models.CheckConstraint(condition=models.Q(opinion__isnull=False) | models.Q(suggestion__isnull=False), name="transition_has_subject")]

    def __str__(self) -> str:
        from django.utils import timezone

        from .workflow import label

        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {label(self.action)}"
