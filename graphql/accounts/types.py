"""The caller of a request."""
from __future__ import annotations

import graphene

from liaison.platform.accounts.principal import Op


class ViewerKind(graphene.Enum):
    """调用者类型 (who is calling)."""

    ANONYMOUS = "anonymous"
    USER = "user"
    API_KEY = "api_key"

    @property
    def description(self):
        return {"anonymous": "匿名 (no credentials)", "user": "登录用户 (a session user)",
                "api_key": "API 密钥 (a front end's key)"}[self.value]


OPERATION_DESCRIPTIONS = {
    Op.PUBLIC: "公开 (submit and track an opinion, host information, the prefecture list).",
    Op.READ: "读取 (a prefecture's data: positions, deputies, events, opinions; personal data masked).",
    Op.READ_PERSONAL: "读取个人信息 (citizens' names and phones, deputies' phones and ID numbers unmasked).",
    Op.ATTEND: "代表本人 (a deputy's own acts: sign in at an event, register an opinion they collected).",
    Op.HANDLE: "办理 (the opinion loop and receptions).",
    Op.MANAGE: "管理 (positions, checklist, staff, stationing, deputies, plans and events).",
    Op.PROVINCE: "全省 (province-wide fields on the province host).",
}

Operation = graphene.Enum.from_enum(Op, name="Operation", description=lambda value: (
    OPERATION_DESCRIPTIONS[value] if value is not None else
    "权限矩阵中的操作 (an operation of the permission matrix: docs/API.md \"Permissions\")."))


class ViewerType(graphene.ObjectType):
    class Meta:
        name = "Viewer"
        description = "The caller of this request and what they may do on this host."

    kind = graphene.Field(ViewerKind, required=True, description="调用者类型 (anonymous, user or API key).")
    label = graphene.String(required=True)
    operations = graphene.List(graphene.NonNull(Operation), required=True,
                               description="Operations of the permission matrix granted on this host (docs/API.md).")
    can_read_personal_data = graphene.Boolean(required=True,
                                              description="可读个人信息 (sees citizens' and deputies' personal data unmasked here).")
