"""Load the demo data: demo accounts and a demo project territory, all labelled as demo.

Idempotent: running it again changes nothing. Refuses to run in production.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from actors.demo import load_actors_demo
from territories.models import Level, Territory
from territories.projects import save_project

DEMO_PASSWORD = "demo-catalyseur-2026"
DEMO_USERS = [
    ("membre@demo.catalyseur.localhost", "Camille Membre (démo)", Role.MEMBER),
    ("editeur@demo.catalyseur.localhost", "Dominique Éditeur (démo)", Role.EDITOR),
]
# Charenton-le-Pont, Saint-Maurice, Maisons-Alfort (Val-de-Marne): the seeds' "Agir
# ensemble à Charenton-Saint-Maurice" drew its partners from this bend of the Marne.
DEMO_PROJECT = {
    "name": "Boucle de la Marne (démonstration)",
    "description": "Territoire de projet de démonstration : trois communes du Val-de-Marne autour de Charenton-le-Pont.",
    "communes": ["94018", "94069", "94046"],
}


class Command(BaseCommand):
    help = "Charge les données de démonstration (comptes, territoire de projet, acteurs et partenariats, signalés comme tels)."

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Les données de démonstration ne se chargent pas en production.")
        owner = None
        for email, name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"display_name": name, "role": role, "is_demo": True}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.stdout.write(f"Compte de démonstration créé : {email}")
            owner = owner or user
        if Territory.objects.filter(level=Level.PROJECT, owner=owner, is_demo=True).exists():
            self.stdout.write("Territoire de projet de démonstration déjà présent.")
        else:
            self._create_project(owner)
        for line in load_actors_demo(manager=owner):
            self.stdout.write(line)

    def _create_project(self, owner):
        communes = list(
            Territory.objects.filter(level=Level.COMMUNE, code__in=DEMO_PROJECT["communes"], is_obsolete=False).values_list("pk", flat=True)
        )
        if len(communes) != len(DEMO_PROJECT["communes"]):
            raise CommandError("Communes de démonstration introuvables : importez d'abord les territoires (import_territories).")
        project = save_project(
            owner=owner, name=DEMO_PROJECT["name"], description=DEMO_PROJECT["description"],
            is_private=False, commune_ids=communes, is_demo=True,
        )
        self.stdout.write(f"Territoire de projet de démonstration créé : {project.name} ({project.population} habitants)")
