"""One reception record per reception day and deputy. Records entered twice before the
rule existed are merged into the first one (its visitors kept), so the people received
are no longer counted twice."""
from django.db import migrations, models


def merge_duplicates(apps, schema_editor):
    Reception = apps.get_model("activities", "Reception")
    Visitor = apps.get_model("activities", "Visitor")
    first: dict[tuple, int] = {}
    for pk, event_id, deputy_id in Reception.objects.order_by("pk").values_list("pk", "event_id", "deputy_id"):
        keep = first.setdefault((event_id, deputy_id), pk)
        if keep != pk:
            Visitor.objects.filter(reception_id=pk).update(reception_id=keep)
            Reception.objects.filter(pk=pk).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0001_initial'),
        ('deputies', '0002_identity_stationing_points'),
    ]

    operations = [
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='reception',
            constraint=models.UniqueConstraint(fields=('event', 'deputy'), name='reception_once_per_deputy', nulls_distinct=False, violation_error_message='该接待日的这条接待记录已登记过'),
        ),
    ]
