"""CSV and JSON exchange of fiches. The export's columns are exactly what the import reads,
so an exported file can be edited and imported back.

Lists (places, organisations, taxonomy codes) are joined with " | " in CSV; figures are
written « valeur : libellé » joined the same way. JSON keeps lists as lists.
"""

from __future__ import annotations

import csv
import io
import json

COLUMNS = [
    "slug", "title", "summary", "objet", "territory", "territory_name", "places", "carrier_status", "carrier",
    "genese", "objectif", "activites_partenariats", "resultats", "figures", "prochaines_etapes", "year_started",
    "website", "organisations", "domains", "partnership_types", "category", "metiers",
    "source_document", "documented_by", "documented_year", "source_where", "published_at",
]
LIST_COLUMNS = {"places", "organisations", "domains", "partnership_types", "metiers"}
SEPARATOR = " | "
MAX_BYTES = 5 * 1024 * 1024


class FileRejected(Exception):
    """The file cannot be read at all (format, encoding, size); says why."""


def export_rows(queryset):
    """One dict per fiche, in COLUMNS order, lists kept as lists."""
    queryset = queryset.select_related("territory").prefetch_related("domains", "partnership_types", "metiers")
    for case in queryset.iterator(chunk_size=500):
        yield {
            "slug": case.slug, "title": case.title, "summary": case.summary, "objet": case.objet,
            "territory": f"{case.territory.level}/{case.territory.code}" if case.territory else "",
            "territory_name": case.territory.name if case.territory else "",
            "places": case.places, "carrier_status": case.carrier_status, "carrier": case.carrier,
            "genese": case.genese, "objectif": case.objectif, "activites_partenariats": case.activites_partenariats,
            "resultats": case.resultats, "figures": case.figures, "prochaines_etapes": case.prochaines_etapes,
            "year_started": case.year_started, "website": case.website, "organisations": case.organisations,
            "domains": [d.code for d in case.domains.all()],
            "partnership_types": [t.code for t in case.partnership_types.all()],
            "category": case.category, "metiers": [m.code for m in case.metiers.all()],
            "source_document": case.source_document, "documented_by": case.documented_by,
            "documented_year": case.documented_year, "source_where": case.source_where,
            "published_at": case.published_at.isoformat() if case.published_at else "",
        }


def _csv_cell(name, value):
    if name == "figures":
        return SEPARATOR.join(f"{f.get('value', '')} : {f.get('label', '')}" for f in value or [])
    if name in LIST_COLUMNS:
        return SEPARATOR.join(value or [])
    return "" if value is None else value


def csv_lines(rows):
    """Stream CSV text (UTF-8 with BOM so spreadsheets open accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(name, row[name]) for name in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    yield buffer.getvalue()


def json_chunks(rows, meta: dict):
    yield '{"meta": ' + json.dumps(meta, ensure_ascii=False) + ', "fiches": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + json.dumps(row, ensure_ascii=False)
    yield "]}"


# --- Reading an uploaded file ------------------------------------------------------------


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise FileRejected(f"Fichier trop gros ({len(raw) // 1024} Kio) : 5 Mio au plus.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise FileRejected(f"Ligne {line} : encodage non reconnu (octet 0x{raw[error.start]:02x}) : "
                           "enregistrez le fichier en UTF-8.") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileRejected(f"Ligne {line} : caractère nul (octet 0x00) : ce n'est pas un fichier texte.")
    return text


def _csv_problem(error: csv.Error) -> str:
    """The csv module's complaint, in French."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        return f"une valeur dépasse {csv.field_size_limit()} caractères"
    if message == "unexpected end of data":
        return "guillemet ouvert jamais refermé"
    if "expected after" in message:
        return "caractère inattendu après un guillemet fermant"
    return message


def read_csv(raw: bytes) -> tuple[list[dict], callable]:
    text = _decode(raw)
    if not text.strip():
        raise FileRejected("Le fichier est vide.")
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        if first.strip().strip('"') not in COLUMNS:
            raise FileRejected("Ligne 1 : séparateur non reconnu : séparez les colonnes par des virgules, "
                               "des points-virgules ou des tabulations.") from None
        delimiter = ","  # a single column
    # Only the separator is guessed: quoting stays the standard one (doubled quotes), the export's.
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, strict=True)
    start = 1
    try:
        header = reader.fieldnames or []
        unknown = [h for h in header if h not in COLUMNS]
        if "title" not in header:
            raise FileRejected("Ligne 1 : la colonne « title » est obligatoire. Colonnes reconnues : " + ", ".join(COLUMNS))
        if unknown:
            raise FileRejected("Ligne 1 : colonne(s) inconnue(s) " + ", ".join(unknown) + ". Colonnes reconnues : " + ", ".join(COLUMNS))
        rows = []
        start = reader.line_num + 1
        for record in reader:
            if None in record:
                raise FileRejected(f"Ligne {start} : plus de valeurs que de colonnes.")
            if None in record.values():
                count = sum(value is not None for value in record.values())
                raise FileRejected(f"Ligne {start} : {count} valeur(s) au lieu de {len(header)} (ligne tronquée ?).")
            row = {}
            for name, value in record.items():
                value = value or ""
                if name == "figures":
                    row[name] = [_figure(part) for part in value.split("|") if part.strip()]
                elif name in LIST_COLUMNS:
                    row[name] = [part.strip() for part in value.split("|") if part.strip()]
                else:
                    row[name] = value
            row["source"] = {"document": row.pop("source_document", ""), "documented_by": row.pop("documented_by", ""),
                             "year": row.pop("documented_year", "") or None, "where": row.pop("source_where", "")}
            row.pop("territory_name", None)
            row.pop("published_at", None)
            rows.append(row)
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRejected(f"Ligne {start} : CSV mal formé ({_csv_problem(error)}).") from None
    return rows, (lambda i: f"ligne {i + 2}")


def _figure(part: str) -> dict:
    value, _, label = part.partition(":")
    return {"value": value.strip(), "label": label.strip()}


def parse_json(raw: bytes):
    """The JSON document, or FileRejected saying where it is wrong."""
    text = _decode(raw)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRejected(f"JSON invalide ligne {error.lineno}, colonne {error.colno} ({error.msg}).") from None
    except RecursionError:
        raise FileRejected("JSON trop profondément imbriqué : une liste de fiches est attendue.") from None


def read_json(raw: bytes) -> tuple[list[dict], callable]:
    data = parse_json(raw)
    fiches = data.get("fiches") if isinstance(data, dict) else data
    if not isinstance(fiches, list):
        raise FileRejected("JSON : une liste de fiches est attendue (ou un objet avec une clé « fiches »).")
    for fiche in fiches:
        if isinstance(fiche, dict) and "source" not in fiche:
            fiche["source"] = {"document": fiche.pop("source_document", ""), "documented_by": fiche.pop("documented_by", ""),
                               "year": fiche.pop("documented_year", None), "where": fiche.pop("source_where", "")}
        if isinstance(fiche, dict):
            fiche.pop("territory_name", None)
            fiche.pop("published_at", None)
    return fiches, (lambda i: f"fiche n° {i + 1}")


def read_upload(name: str, raw: bytes):
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return read_csv(raw)
    if lowered.endswith(".json"):
        return read_json(raw)
    raise FileRejected("Format non reconnu : envoyez un fichier .csv ou .json.")
