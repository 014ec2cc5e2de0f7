"""Province-wide reads about provincial and national deputies.

A provincial/national deputy has one identity here and a local row in every prefecture
that has them on its roll or stationed there. These helpers visit prefectures through the
registry (never a hard-coded schema list) and return plain values: nothing lazy leaves a
schema context.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django_tenants.utils import schema_context

from .models import ProvinceDeputy, StandardTemplateItem


def template_items(active_only: bool = True) -> list[StandardTemplateItem]:
    qs = StandardTemplateItem.objects.all()
    return list(qs.filter(active=True) if active_only else qs)


def public_identity(identity: ProvinceDeputy) -> dict:
    """The public fields of a province-wide identity (phone, e-mail, ID number never included)."""
    return {"id": identity.pk, "code": identity.code, "name": identity.name, "level": identity.level,
            "level_display": identity.get_level_display(), "gender": identity.gender, "ethnicity": identity.ethnicity,
            "occupation": identity.occupation,
            "home_prefecture": identity.home_prefecture.slug if identity.home_prefecture_id else None}


@dataclass
class ProvinceWideRecord:
    identity_id: int
    year: int
    by_prefecture: dict[str, dict] = field(default_factory=dict)  # schema → metric counts there

    def total(self, metric: str) -> int:
        return sum(counts.get(metric, 0) for counts in self.by_prefecture.values())


def performance_across_prefectures(identity: ProvinceDeputy | int, year: int) -> ProvinceWideRecord:
    """One provincial/national deputy's performance record summed over every prefecture where they have a local row."""
    from liaison.tenants.deputies.models import Deputy
    from liaison.tenants.deputies.selectors import performance_record
    from liaison.tenants.registry.models import Prefecture

    identity_id = getattr(identity, "pk", identity)
    result = ProvinceWideRecord(identity_id=identity_id, year=year)
    for schema in list(Prefecture.objects.values_list("schema_name", flat=True)):
        with schema_context(schema):
            deputy = Deputy.objects.filter(identity_id=identity_id).first()
            if deputy is not None:
                result.by_prefecture[schema] = performance_record(deputy, year).metric_counts()
    return result


def province_people_count(levels=("national", "provincial")) -> int:
    """Active provincial/national deputies in the province, each person once."""
    return ProvinceDeputy.objects.filter(active=True, level__in=levels).count()
