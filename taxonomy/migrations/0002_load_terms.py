"""Load the shared vocabulary (see taxonomy/terms.py)."""

from django.db import migrations

from taxonomy.terms import load_terms


def load(apps, schema_editor):
    load_terms(apps)


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
