"""Import of indicator values from a CSV or XLSX file: ``manage.py import_indicator_values``
and the page ``/observatoire/importer/`` (editors), so that a user can bring, for example,
a newer INSEE edition.

Contract
========

* **Formats.** The file is recognised by its content, never by its name: an XLSX workbook
  (a zip holding ``xl/workbook.xml``; the first sheet is read, in openpyxl's streaming
  ``read_only`` mode) or CSV text in UTF-8, with or without BOM, separated by ``;``, ``,``
  or a tab (guessed from the header line). Numbers take a decimal point or a decimal
  comma; spaces between thousands are allowed.
* **Layouts**, recognised from the header (French or English names, accents and case
  ignored; a ``nom`` / ``libelle`` / ``libgeo`` column is allowed and ignored):

  - *long*: ``indicateur, niveau, code, annee, valeur`` (``indicator, level, code, year,
    value``), one value per line;
  - *wide by indicator*: ``niveau, code, annee`` then one column per indicator, named by
    the indicator's code;
  - *wide by year*: ``indicateur, niveau, code`` then one column per year.

* **Every cell checked before anything is written**: unknown indicator; a ``ratio``
  indicator (it is computed: import its numerator and denominator); a demonstration
  indicator (its figures are labelled as demo everywhere); a level other than commune,
  epci, departement, region; a value at another level than the indicator's base level
  (*decision*: values above the base level are computed by the aggregation and are never
  overridden by an import, values below it would never be aggregated; only a ``published``
  indicator, which the producer publishes at every level, takes its base level and the
  levels above); a territory code unknown at that level (commune codes go through
  ``observatory.communes.current_commune_codes`` like the reference loader: a former
  commune's code counts for its commune nouvelle, a municipal arrondissement is read and
  left out since the commune's own line holds the whole commune); a year outside
  1900..next year; a value that is not a number (blank, ``s``, ``nd``, ``n.d.``, ``secret``,
  ``NA`` and ``(O)`` mean *not published* and are stored blank, never as zero); the same
  indicator, territory and year twice. Each problem names its line (the header is line 1)
  and its column; the first ``MAX_LISTED`` are kept, with the total count.
* **Nothing is written when anything is wrong** (``ImportRefused``).
* **Otherwise, one transaction**: the values go through ``store.write_source_values``,
  which *replaces* every (indicator, year, level) slice present in the file (the source
  values of that slice not in the file are removed) and writes again, at that level and
  year, the ratios that read it; then the imported indicators are re-aggregated, with
  every ratio that reads one of them; then a ``Run`` (kind import, source = the file's
  name) is recorded, which renews the pages' cached figures.
* **Speed**: the file is streamed, each cell checked with dictionary look-ups (territory
  codes read once per level, parsed texts memoised), values written with plain multi-row
  inserts and aggregated with one ``GROUP BY`` per indicator. ``bench/observatory_import.py``
  measures a million values.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import math
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator, Protocol

from django.db import transaction

from observatory.aggregation import aggregate
from observatory.communes import current_commune_codes
from observatory.models import Aggregation, Indicator, Run
from observatory.sources import SourceValue
from observatory.store import territory_ids, write_source_values
from territories.models import LEVEL_RANK, Level

MAX_LISTED = 100
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# An XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_XLSX_INFLATED = 2 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200
FIRST_YEAR = 1900
PROGRESS_EVERY = 20_000  # rows between two progress updates

LEVELS = (Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.REGION)
LEVEL_NAMES = {Level.COMMUNE: "communes", Level.EPCI: "EPCI", Level.DEPARTEMENT: "départements", Level.REGION: "régions"}
UNPUBLISHED = frozenset({"", "s", "nd", "n.d.", "n.d", "secret", "na", "(o)"})
SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")

LONG, WIDE_BY_INDICATOR, WIDE_BY_YEAR = "long", "wide_indicator", "wide_year"
LAYOUT_NAMES = {
    LONG: "format long, une valeur par ligne",
    WIDE_BY_INDICATOR: "format large, une colonne par indicateur",
    WIDE_BY_YEAR: "format large, une colonne par année",
}
ALIASES = {
    "indicator": {"indicator", "indicateur", "code_indicateur", "indicateur_code"},
    "level": {"level", "niveau"},
    "code": {"code", "code_territoire", "codgeo", "code_geo", "code_insee"},
    "year": {"year", "annee"},
    "value": {"value", "valeur"},
}
FIELD_NAMES = {"indicator": "indicateur", "level": "niveau", "code": "code", "year": "annee", "value": "valeur"}
IGNORED_COLUMNS = {"nom", "libelle", "libgeo", "name", "label", "nom_territoire", "libelle_territoire"}
CODE_WIDTHS = {Level.COMMUNE: 5, Level.DEPARTEMENT: 2, Level.REGION: 2, Level.EPCI: 9}
UNKNOWN_CODE = {
    Level.COMMUNE: "aucune commune actuelle ni ancienne commune n'a ce code INSEE",
    Level.EPCI: "aucun EPCI actuel n'a ce numéro SIREN",
    Level.DEPARTEMENT: "aucun département n'a ce code",
    Level.REGION: "aucune région n'a ce code",
}


# --------------------------------------------------------------------------------------
# Problems, refusal and report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


class Problems:
    """The first ``limit`` problems, and how many there were."""

    def __init__(self, limit: int = MAX_LISTED):
        self.limit = limit
        self.listed: list[Problem] = []
        self.count = 0

    def add(self, line: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < self.limit:
            self.listed.append(Problem(line, column, message))

    @property
    def more(self) -> int:
        return self.count - len(self.listed)

    def __bool__(self) -> bool:
        return self.count > 0


class ImportRefused(Exception):
    """The file cannot be imported as it is; nothing was written."""

    def __init__(self, problems: Problems):
        self.problems = problems.listed
        self.count = problems.count
        self.more = problems.more
        super().__init__(
            f"Import annulé, aucune donnée modifiée : {self.count} problème{'s' if self.count > 1 else ''}."
        )

    def lines(self) -> list[str]:
        out = [str(self)] + [f"- {problem}" for problem in self.problems]
        if self.more:
            out.append(f"- … et {self.more} autre{'s' if self.more > 1 else ''} problème{'s' if self.more > 1 else ''}")
        return out


def refuse(line: int | None, column: str, message: str):
    problems = Problems()
    problems.add(line, column, message)
    raise ImportRefused(problems)


@dataclass
class ImportReport:
    file_name: str
    layout: str
    lines: int = 0  # data lines read
    values: int = 0  # values read (cells in a wide file)
    unpublished: int = 0
    arrondissements: int = 0
    written: int = 0
    slices: int = 0
    indicators: list[str] = field(default_factory=list)
    reaggregated: list[str] = field(default_factory=list)
    computed: int = 0
    seconds: float = 0.0
    # Seconds per stage: "check" (read and validate), "write", "aggregate".
    stages: dict[str, float] = field(default_factory=dict)

    def summary(self) -> list[str]:
        out = [
            f"Import de « {self.file_name} » ({LAYOUT_NAMES[self.layout]}) : {number(self.lines)} ligne(s), "
            f"{number(self.values)} valeur(s) lue(s), dont {number(self.unpublished)} non publiée(s) (laissées vides).",
            f"{number(self.written)} valeur(s) écrite(s) pour {len(self.indicators)} indicateur(s) "
            f"({', '.join(self.indicators)}) ; {self.slices} tranche(s) (indicateur, année, niveau) remplacée(s).",
            f"{len(self.reaggregated)} indicateur(s) ré-agrégé(s) ({', '.join(self.reaggregated)}) : "
            f"{number(self.computed)} valeur(s) calculée(s).",
        ]
        if self.arrondissements:
            out.append(
                f"{number(self.arrondissements)} valeur(s) d'arrondissements municipaux (Paris, Lyon, Marseille) "
                "laissée(s) de côté : la commune entière a sa propre ligne."
            )
        out.append(f"Durée : {self.seconds:.1f} s".replace(".", ",") + ".")
        return out


def number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


class Progress(Protocol):
    """What the command's progress bar implements; the web page passes none."""

    def start(self, label: str, total: int | None, unit: str) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


# --------------------------------------------------------------------------------------
# Reading: what the file is (by content), its header and its rows
# --------------------------------------------------------------------------------------


def sniff(head: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` from the first bytes of a file; ``ImportRefused`` otherwise."""
    if not head:
        refuse(None, "", "le fichier est vide.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        refuse(None, "", "le fichier est en UTF-16 : enregistrez-le en CSV UTF-8 (ou en classeur XLSX).")
    if b"\x00" in head:
        refuse(None, "", "ce fichier n'est ni un fichier texte CSV ni un classeur XLSX (son contenu a été vérifié, pas son nom).")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        refuse(None, "", "ce fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » (ou en classeur XLSX).")
    return "csv"


def check_xlsx(binary: IO[bytes]) -> None:
    """A real XLSX workbook, and not one that inflates far beyond its size."""
    try:
        with zipfile.ZipFile(binary) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
            compressed = sum(info.compress_size for info in archive.infolist()) or 1
    except (zipfile.BadZipFile, OSError, ValueError):
        refuse(None, "", "ce fichier zip est abîmé : ce n'est pas un classeur XLSX lisible.")
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        refuse(None, "", "ce fichier zip n'est pas un classeur XLSX (Excel, LibreOffice : « Classeur Excel 2007-365 »).")
    if inflated > MAX_XLSX_INFLATED or inflated > MAX_XLSX_RATIO * compressed:
        refuse(None, "", "ce classeur se décompresse en un volume anormal : il est refusé.")
    binary.seek(0)


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (the progress of a CSV)."""

    def __init__(self, inner: IO[bytes]):
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (line number, cells)
    kind: str  # "csv" or "xlsx"
    total: int | None  # bytes (CSV) or rows (XLSX), for the progress bar
    position: Callable[[], int]  # bytes or rows read so far
    delimiter: str = ""


def sniff_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in (";", "\t", ",")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


NOT_UTF8 = "caractère non UTF-8 : enregistrez le fichier en « CSV UTF-8 » (ou en classeur XLSX)."


def read_csv(binary: IO[bytes], size: int | None) -> Table:
    """Lines decoded one by one (a wrong byte is reported on its own line), then ``csv``."""
    counter = CountingReader(binary)
    lines = decoded_lines(io.BufferedReader(counter, 1 << 20))
    try:
        first = next(lines)
    except StopIteration:
        refuse(None, "", "le fichier est vide.")
    except FileProblem as problem:
        refuse(problem.line, "", problem.message)
    delimiter = sniff_delimiter(first)
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as error:
        refuse(1, "", f"ligne illisible ({error}).")

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as error:
            raise FileProblem(reader.line_num, f"ligne illisible ({error}).") from None

    return Table(header, rows(), "csv", size, lambda: counter.count, delimiter)


def decoded_lines(binary: IO[bytes]) -> Iterator[str]:
    for number, raw in enumerate(binary, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise FileProblem(number, NOT_UTF8) from None


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


class FileProblem(Exception):
    """The file cannot be read further (encoding, quoting…)."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def read_xlsx(binary: IO[bytes]) -> Table:
    import openpyxl

    check_xlsx(binary)
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        total = sheet.max_row
        iterator = sheet.iter_rows(values_only=True)
        header = next(iterator, None)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        refuse(None, "", "ce classeur XLSX est illisible ou abîmé.")
    if header is None:
        refuse(None, "", "la première feuille du classeur est vide.")
    read = [1]

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for line, cells in enumerate(iterator, start=2):
                read[0] = line
                yield line, cells
        except Exception as error:
            raise FileProblem(read[0] + 1, f"cellule illisible ({error.__class__.__name__}).") from None
        finally:
            workbook.close()

    return Table([cell_text(cell) for cell in header], rows(), "xlsx", total, lambda: read[0])


def cell_text(cell) -> str:
    """A spreadsheet cell as text: 2021.0 is "2021", an empty cell is ""."""
    if cell is None:
        return ""
    if cell.__class__ is float and cell.is_integer():
        return str(int(cell))
    return str(cell)


def open_table(binary: IO[bytes], size: int | None = None) -> Table:
    head = binary.read(4096)
    binary.seek(0)
    if sniff(head) == "xlsx":
        return read_xlsx(binary)
    return read_csv(binary, size)


# --------------------------------------------------------------------------------------
# Header → layout
# --------------------------------------------------------------------------------------


def normalize_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text).strip().lstrip("\ufeff").lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return "_".join(text.replace("-", " ").split())


@dataclass
class Layout:
    kind: str
    key: dict[str, int]  # field → column index
    columns: list[tuple[int, str, str | int]]  # (index, header text, indicator code or year) of the value columns
    names: list[str]  # header texts
    unnamed: list[int]  # columns without a name: they must stay empty


def read_layout(header: list[str], wanted: str | None, checker: Checker) -> Layout:
    """The layout of a file from its header; header problems refuse the file at once."""
    problems = Problems()
    key: dict[str, int] = {}
    others: list[int] = []
    unnamed: list[int] = []
    seen: dict[str, int] = {}
    for index, text in enumerate(header):
        name = normalize_name(text)
        if not name:
            unnamed.append(index)
            continue
        if name in seen:
            problems.add(1, str(text), f"colonne en double (déjà en colonne {seen[name] + 1}).")
            continue
        seen[name] = index
        fieldname = next((f for f, aliases in ALIASES.items() if name in aliases), None)
        if fieldname:
            key[fieldname] = index
        elif name not in IGNORED_COLUMNS:
            others.append(index)
    if problems:
        raise ImportRefused(problems)

    has = set(key)
    if {"indicator", "level", "code", "year", "value"} <= has and wanted != "wide":
        kind = LONG
    elif wanted == "long":
        missing = [FIELD_NAMES[f] for f in ("indicator", "level", "code", "year", "value") if f not in has]
        refuse(1, "", f"format long : colonne(s) manquante(s) {', '.join(missing)} "
                      "(attendu : indicateur, niveau, code, annee, valeur).")
    elif {"level", "code", "year"} <= has and "indicator" not in has and "value" not in has:
        kind = WIDE_BY_INDICATOR
    elif {"indicator", "level", "code"} <= has and "year" not in has and "value" not in has:
        kind = WIDE_BY_YEAR
    else:
        refuse(1, "", "en-tête non reconnu. Attendu : « indicateur, niveau, code, annee, valeur » (format long), "
                      "« niveau, code, annee » puis une colonne par indicateur, ou « indicateur, niveau, code » "
                      f"puis une colonne par année. Colonnes lues : {', '.join(str(t) for t in header if str(t).strip())}.")

    columns: list[tuple[int, str, str | int]] = []
    # Other columns of a long file (a comment, a source…) are left aside.
    if kind == WIDE_BY_INDICATOR:
        for index in others:
            text = str(header[index]).strip()
            indicator = checker.indicator(text, 1, text, problems)
            if indicator is not None:
                columns.append((index, text, indicator.code))
        if not others:
            problems.add(1, "", "aucune colonne d'indicateur après « niveau, code, annee ».")
    elif kind == WIDE_BY_YEAR:
        for index in others:
            text = str(header[index]).strip()
            year = checker.year(header[index], 1, text, problems)
            if year is not None:
                columns.append((index, text, year))
        if not others:
            problems.add(1, "", "aucune colonne d'année après « indicateur, niveau, code ».")
    if problems:
        raise ImportRefused(problems)
    return Layout(kind, key, columns, [str(text).strip() for text in header], unnamed)


# --------------------------------------------------------------------------------------
# Cells: each kind of text checked once, then memoised
# --------------------------------------------------------------------------------------


class Checker:
    """Look-ups for every cell, read once from the database; each result memoised on the
    cell's raw text, so a million cells cost a million dictionary look-ups."""

    def __init__(self):
        self.indicators = {
            indicator.code: indicator for indicator in Indicator.objects.select_related("numerator", "denominator")
        }
        self.communes = current_commune_codes()
        self.codes: dict[str, set[str]] = {level: set(territory_ids(level)) for level in LEVELS}
        self.last_year = datetime.date.today().year + 1
        self._indicator: dict[object, Indicator | str] = {}
        self._level: dict[object, str] = {}
        self._year: dict[object, int | str] = {}
        self._code: dict[str, dict[object, tuple[str | None, bool, str | None]]] = {level: {} for level in LEVELS}
        self._fits: dict[tuple[str, str], str | None] = {}
        # The cells found valid, raw → clean: the validation loop reads these first.
        self.ok_indicator: dict[object, Indicator] = {}
        self.ok_level: dict[object, str] = {}
        self.ok_year: dict[object, int] = {}
        self.ok_code: dict[str, dict[object, tuple[str, bool]]] = {level: {} for level in LEVELS}
        self.ok_fits: set[tuple[str, str]] = set()

    # Each method returns the clean value, or None after adding the problem.

    @staticmethod
    def _remembered(raw, checked: dict, ok: dict, check, line: int, column: str, problems: Problems):
        """``check(raw)`` once per distinct cell (``checked``): its clean value goes into ``ok``,
        its message (a ``str``) into the problems of this line."""
        found = checked.get(raw)
        if found is None:
            found = checked[raw] = check(raw)
        if found.__class__ is str:
            problems.add(line, column, found)
            return None
        ok[raw] = found
        return found

    def indicator(self, raw, line: int, column: str, problems: Problems) -> Indicator | None:
        return self._remembered(raw, self._indicator, self.ok_indicator, self._check_indicator, line, column, problems)

    def _check_indicator(self, raw) -> Indicator | str:
        text = "" if raw is None else str(raw).strip()
        if not text:
            return "indicateur manquant."
        indicator = self.indicators.get(text) or self.indicators.get(text.lower())
        if indicator is None:
            return f"indicateur inconnu « {text} » (voir la liste des codes sur la page des indicateurs)."
        if indicator.aggregation == Aggregation.RATIO:
            parts = [part.code for part in (indicator.numerator, indicator.denominator) if part is not None]
            return (f"« {indicator.code} » est un rapport calculé : importez le numérateur et le dénominateur"
                    + (f" (« {parts[0]} » et « {parts[1]} »)" if len(parts) == 2 else "") + ", il sera recalculé.")
        if indicator.is_demo:
            return (f"« {indicator.code} » porte des données de démonstration : ajoutez au catalogue un indicateur "
                    "réel pour y importer des valeurs.")
        return indicator

    def level(self, raw, line: int, column: str, problems: Problems) -> str | None:
        found = self._level.get(raw)
        if found is None:
            text = normalize_name("" if raw is None else raw)
            found = self._level[raw] = text if text in LEVELS else (
                "niveau manquant." if not text else
                f"niveau inconnu « {str(raw).strip()} » : commune, epci, departement ou region."
            )
        if found not in LEVELS:
            problems.add(line, column, found)
            return None
        self.ok_level[raw] = found
        return found

    def year(self, raw, line: int, column: str, problems: Problems) -> int | None:
        return self._remembered(raw, self._year, self.ok_year, self._check_year, line, column, problems)

    def _check_year(self, raw) -> int | str:
        text = cell_text(raw).strip()
        if not text:
            return "année manquante."
        if not (text.isascii() and text.isdigit()):
            return f"année non valide « {text} » (attendu : 4 chiffres, par exemple 2021)."
        year = int(text)
        if not FIRST_YEAR <= year <= self.last_year:
            return f"année hors limites « {text} » (de {FIRST_YEAR} à {self.last_year})."
        return year

    def code(self, level: str, raw, line: int, column: str, problems: Problems) -> tuple[str, bool] | None:
        """(the code, normalised; False when it is a municipal arrondissement, left out)."""
        cache = self._code[level]
        found = cache.get(raw)
        if found is None:
            found = cache[raw] = self._check_code(level, raw)
        code, counted, error = found
        if error is not None:
            problems.add(line, column, error)
            return None
        clean = self.ok_code[level][raw] = (code, counted)
        return clean

    def _check_code(self, level: str, raw) -> tuple[str | None, bool, str | None]:
        text = cell_text(raw).strip().upper()
        if not text:
            return None, False, "code de territoire manquant."
        candidates = [text]
        if text.isdigit() and len(text) < CODE_WIDTHS[level]:
            candidates.append(text.zfill(CODE_WIDTHS[level]))  # a spreadsheet dropped the leading zero
        for code in candidates:
            if level == Level.COMMUNE and code in self.communes:
                current = self.communes[code]
                if current is None:
                    return code, False, None
                if current in self.codes[level]:
                    return code, True, None
            elif code in self.codes[level]:
                return code, True, None
        return None, False, f"code inconnu « {text} » : {UNKNOWN_CODE[level]}."

    def fits(self, indicator: Indicator, level: str) -> str | None:
        """Why values of ``indicator`` cannot be imported at ``level`` (None: they can)."""
        key = (indicator.code, level)
        if key in self._fits:
            return self._fits[key]
        base = indicator.base_level
        message = None
        if level != base:
            above = LEVEL_RANK[level] < LEVEL_RANK[base]
            if indicator.aggregation == Aggregation.PUBLISHED:
                if not above:
                    message = (f"« {indicator.code} » est publié à partir du niveau {base} : "
                               f"pas de valeurs au niveau {level}.")
            elif above:
                message = (f"« {indicator.code} » est calculé au niveau {level} à partir des {LEVEL_NAMES[base]} : "
                           f"importez les valeurs des {LEVEL_NAMES[base]}, l'agrégation calcule les niveaux au-dessus.")
            else:
                message = (f"« {indicator.code} » se lit au niveau {base} : des valeurs au niveau {level} "
                           "ne seraient jamais agrégées.")
        self._fits[key] = message
        if message is None:
            self.ok_fits.add(key)
        return message


def parse_value(raw) -> tuple[bool, float | None]:
    """(ok, value): a number, or None for a figure the producer did not publish."""
    kind = raw.__class__
    if kind is float or kind is int:
        try:
            value = float(raw)
        except OverflowError:
            return False, None
        return (True, value) if math.isfinite(value) else (False, None)
    if raw is None:
        return True, None
    if kind is not str:
        return False, None  # a date, a boolean…
    try:
        value = float(raw)
    except ValueError:
        text = raw.strip().lower()
        if text in UNPUBLISHED:
            return True, None
        text = text.translate(SPACES)
        if "," in text:
            if "." in text or text.count(",") > 1:
                return False, None
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return False, None
    if value != value or value in (math.inf, -math.inf):
        return False, None
    return True, value


def describe(raw) -> str:
    text = str(raw).strip()
    return f"« {text[:40]}{'…' if len(text) > 40 else ''} »"


# --------------------------------------------------------------------------------------
# Validation: every row, before anything is written
# --------------------------------------------------------------------------------------


@dataclass
class Validated:
    layout: Layout
    keys: dict[tuple[str, str, str, int], int]  # (indicator, level, code, year) → line, in file order
    values: list[float | None]  # in the same order as keys
    lines: int = 0
    unpublished: int = 0
    arrondissements: int = 0


def validate(table: Table, wanted: str | None, checker: Checker, progress: Progress | None = None) -> Validated:
    """Every cell of the file checked; ``ImportRefused`` with the problems, or the values.

    The loop is the hot path of a million-value import: each cell is first looked up among
    the texts already found valid (``checker.ok_*``), and checked in full only on a miss."""
    layout = read_layout(table.header, wanted, checker)
    problems = Problems()
    keys: dict[tuple[str, str, str, int], int] = {}
    values: list[float | None] = []
    append = values.append
    names = layout.names
    width = len(names)
    kind = layout.kind
    i_indicator, i_level, i_code, i_year, i_value = (
        layout.key.get(name) for name in ("indicator", "level", "code", "year", "value")
    )
    c_indicator, c_level, c_code, c_year = (names[i] if i is not None else "" for i in (i_indicator, i_level, i_code, i_year))
    c_value = names[i_value] if i_value is not None else ""
    by_indicator = [(index, column, checker.indicators[code]) for index, column, code in layout.columns] \
        if kind == WIDE_BY_INDICATOR else []
    by_year = layout.columns if kind == WIDE_BY_YEAR else []
    csv_file = table.kind == "csv"
    ok_indicator, ok_level, ok_year, ok_code, ok_fits = (
        checker.ok_indicator, checker.ok_level, checker.ok_year, checker.ok_code, checker.ok_fits
    )
    unpublished = arrondissements = lines = last_position = 0
    if progress:
        progress.start("Lecture et vérification", table.total, "o" if csv_file else " lignes")

    def store(line: int, column: str, indicator: Indicator, level: str, code: str, year: int, raw) -> bool:
        """Check one value and keep it; False when it is wrong (the problem is added)."""
        if (indicator.code, level) not in ok_fits:
            reason = checker.fits(indicator, level)
            if reason is not None:
                problems.add(line, c_level, reason)
                return False
        cls = raw.__class__
        try:
            if cls is not str and cls is not float and cls is not int:
                raise TypeError
            value = float(raw)
            if value - value != 0.0:  # nan, inf
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            ok, value = parse_value(raw)
            if not ok:
                problems.add(line, column, f"valeur non numérique {describe(raw)} (un nombre, ou vide, s, nd, secret "
                                           "pour une valeur non publiée).")
                return False
        key = (indicator.code, level, code, year)
        size = len(keys)
        first = keys.setdefault(key, line)
        if len(keys) == size:
            problems.add(line, column, f"doublon : {indicator.code}, {level} {code}, {year} figure déjà ligne {first}.")
            return False
        append(value)
        return value is None

    def blank(cells) -> bool:
        return all(cell in ("", None) for cell in cells)

    try:
        for line, cells in table.rows:
            lines += 1
            if progress and lines % PROGRESS_EVERY == 0:
                position = table.position()
                progress.advance(position - last_position)
                last_position = position
            if len(cells) != width:
                if blank(cells):
                    lines -= 1
                    continue
                if len(cells) < width:
                    if csv_file:
                        problems.add(line, names[len(cells)], f"ligne incomplète : {len(cells)} cellule(s) au lieu de {width}.")
                        continue
                    cells = (*cells, *(None,) * (width - len(cells)))  # a sheet's row stops at its last filled cell
                elif not blank(cells[width:]):
                    hint = " : une virgule décimale sans guillemets dans un fichier séparé par des virgules ?" \
                        if table.delimiter == "," else "."
                    problems.add(line, f"n° {width + 1}", f"{len(cells)} cellules au lieu de {width}{hint}")
                    continue
            raw = cells[i_level]
            level = ok_level.get(raw)
            if level is None:
                if raw in ("", None) and blank(cells):
                    lines -= 1
                    continue
                level = checker.level(raw, line, c_level, problems)
            if layout.unnamed:
                for index in layout.unnamed:
                    if cells[index] not in ("", None):
                        problems.add(line, f"n° {index + 1}", "valeur dans une colonne sans nom.")
            if level is not None:
                raw = cells[i_code]
                found = ok_code[level].get(raw) or checker.code(level, raw, line, c_code, problems)
                if found is None:
                    level = None
                else:
                    code, counted = found
                    if not counted:
                        arrondissements += 1
            if kind == LONG:
                raw = cells[i_indicator]
                indicator = ok_indicator.get(raw) or checker.indicator(raw, line, c_indicator, problems)
                raw = cells[i_year]
                year = ok_year.get(raw) or checker.year(raw, line, c_year, problems)
                if indicator is not None and level is not None and year is not None:
                    if store(line, c_value, indicator, level, code, year, cells[i_value]):
                        unpublished += 1
            elif kind == WIDE_BY_INDICATOR:
                raw = cells[i_year]
                year = ok_year.get(raw) or checker.year(raw, line, c_year, problems)
                if level is not None and year is not None:
                    for index, column, indicator in by_indicator:
                        if store(line, column, indicator, level, code, year, cells[index]):
                            unpublished += 1
            else:
                raw = cells[i_indicator]
                indicator = ok_indicator.get(raw) or checker.indicator(raw, line, c_indicator, problems)
                if indicator is not None and level is not None:
                    for index, column, year in by_year:
                        if store(line, column, indicator, level, code, year, cells[index]):
                            unpublished += 1
    except FileProblem as error:
        problems.add(error.line, "", error.message)
    if progress:
        progress.advance(max(0, table.position() - last_position))
        progress.finish()
    if not problems and not values:
        problems.add(None, "", "aucune valeur à importer : le fichier n'a qu'un en-tête.")
    if problems:
        raise ImportRefused(problems)
    return Validated(layout, keys, values, lines, unpublished, arrondissements)


# --------------------------------------------------------------------------------------
# Writing: one transaction
# --------------------------------------------------------------------------------------


def dependents(indicators: set[str], catalogue: dict[str, Indicator]) -> list[Indicator]:
    """The imported indicators and every ratio that reads one of them (or reads such a ratio)."""
    chosen = set(indicators)
    by_id = {indicator.pk: indicator for indicator in catalogue.values()}
    grown = True
    while grown:
        grown = False
        for indicator in catalogue.values():
            if indicator.code in chosen or indicator.aggregation != Aggregation.RATIO:
                continue
            parts = {by_id[pk].code for pk in (indicator.numerator_id, indicator.denominator_id) if pk in by_id}
            if parts & chosen:
                chosen.add(indicator.code)
                grown = True
    return [catalogue[code] for code in sorted(chosen, key=lambda code: (catalogue[code].position, code))]


def import_values(source: str | Path | IO[bytes], *, name: str | None = None, layout: str | None = None,
                  progress: Progress | None = None) -> ImportReport:
    """Check the whole file, then write it, re-aggregate and record the run; ``ImportRefused``
    (nothing written) when anything is wrong. ``layout``: None (from the header), "long" or "wide"."""
    started = time.perf_counter()
    if isinstance(source, (str, Path)):
        path = Path(source)
        with path.open("rb") as binary:
            return import_values(binary, name=name or path.name, layout=layout, progress=progress)
    binary = source
    size = _size_of(binary)
    table = open_table(binary, size)
    checker = Checker()
    checked = validate(table, layout, checker, progress)
    checked_at = time.perf_counter()
    report = ImportReport(file_name=name or "fichier", layout=checked.layout.kind, lines=checked.lines,
                          values=len(checked.values), unpublished=checked.unpublished,
                          arrondissements=checked.arrondissements)
    imported = {key[0] for key in checked.keys}
    catalogue = checker.indicators
    to_aggregate = dependents(imported, catalogue)

    def rows() -> Iterator[SourceValue]:
        for count, ((indicator, level, code, year), value) in enumerate(zip(checked.keys, checked.values), start=1):
            if progress and count % 100_000 == 0:
                progress.advance(100_000)
            yield SourceValue(indicator, level, code, year, value)

    with transaction.atomic():
        if progress:
            progress.start("Écriture", len(checked.values), " valeurs")
        written = write_source_values(rows(), {code: catalogue[code] for code in imported})
        written_at = time.perf_counter()
        if progress:
            progress.finish()
            progress.start("Agrégation", len(to_aggregate), " indicateurs")
        report.computed = aggregate(to_aggregate, progress=(lambda indicator: progress.advance(1)) if progress else None)
        if progress:
            progress.finish()
        Run.objects.create(kind=Run.Kind.IMPORT, source=report.file_name[:300], values_written=written.written)
    report.stages = {"check": checked_at - started, "write": written_at - checked_at,
                     "aggregate": time.perf_counter() - written_at}
    report.written = written.written
    report.slices = len(written.slices)
    report.indicators = sorted(imported, key=lambda code: (catalogue[code].position, code))
    report.reaggregated = [indicator.code for indicator in to_aggregate]
    report.seconds = time.perf_counter() - started
    return report


def _size_of(binary: IO[bytes]) -> int | None:
    try:
        position = binary.tell()
        binary.seek(0, io.SEEK_END)
        size = binary.tell()
        binary.seek(position)
        return size
    except (AttributeError, OSError, ValueError):
        return None
