"""Writes the corpus of bad files next to this script (run it again after editing).

    .venv/bin/python tests/robustness/corpus/make_corpus.py

The files are kept in the repository so that a failing case can be opened and read; this
script says how each one was made. Every file is small (the « huge field » ones just pass
the csv module's 131 072-character limit). What each file must produce is listed in
``tests/robustness/test_import_corpus.py``.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
RNA = (ROOT / "actors" / "tests" / "data" / "rna_waldec_94.csv").read_bytes().decode("utf-8")
SIRENE = (ROOT / "actors" / "tests" / "data" / "sirene_etablissements_94.csv").read_bytes().decode("utf-8")
CSV_LIMIT = 131_072  # csv.field_size_limit() by default


def png() -> bytes:
    """A real 1×1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def replace_field(text: str, delimiter: str, line: int, column: int, value: str) -> str:
    """The text with one field (line and column counted from 1) replaced; no quoting."""
    lines = text.splitlines(keepends=True)
    body = lines[line - 1].rstrip("\r\n")
    fields = body.split(delimiter)
    fields[column - 1] = value
    lines[line - 1] = delimiter.join(fields) + "\n"
    return "".join(lines)


def truncate_line(text: str, line: int, keep: float = 0.5) -> str:
    lines = text.splitlines(keepends=True)
    body = lines[line - 1].rstrip("\n")
    lines[line - 1] = body[: int(len(body) * keep)] + "\n"
    return "".join(lines)


# --- Practices: the fiche import (CSV and JSON) ---------------------------------------------

PRACTICE_HEADER = "slug,title,summary,territory,domains,year_started\n"
PRACTICE_ROWS = [
    "fiche-une,Une première fiche,Un résumé de la première fiche.,commune/94018,numerique,2019\n",
    "fiche-deux,Une deuxième fiche,Un résumé de la deuxième fiche.,commune/45234,emploi,2020\n",
    "fiche-trois,Une troisième fiche,Un résumé de la troisième fiche.,,,\n",
]
PRACTICE = PRACTICE_HEADER + "".join(PRACTICE_ROWS)
VALID_FICHE = {"slug": "fiche-json", "title": "Une fiche JSON", "summary": "Un résumé.", "territory": "commune/94018"}


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


PRACTICES: dict[str, bytes] = {
    "vide.csv": b"",
    "blancs.csv": b"\n \n\t\n",
    "entete_seule.csv": PRACTICE_HEADER.encode(),
    "une_colonne.csv": b"title\nUne fiche sans r\xc3\xa9sum\xc3\xa9\n",
    "premiere_ligne_vide.csv": ("\n" + PRACTICE).encode(),
    "separateur_barre.csv": PRACTICE.replace(",", "|").encode(),
    "separateur_espace.csv": b"title summary\nUne fiche\n",
    "latin1.csv": PRACTICE.encode("latin-1"),
    "utf16.csv": PRACTICE.encode("utf-16"),
    "image_png.csv": png(),
    "ligne_tronquee.csv": truncate_line(PRACTICE, 3, keep=0.3).encode(),
    "valeurs_en_trop.csv": replace_field(PRACTICE, ",", 3, 6, "2020,en trop,encore").encode(),
    "colonne_inconnue.csv": PRACTICE.replace("year_started\n", "year_started,couleur\n", 1)
                                    .replace("2019\n", "2019,bleu\n").replace("2020\n", "2020,vert\n")
                                    .replace(",,,\n", ",,,,\n").encode(),
    "sans_colonne_title.csv": PRACTICE.replace("slug,title,", "slug,titre,", 1).encode(),
    "champ_enorme.csv": replace_field(PRACTICE, ",", 3, 3, "x" * (CSV_LIMIT + 10)).encode(),
    "entete_enorme.csv": ("title," + "y" * (CSV_LIMIT + 10) + "\nA,B\n").encode(),
    "octet_nul.csv": replace_field(PRACTICE, ",", 3, 2, "Une fiche\x00cachée").encode(),
    "guillemet_ouvert.csv": replace_field(PRACTICE, ",", 3, 3, '"Un résumé sans fin').encode(),
    "bom.csv": ("\ufeff" + PRACTICE).encode(),
    "point_virgule.csv": PRACTICE.replace(",", ";").encode(),
    "valeurs_fausses.csv": (PRACTICE_HEADER
                            + "fiche-a,Une fiche,Un résumé.,commune/99999,numerique,2019\n"
                            + "fiche-b,Une fiche,Un résumé.,commune/94018,cuisine,deux mille\n"
                            + "fiche-c,Une fiche,,pays/fr,,1066\n").encode(),
    "slug_invalide.csv": replace_field(PRACTICE, ",", 2, 1, "une fiche/à part").encode(),
    "titre_sans_lettres.csv": (PRACTICE_HEADER.replace("slug,", "", 1) + "!!!,Un résumé.,,,\n").encode(),
    "textes_trop_longs.csv": ("title,summary,carrier,website\n"
                              f"Une fiche,{'r' * 1001},{'p' * 201},javascript:alert(1)\n").encode(),
    # JSON
    "vide.json": b"",
    "tronque.json": json.dumps([VALID_FICHE, VALID_FICHE]).encode()[:-30],
    "objet_sans_fiches.json": b'{"titre": "pas une liste"}',
    "nombre.json": b"42",
    "fiches_pas_une_liste.json": b'{"fiches": {"title": "x"}}',
    "liste_de_textes.json": b'["une fiche", null, 3]',
    "types_faux.json": json.dumps([{
        "title": 12, "summary": ["pas", "un", "texte"], "places": 5, "organisations": {"a": 1},
        "domains": [["numerique"]], "partnership_types": 7, "metiers": {"x": 1}, "source": "un document",
        "figures": "150 : seniors", "year_started": [2019], "territory": 94018, "carrier_status": ["association"],
        "category": {"code": "impulsion"}, "slug": ["a"],
    }], ensure_ascii=False).encode(),
    "source_types_faux.json": json.dumps([{**VALID_FICHE, "source": {"document": ["a"], "year": "l'an dernier"}}]).encode(),
    "figures_nombres.json": json.dumps([{**VALID_FICHE, "figures": [{"value": 150, "label": "seniors"},
                                                                    {"value": {"x": 1}, "label": "objet"}]}]).encode(),
    "profond_liste.json": nested_list(20_000).encode(),
    "profond_objet.json": ('[{"title": "Une fiche", "summary": ' + nested_object(20_000) + "}]").encode(),
    "profond_champ.json": json.dumps([{**VALID_FICHE, "places": [[[[[["a"]]]]]]}]).encode(),
    "annee_infinie.json": ('[{"title": "Une fiche", "summary": "Un résumé.", "year_started": Infinity}]').encode(),
    "annee_nan.json": ('[{"title": "Une fiche", "summary": "Un résumé.", "year_started": NaN}]').encode(),
    "annee_enorme.json": ('[{"title": "Une fiche", "summary": "Un résumé.", "source": {"year": '
                          + "9" * 40 + "}}]").encode(),
    "caractere_nul.json": json.dumps([{**VALID_FICHE, "summary": "avant\u0000après"}]).encode(),
    "latin1.json": json.dumps([VALID_FICHE], ensure_ascii=False).encode("latin-1"),
    "bom.json": ("\ufeff" + json.dumps([VALID_FICHE], ensure_ascii=False)).encode(),
}

# --- The registers: RNA (« ; ») and SIRENE (« , ») ------------------------------------------


def with_nul_after(text: str, line: int, column: int, delimiter: str) -> str:
    lines = text.splitlines(keepends=True)
    fields = lines[line - 1].rstrip("\n").split(delimiter)
    fields[column - 1] = fields[column - 1] + "\x00"
    lines[line - 1] = delimiter.join(fields) + "\n"
    return "".join(lines)


RNA_LONG = RNA + RNA.splitlines(keepends=True)[1].replace("W941012345", "W941099999") * 6  # NUL lands past 2 KiB

REGISTERS: dict[str, bytes] = {
    "rna_vide.csv": b"",
    "rna_entete_seule.csv": RNA.splitlines(keepends=True)[0].encode(),
    "rna_virgules.csv": RNA.replace(";", ",").encode(),
    "rna_latin1.csv": RNA.encode("latin-1"),
    "rna_utf16.csv": RNA.encode("utf-16"),
    "rna_image_png.csv": png(),
    "rna_ligne_tronquee.csv": truncate_line(RNA, 4).encode(),
    "rna_valeurs_en_trop.csv": replace_field(RNA, ";", 2, 39, "2023-09-20 10:12:44;en trop;encore").encode(),
    "rna_colonne_manquante.csv": RNA.replace(";titre;", ";nom;", 1).encode(),
    "rna_champ_enorme.csv": replace_field(RNA, ";", 2, 14, "o" * (CSV_LIMIT + 10)).encode(),
    "rna_octet_nul.csv": with_nul_after(RNA_LONG, 9, 12, ";").encode(),
    "rna_guillemet_ouvert.csv": replace_field(RNA, ";", 4, 12, '"Amicale sans fin').encode(),
    "rna_valeurs_fausses.csv": replace_field(replace_field(replace_field(RNA, ";", 3, 1, "W94-13579"), ";", 4, 9, "hier"),
                                             ";", 5, 23, "9401").encode(),
    "rna_bom.csv": ("\ufeff" + RNA).encode(),
    "rna_fins_de_ligne_crlf.csv": RNA.replace("\n", "\r\n").encode(),
    "sirene_vide.csv": b"",
    "sirene_point_virgules.csv": SIRENE.replace(",", ";").encode(),
    "sirene_utf16.csv": SIRENE.encode("utf-16"),
    "sirene_image_png.csv": png(),
    "sirene_ligne_tronquee.csv": truncate_line(SIRENE, 3).encode(),
    "sirene_colonne_manquante.csv": SIRENE.replace(",siret,", ",numero,", 1).encode(),
    "sirene_siret_faux.csv": replace_field(SIRENE, ",", 3, 3, "92345678400028").encode(),
    "sirene_valeurs_fausses.csv": replace_field(replace_field(replace_field(replace_field(
        SIRENE, ",", 2, 29, "six cent mille"), ",", 3, 30, "6858100"), ",", 4, 46, "X"), ",", 5, 6, "99").encode(),
    "sirene_champ_enorme.csv": replace_field(SIRENE, ",", 2, 50, "n" * (CSV_LIMIT + 10)).encode(),
    "sirene_octet_nul.csv": with_nul_after(SIRENE + SIRENE.splitlines(keepends=True)[1] * 8, 7, 50, ",").encode(),
    "sirene_bom.csv": ("\ufeff" + SIRENE).encode(),
}


def main() -> None:
    for folder, files in (("practices", PRACTICES), ("registers", REGISTERS)):
        target = HERE / folder
        target.mkdir(exist_ok=True)
        for old in target.iterdir():
            old.unlink()
        for name, content in files.items():
            (target / name).write_bytes(content)
    print(f"{len(PRACTICES)} + {len(REGISTERS)} fichiers écrits dans {HERE}")


if __name__ == "__main__":
    main()
