"""The stored figures of each territory's network, their token, and covering indexes for
the network of a département or a région (see actors/network.py)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

NETWORK_TOKEN = "actors-network"  # actors.network.TOKEN_NAME


def create_token(apps, schema_editor):
    IndexVersion = apps.get_model("search", "IndexVersion")
    IndexVersion.objects.using(schema_editor.connection.alias).get_or_create(
        name=NETWORK_TOKEN, defaults={"token": uuid.uuid4().hex})


def delete_token(apps, schema_editor):
    IndexVersion = apps.get_model("search", "IndexVersion")
    IndexVersion.objects.using(schema_editor.connection.alias).filter(name=NETWORK_TOKEN).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("actors", "0005_organization_logo"),
        ("search", "0002_index_version"),
        ("taxonomy", "0002_load_terms"),
        ("territories", "0003_commune_centres"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="partnership", name="partnership_dep_status_idx"),
        migrations.RemoveIndex(model_name="partnership", name="partnership_region_status_idx"),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["departement", "status", "type"], name="partnership_dep_network_idx"),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["region", "status", "type"], name="partnership_region_network_idx"),
        ),
        migrations.RemoveIndex(model_name="organization", name="organization_commune_idx"),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["commune", "kind"], name="organization_commune_kind_idx"),
        ),
        migrations.CreateModel(
            name="NetworkFigures",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=32)),
                ("figures", models.JSONField()),
                ("computed_at", models.DateTimeField()),
                ("territory", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                   to="territories.territory")),
            ],
            options={
                "verbose_name": "chiffres du réseau d'un territoire",
                "verbose_name_plural": "chiffres des réseaux des territoires",
            },
        ),
        migrations.RunPython(create_token, delete_token),
    ]
