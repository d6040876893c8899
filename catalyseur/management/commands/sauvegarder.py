"""``manage.py sauvegarder``: one file holding the database and the uploaded files.

See ``catalyseur/backup.py`` for what the file contains. The path of the file written is
the only line on the standard output; progress goes to the standard error.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalyseur.backup import BackupError, create_backup, default_directory


class Command(BaseCommand):
    help = ("Écrit une sauvegarde cohérente du site (base de données et fichiers déposés) dans un seul fichier "
            "et affiche son chemin.")

    def add_arguments(self, parser):
        parser.add_argument("--dossier", type=Path, default=None,
                            help=f"dossier où écrire la sauvegarde (par défaut : {default_directory()})")

    def handle(self, *args, dossier=None, **options):
        try:
            path = create_backup(dossier, progress=self._progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(f"Sauvegarde écrite ({path.stat().st_size} octets).", style_func=str)
        self.stdout.write(str(path))

    def _progress(self, message: str) -> None:
        self.stderr.write(message, style_func=str)
