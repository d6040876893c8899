"""Backup and restore of a whole Catalyseur site: the database and the uploaded files.

A backup is one file, ``catalyseur-sauvegarde-<date UTC>.tar.gz``, written by
``manage.py sauvegarder`` and read back by ``manage.py restaurer``. It holds:

- ``base/catalyseur.sqlite3`` (SQLite) or ``base/catalyseur.pgdump`` (PostgreSQL, custom
  format of pg_dump): the database, consistent at one instant while the site keeps running
  (SQLite's online backup API; on PostgreSQL one snapshot shared by pg_dump and the row
  counts of the manifest);
- ``media/…``: the uploaded files (``MEDIA_ROOT``), byte for byte;
- ``manifest.json``, last: format, date, project version, database vendor, the applied
  migrations of each app, the row count of each table, the SHA-256 of every other member.

Restoring is all or nothing. The archive is read in full and checked (gzip checksum, every
member against its SHA-256, the manifest) before anything is touched, and refused with a
French message when it is not a Catalyseur backup, is damaged, comes from the other database
vendor, or knows migrations the code does not (a backup made by a newer Catalyseur). Then
the database is replaced in one step (SQLite: the backup API writing into the live database
in a single transaction, so other processes see the old or the new database, never a mix;
PostgreSQL: pg_restore's script applied by psql in a single transaction, tables created
since the backup dropped in the same transaction), then the uploaded files (the directory is
swapped by renames). Last, each table's row count is compared with the manifest.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

FORMAT = "catalyseur-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_NAMES = {"sqlite": "base/catalyseur.sqlite3", "postgresql": "base/catalyseur.pgdump"}
VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 64 * 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or a restore that could not be done; the message is for the operator, in French."""


def _silent(message: str) -> None:
    pass


def default_directory() -> Path:
    return Path(settings.VAR_DIR) / "sauvegardes"


def project_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "inconnue"


def media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root else None


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def _vendor(connection) -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(
            f"Base de données « {connection.vendor} » non prise en charge : "
            "la sauvegarde sait faire SQLite et PostgreSQL."
        )
    return connection.vendor


def _outside_transaction(connection, what: str) -> None:
    if connection.in_atomic_block:
        raise BackupError(f"La {what} ne peut pas se faire au milieu d'une transaction ouverte.")


# --- Backup ---------------------------------------------------------------------------


def create_backup(directory: Path | str | None = None, *, progress: Progress | None = None) -> Path:
    """Write a backup file into ``directory`` (default ``VAR_DIR/sauvegardes``); return its path."""
    progress = progress or _silent
    connection = _connection()
    vendor = _vendor(connection)
    _outside_transaction(connection, "sauvegarde")
    directory = Path(directory) if directory else default_directory()
    root = media_root()
    if root is not None and directory.resolve().is_relative_to(root.resolve()):
        raise BackupError(f"Le dossier des sauvegardes ({directory}) ne peut pas être dans celui des fichiers "
                          f"déposés ({root}) : chaque sauvegarde contiendrait les précédentes.")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Impossible de créer le dossier des sauvegardes {directory} : {error}") from error
    started = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix=".catalyseur-sauvegarde-", dir=directory) as work:
        dump = Path(work) / PurePosixPath(DUMP_NAMES[vendor]).name
        if vendor == "sqlite":
            state = _dump_sqlite(connection, dump, progress)
        else:
            state = _dump_postgresql(connection, dump, progress)
        files = _media_files(progress)
        manifest = {
            "format": FORMAT,
            "version_format": FORMAT_VERSION,
            "date": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "version_catalyseur": project_version(),
            "version_django": django.get_version(),
            "base_de_donnees": {
                "moteur": vendor,
                "fichier": DUMP_NAMES[vendor],
                "octets": dump.stat().st_size,
                "sha256": _sha256(dump),
            },
            "dernieres_migrations": _latest_migrations(state["migrations"]),
            "migrations_appliquees": state["migrations"],
            "lignes": state["counts"],
        }
        target = _free_name(directory, started)
        partial = directory / f".{target.name}.partielle"
        try:
            progress(f"Écriture de l'archive ({len(files)} fichier(s) déposé(s))…")
            manifest["fichiers"] = _write_archive(partial, manifest, dump, files)
            progress("Relecture de l'archive…")
            _scan_archive(partial, None)
            os.replace(partial, target)
        except OSError as error:
            raise BackupError(f"Écriture de la sauvegarde impossible dans {directory} : {error}") from error
        finally:
            partial.unlink(missing_ok=True)
    return target


def _free_name(directory: Path, when: datetime) -> Path:
    stem = f"catalyseur-sauvegarde-{when.strftime('%Y%m%dT%H%M%SZ')}"
    target, n = directory / f"{stem}.tar.gz", 1
    while target.exists():
        n += 1
        target = directory / f"{stem}-{n}.tar.gz"
    return target


def _dump_sqlite(connection, dump: Path, progress: Progress) -> dict:
    progress("Copie de la base SQLite (sauvegarde en ligne)…")
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        # One step: the whole database is read under one read lock, hence one instant.
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
    except sqlite3.Error as error:
        raise BackupError(f"La copie de la base SQLite a échoué : {error}") from error
    finally:
        target.close()
    progress("Vérification de la copie et comptage des lignes…")
    return _sqlite_state(dump)


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_state(path: Path) -> dict:
    source = _read_only(path)
    try:
        check = source.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            raise BackupError(f"La base SQLite est endommagée : {check[:5]}")
        tables = [row[0] for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")]
        counts = {table: source.execute(f"SELECT COUNT(*) FROM {_sqlite_quote(table)}").fetchone()[0] for table in tables}
        applied = source.execute("SELECT app, name FROM django_migrations").fetchall() if "django_migrations" in counts else []
    except sqlite3.Error as error:
        raise BackupError(f"La base SQLite est illisible : {error}") from error
    finally:
        source.close()
    return {"counts": counts, "migrations": _by_app(applied)}


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _by_app(rows) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _dump_postgresql(connection, dump: Path, progress: Progress) -> dict:
    pg_dump = pg_tool("pg_dump")
    env = _pg_env(connection.settings_dict)
    # A separate connection holds one snapshot, shared by pg_dump and the counts below.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        cursor = raw.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        progress("Export de la base PostgreSQL (pg_dump)…")
        _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}"], env, "pg_dump")
        progress("Comptage des lignes…")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        applied = []
        if "django_migrations" in counts:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = cursor.fetchall()
        raw.rollback()
    except connection.Database.Error as error:
        raise BackupError(f"Lecture de la base PostgreSQL impossible : {error}") from error
    finally:
        raw.close()
    return {"counts": counts, "migrations": _by_app(applied)}


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a French error saying how to install it."""
    advice = (f"La commande {name} est introuvable : installez le client PostgreSQL "
              "(paquet Debian postgresql-client : apt-get install postgresql-client).")
    path = shutil.which(name)
    if path is None:
        raise BackupError(advice)
    try:
        # Debian's wrapper in /usr/bin exists even when no client version is installed.
        subprocess.run([path, "--version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        raise BackupError(f"{advice} ({error})") from error
    return path


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """libpq's environment for the configured database: the password travels here, never
    on a command line (where every user of the machine could read it)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE"),
                     ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str], what: str, *, unchanged: bool = False) -> None:
    outcome = " ; rien n'a été changé" if unchanged else ""
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, errors="replace")
    except OSError as error:
        raise BackupError(f"{what} n'a pas pu être lancé{outcome} : {error}") from error
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-3000:]
        raise BackupError(f"{what} a échoué (code {result.returncode}){outcome} : {detail}")


def _latest_migrations(applied: dict[str, list[str]]) -> dict[str, list[str]]:
    """For each app, its applied migrations that no other applied one of the app follows."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    latest = {}
    for app, names in applied.items():
        followed = set()
        for name in names:
            node = graph.node_map.get((app, name))
            if node is not None:
                followed.update(parent.key[1] for parent in node.parents if parent.key[0] == app)
        latest[app] = sorted(set(names) - followed)
    return latest


def _media_files(progress: Progress) -> list[tuple[str, Path]]:
    root = media_root()
    if root is None or not root.is_dir():
        return []
    progress(f"Inventaire des fichiers déposés ({root})…")
    files = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                progress(f"Ignoré (lien ou fichier spécial) : {path}")
                continue
            files.append((path.relative_to(root).as_posix(), path))
    return files


class _Hashing:
    """A file being read, whose SHA-256 is computed on the bytes actually read."""

    def __init__(self, file):
        self.file, self.hash = file, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.hash.update(data)
        return data


def _write_archive(partial: Path, manifest: dict, dump: Path, files: list[tuple[str, Path]]) -> dict:
    """Write the archive, the manifest last (it holds the SHA-256 of the files as archived,
    so a file changing during the backup cannot leave a manifest that disagrees)."""
    listing = {"nombre": 0, "octets": 0, "empreintes": {}}
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data inside
    with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
        tar.add(dump, arcname=manifest["base_de_donnees"]["fichier"], recursive=False, filter=_anonymous)
        for relative, path in files:
            try:
                with open(path, "rb") as source:
                    info = tar.gettarinfo(arcname=f"{MEDIA_DIR}/{relative}", fileobj=source)
                    _anonymous(info)
                    reader = _Hashing(source)
                    tar.addfile(info, reader)
            except FileNotFoundError:
                continue  # deleted since the inventory: it is not part of this instant
            except OSError as error:
                raise BackupError(f"Le fichier déposé {path} n'a pas pu être archivé (modifié pendant la "
                                  f"sauvegarde ?) : {error}. Relancez la sauvegarde.") from error
            listing["empreintes"][relative] = reader.hash.hexdigest()
            listing["nombre"] += 1
            listing["octets"] += info.size
        manifest["fichiers"] = listing
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(datetime.now(timezone.utc).timestamp()), 0o600
        tar.addfile(info, _BytesReader(data))
    return listing


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size is None or size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset:end], min(end, len(self.data))
        return chunk


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- Reading and checking a backup ----------------------------------------------------


def _not_a_backup(path: Path, why: str) -> BackupError:
    return BackupError(f"« {path} » n'est pas une sauvegarde Catalyseur ({why}). Rien n'a été changé.")


def _corrupt(path: Path, why: str) -> BackupError:
    return BackupError(f"La sauvegarde « {path} » est corrompue ({why}). Rien n'a été changé.")


def _member_allowed(name: str) -> bool:
    if name == MANIFEST or name in DUMP_NAMES.values():
        return True
    parts = PurePosixPath(name).parts
    return (len(parts) >= 2 and parts[0] == MEDIA_DIR and not name.startswith("/")
            and all(part not in ("", ".", "..") for part in parts) and "\\" not in name)


def _scan_archive(path: Path | str, destination: Path | None) -> dict:
    """Read the whole archive, check it, return its manifest; with ``destination``, extract
    its members there. Raises BackupError when it is not a sound Catalyseur backup."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Fichier introuvable : {path}. Rien n'a été changé.")
    try:
        with open(path, "rb") as file:
            magic = file.read(2)
    except OSError as error:
        raise BackupError(f"Lecture impossible de {path} : {error}. Rien n'a été changé.") from error
    if magic != b"\x1f\x8b":
        raise _not_a_backup(path, "ce n'est pas une archive .tar.gz")
    # The whole gzip stream first: its checksum and length are at the very end.
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(CHUNK):
                pass
    except (OSError, EOFError, zlib.error) as error:
        raise _corrupt(path, f"archive gzip illisible ou tronquée : {error}") from error

    hashes: dict[str, str] = {}
    manifest_bytes = None
    try:
        tar = tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise _not_a_backup(path, "ce n'est pas une archive tar") from error
    with tar:
        try:
            for member in tar:
                name = member.name
                if member.isdir() and (name.rstrip("/") == MEDIA_DIR or _member_allowed(name.rstrip("/"))):
                    continue
                if not member.isfile() or not _member_allowed(name):
                    raise _not_a_backup(path, f"entrée inattendue « {name} »")
                if name in hashes or (name == MANIFEST and manifest_bytes is not None):
                    raise _corrupt(path, f"entrée en double « {name} »")
                source = tar.extractfile(member)
                if name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise _corrupt(path, "manifeste démesuré")
                    manifest_bytes = source.read()
                    continue
                hashes[name] = _copy_member(source, destination / name if destination else None)
        except BackupError:
            raise
        except (tarfile.TarError, EOFError, zlib.error) as error:
            raise _corrupt(path, f"archive tar illisible : {error}") from error

    if manifest_bytes is None:
        raise _not_a_backup(path, f"pas de {MANIFEST} dans l'archive")
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _corrupt(path, f"manifeste illisible : {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _not_a_backup(path, "son manifeste n'est pas celui d'une sauvegarde Catalyseur")
    version = manifest.get("version_format")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"La sauvegarde « {path} » est au format {version}, plus récent que celui que ce code sait lire "
            f"({FORMAT_VERSION}) : restaurez-la avec une version plus récente de Catalyseur. Rien n'a été changé."
        )
    try:
        database = manifest["base_de_donnees"]
        expected = {database["fichier"]: database["sha256"]}
        for relative, digest in manifest["fichiers"]["empreintes"].items():
            expected[f"{MEDIA_DIR}/{relative}"] = digest
        if not all(isinstance(count, int) for count in manifest["lignes"].values()):
            raise TypeError("lignes")
        if not all(isinstance(name, str) for names in manifest["migrations_appliquees"].values() for name in names):
            raise TypeError("migrations_appliquees")
        if database["moteur"] not in DUMP_NAMES or database["fichier"] != DUMP_NAMES[database["moteur"]]:
            raise ValueError(database["moteur"])
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise _corrupt(path, f"manifeste incomplet : {error!r}") from error
    missing = sorted(set(expected) - set(hashes))
    if missing:
        raise _corrupt(path, f"{len(missing)} entrée(s) manquante(s), dont « {missing[0]} »")
    extra = sorted(set(hashes) - set(expected))
    if extra:
        raise _corrupt(path, f"{len(extra)} entrée(s) absente(s) du manifeste, dont « {extra[0]} »")
    for name, digest in expected.items():
        if hashes[name] != digest:
            raise _corrupt(path, f"le contenu de « {name} » ne correspond pas à son empreinte")
    return manifest


def _copy_member(source, target: Path | None) -> str:
    digest = hashlib.sha256()
    out = None
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            out = open(target, "wb")
        except OSError as error:
            raise BackupError(f"Extraction impossible vers {target} : {error}. Rien n'a été changé.") from error
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            if out is not None:
                try:
                    out.write(chunk)
                except OSError as error:
                    raise BackupError(f"Extraction impossible vers {target} : {error}. Rien n'a été changé.") from error
    finally:
        if out is not None:
            out.close()
    return digest.hexdigest()


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(tuple(key) for key in migration.replaces)
    return known


def migrations_ahead(manifest: dict) -> list[str]:
    """The migrations applied in the backup that this code does not know."""
    known = _known_migrations()
    return [f"{app}.{name}" for app, names in sorted(manifest["migrations_appliquees"].items())
            for name in names if (app, name) not in known]


def _check_restorable(manifest: dict, connection, path: Path) -> None:
    vendor = _vendor(connection)
    source = manifest["base_de_donnees"]["moteur"]
    if source != vendor:
        raise BackupError(
            f"La sauvegarde « {path} » vient d'une base {VENDOR_LABELS[source]}, or ce site utilise "
            f"{VENDOR_LABELS[vendor]} : on ne restaure pas une base dans l'autre moteur. Rien n'a été changé."
        )
    ahead = migrations_ahead(manifest)
    if ahead:
        listed = ", ".join(ahead[:5]) + (" …" if len(ahead) > 5 else "")
        raise BackupError(
            f"La sauvegarde « {path} » a été faite par une version plus récente de Catalyseur : "
            f"{len(ahead)} migration(s) que ce code ne connaît pas ({listed}). Mettez d'abord le code à jour "
            "(version " + str(manifest.get("version_catalyseur", "?")) + "), puis restaurez. Rien n'a été changé."
        )
    if manifest["fichiers"]["empreintes"] and media_root() is None:
        raise BackupError("La sauvegarde contient des fichiers déposés mais MEDIA_ROOT n'est pas configuré. "
                          "Rien n'a été changé.")
    _outside_transaction(connection, "restauration")


def _work_parent() -> Path | None:
    """Extract next to MEDIA_ROOT, so that the files are swapped in by a rename."""
    root = media_root()
    if root is None:
        return None
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root.parent if os.access(root.parent, os.W_OK) else None


def describe_target(connection=None) -> str:
    connection = connection or _connection()
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"PostgreSQL, base « {params.get('NAME')} » sur {params.get('HOST') or 'la socket locale'}"
    return f"SQLite, {params.get('NAME')}"


@dataclass
class RestoreReport:
    manifest: dict
    tables: int = 0
    rows: int = 0
    files: int = 0
    mismatches: list[tuple[str, int, int | None]] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"Base restaurée : {self.tables} tables, {self.rows} lignes (sauvegarde du {self.manifest.get('date', '?')}).",
            f"Fichiers déposés restaurés : {self.files}.",
        ]
        if self.mismatches:
            out.append(f"Comptes de lignes DIFFÉRENTS du manifeste pour {len(self.mismatches)} table(s) :")
            for table, expected, found in self.mismatches:
                found_text = "table absente" if found is None else f"{found} lignes"
                out.append(f"  {table} : {expected} attendues, {found_text}")
        else:
            out.append(f"Comptes de lignes vérifiés : les {self.tables} tables ont le nombre de lignes du manifeste.")
        if self.pending_migrations:
            out.append(f"La base restaurée précède le code de {len(self.pending_migrations)} migration(s) : "
                       "lancez « manage.py migrate ».")
        return out


@dataclass
class OpenedBackup:
    """A backup read in full and checked, its members extracted in a temporary directory."""

    path: Path
    manifest: dict
    work: Path

    def summary(self) -> list[str]:
        manifest = self.manifest
        files = manifest["fichiers"]
        return [
            f"Sauvegarde : {self.path}",
            f"Faite le {manifest.get('date', '?')} par Catalyseur {manifest.get('version_catalyseur', '?')}, "
            f"base {VENDOR_LABELS[manifest['base_de_donnees']['moteur']]}.",
            f"Contenu : {len(manifest['lignes'])} tables, {sum(manifest['lignes'].values())} lignes ; "
            f"{len(files['empreintes'])} fichier(s) déposé(s) ({files.get('octets', '?')} octets).",
            f"Base à remplacer : {describe_target()}.",
            f"Fichiers déposés à remplacer : {media_root() or '(MEDIA_ROOT non configuré)'}.",
        ]

    def restore(self, *, progress: Progress | None = None) -> RestoreReport:
        progress = progress or _silent
        connection = _connection()
        _check_restorable(self.manifest, connection, self.path)
        dump = self.work / self.manifest["base_de_donnees"]["fichier"]
        progress("Restauration de la base de données…")
        if connection.vendor == "sqlite":
            _restore_sqlite(connection, dump)
        else:
            _restore_postgresql(connection, dump, self.manifest, self.work)
        _forget_caches()
        progress("Restauration des fichiers déposés…")
        files = _restore_media(self.work / MEDIA_DIR, self.manifest)
        progress("Vérification des comptes de lignes…")
        report = RestoreReport(self.manifest, tables=len(self.manifest["lignes"]),
                               rows=sum(self.manifest["lignes"].values()), files=files)
        report.mismatches = _compare_counts(connection, self.manifest["lignes"])
        report.pending_migrations = _pending_migrations(connection)
        return report


@contextmanager
def open_backup(path: Path | str, *, progress: Progress | None = None) -> Iterator[OpenedBackup]:
    """Read and check a backup (nothing is changed); restore it with ``.restore()``."""
    progress = progress or _silent
    path = Path(path)
    connection = _connection()
    with tempfile.TemporaryDirectory(prefix=".catalyseur-restauration-", dir=_work_parent()) as work:
        progress(f"Lecture et vérification de {path}…")
        manifest = _scan_archive(path, Path(work))
        _check_restorable(manifest, connection, path)
        yield OpenedBackup(path=path, manifest=manifest, work=Path(work))


def restore_backup(path: Path | str, *, progress: Progress | None = None) -> RestoreReport:
    with open_backup(path, progress=progress) as opened:
        return opened.restore(progress=progress)


# --- Restoring ------------------------------------------------------------------------


def _restore_sqlite(connection, dump: Path) -> None:
    source = _read_only(dump)
    try:
        if source.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            raise BackupError("La base SQLite de la sauvegarde est endommagée. Rien n'a été changé.")
        connection.ensure_connection()
        # One step of the backup API: the live database is rewritten in one write
        # transaction, rolled back on any error; other connections wait, then see it whole.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(f"La restauration de la base SQLite a échoué, rien n'a été changé : {error}") from error
    finally:
        source.close()


def _restore_postgresql(connection, dump: Path, manifest: dict, work: Path) -> None:
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    env = _pg_env(connection.settings_dict)
    script = work / "restauration.sql"
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", f"--file={script}", str(dump)], env, "pg_restore",
         unchanged=True)
    # Tables created since the backup (by a newer migration) are not in the dump: drop them
    # in the same transaction, or a later ``migrate`` would find them in its way.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_schema(), c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND NOT EXISTS ("
            "  SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
        )
        live = cursor.fetchall()
    quote = connection.ops.quote_name
    preamble = work / "avant-restauration.sql"
    preamble.write_text("".join(f"DROP TABLE IF EXISTS {quote(schema)}.{quote(table)} CASCADE;\n"
                                for schema, table in live if table not in manifest["lignes"]), encoding="utf-8")
    connection.close()  # nothing of ours holds a lock on the tables being replaced
    _run([psql, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", "--single-transaction",
          f"--file={preamble}", f"--file={script}"], env, "La restauration PostgreSQL (psql)", unchanged=True)


def _restore_media(staged: Path, manifest: dict) -> int:
    root = media_root()
    if root is None:
        return 0
    count = len(manifest["fichiers"]["empreintes"])
    if not count and not root.exists():
        return 0
    staged.mkdir(parents=True, exist_ok=True)
    if root.is_symlink() or os.path.ismount(root):
        _replace_contents(root.resolve(), staged)  # keep the link or the mount, replace what is inside
        return count
    try:
        if root.exists():
            previous = root.with_name(f".{root.name}-avant-restauration-{os.getpid()}")
            shutil.rmtree(previous, ignore_errors=True)
            os.replace(root, previous)
            try:
                os.replace(staged, root)
            except OSError:
                os.replace(previous, root)
                raise
            shutil.rmtree(previous, ignore_errors=True)
        else:
            root.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged), str(root))
    except OSError:
        # MEDIA_ROOT on another file system or a mount point: replace its contents instead.
        _replace_contents(root, staged)
    return count


def _replace_contents(root: Path, staged: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in staged.iterdir():
            shutil.move(str(child), str(root / child.name))
    except OSError as error:
        raise BackupError(f"La base est restaurée, mais pas tous les fichiers déposés ({root}) : {error}") from error


def _compare_counts(connection, expected: dict[str, int]) -> list[tuple[str, int, int | None]]:
    mismatches = []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table, count in sorted(expected.items()):
            if table not in existing:
                mismatches.append((table, count, None))
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            found = cursor.fetchone()[0]
            if found != count:
                mismatches.append((table, count, found))
    return mismatches


def _pending_migrations(connection) -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _forget_caches() -> None:
    from django.apps import apps

    if apps.is_installed("django.contrib.contenttypes"):
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
