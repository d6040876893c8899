"""``manage.py restaurer FICHIER``: put back a backup written by ``manage.py sauvegarder``.

The file is read in full and checked before anything changes; then the database and the
uploaded files are replaced, and each table's row count is compared with the backup's
manifest. Asks for confirmation unless ``--oui`` (or ``--noinput``) is given.
"""

from django.core.management.base import BaseCommand, CommandError

from catalyseur.backup import BackupError, open_backup


class Command(BaseCommand):
    help = ("Restaure une sauvegarde écrite par « manage.py sauvegarder » : remplace la base de données "
            "et les fichiers déposés.")

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="le fichier de sauvegarde (.tar.gz)")
        parser.add_argument("--oui", "--noinput", "--no-input", action="store_true", dest="oui",
                            help="restaurer sans demander de confirmation")

    def handle(self, *args, fichier, oui=False, **options):
        try:
            with open_backup(fichier, progress=self._progress) as backup:
                for line in backup.summary():
                    self.stdout.write(line)
                if not oui and not self._confirmed():
                    raise CommandError("Restauration annulée : rien n'a été changé.")
                report = backup.restore(progress=self._progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
        if report.mismatches:
            raise CommandError("La restauration est faite, mais des comptes de lignes diffèrent du manifeste "
                               "(voir ci-dessus).")
        self.stdout.write(self.style.SUCCESS("Restauration terminée."))

    def _confirmed(self) -> bool:
        self.stdout.write("La base de données et les fichiers déposés actuels seront REMPLACÉS par cette sauvegarde.")
        try:
            answer = input("Tapez « oui » pour restaurer : ")
        except (EOFError, OSError) as error:
            self.stdout.write("")
            raise CommandError("Pas de réponse possible (aucun terminal) : relancez avec --oui pour restaurer "
                               "sans confirmation. Rien n'a été changé.") from error
        return answer.strip().lower() in {"oui", "o"}

    def _progress(self, message: str) -> None:
        self.stderr.write(message, style_func=str)
