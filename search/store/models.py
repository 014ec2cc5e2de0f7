"""The PostgreSQL search backend's store (public schema) and the pending-index queue.

One row per opinion of every prefecture, so a province-wide search is one query.
`doc_id` is "<schema>:<opinion id>": primary keys repeat across schemas. Citizens'
names and phone numbers are never copied here.
"""
from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    doc_id = models.CharField("文档编号", max_length=80, primary_key=True)
    schema_name = models.CharField("州市", max_length=63)
    opinion_id = models.BigIntegerField("意见编号")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    reply_text = models.TextField("答复内容", blank=True)
    category_code = models.CharField("类别代码", max_length=32, blank=True)
    category_name = models.CharField("类别", max_length=32, blank=True)
    status = models.CharField("状态", max_length=16)
    # Awaiting a reply (opinions.AWAITING_REPLY): only then can it be overdue.
    awaiting_reply = models.BooleanField("待答复", default=False)
    channel = models.CharField("来源渠道", max_length=16)
    tier = models.CharField("阵地类型", max_length=16, blank=True)
    position_id = models.BigIntegerField("阵地", null=True)
    position_name = models.CharField("阵地名称", max_length=128, blank=True)
    division_id = models.BigIntegerField("区划", null=True)
    division_code = models.CharField("区划代码", max_length=20, blank=True)
    division_name = models.CharField("区划名称", max_length=64, blank=True)
    # Codes of the division and all its ancestors: a subtree filter is one array lookup.
    division_codes = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    registered_at = models.DateTimeField("登记时间")
    due_on = models.DateField("办理期限", null=True, blank=True)
    search_vector = SearchVectorField()
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "搜索文档"
        verbose_name_plural = "搜索文档"
        indexes = [
            GinIndex(fields=["search_vector"], name="searchdoc_vector_gin"),
            GinIndex(fields=["division_codes"], name="searchdoc_division_gin"),
            models.Index(fields=["schema_name", "registered_at"], name="searchdoc_schema_date"),
            models.Index(fields=["registered_at"], name="searchdoc_date"),
        ]
        constraints = [models.UniqueConstraint(fields=["schema_name", "opinion_id"], name="searchdoc_unique_opinion")]

    def __str__(self) -> str:
        return self.doc_id


class PendingIndex(models.Model):
    """Opinions whose index write has not succeeded yet (either backend).

    Written in the same transaction as the opinion change (the change event's `recorded`
    signal: a transactional outbox), removed when the index write succeeds; a beat task re-sends
    whatever is left, so a failed or lost index task never loses a change.
    """

    schema_name = models.CharField("州市", max_length=63)
    opinion_id = models.BigIntegerField("意见编号")
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "待索引"
        verbose_name_plural = "待索引"
        constraints = [models.UniqueConstraint(fields=["schema_name", "opinion_id"], name="pendingindex_unique")]

    def __str__(self) -> str:
        return f"{self.schema_name}:{self.opinion_id}"
