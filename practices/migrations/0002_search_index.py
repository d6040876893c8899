"""The full-text index of the fiches (FTS5 table on SQLite, tsvector table on PostgreSQL)."""

from django.db import migrations


def create(apps, schema_editor):
    from practices.indexing import INDEX

    INDEX.create(schema_editor)


def drop(apps, schema_editor):
    from practices.indexing import INDEX

    INDEX.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial"), ("search", "0001_french_unaccent")]
    operations = [migrations.RunPython(create, drop)]
