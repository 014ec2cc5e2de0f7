"""The hierarchy rule of 家、站、室, as pure checks over already-loaded objects.

Used by services (which load the rows) and by the admin form (which validates before
saving). Each function returns a list of FieldErrors, empty when the data is fine.
"""
from __future__ import annotations

from liaison.tenants.common.errors import FieldError
from liaison.tenants.divisions.models import Division

from .models import PHYSICAL_TIERS, Tier

L = Division.Level

# Where each tier may sit in the division tree.
ALLOWED_LEVELS: dict[str, tuple[str, ...]] = {
    Tier.HOME: (L.PREFECTURE, L.COUNTY),
    Tier.STATION: (L.TOWNSHIP,),
    Tier.OFFICE: (L.VILLAGE,),
    Tier.PROFESSIONAL: (L.PREFECTURE, L.COUNTY, L.TOWNSHIP),
    Tier.SPECIAL: (L.COUNTY, L.TOWNSHIP, L.VILLAGE),
    Tier.ONLINE: (L.PREFECTURE, L.COUNTY, L.TOWNSHIP, L.VILLAGE),
}

# Which tiers may be the parent (上级阵地) of each tier.
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    Tier.HOME: (Tier.HOME,),            # a county home under the prefecture's home
    Tier.STATION: (Tier.HOME,),
    Tier.OFFICE: (Tier.STATION,),
    Tier.PROFESSIONAL: (Tier.HOME,),
    Tier.SPECIAL: (Tier.HOME, Tier.STATION),
    Tier.ONLINE: (),                    # online positions pair with a counterpart instead
}

# Professional and special stations may sit in the same division as their parent
# (a county's professional station under that county's home); the main chain may not.
SAME_DIVISION_PARENT_OK = (Tier.PROFESSIONAL, Tier.SPECIAL)

LEVEL_NAMES = dict(L.choices)
TIER_NAMES = dict(Tier.choices)


def is_ancestor(ancestor: Division, division: Division) -> bool:
    return division.path.startswith(ancestor.path + "/")


def hierarchy_errors(*, tier: str, division: Division | None, parent, counterpart=None, field: str = "",
                     special_kind: str = "") -> list[FieldError]:
    errors: list[FieldError] = []
    if tier not in Tier.values:
        return [FieldError("tier", f"must be one of {', '.join(Tier.values)}, got {tier!r}")]
    tier_name = TIER_NAMES[tier]
    if division is not None and division.level not in ALLOWED_LEVELS[tier]:
        allowed = "、".join(LEVEL_NAMES[level] for level in ALLOWED_LEVELS[tier])
        errors.append(FieldError("division", f"{tier_name}只能设在{allowed}，“{division.name}”是{LEVEL_NAMES[division.level]}",
                                 "hierarchy"))
    if parent is not None:
        if parent.tier not in ALLOWED_PARENTS[tier]:
            allowed = "、".join(str(TIER_NAMES[t]) for t in ALLOWED_PARENTS[tier]) or "无"
            errors.append(FieldError("parent", f"{tier_name}的上级阵地只能是{allowed}，“{parent.name}”是{TIER_NAMES[parent.tier]}",
                                     "hierarchy"))
        elif division is not None and not (is_ancestor(parent.division, division)
                                           or (tier in SAME_DIVISION_PARENT_OK and parent.division_id == division.pk)):
            errors.append(FieldError("parent", f"上级阵地“{parent.name}”所在的{parent.division.name}不是{division.name}的上级区划，"
                                     "阵地层级必须与行政区划一致", "hierarchy"))
    # Online positions: pair with one physical position in the same division, or stand alone.
    if counterpart is not None:
        if tier != Tier.ONLINE:
            errors.append(FieldError("counterpart", "只有网上阵地可以对应实体阵地", "invalid"))
        elif counterpart.tier not in PHYSICAL_TIERS:
            errors.append(FieldError("counterpart", f"网上阵地只能对应实体阵地，“{counterpart.name}”是{TIER_NAMES[counterpart.tier]}",
                                     "hierarchy"))
        elif division is not None and counterpart.division_id != division.pk:
            errors.append(FieldError("counterpart", f"网上阵地应与所对应的“{counterpart.name}”位于同一区划（{counterpart.division.name}）",
                                     "hierarchy"))
    if tier == Tier.PROFESSIONAL and not (field or "").strip():
        errors.append(FieldError("field", "专业代表工作站必须填写专业领域", "required"))
    if tier != Tier.PROFESSIONAL and (field or "").strip():
        errors.append(FieldError("field", "只有专业代表工作站填写专业领域", "invalid"))
    if tier == Tier.SPECIAL and not special_kind:
        errors.append(FieldError("special_kind", "特色代表工作站必须选择类型（楼宇、商圈、校园）", "required"))
    if tier != Tier.SPECIAL and special_kind:
        errors.append(FieldError("special_kind", "只有特色代表工作站选择特色类型", "invalid"))
    return errors


def child_errors(position, children) -> list[FieldError]:
    """After changing a position's tier or division, its children must still agree."""
    errors = []
    for child in children:
        if hierarchy_errors(tier=child.tier, division=child.division, parent=position, field=child.field,
                            special_kind=child.special_kind):
            errors.append(FieldError("division", f"下级阵地“{child.name}”将与本阵地的层级或区划不一致，请先调整下级阵地", "hierarchy"))
    return errors
