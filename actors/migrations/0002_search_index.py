"""The full-text index of the organisations (FTS5 table on SQLite, tsvector table on PostgreSQL)."""

from django.db import migrations


def create(apps, schema_editor):
    from actors.indexing import INDEX

    INDEX.create(schema_editor)


def drop(apps, schema_editor):
    from actors.indexing import INDEX

    INDEX.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial"), ("search", "0002_index_version")]
    operations = [migrations.RunPython(create, drop)]
