"""Load the pioneer fiches written from the seed documents (practices/data/pioneers.json).

These are real cases, not demo data. Idempotent: unchanged fiches are left alone.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practices.importer import ImportRejected, clean_rows, save_rows

DATA = Path(__file__).resolve().parents[2] / "data" / "pioneers.json"


class Command(BaseCommand):
    help = "Charge les fiches des initiatives pionnières décrites dans les documents sources."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA)

    def handle(self, *args, file: Path, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"{file} : illisible ({error})") from None
        sources = data.get("sources", {})
        fiches = data.get("fiches", [])
        for fiche in fiches:
            source = fiche.get("source") or {}
            source.setdefault("title", sources.get(source.get("document"), {}).get("title", ""))
        try:
            rows = clean_rows(fiches, label=lambda i: f"fiche n° {i + 1} ({fiches[i].get('slug', '?')})")
            created, updated = save_rows(rows, note="Fiche issue des documents sources")
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Pratiques innovantes : {created} créées, {updated} mises à jour, {len(rows) - created - updated} inchangées.")
