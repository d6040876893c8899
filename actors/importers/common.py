"""What the register importers (RNA, SIRENE) share: reading a CSV file as a stream,
checking it, writing it in batches, and the report.

Contract (the one of ``territories/importer.py``, for a register file)
=====================================================================

* **Streamed.** The file is read line by line through the ``csv`` module, twice; only one
  batch of rows (``BATCH_SIZE``) is held at a time, whatever the size of the file.
* **A malformed file is refused whole.** Missing columns, a wrong separator, bytes that
  are not in the expected encoding or broken quoting raise ``ImportRefused`` naming the
  file, the line and the column; nothing is written.
* **Every row checked before anything is written.** Pass 1 checks every row (identifiers,
  codes, dates…) and keeps the first ``MAX_KEPT_PROBLEMS`` problems and the count. Any bad
  row refuses the import (each problem cited with its line and column), unless
  ``ignore_invalid_rows`` is set: bad rows are then skipped and reported.
* **One transaction.** Pass 2 writes everything inside one ``transaction.atomic()``, with
  ``bulk_create`` / ``bulk_update`` per batch and the full-text index refreshed per batch.
* **Idempotent.** Organisations are matched on the register's identifier (RNA number,
  SIRET); only the fields that changed are written, so a second import of the same file
  changes nothing.
* **A territory.** Only rows whose commune lies inside the territory (``niveau/code``) are
  kept. The territory's communes are read in one query (with the former codes of merged
  communes, and the arrondissements of Paris, Lyon and Marseille mapped to their commune).
* **Report.** Rows read, organisations created, updated and unchanged, rows skipped
  (dissolved association, closed establishment), outside the territory, and invalid.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from actors.indexing import reindex
from actors.network import touch as touch_network
from actors.models import Kind, Organization, Precision, ancestors_of, centres_of, place
from taxonomy.models import Domain
from territories.models import Level, Territory

BATCH_SIZE = 2000
MAX_KEPT_PROBLEMS = 200
NOT_DIFFUSED = "[ND]"  # what SIRENE writes in the fields it does not publish

Progress = Callable[[str, int], None]
SourceFile = str | Path | IO


# --------------------------------------------------------------------------------------
# Problems and report
# --------------------------------------------------------------------------------------


class ImportRefused(Exception):
    """The file cannot be imported as it is; nothing was written."""

    def __init__(self, problems: list[str], *, more: int = 0, invalid_rows: int = 0):
        self.problems = problems
        self.more = more
        self.invalid_rows = invalid_rows  # > 0: the file is readable, some rows are not valid
        lines = [f"- {p}" for p in problems]
        if more:
            lines.append(f"- … et {more} autre(s) problème(s)")
        super().__init__("Import annulé, aucune donnée modifiée.\n" + "\n".join(lines))


class ProblemLog:
    """The first problems found, and how many there were (constant memory)."""

    def __init__(self, keep: int | None = None):
        self.keep = MAX_KEPT_PROBLEMS if keep is None else keep
        self.kept: list[str] = []
        self.count = 0

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(message)

    @property
    def more(self) -> int:
        return self.count - len(self.kept)


@dataclass
class ImportReport:
    register: str
    file_name: str
    territory: str
    closed_label: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    outside: int = 0
    invalid: int = 0
    duplicates: int = 0
    problems: ProblemLog = field(default_factory=ProblemLog)

    def lines(self) -> list[str]:
        rows = [
            ("lignes lues", self.read),
            ("organisations créées", self.created),
            ("organisations mises à jour", self.updated),
            ("organisations inchangées", self.unchanged),
            (self.closed_label, self.closed),
            ("hors du territoire", self.outside),
            ("lignes invalides (ignorées)", self.invalid),
        ]
        if self.duplicates:
            rows.append(("lignes en double (la dernière compte)", self.duplicates))
        lines = [f"Import {self.register} de {self.file_name} — territoire : {self.territory}"]
        lines += [f"  {label:<40} {count:>9}" for label, count in rows]
        if self.problems.count:
            lines.append("Lignes invalides écartées :")
            lines += [f"  - {p}" for p in self.problems.kept]
            if self.problems.more:
                lines.append(f"  - … et {self.problems.more} autre(s) problème(s)")
        return lines


# --------------------------------------------------------------------------------------
# Reading the file as a stream
# --------------------------------------------------------------------------------------


class Row:
    """One record of the file: its first line number and its values by column name."""

    __slots__ = ("line", "fields", "header")

    def __init__(self, line: int, fields: list[str], header: dict[str, int]):
        self.line = line
        self.fields = fields
        self.header = header

    def __getitem__(self, column: str) -> str:
        """The value, stripped; "" for a missing optional column or an unpublished value."""
        index = self.header.get(column)
        if index is None or index >= len(self.fields):
            return ""
        value = self.fields[index].strip()
        return "" if value == NOT_DIFFUSED else value


def file_name_of(source: SourceFile) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name
    return Path(str(getattr(source, "name", "") or "fichier")).name


class CsvFile:
    """A register file read as a stream, from its beginning at each call to ``rows()``.

    ``source`` is a path, or a file object (binary, or text already decoded) that can be
    rewound with ``seek(0)`` for the second pass."""

    def __init__(self, source: SourceFile, *, delimiter: str, required: Iterable[str], encoding: str = "utf-8"):
        self.source = source
        self.delimiter = delimiter
        self.required = tuple(required)
        self.name = file_name_of(source)
        try:
            self.encoding = codecs.lookup(encoding).name
        except LookupError:
            raise ImportRefused([f"Encodage « {encoding} » inconnu (par exemple utf-8, latin-1 ou cp1252)."]) from None
        self.header: dict[str, int] = {}

    def rows(self) -> Iterator[Row]:
        """Each record in turn (blank lines skipped); raises ImportRefused when the file
        itself is malformed."""
        with self._lines() as lines:
            reader = csv.reader(self._decoded(lines), delimiter=self.delimiter)
            self.header = self._read_header(reader)
            last_line = reader.line_num
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise ImportRefused([f"{self.name}, ligne {reader.line_num} : CSV illisible ({_csv_problem(error)})."]) from None
                first_line, last_line = last_line + 1, reader.line_num
                if fields:
                    yield Row(first_line, fields, self.header)

    # -- internals --

    def _lines(self):
        source = self.source
        if isinstance(source, (str, Path)):
            try:
                return open(source, "rb")
            except OSError as error:
                raise ImportRefused([f"{self.name} : fichier illisible ({error.strerror})."]) from None
        if not hasattr(source, "seek"):
            raise ImportRefused([f"{self.name} : le fichier doit pouvoir être relu (deux passages)."])
        source.seek(0)
        return _NotClosing(source)

    def _decoded(self, lines: Iterable[bytes | str]) -> Iterator[str]:
        for number, raw in enumerate(lines, start=1):
            if isinstance(raw, bytes):
                try:
                    text = raw.decode(self.encoding)
                except UnicodeDecodeError as error:
                    raise ImportRefused([self._undecodable(number, raw, error)]) from None
            else:
                text = raw
            if "\x00" in text:  # a binary file; PostgreSQL would refuse the text anyway
                where = self._where(number, text[: text.index("\x00")])
                raise ImportRefused([f"{self.name}, ligne {number}, {where} : caractère nul (octet 0x00) : "
                                     "ce n'est pas un fichier texte CSV."])
            yield text.lstrip("\ufeff") if number == 1 else text

    def _where(self, number: int, before: str) -> str:
        """« en-tête », or the column of the line where ``before`` (the start of the line) ends."""
        index = len(next(csv.reader([before], delimiter=self.delimiter), [""])) - 1 if before else 0
        names = {i: name for name, i in self.header.items()}
        return "en-tête" if number == 1 else f"colonne « {names.get(index, index + 1)} »"

    def _undecodable(self, number: int, raw: bytes, error: UnicodeDecodeError) -> str:
        """Name the column where the first unreadable byte sits."""
        where = self._where(number, raw[: error.start].decode(self.encoding, errors="replace"))
        return (f"{self.name}, ligne {number}, {where} : octet 0x{raw[error.start]:02x} illisible en {self.encoding} "
                f"(le fichier doit être encodé en {self.encoding} : réenregistrez-le ainsi, ou indiquez son encodage).")

    def _read_header(self, reader) -> dict[str, int]:
        try:
            names = [name.strip() for name in next(reader)]
        except StopIteration:
            raise ImportRefused([f"{self.name}, ligne 1 : fichier vide, la ligne d'en-tête est attendue."]) from None
        except csv.Error as error:
            raise ImportRefused([f"{self.name}, ligne 1 : en-tête illisible ({_csv_problem(error)})."]) from None
        missing = [c for c in self.required if c not in names]
        if missing and len(names) == 1:
            other = next((sep for sep in ";,\t|" if sep != self.delimiter and sep in names[0]), None)
            seen = f" ; le fichier semble séparé par « {other} »" if other else ""
            raise ImportRefused([f"{self.name}, ligne 1 : une seule colonne lue, le séparateur attendu est "
                                 f"« {self.delimiter} »{seen}."])
        if missing:
            listed = ", ".join(f"« {c} »" for c in missing)
            raise ImportRefused([f"{self.name}, ligne 1 : colonne(s) manquante(s) : {listed}."])
        return {name: index for index, name in reversed(list(enumerate(names)))}


def _csv_problem(error: csv.Error) -> str:
    """The csv module's complaint, in French."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        return f"une valeur dépasse {csv.field_size_limit()} caractères"
    return f"{message} ; vérifiez les guillemets"


class _NotClosing:
    """A caller's file object used as a context manager, left open afterwards."""

    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self.handle

    def __exit__(self, *exc):
        return False


# --------------------------------------------------------------------------------------
# Values shared by both registers
# --------------------------------------------------------------------------------------

_COMMUNE_CODE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
# Codes that mean "no commune" in the registers.
_NO_COMMUNE = {"", "0", "00000"}
# Municipal arrondissements → their commune (the territories hold communes only).
_ARRONDISSEMENTS = ((re.compile(r"^751(0[1-9]|1[0-9]|20)$"), "75056"),
                    (re.compile(r"^6938[1-9]$"), "69123"),
                    (re.compile(r"^132(0[1-9]|1[0-6])$"), "13055"))

STREET_TYPES = {
    "ALL": "allée", "AV": "avenue", "BD": "boulevard", "CAR": "carrefour", "CHE": "chemin", "CHS": "chaussée",
    "CITE": "cité", "COR": "corniche", "CRS": "cours", "DOM": "domaine", "DSC": "descente", "ECA": "écart",
    "ESP": "esplanade", "FG": "faubourg", "GR": "grande rue", "HAM": "hameau", "HLE": "halle", "IMP": "impasse",
    "LD": "lieu-dit", "LOT": "lotissement", "MAR": "marché", "MTE": "montée", "PAS": "passage", "PL": "place",
    "PLN": "plaine", "PLT": "plateau", "PRO": "promenade", "PRV": "parvis", "QUA": "quartier", "QUAI": "quai",
    "RES": "résidence", "RLE": "ruelle", "ROC": "rocade", "RPT": "rond-point", "RTE": "route", "RUE": "rue",
    "SEN": "sentier", "SQ": "square", "TPL": "terre-plein", "TRA": "traverse", "VLA": "villa", "VLGE": "village",
}
REPETITIONS = {"B": "bis", "T": "ter", "Q": "quater", "C": "quinquies"}


def commune_code_problem(code: str) -> str | None:
    if code in _NO_COMMUNE or _COMMUNE_CODE.match(code):
        return None
    return f"code commune INSEE « {code} » : 5 caractères attendus (par exemple 94018 ou 2A004)."


def commune_of_code(code: str) -> str:
    """The commune code a register's code stands for ("" when there is none)."""
    if code in _NO_COMMUNE:
        return ""
    for pattern, commune in _ARRONDISSEMENTS:
        if pattern.match(code):
            return commune
    return code


def street_address(*, number: str, repetition: str, street_type: str, street: str, extra: Iterable[str] = ()) -> str:
    """« 12 bis avenue de la Liberté, Bâtiment B » from the parts the registers give."""
    kind = STREET_TYPES.get(street_type.upper(), street_type.lower())
    repetition = REPETITIONS.get(repetition.upper(), repetition.lower())
    if street.isupper():  # SIRENE writes in capitals: keep the whole line so
        kind, repetition = kind.upper(), repetition.upper()
    first = " ".join(p for p in (f"{number} {repetition}".strip(), kind, street) if p)
    return ", ".join(p for p in (first, *extra) if p)[:300]


def postal_code(value: str) -> str:
    return value if re.fullmatch(r"[0-9]{5}", value) else ""


_URL = URLValidator(schemes=["http", "https"])


def website(value: str) -> str:
    """The address when it is a valid web address ("www.x.fr" gets https://), else ""."""
    value = value.strip()
    if not value or " " in value:
        return ""
    if not re.match(r"^https?://", value, re.IGNORECASE):
        value = f"https://{value}"
    try:
        _URL(value)
    except ValidationError:
        return ""
    return value if len(value) <= 200 else ""


def iso_date_problem(value: str) -> str | None:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return f"date « {value} » : AAAA-MM-JJ attendue."
    return None


# --------------------------------------------------------------------------------------
# A register: how one file layout maps to organisations
# --------------------------------------------------------------------------------------


@dataclass
class Wanted:
    """What one valid row says about its organisation."""

    key: str
    values: dict  # the register's own fields (name, address…)
    commune_id: int
    point: tuple[float, float] | None = None
    domains: tuple[str, ...] = ()  # suggested fragility domains (actors.themes)


class Register:
    """One register's file layout and mapping; subclasses fill in the blanks."""

    label = ""  # « RNA »
    source = ""  # actors.models.Source
    kind = ""  # actors.models.Kind
    delimiter = ","
    required_columns: tuple[str, ...] = ()
    commune_column = ""
    key_field = ""  # the Organization field that identifies a row: "rna" or "siret"
    key_column = ""
    closed_label = ""  # report line of the skipped rows: « associations dissoutes (ignorées) »
    owned_fields: tuple[str, ...] = ()  # the Organization fields the register sets
    provides_coordinates = False  # True: the register's point (or its absence) wins

    def problems(self, row: Row) -> list[tuple[str | None, str]]:
        """(column, reason) for each problem of a row; nothing when it is valid."""
        raise NotImplementedError

    def is_closed(self, row: Row) -> bool:
        raise NotImplementedError

    def values(self, row: Row) -> dict:
        raise NotImplementedError

    def point(self, row: Row) -> tuple[float, float] | None:
        return None

    def domains(self, row: Row) -> list[str]:
        """Fragility domains the row suggests (see actors.themes); none by default."""
        return []

    def key(self, row: Row) -> str:
        return row[self.key_column]


# --------------------------------------------------------------------------------------
# The territory
# --------------------------------------------------------------------------------------


@dataclass
class Scope:
    territory: Territory
    communes: dict[str, int]  # commune code (current or former) → current commune id

    @property
    def label(self) -> str:
        return f"{self.territory.name} ({self.territory.level}/{self.territory.code})"


def territory_scope(spec: str) -> Scope:
    """The territory named ``niveau/code`` and, in one query, the codes of its communes."""
    level, _, code = (spec or "").strip().partition("/")
    if not code:
        raise ImportRefused([f"Territoire « {spec} » : la forme attendue est niveau/code, par exemple departement/94."])
    if level not in Level.values:
        raise ImportRefused([f"Territoire « {spec} » : niveau « {level} » inconnu ({', '.join(Level.values)})."])
    territory = Territory.objects.filter(level=level, code=code).first()
    if territory is None:
        raise ImportRefused([f"Territoire « {spec} » introuvable (les territoires sont-ils importés ? "
                             "manage.py import_territories)."])
    if level == Level.COMMUNE:
        inside = Q(pk=territory.pk) | Q(successor=territory)
    else:
        inside = Q(ancestor_links__ancestor=territory) | Q(successor__ancestor_links__ancestor=territory)
    rows = (Territory.objects.filter(inside, level=Level.COMMUNE)
            .values_list("code", "pk", "is_obsolete", "successor_id").distinct())
    communes = {c: (successor if obsolete else pk) for c, pk, obsolete, successor in rows}
    return Scope(territory, {c: pk for c, pk in communes.items() if pk})


# --------------------------------------------------------------------------------------
# The import: two passes, batches, one transaction
# --------------------------------------------------------------------------------------


def _no_progress(step: str, count: int) -> None:
    return None


# Where an organisation is placed, tracked on each update besides the register's fields.
_PLACE_FIELDS = ("commune_id", "departement_id", "region_id", "latitude", "longitude", "location_precision")
_FIELD_NAMES = {"commune_id": "commune", "departement_id": "departement", "region_id": "region"}


class RegisterImport:
    def __init__(self, register: Register, source: SourceFile, territory: str, *, ignore_invalid_rows: bool = False,
                 encoding: str = "utf-8", progress: Progress | None = None):
        self.register = register
        self.file = CsvFile(source, delimiter=register.delimiter, required=register.required_columns, encoding=encoding)
        self.territory = territory
        self.ignore_invalid_rows = ignore_invalid_rows
        self.progress = progress or _no_progress

    def run(self) -> ImportReport:
        scope = territory_scope(self.territory)
        report = ImportReport(self.register.label, self.file.name, scope.label, self.register.closed_label)
        self._check(report)
        if report.invalid and not self.ignore_invalid_rows:
            raise ImportRefused([f"{self.file.name} : {report.invalid} ligne(s) invalide(s)."] + report.problems.kept,
                                more=report.problems.more, invalid_rows=report.invalid)
        with transaction.atomic():
            self._write(scope, report)
        return report

    # -- pass 1 --

    def row_problems(self, row: Row) -> list[tuple[str | None, str]]:
        expected = len(self.file.header)
        if len(row.fields) != expected:
            return [(None, f"{len(row.fields)} champ(s) au lieu de {expected} (séparateur « {self.register.delimiter} » "
                           "ou guillemets mal placés ?).")]
        problems = []
        commune = commune_code_problem(row[self.register.commune_column])
        if commune:
            problems.append((self.register.commune_column, commune))
        return problems + self.register.problems(row)

    def _check(self, report: ImportReport) -> None:
        for row in self.file.rows():
            report.read += 1
            self.progress("Vérification des lignes", 1)
            problems = self.row_problems(row)
            if problems:
                report.invalid += 1
                for column, reason in problems:
                    where = f"ligne {row.line}, colonne « {column} »" if column else f"ligne {row.line}"
                    report.problems.add(f"{self.file.name}, {where} : {reason}")

    # -- pass 2 --

    def _write(self, scope: Scope, report: ImportReport) -> None:
        register = self.register
        recheck = report.invalid > 0  # pass 1 found bad rows: skip them again
        batch: dict[str, Wanted] = {}
        for row in self.file.rows():
            self.progress("Import", 1)
            if recheck and self.row_problems(row):
                continue
            commune_id = scope.communes.get(commune_of_code(row[register.commune_column]))
            if commune_id is None:
                report.outside += 1
                continue
            if register.is_closed(row):
                report.closed += 1
                continue
            key = register.key(row)
            if key in batch:
                report.duplicates += 1
            batch[key] = Wanted(key, register.values(row), commune_id, register.point(row), tuple(register.domains(row)))
            if len(batch) >= BATCH_SIZE:
                self._save(batch, report)
                batch = {}
        if batch:
            self._save(batch, report)

    def _save(self, batch: dict[str, Wanted], report: ImportReport) -> None:
        register = self.register
        # The identifier's unique index is partial (non-empty values): SQLite uses it only
        # when the query repeats that condition.
        existing = {getattr(o, register.key_field): o
                    for o in Organization.objects.filter(**{f"{register.key_field}__in": list(batch)})
                    .exclude(**{register.key_field: ""})}
        commune_ids = {w.commune_id for w in batch.values()}
        ancestors, centres = ancestors_of(commune_ids), centres_of(commune_ids)
        tracked = (*register.owned_fields, *_PLACE_FIELDS)
        created, updated, changed_fields = [], [], set()
        now = timezone.now()
        for key, wanted in batch.items():
            organization = existing.get(key)
            if organization is None:
                organization = Organization(kind=register.kind, source=register.source, commune_id=wanted.commune_id,
                                            **wanted.values)
                self._locate(organization, wanted, ancestors, centres)
                created.append(organization)
                continue
            before = {name: getattr(organization, name) for name in tracked}
            for name, value in wanted.values.items():
                setattr(organization, name, value)
            if organization.kind != Kind.ENTREPRISE:  # the model's rule: a size is for companies only
                organization.size = ""
            organization.commune_id = wanted.commune_id
            self._locate(organization, wanted, ancestors, centres)
            changed = {name for name in tracked if getattr(organization, name) != before[name]}
            if changed:
                organization.updated_at = now
                organization.version = F("version") + 1  # an edit form open on it is now out of date
                updated.append(organization)
                changed_fields |= changed
            else:
                report.unchanged += 1
        self._give_slugs(created)
        Organization.objects.bulk_create(created)
        if updated:
            fields = sorted({_FIELD_NAMES.get(name, name) for name in changed_fields} | {"updated_at", "version"})
            Organization.objects.bulk_update(updated, fields)
        self._suggest_domains(batch, created, existing)
        reindex(created + updated)
        if created or updated:
            touch_network()  # bulk writes send no signal: the stored networks are out of date
        report.created += len(created)
        report.updated += len(updated)

    def _suggest_domains(self, batch: dict[str, Wanted], created: list[Organization], existing: dict) -> None:
        """Suggested domains for the new organisations, and for those whose domains are
        still the register's suggestion (a member's own choice is never replaced)."""
        key_field = self.register.key_field
        targets = [o for o in created if batch[getattr(o, key_field)].domains]
        targets += [o for o in existing.values() if o.domains_inferred]
        if not targets:
            return
        codes = {c for o in targets for c in batch[getattr(o, key_field)].domains}
        domain_ids = dict(Domain.objects.filter(code__in=codes).values_list("code", "pk"))
        through = Organization.domains.through
        wanted = {o.pk: {domain_ids[c] for c in batch[getattr(o, key_field)].domains if c in domain_ids} for o in targets}
        current: dict[int, set[int]] = {}
        for organization_id, domain_id in through.objects.filter(organization_id__in=list(wanted)).values_list(
                "organization_id", "domain_id"):
            current.setdefault(organization_id, set()).add(domain_id)
        changed = [pk for pk, ids in wanted.items() if current.get(pk, set()) != ids]  # idempotent: the rest stays
        through.objects.filter(organization_id__in=changed).delete()
        through.objects.bulk_create([through(organization_id=pk, domain_id=d) for pk in changed for d in sorted(wanted[pk])])
        Organization.objects.filter(pk__in=[o.pk for o in targets]).update(domains_inferred=True)

    def _locate(self, organization: Organization, wanted: Wanted, ancestors: dict, centres: dict) -> None:
        """The register's point when it has one; otherwise the commune's centre (a point
        placed by hand is kept when the register never gives points)."""
        if self.register.provides_coordinates or organization.location_precision != Precision.ADDRESS:
            organization.latitude, organization.longitude = wanted.point or (None, None)
            organization.location_precision = Precision.ADDRESS if wanted.point else ""
        place(organization, ancestors=ancestors, centres=centres)

    def _give_slugs(self, organizations: list[Organization]) -> None:
        """slugify(name)-identifier, made unique against the database in one query."""
        for organization in organizations:
            suffix = slugify(getattr(organization, self.register.key_field))
            base = slugify(organization.name)[: 140 - len(suffix) - 3].strip("-")
            if not base:
                organization.slug = suffix
            elif suffix in base:  # « Établissement <SIRET> » holds it already
                organization.slug = base
            else:
                organization.slug = f"{base}-{suffix}"
        taken = set(Organization.objects.filter(slug__in=[o.slug for o in organizations]).values_list("slug", flat=True))
        for organization in organizations:
            base, number = organization.slug, 1
            while organization.slug in taken:  # rare: only when another organisation holds the slug
                number += 1
                organization.slug = f"{base[:135]}-{number}"
                if Organization.objects.filter(slug=organization.slug).exists():
                    taken.add(organization.slug)
            taken.add(organization.slug)



def import_register(register: Register, source: SourceFile, territory: str, **options) -> ImportReport:
    """Import ``source`` into the organisations of ``territory``. See the module contract."""
    return RegisterImport(register, source, territory, **options).run()


# --------------------------------------------------------------------------------------
# The management commands
# --------------------------------------------------------------------------------------


class RegisterImportCommand(BaseCommand):
    """``manage.py import_<register> fichier.csv --territoire niveau/code``."""

    register_class: type[Register] = Register

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path, help="Chemin du fichier CSV")
        parser.add_argument("--territoire", required=True,
                            help="Territoire à importer : niveau/code, par exemple departement/94, commune/94018, region/11")
        parser.add_argument("--ignorer-lignes-invalides", action="store_true",
                            help="Importer les lignes valides et écarter (en les signalant) les lignes invalides")
        parser.add_argument("--no-progress", action="store_true", help="Ne pas afficher la barre de progression")

    def handle(self, *args, fichier: Path, territoire: str, ignorer_lignes_invalides: bool = False,
               no_progress: bool = False, encodage: str = "utf-8", **options):
        if not Path(fichier).is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        bar = tqdm(desc=self.register_class.label, unit=" lignes", file=sys.stderr, disable=no_progress or None,
                   leave=False)
        steps: list[str] = []

        def progress(step: str, count: int) -> None:
            if not steps or steps[-1] != step:
                steps.append(step)
                bar.reset()
                bar.set_description_str(step)
            bar.update(count)

        try:
            report = import_register(self.register_class(), Path(fichier), territoire,
                                     ignore_invalid_rows=ignorer_lignes_invalides, encoding=encodage, progress=progress)
        except ImportRefused as error:
            hint = ("\nRelancez avec --ignorer-lignes-invalides pour importer les lignes valides et écarter celles-ci."
                    if error.invalid_rows else "")
            raise CommandError(f"{error}{hint}") from None
        finally:
            bar.close()
        for line in report.lines():
            self.stdout.write(line)
