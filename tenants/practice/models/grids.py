"""Yunnan: 代表+网格 — grids, the smallest management units under villages and communities."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grid(models.Model):
    code = models.CharField(_("网格编码"), max_length=40, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    division = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="grids", verbose_name=_("所属村（社区）"))
    deputies = models.ManyToManyField("deputies.Deputy", through="GridDeputy", related_name="grids", verbose_name=_("联系代表"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return self.name


class GridDeputy(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("网格"))
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="grid_assignments", verbose_name=_("代表"))
    assigned_on = models.DateField(_("编入日期"))

    class Meta:
        ordering = ["grid", "deputy"]
        verbose_name = _("网格代表")
        verbose_name_plural = _("网格代表")
        constraints = [models.UniqueConstraint(fields=["grid", "deputy"], name="grid_deputy_once")]
