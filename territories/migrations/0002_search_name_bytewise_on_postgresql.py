"""On PostgreSQL, compare the searchable names byte-wise (collation "C").

The autocomplete finds "names starting with X" as the index range [X, X~). That is exact
only when strings sort byte-wise, which SQLite does by default; PostgreSQL's default
collation is linguistic (it ignores spaces at first level), so the column gets "C".
"""

from django.db import migrations

FORWARD = 'ALTER TABLE territories_territory ALTER COLUMN search_name TYPE varchar(200) COLLATE "C"'
BACKWARD = 'ALTER TABLE territories_territory ALTER COLUMN search_name TYPE varchar(200) COLLATE "default"'


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD))]
