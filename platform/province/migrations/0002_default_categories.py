from django.db import migrations

DEFAULTS = [
    ("economy", "经济建设", "Economic development"),
    ("education_culture_health", "教科文卫", "Education, science, culture and health"),
    ("agriculture", "农林水", "Agriculture, forestry and water"),
    ("law_social_security", "政法社保", "Law and social security"),
    ("urban_rural", "城乡建设", "Urban and rural construction"),
    ("transport", "交通运输", "Transport"),
    ("environment", "生态环境", "Ecology and environment"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("province", "Category")
    for order, (code, name, name_en) in enumerate(DEFAULTS):
        Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("province", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
