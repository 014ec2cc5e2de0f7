"""Import batches and export jobs of one prefecture (rows live in its schema).

Ids are UUIDs: they appear in URLs and API answers and must not be guessable. A job or
batch id of another prefecture is simply not found on this prefecture's host.
"""
from __future__ import annotations

import uuid

from django.db import connection, models


def staged_upload_to(instance: "ImportBatch", filename: str) -> str:
    return f"ledger/{connection.schema_name}/imports/{instance.pk}/{filename[-120:]}"


def export_upload_to(instance: "ExportJob", filename: str) -> str:
    return f"ledger/{connection.schema_name}/exports/{instance.pk}/{filename[-120:]}"


class ImportBatch(models.Model):
    """A staged ledger file: checked (dry run) when staged, applied on confirmation."""

    class Status(models.TextChoices):
        STAGED = "staged", "已上传"
        CHECKED = "checked", "试导入无误，待确认"
        REJECTED = "rejected", "试导入有错误"
        APPLYING = "applying", "导入中"
        APPLIED = "applied", "已导入"
        FAILED = "failed", "导入失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("台账类型", max_length=32, default="auto", help_text="auto：按工作表名和表头识别")
    filename = models.CharField("文件名", max_length=200)
    file = models.FileField("文件", upload_to=staged_upload_to, max_length=255)
    size = models.BigIntegerField("大小（字节）", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.STAGED, db_index=True)
    report = models.JSONField("检查报告", default=dict, blank=True)
    apply_when_clean = models.BooleanField("试导入无误后自动导入", default=False)
    rows_done = models.IntegerField("已处理行数", default=0)
    created_by_id = models.BigIntegerField("上传人编号", null=True, blank=True)
    created_by_label = models.CharField("上传人", max_length=128, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    checked_at = models.DateTimeField("检查时间", null=True, blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"


class ExportJob(models.Model):
    """An export run in the background; its file is fetched from this prefecture's host."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kinds = models.JSONField("台账", default=list)
    format = models.CharField("格式", max_length=8, default="xlsx")
    encoding = models.CharField("CSV 编码", max_length=12, default="utf-8-sig")
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    include_personal = models.BooleanField("含个人信息", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    file = models.FileField("文件", upload_to=export_upload_to, max_length=255, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    row_counts = models.JSONField("行数", default=dict, blank=True)
    rows_done = models.IntegerField("已写出行数", default=0)
    error = models.TextField("错误", blank=True)
    requested_by_id = models.BigIntegerField("申请人编号", null=True, blank=True)
    requested_by_key_id = models.BigIntegerField("API 密钥编号", null=True, blank=True)
    requested_by_label = models.CharField("申请人", max_length=128, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "台账导出"
        verbose_name_plural = "台账导出"

    def __str__(self) -> str:
        return f"{'、'.join(self.kinds)}.{self.format}（{self.get_status_display()}）"

    @property
    def download_path(self) -> str:
        return f"/ledger/exports/{self.pk}/download"
