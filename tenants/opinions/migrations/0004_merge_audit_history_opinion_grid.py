"""Joins two migrations that landed side by side (the audit history and the opinions'
grid); neither depends on the other."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0003_audit_history"),
        ("opinions", "0003_opinion_grid"),
    ]
    operations = []
