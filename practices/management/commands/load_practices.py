"""Load the pioneer fiches written from the seed documents (practices/data/pioneers.json).

These are real cases, not demo data. Idempotent: unchanged fiches are left alone.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practices.exchange import FileRejected, parse_json
from practices.importer import ImportRejected, clean_rows, save_rows

DATA = Path(__file__).resolve().parents[2] / "data" / "pioneers.json"


class Command(BaseCommand):
    help = "Charge les fiches des initiatives pionnières décrites dans les documents sources."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DATA)

    def handle(self, *args, file: Path, **options):
        try:
            data = parse_json(file.read_bytes())
        except OSError as error:
            raise CommandError(f"{file} : illisible ({error.strerror})") from None
        except FileRejected as error:
            raise CommandError(f"{file} : {error}") from None
        sources = data.get("sources", {}) if isinstance(data, dict) else {}
        fiches = data.get("fiches") if isinstance(data, dict) else data
        if not isinstance(fiches, list) or not isinstance(sources, dict):
            raise CommandError(f"{file} : une liste de fiches est attendue (ou un objet avec les clés « sources » et « fiches »).")
        for fiche in fiches:
            source = fiche.get("source") if isinstance(fiche, dict) else None
            if isinstance(source, dict):
                document = source.get("document")
                described = sources.get(document) if isinstance(document, str) else None
                source.setdefault("title", described.get("title", "") if isinstance(described, dict) else "")
        try:
            rows = clean_rows(fiches, label=lambda i: f"fiche n° {i + 1} ({fiches[i].get('slug', '?') if isinstance(fiches[i], dict) else '?'})")
            created, updated = save_rows(rows, note="Fiche issue des documents sources")
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Pratiques innovantes : {created} créées, {updated} mises à jour, {len(rows) - created - updated} inchangées.")
