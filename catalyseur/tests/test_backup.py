"""Backup and restore (``catalyseur/backup.py``, ``manage.py sauvegarder`` / ``restaurer``).

The round trip populates a site, backs it up, changes and deletes data and files, restores,
and compares every table with the state before: every model of every installed app (the
rows as tuples of all concrete fields), and every table of the database read with
``SELECT *`` (the full-text tables are not models), the sequences, and the uploaded files.
Each refusal is checked to leave the database and the files exactly as they were.

A restore replaces the whole database: these tests need real commits, hence transactional
tests (the test database is flushed after each one). The backup works on the test
database through Django's own connection, so it does not matter that pytest-django keeps
the SQLite test database in memory.
"""

import gzip
import io
import json
import tarfile
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from catalyseur import backup
from catalyseur.backup import BackupError

pytestmark = pytest.mark.django_db(transaction=True)

LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
MINUTES = b"%PDF-1.4\nCompte rendu de la rencontre des partenaires, \xc3\xa9t\xc3\xa9 2025.\n"


# --- What is compared ----------------------------------------------------------------


def _frozen(value):
    """A hashable form of a value read from the database (JSON comes back as dicts and lists)."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def every_model() -> dict[str, Counter]:
    """Every model of every installed app (with the automatic many-to-many tables): the
    multiset of its rows, each the tuple of all its concrete fields' values."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy:
            continue
        fields = [field.attname for field in model._meta.concrete_fields]
        state[model._meta.label] = Counter(_frozen(row) for row in model._base_manager.values_list(*fields))
    state["django_migrations"] = Counter(MigrationRecorder.Migration.objects.values_list("app", "name", "applied"))
    return state


def every_table() -> dict[str, Counter]:
    """Every table of the database, models or not, read with SELECT *; and the sequences
    (the next identifiers must not collide with restored rows)."""
    state = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            state[table] = Counter(_frozen(tuple(row)) for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
        else:
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")
        state["(sequences)"] = Counter(cursor.fetchall())
    return state


def uploaded_files(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def state(root: Path) -> tuple:
    return every_model(), every_table(), uploaded_files(root)


def differing(before: dict, after: dict) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


# --- A populated site ------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def terms(transactional_db):
    from taxonomy.terms import load_terms

    load_terms(apps)  # a transactional test before this one may have flushed what the migrations seeded


@pytest.fixture
def site(terms, fiches, member, editor, media_root):
    """Territories, three fiches, accounts, organisations, a partnership, a catalyst, a
    project territory, a claim, and two uploaded files."""
    from actors.models import (
        Catalyst, CatalystMetier, Claim, Kind, Membership, MembershipRole, Organization, Partnership,
        PartnershipMember, PartnershipStatus,
    )
    from actors.workflow import locate_partnership
    from taxonomy.models import Domain, Metier, Objective, PartnershipType
    from territories.centres import import_commune_centres
    from territories.models import Level, Territory
    from territories.projects import save_project

    import_commune_centres()
    charenton = Territory.objects.get(level=Level.COMMUNE, code="94018")
    saint_maurice = Territory.objects.get(level=Level.COMMUNE, code="94069")
    jardins = Organization.objects.create(
        slug="jardins", name="Jardins du Bras-du-Chapitre", kind=Kind.ASSOCIATION, rna="W941001234",
        commune=charenton, description="Des parcelles cultivées « ensemble », au bord de l'eau — été comme hiver.")
    jardins.domains.set(Domain.objects.filter(code__in=["cohesion_sociale", "isolement"]))
    jardins.action_territories.set([charenton, saint_maurice])
    boulangerie = Organization.objects.create(
        slug="boulangerie", name="Boulangerie du Pont", kind=Kind.ENTREPRISE, size="tpe", siret="44306184100047",
        commune=saint_maurice, latitude=48.8189, longitude=2.4392)
    mairie = Organization.objects.create(slug="mairie", name="Ville de Charenton-le-Pont", kind=Kind.COLLECTIVITE,
                                         commune=charenton)
    Membership.objects.create(user=member, organization=jardins, role=MembershipRole.MANAGER)
    Claim.objects.create(user=editor, organization=boulangerie, message="C'est mon entreprise.")

    partnership = Partnership.objects.create(
        title="Jardins et entreprises du quartier", type=PartnershipType.objects.get(code="pratiques_responsables"),
        territory=charenton, status=PartnershipStatus.ACTIVE, proposed_by=member,
        case_study_id=backup_fiche_id(), start_date=timezone.localdate())
    partnership.domains.set(Domain.objects.filter(code="cohesion_sociale"))
    for organization, objectives in ((jardins, ["parties_prenantes"]), (boulangerie, ["parties_prenantes", "innovation"]),
                                     (mairie, [])):
        row = PartnershipMember.objects.create(partnership=partnership, organization=organization,
                                               confirmed_at=timezone.now(), confirmed_by=member)
        row.objectives.set(Objective.objects.filter(code__in=objectives))
    locate_partnership(partnership)
    partnership.save(update_fields=["departement", "region"])

    catalyst = Catalyst.objects.create(slug="claire", name="Claire Dumont", profile="collectivite", consent_public=True,
                                       consent_at=timezone.now(), structure=mairie, territory=charenton, user=member)
    CatalystMetier.objects.create(catalyst=catalyst, metier=Metier.objects.get(code="dialogue_territorial"),
                                  activities=["connaissance_territoire", "mise_en_relation"])
    save_project(owner=member, name="Boucle de la Marne", description="Deux communes au bord de la Marne.",
                 is_private=False, commune_ids=[charenton.pk, saint_maurice.pk])

    default_storage.save("organisations/jardins/logo.png", ContentFile(LOGO))
    default_storage.save("documents/compte-rendu été.pdf", ContentFile(MINUTES))
    return media_root


def backup_fiche_id() -> int:
    from practices.models import CaseStudy

    return CaseStudy.objects.get(slug="silver").pk


def search(client, text: str) -> list[str]:
    return [hit["id"] for hit in client.get("/api/practices", {"q": text}).json()["results"]]


# --- The round trip ------------------------------------------------------------------


def test_a_populated_site_round_trips_through_backup_and_restore(site, client, tmp_path):
    from actors.models import Kind, Organization, Partnership
    from practices.importer import clean_rows, save_rows
    from practices.tests.sample_fiches import FICHES

    assert search(client, "tablettes") == ["silver"]
    before = state(site)
    assert sum(map(len, before[0].values())) > 100  # a real site, not an empty one
    assert len(before[2]) == 2

    out, err = io.StringIO(), io.StringIO()
    call_command("sauvegarder", dossier=tmp_path / "sauvegardes", stdout=out, stderr=err)
    path = Path(out.getvalue().strip())
    assert path.parent == tmp_path / "sauvegardes" and path.name.startswith("catalyseur-sauvegarde-")
    assert path.name.endswith(".tar.gz") and path.is_file()
    assert (path.stat().st_mode & 0o777) == 0o600  # password hashes and personal data inside
    assert "Écriture de l'archive" in err.getvalue()
    assert state(site) == before  # backing up changes nothing

    # Change and delete: accounts, fiches (and their full-text index), organisations, files.
    from accounts.models import User

    User.objects.filter(email="membre@example.org").update(display_name="Nom changé après la sauvegarde")
    User.objects.create_user(email="nouvelle@example.org", password="un mot de passe solide")
    save_rows(clean_rows([{**FICHES[0], "title": "Un titre changé après la sauvegarde"}]))
    Partnership.objects.all().delete()
    Organization.objects.filter(slug="mairie").delete()
    Organization.objects.create(slug="nouvelle", name="Créée après la sauvegarde", kind=Kind.FONDATION)
    (site / "organisations" / "jardins" / "logo.png").write_bytes(b"un autre logo")
    (site / "documents" / "compte-rendu été.pdf").unlink()
    default_storage.save("nouveau/apres.txt", ContentFile(b"venu apres"))
    changed = state(site)
    assert search(client, "tablettes") == []
    for name in ("accounts.User", "practices.CaseStudy", "actors.Organization", "actors.Partnership",
                 "actors.PartnershipMember", "search.IndexVersion"):
        assert changed[0][name] != before[0][name], name
    assert "search_practices" in differing(before[1], changed[1])
    assert changed[2] != before[2]

    out, err = io.StringIO(), io.StringIO()
    call_command("restaurer", str(path), oui=True, stdout=out, stderr=err)
    report = out.getvalue()
    assert "Restauration terminée." in report
    assert "Comptes de lignes vérifiés" in report and "Fichiers déposés restaurés : 2." in report
    assert "Restauration de la base de données…" in err.getvalue()

    after = state(site)
    assert differing(before[0], after[0]) == set()
    assert differing(before[1], after[1]) == set()
    assert after == before
    assert after[2] == {"organisations/jardins/logo.png": LOGO, "documents/compte-rendu été.pdf": MINUTES}
    # The restored site works: the full-text index answers, new rows get fresh identifiers.
    assert search(client, "tablettes") == ["silver"]
    assert Organization.objects.create(slug="apres", name="Après la restauration", kind=Kind.FONDATION).pk
    assert not list(site.parent.glob(".catalyseur-restauration-*")) and not list(site.parent.glob(".media-*"))


def test_the_manifest_describes_the_backup(site, tmp_path):
    from actors.models import Organization

    path = backup.create_backup(tmp_path)
    with tarfile.open(path, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[-1] == "manifest.json"
    assert f"base/catalyseur.{'sqlite3' if connection.vendor == 'sqlite' else 'pgdump'}" in names
    assert {"media/organisations/jardins/logo.png", "media/documents/compte-rendu été.pdf"} <= set(names)
    assert manifest["format"] == "catalyseur-sauvegarde" and manifest["version_format"] == 1
    assert manifest["base_de_donnees"]["moteur"] == connection.vendor
    assert manifest["version_catalyseur"] == "0.1.0"
    assert manifest["date"].endswith("Z")
    assert manifest["lignes"]["actors_organization"] == Organization.objects.count() == 3
    assert manifest["lignes"]["django_migrations"] == MigrationRecorder.Migration.objects.count()
    latest = MigrationRecorder.Migration.objects.filter(app="actors").order_by("-name").first().name
    assert manifest["dernieres_migrations"]["actors"] == [latest]
    assert latest in manifest["migrations_appliquees"]["actors"]
    assert manifest["fichiers"]["nombre"] == 2 and manifest["fichiers"]["octets"] == len(LOGO) + len(MINUTES)


def test_backups_made_the_same_second_do_not_overwrite_each_other(terms, media_root, tmp_path):
    first, second = backup.create_backup(tmp_path), backup.create_backup(tmp_path)
    assert first != second and first.is_file() and second.is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial file or work directory left


def test_backups_are_not_written_among_the_uploaded_files(terms, media_root):
    with pytest.raises(BackupError, match="ne peut pas être dans celui des fichiers déposés"):
        backup.create_backup(media_root / "sauvegardes")


# --- Refusals: each leaves the database and the files as they were ---------------------


@pytest.fixture
def backed_up(terms, member, media_root, tmp_path):
    """A backup of a small site; then the site changes, so that a wrongful restore shows."""
    from actors.models import Kind, Organization

    Organization.objects.create(slug="jardins", name="Jardins du Bras-du-Chapitre", kind=Kind.ASSOCIATION)
    default_storage.save("logo.png", ContentFile(LOGO))
    path = backup.create_backup(tmp_path / "sauvegardes")
    member.display_name = "Changé après la sauvegarde"
    member.save()
    Organization.objects.filter(slug="jardins").delete()
    default_storage.save("apres.txt", ContentFile(b"venu apres"))
    return path


def refused(path, media_root: Path, message: str) -> None:
    """Restoring ``path`` fails with ``message``, by the command as by the function, and changes nothing."""
    before = state(media_root)
    with pytest.raises(BackupError, match=message):
        backup.restore_backup(path)
    with pytest.raises(CommandError, match=message):
        call_command("restaurer", str(path), oui=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert state(media_root) == before
    assert not list(media_root.parent.glob(".catalyseur-restauration-*"))


def rewritten(path: Path, target: Path, change, *, rename=None) -> Path:
    """A copy of a backup whose manifest went through ``change`` (and members through ``rename``)."""
    with tarfile.open(path, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            elif rename:
                member.name = rename(member.name)
            copy.addfile(member, io.BytesIO(data))
    return target


def test_a_file_that_is_not_a_backup_is_refused(backed_up, media_root, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("Ceci n'est pas une sauvegarde.")
    refused(text, media_root, "n'est pas une sauvegarde Catalyseur")

    other = tmp_path / "autre.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        info = tarfile.TarInfo("photo.jpg")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"abc"))
    refused(other, media_root, "n'est pas une sauvegarde Catalyseur")

    plain_gzip = tmp_path / "donnees.json.gz"
    plain_gzip.write_bytes(gzip.compress(b'{"format": "autre chose"}' * 100))
    refused(plain_gzip, media_root, "n'est pas une sauvegarde Catalyseur")

    refused(tmp_path / "absente.tar.gz", media_root, "Fichier introuvable")


def test_a_corrupt_backup_is_refused(backed_up, media_root, tmp_path):
    data = backed_up.read_bytes()
    truncated = tmp_path / "tronquee.tar.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    refused(truncated, media_root, "corrompue")

    damaged = bytearray(data)
    for offset in range(len(data) // 2, len(data) // 2 + 16):
        damaged[offset] ^= 0xFF
    altered = tmp_path / "abimee.tar.gz"
    altered.write_bytes(bytes(damaged))
    refused(altered, media_root, "corrompue")

    def wrong_digest(manifest):
        manifest["fichiers"]["empreintes"]["logo.png"] = "0" * 64

    refused(rewritten(backed_up, tmp_path / "empreinte.tar.gz", wrong_digest), media_root, "corrompue")


def test_a_backup_from_the_other_database_vendor_is_refused(backed_up, media_root, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def from_other_vendor(manifest):
        manifest["base_de_donnees"].update(moteur=other, fichier=backup.DUMP_NAMES[other])

    def dump_renamed(name):
        return backup.DUMP_NAMES[other] if name.startswith("base/") else name

    path = rewritten(backed_up, tmp_path / "autre-moteur.tar.gz", from_other_vendor, rename=dump_renamed)
    refused(path, media_root, "vient d'une base")


def test_a_backup_whose_migrations_are_ahead_of_the_code_is_refused(terms, member, media_root, tmp_path):
    from actors.models import Kind, Organization

    Organization.objects.create(slug="jardins", name="Jardins du Bras-du-Chapitre", kind=Kind.ASSOCIATION)
    future = MigrationRecorder.Migration.objects.create(app="actors", name="9999_une_migration_de_demain")
    path = backup.create_backup(tmp_path / "sauvegardes")
    future.delete()
    Organization.objects.filter(slug="jardins").delete()
    refused(path, media_root, "version plus récente de Catalyseur.*actors.9999_une_migration_de_demain")


def test_a_declined_confirmation_changes_nothing(backed_up, media_root, monkeypatch):
    before = state(media_root)
    monkeypatch.setattr("builtins.input", lambda prompt: "non")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Restauration annulée"):
        call_command("restaurer", str(backed_up), stdout=out, stderr=io.StringIO())
    assert "seront REMPLACÉS" in out.getvalue() and "Contenu :" in out.getvalue()
    assert state(media_root) == before

    monkeypatch.setattr("builtins.input", lambda prompt: "oui")
    call_command("restaurer", str(backed_up), stdout=io.StringIO(), stderr=io.StringIO())
    assert state(media_root) != before
    assert uploaded_files(media_root) == {"logo.png": LOGO}


def test_restoring_inside_a_transaction_is_refused(backed_up, media_root):
    before = state(media_root)
    with transaction.atomic():
        with pytest.raises(BackupError, match="transaction"):
            backup.restore_backup(backed_up)
    assert state(media_root) == before


def test_missing_postgresql_client_programs_are_named_with_their_debian_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    for program in ("pg_dump", "pg_restore", "psql"):
        with pytest.raises(BackupError, match=f"{program} est introuvable.*postgresql-client"):
            backup.pg_tool(program)


def test_postgresql_restore_is_all_or_nothing(backed_up, media_root):
    """A restore that fails half-way (a view the backup does not know depends on a table it
    replaces) is rolled back entirely."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL seulement (sur SQLite, la copie en une étape est annulée par SQLite lui-même)")
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW vue_hors_sauvegarde AS SELECT * FROM actors_organization")
    before = state(media_root)
    with pytest.raises(BackupError, match="rien n'a été changé"):
        backup.restore_backup(backed_up)
    assert state(media_root) == before
    with connection.cursor() as cursor:
        cursor.execute("DROP VIEW vue_hors_sauvegarde")
