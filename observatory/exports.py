"""The tables behind each chart of a portrait, as CSV rows (the page's "Télécharger (CSV)"
links). Each figure row says its source and vintage, and whether it is demo data."""

from __future__ import annotations

from typing import Iterator

from observatory.portrait import Portrait

PORTRAIT_SECTIONS = {
    "profil": "Profil",
    "indicateurs": "Indicateurs, indices et territoires comparables",
    "domaines": "Score par domaine",
    "evolution": "Évolution",
    "enquetes": "Dynamique partenariale : enquêtes de l'Observatoire des partenariats",
}
DEMO = "données de démonstration"


def nature(indicator) -> str:
    return DEMO if indicator.is_demo else "donnée réelle"


def portrait_rows(portrait: Portrait, section: str) -> Iterator[list]:
    territory = portrait.territory
    if section == "profil":
        yield ["territoire", "indicateur", "année", "valeur", "unité", "source", "millésime", "nature"]
        for figure in portrait.profile:
            i = figure.indicator
            yield [territory.name, i.name, figure.year, figure.value, i.unit, i.source, i.vintage, nature(i)]
        yield [territory.name, "Nombre de communes", "", portrait.communes, "communes", "Découpage administratif (Etalab)", "", "donnée réelle"]
        if portrait.organisations is not None:
            yield [territory.name, "Organisations présentes sur la plateforme", "", portrait.organisations, "organisations", "Catalyseur", "", ""]
            yield [territory.name, "Partenariats recensés sur la plateforme", "", portrait.partnerships, "partenariats", "Catalyseur", "", ""]
    elif section == "indicateurs":
        parent = portrait.parent.name if portrait.parent else ""
        yield [
            "territoire", "domaine", "indicateur", "année", "valeur", "unité", "part de la population couverte",
            "France métropolitaine", "indice France (=100)", f"valeur {parent}".strip(), "indice parent (=100)",
            "rang", "sur", "décile", "médiane des comparables", "minimum des comparables", "maximum des comparables",
            "comparables avec une valeur", "source", "millésime", "nature",
        ]
        for row in portrait.rows:
            f, i, p = row.figure, row.figure.indicator, row.peers
            yield [
                territory.name, i.domain.label, i.name, f.year, f.value, i.unit, f.coverage,
                f.national, f.index_france if row.shows_index else None, f.parent_value,
                f.index_parent if row.shows_index else None, f.rank, f.count, f.decile,
                p.median if p else None, p.low if p else None, p.high if p else None,
                f"{p.with_data}/{p.peers}" if p else "", i.source, i.vintage, nature(i),
            ]
    elif section == "domaines":
        yield ["territoire", "domaine", "score (0-100, 100 = le plus fragile du niveau)", "prioritaire", "indicateurs", "nature"]
        for score in portrait.scores:
            yield [
                territory.name, score.domain.label, round(score.score, 1), "oui" if score.is_priority else "non",
                " ; ".join(f.indicator.name for f in score.figures), DEMO if score.is_demo else "donnée réelle",
            ]
    elif section == "enquetes":
        yield [
            "territoire", "enquête", "population interrogée", "territoire de l'enquête", "producteur", "année",
            "question", "réponse", "part (%)", "base (N)", "lecture à confirmer", "note", "document source",
            "section du document", "fichier source",
        ]
        panel = portrait.surveys
        for row in (panel.rows if panel else []):
            s, q, a = row.survey, row.question, row.answer
            population = s.get_population_display() + (f" ({s.population_detail})" if s.population_detail else "")
            yield [
                territory.name, s.title, population, s.scope_label, s.producer, s.year, q.text, a.label, f"{a.share:g}",
                row.base_n, "oui" if a.is_uncertain else "non", a.note, s.source_title, s.source_section, s.source_file,
            ]
    elif section == "evolution":
        yield ["territoire", "indicateur", "année", "valeur", "unité", "source", "nature"]
        for row in portrait.evolutions():
            i = row.figure.indicator
            for year, value in row.figure.series:
                yield [territory.name, i.name, year, value, i.unit, i.source, nature(i)]
