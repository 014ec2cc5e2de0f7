"""Keep each document's tsvector in the heap row (ranking and phrase rechecks read it
for every match; out-of-line TOAST made that several times slower), and add the
prefecture's scope lexeme "_p_<schema>" to existing vectors (see backends/postgres.py)."""
from django.db import migrations

FORWARD = [
    "ALTER TABLE searchstore_searchdocument SET (toast_tuple_target = 8160)",
    "ALTER TABLE searchstore_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN",
    "UPDATE searchstore_searchdocument SET search_vector = search_vector || array_to_tsvector(ARRAY['_p_' || schema_name])",
]
BACKWARD = [
    "ALTER TABLE searchstore_searchdocument RESET (toast_tuple_target)",
    "ALTER TABLE searchstore_searchdocument ALTER COLUMN search_vector SET STORAGE EXTENDED",
]


class Migration(migrations.Migration):
    dependencies = [("searchstore", "0002_due_on_awaiting_reply")]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
