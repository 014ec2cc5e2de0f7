"""Seed the province's standards template with Yunnan's "七有"."""
from django.db import migrations

SEVEN = [
    ("fixed_premises", "有固定场所", "有相对固定、便于群众到达的活动场所"),
    ("standard_sign", "有统一标识", "按全省统一样式悬挂标牌"),
    ("notice_board", "有公示栏", "公示进站代表、接待安排和联系方式"),
    ("rules_on_wall", "有制度上墙", "代表联系群众、接待、意见办理等制度上墙"),
    ("records_ledger", "有台账资料", "接待、活动、意见建议办理台账齐全"),
    ("facilities", "有设施设备", "配备办公桌椅、资料柜等必要设施设备"),
    ("staff", "有工作人员", "明确站长、联络员等工作人员"),
]


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Item = apps.get_model("roster", "StandardTemplateItem")
    for order, (code, name, description) in enumerate(SEVEN, start=1):
        Item.objects.get_or_create(code=code, defaults={"name": name, "description": description, "order": order})


def unseed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("roster", "StandardTemplateItem").objects.filter(code__in=[c for c, _, _ in SEVEN]).delete()


class Migration(migrations.Migration):
    dependencies = [("roster", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
