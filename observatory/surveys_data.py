"""Survey results and regional profiles published by the Observatoire des partenariats (Le
RAMEAU), as read in the source documents of the project (``/work/shared/seeds/*.txt``).

These are real published figures, not demo data. Every figure carries a comment naming the
seed file and the line (and heading) it comes from; nothing here is computed or guessed:
a share the documents do not print (the "non" of a question, a base N they do not give, a
year they do not state) is left out, and a figure whose attribution is ambiguous in the
document is loaded with ``"uncertain": True`` and a note saying why.

Loaded idempotently by ``observatory.surveys.load_surveys`` (called by ``load_reference``,
so by ``manage.py load_observatory`` and ``make run``).

The garbled table (seed 004)
----------------------------
Seed 004 prints the companies' 2015 partnership practices twice:

* lines 244-248, « Pratiques des entreprises en 2015 | France | Nouvelle-Aquitaine |
  Occitanie », one row per practice;
* lines 385-390, the same title, one column per practice and three rows without labels.

The first table is the garbled one. Its 3 × 3 upper block is exactly symmetric (45 30 25 /
30 28 24 / 25 24 26), which a real cross-table of three territories has no reason to be:
it is the second table read along the wrong axis. Its Nouvelle-Aquitaine column (30 % of
"pratiques responsables", below France's 45 %) contradicts the document's own commentary,
which says Nouvelle-Aquitaine's companies are « centrées sur les pratiques responsables »
(lines 392, 799) and « plus engagées que la moyenne nationale » (line 779). It also names
the last practice « Innovation sociale » where the rest of the document says « Innovation
sociétale ».

The second table is coherent: its first row (45 30 25 16) is France in both tables, and
seed 000 (line 28) gives the same 30 / 25 / 16 for mécénat, coopération économique and
innovation sociétale. Its rows are territories, not answers (a practice's three rows add
up to more than 100 %). Its rows 2 and 3 carry no label: they are read as
Nouvelle-Aquitaine then Occitanie, the order of the first table's heading, and this reading
matches the commentary (Nouvelle-Aquitaine: 61 % of "pratiques responsables"; Occitanie,
« en recherche de partenariat de co-construction »: 57 % of "coopération économique" and
37 % of "innovation sociétale"). Where the garbled table happens to print the same figure
in the same cell (Nouvelle-Aquitaine: mécénat 28 %, coopération économique 24 %; Occitanie:
innovation sociétale 37 %) the figure is loaded as read; the other regional figures are
loaded marked « lecture à confirmer ». Nothing else of the first table is loaded.
"""

from __future__ import annotations

SEED_000 = {
    "file": "000_52d11ce732393435.txt",
    "title": "Le RAMEAU, « Le mouvement de co-construction territoriale » (présentation du parcours "
             "d'expérience « co-construction territoriale », programme juillet 2017 – décembre 2018)",
}
SEED_002 = {
    "file": "002_0ffc84e8d5b328c4.txt",
    "title": "Le RAMEAU, note de réflexion stratégique « La co-construction en territoire, des enjeux à la "
             "pratique » (8 janvier 2015)",
}
SEED_003 = {
    "file": "003_959351fc80cceba9.txt",
    "title": "Centre de ressources numériques « co-construction territoriale » (Le RAMEAU, CGET), "
             "« Pourquoi un centre de ressources sur la co-construction territoriale ? »",
}
SEED_004 = {
    "file": "004_733c11854835ad12.txt",
    "title": "Le RAMEAU, « La co-construction territoriale », présentation aux correspondants RSE du site "
             "de Pau (TOTAL), 16 décembre 2020",
}

NOUVELLE_AQUITAINE = ("region", "75")
OCCITANIE = ("region", "76")

PHARE_PRODUCER = "Comisis / OpinionWay pour l'Observatoire des partenariats (Le RAMEAU)"
UNNAMED_PRODUCER = "Non précisé par la source (document du RAMEAU)"

# The question the slides around the 2015 tables ask (seed 004, lines 154, 786 and 802).
PRACTICES_QUESTION = "Quel(s) type(s) de partenariat pratiquez-vous ? (part des entreprises qui pratiquent chaque type)"
PRACTICES_SECTION = "« Pratiques des entreprises en 2015 », tableau des lignes 385-390"
PRACTICES_NOTES_COMMON = (
    "Seed 004 imprime ce tableau deux fois. Le premier (lignes 244-248, une colonne par territoire) est brouillé : "
    "son bloc 3 × 3 est symétrique (c'est le second relu dans le mauvais sens) et sa colonne Nouvelle-Aquitaine "
    "(30 % de pratiques responsables) contredit le commentaire du document (« des relations centrées sur les "
    "pratiques responsables », « des entreprises plus engagées que la moyenne nationale »). Seul le second "
    "(lignes 385-390) est chargé. "
    "Les diapositives voisines posent la question « Quel(s) type(s) de partenariat pratiquez-vous ? » avec trois "
    "réponses (oui ; non mais je pense le faire dans les 6 mois ; non je n'en ai pas l'intention) et une « Base : "
    "Ensemble des entreprises (N = 107) » ; leurs graphiques ne sont pas dans le texte du document et rien ne dit "
    "que le tableau 2015 repose sur cette base : la base N est laissée vide, seules les parts de « pratiquent » sont "
    "publiées. Producteur : le document attribue les études de l'Observatoire à Comisis et OpinionWay (ligne 78) et "
    "situe en 2015 le programme PHARE auprès des entreprises des 13 régions (ligne 86) ; le tableau lui-même ne "
    "nomme pas l'étude."
)
REGION_ROW_NOTE = (
    "Ligne sans libellé du tableau des lignes 385-390, attribuée à {region} par l'ordre France / "
    "Nouvelle-Aquitaine / Occitanie du titre du tableau (ligne 244) et par le commentaire du document."
)
UNCERTAIN_NOTE = (
    "Lecture à confirmer : le tableau brouillé des lignes 244-248 donne {other} % dans cette case ; le chiffre "
    "retenu est celui du tableau cohérent (lignes 385-390), dont la ligne n'a pas de libellé."
)
CONFIRMED_NOTE = "Même chiffre dans la même case des deux tableaux de seed 004 (lignes 244-248 et 385-390)."


def _practices(rows: list[tuple[str, float, bool, str]]) -> list[dict]:
    return [
        {
            "code": "types-partenariat-pratiques",
            "text": PRACTICES_QUESTION,
            "answers": [{"label": label, "share": share, "uncertain": uncertain, "note": note} for label, share, uncertain, note in rows],
        }
    ]


SURVEYS: list[dict] = [
    # ---------------------------------------------------------------- companies, 2015 ----
    {
        "key": "entreprises-pratiques-2015-france",
        "series": "entreprises-pratiques-2015",
        "title": "Pratiques partenariales des entreprises en 2015",
        "population": "entreprises",
        "producer": PHARE_PRODUCER,
        "programme": "Observatoire des partenariats, programme PHARE (2015)",
        "year": 2015,  # seed 004, line 385: « Pratiques des entreprises en 2015 »
        "territory": None,
        "base_n": None,  # not given for the table (see notes)
        "base_label": "Entreprises",
        "source": SEED_004,
        "section": PRACTICES_SECTION,
        "notes": PRACTICES_NOTES_COMMON + (
            " France : première ligne du tableau des lignes 385-390, identique à la colonne France du tableau "
            "brouillé (lignes 245-248). Seed 000 (ligne 28) donne 42 % (et non 45 %) de pratiques responsables pour "
            "les entreprises de plus de 10 salariés, avec les mêmes 30 / 25 / 16 % ; l'écart n'est pas expliqué par "
            "les documents."
        ),
        "questions": _practices([
            # seed 004, line 388 (row 1 of the table at lines 385-390) = line 245, column France
            ("Pratiques responsables", 45, False, "Seed 000 (ligne 28) : 42 % pour les entreprises de plus de 10 salariés."),
            # seed 004, line 388 = line 246, column France; seed 000, line 28: 30 %
            ("Mécénat", 30, False, ""),
            # seed 004, line 388 = line 247, column France; seed 000, line 28: 25 %
            ("Coopération économique", 25, False, ""),
            # seed 004, line 388 = line 248, column France; seed 000, line 28: 16 %
            ("Innovation sociétale", 16, False, ""),
        ]),
    },
    {
        "key": "entreprises-pratiques-2015-nouvelle-aquitaine",
        "series": "entreprises-pratiques-2015",
        "title": "Pratiques partenariales des entreprises en 2015",
        "population": "entreprises",
        "producer": PHARE_PRODUCER,
        "programme": "Observatoire des partenariats, programme PHARE (2015)",
        "year": 2015,  # seed 004, line 385
        "territory": NOUVELLE_AQUITAINE,
        "base_n": None,
        "base_label": "Entreprises de la région",
        "source": SEED_004,
        "section": PRACTICES_SECTION,
        "notes": PRACTICES_NOTES_COMMON + " " + REGION_ROW_NOTE.format(region="la Nouvelle-Aquitaine") + (
            " Commentaire du document : « En Nouvelle Aquitaine, des relations centrées sur les pratiques "
            "responsables et une capacité à diversifier les modes relationnels » (lignes 392 et 799)."
        ),
        "questions": _practices([
            # seed 004, line 389 (row 2, no label); the garbled table says 30 % (line 245)
            ("Pratiques responsables", 61, True, UNCERTAIN_NOTE.format(other=30)),
            # seed 004, line 389; same figure at line 246, column Nouvelle-Aquitaine
            ("Mécénat", 28, False, CONFIRMED_NOTE),
            # seed 004, line 389; same figure at line 247, column Nouvelle-Aquitaine
            ("Coopération économique", 24, False, CONFIRMED_NOTE),
            # seed 004, line 389; the garbled table says 24 % (line 248)
            ("Innovation sociétale", 26, True, UNCERTAIN_NOTE.format(other=24)),
        ]),
    },
    {
        "key": "entreprises-pratiques-2015-occitanie",
        "series": "entreprises-pratiques-2015",
        "title": "Pratiques partenariales des entreprises en 2015",
        "population": "entreprises",
        "producer": PHARE_PRODUCER,
        "programme": "Observatoire des partenariats, programme PHARE (2015)",
        "year": 2015,  # seed 004, line 385
        "territory": OCCITANIE,
        "base_n": None,
        "base_label": "Entreprises de la région",
        "source": SEED_004,
        "section": PRACTICES_SECTION,
        "notes": PRACTICES_NOTES_COMMON + " " + REGION_ROW_NOTE.format(region="l'Occitanie") + (
            " Commentaire du document : « En Occitanie, des entreprises en recherche de partenariat de "
            "co-construction » (lignes 392 et 814)."
        ),
        "questions": _practices([
            # seed 004, line 390 (row 3, no label); the garbled table says 25 % (line 245)
            ("Pratiques responsables", 24, True, UNCERTAIN_NOTE.format(other=25)),
            # seed 004, line 390; the garbled table says 24 % (line 246)
            ("Mécénat", 37, True, UNCERTAIN_NOTE.format(other=24)),
            # seed 004, line 390; the garbled table says 26 % (line 247)
            ("Coopération économique", 57, True, UNCERTAIN_NOTE.format(other=26)),
            # seed 004, line 390; same figure at line 248, column Occitanie
            ("Innovation sociétale", 37, False, CONFIRMED_NOTE),
        ]),
    },
    # ------------------------------------------------------ companies with partnerships ----
    {
        "key": "entreprises-taux-partenariats-france",
        "series": "",
        "title": "Taux de partenariats des entreprises",
        "population": "entreprises",
        "producer": UNNAMED_PRODUCER,
        "programme": "Observatoire des partenariats",
        "year": None,  # not stated next to the figure
        "territory": None,
        "base_n": None,
        "base_label": "Entreprises",
        "source": SEED_004,
        "section": "« Une diversité de modes relationnels alliant intérêt général et économie », lignes 206-211",
        "notes": (
            "Le document imprime « National 37% » sous « Taux de partenariats des entreprises » sans année ni base. "
            "Seed 000 (ligne 11) ajoute qu'« en 5 ans, un taux de présence des partenariats [des entreprises] a "
            "augmenté de 8,5 points », sans donner le niveau."
        ),
        "questions": [{
            "code": "a-des-partenariats",
            "text": "Part des entreprises qui ont des partenariats",
            "answers": [
                # seed 004, lines 208-211: « National / 37% / Taux de partenariats des entreprises »
                {"label": "Ont des partenariats", "share": 37},
            ],
        }],
    },
    {
        "key": "onp-2013-entreprises-france",
        "series": "",
        "title": "Démarches de partenariat des entreprises selon leur taille",
        "population": "entreprises",
        "producer": "Observatoire national des partenariats (piloté par Le RAMEAU)",
        "programme": "Étude annuelle 2013 de l'Observatoire national des partenariats",
        "year": 2013,  # seed 002, line 107: « chiffres indiqués issus de l'étude 2013 » (footnote 2 « Idem », line 109)
        "territory": None,
        "base_n": None,
        "base_label": "Entreprises",
        "source": SEED_002,
        "section": "« b. Un mouvement en marche sur les territoires », ligne 101, notes 1 et 2 (lignes 107-109)",
        "notes": "Le document ne donne ni la base ni la définition des tailles d'entreprise.",
        "questions": [{
            "code": "demarche-partenariat",
            "text": "Part des entreprises qui ont engagé une démarche de partenariat",
            "answers": [
                # seed 002, line 101: « 60% des grandes entreprises »
                {"label": "Grandes entreprises", "share": 60},
                # seed 002, line 101: « 36% des PME »
                {"label": "PME", "share": 36},
                # seed 002, line 101: « et même 1 TPE sur 5 » (written as a ratio in the source)
                {"label": "TPE", "share": 20, "note": "Publié sous la forme « 1 TPE sur 5 » : un ordre de grandeur, pas un pourcentage précis."},
            ],
        }],
    },
    # -------------------------------------------------- associations with partnerships ----
    {
        "key": "onp-2013-associations-france",
        "series": "",
        "title": "Démarches de partenariat des associations",
        "population": "associations",
        "producer": "Observatoire national des partenariats (piloté par Le RAMEAU)",
        "programme": "Étude annuelle 2013 de l'Observatoire national des partenariats",
        "year": 2013,  # seed 002, lines 107-109 (footnotes 1 and 2)
        "territory": None,
        "base_n": None,
        "base_label": "Associations",
        "source": SEED_002,
        "section": "« b. Un mouvement en marche sur les territoires », ligne 101, notes 1 et 2 (lignes 107-109)",
        "notes": "Le document ne donne pas la base.",
        "questions": [{
            "code": "demarche-partenariat",
            "text": "Part des associations qui ont engagé une démarche de partenariat",
            "answers": [
                # seed 002, line 101: « 46% des associations »
                {"label": "Ont engagé une démarche de partenariat", "share": 46},
            ],
        }],
    },
    {
        "key": "associations-employeuses-partenariats-france",
        "series": "",
        "title": "Partenariats des associations employeuses",
        "population": "associations",
        "population_detail": "associations employeuses",
        "producer": UNNAMED_PRODUCER,
        "programme": "",
        "year": None,  # not stated; the document only says « depuis 2011 (+ 7 points) »
        "territory": None,
        "base_n": None,
        "base_label": "Associations employeuses",
        "source": SEED_000,
        "section": "« Du côté des associations », ligne 17",
        "notes": (
            "Année de l'enquête non indiquée : le document dit « une forte augmentation depuis 2011 (+ 7 points) » "
            "et présente un programme de juillet 2017 à décembre 2018. Le niveau de 2011 n'est pas publié."
        ),
        "questions": [{
            "code": "a-des-partenariats",
            "text": "Part des associations employeuses qui ont des partenariats",
            "answers": [
                # seed 000, line 17: « 53% des associations employeuses ont des partenariats »
                {"label": "Ont des partenariats", "share": 53},
            ],
        }],
    },
    # ----------------------------------------------------------------------- mayors ----
    {
        "key": "maires-dynamique-co-construction-france",
        "series": "",
        "title": "Dynamique de co-construction perçue par les maires",
        "population": "maires",
        "producer": UNNAMED_PRODUCER,
        "programme": "",
        "year": None,  # not stated in seed 000
        "territory": None,
        "base_n": None,  # « Base : Ensemble des Maires » (line 48), no N
        "base_label": "Ensemble des maires",
        "source": SEED_000,
        "section": "« Des territoires engagés dans la co-construction », lignes 38 et 46-48 (Q4)",
        "notes": (
            "Ni l'année ni l'effectif de l'enquête ne sont donnés. Le document publie le total (76 %) et, « dont », "
            "la part qui voit une dynamique tout juste émergente (46 %) ; les autres réponses (dynamique plus "
            "ancienne, « non ») ne sont pas publiées et ne sont pas déduites ici. Seed 004 (ligne 351) ajoute, pour "
            "la Nouvelle-Aquitaine et l'Occitanie, qu'« un tiers des maires ne [les] perçoit pas encore », sans "
            "chiffre précis."
        ),
        "questions": [{
            "code": "q4-dynamique",
            "text": (
                "Q4 - Votre territoire est-il porteur d'une dynamique de co-construction entre les différents acteurs "
                "(associations, entreprises et collectivités territoriales) ?"
            ),
            "answers": [
                # seed 000, line 38: « 76% des maires considèrent que leur territoire a initié une dynamique de co-construction »
                {"label": "Oui, le territoire a initié une dynamique de co-construction", "share": 76},
                # seed 000, line 38: « dont 46% qu'elle émerge tout juste »
                {"label": "dont : elle émerge tout juste", "share": 46,
                 "note": "Compris dans les 76 % (« dont ») : part de l'ensemble des maires."},
            ],
        }],
    },
    # ------------------------------------------- PHARE 2015: partnerships and innovation ----
    {
        "key": "phare-2015-citoyens-france",
        "series": "",
        "title": "Les partenariats, source d'innovation",
        "population": "citoyens",
        "producer": "Comisis / OpinionWay pour l'Observatoire des partenariats (Le RAMEAU)",
        "programme": "Programme PHARE, étude PHARE-Citoyens (décembre 2015)",
        "year": 2015,  # seed 003, line 6: « (Comisis-OpinionWay, décembre 2015) »
        "territory": None,
        "base_n": None,
        "base_label": "Français",
        "source": SEED_003,
        "section": "Ligne 3 et note [2] (ligne 6)",
        "notes": "Le document ne donne pas la base.",
        "questions": [{
            "code": "partenariats-source-innovation",
            "text": (
                "Les partenariats sont-ils source d'innovation pour réduire les fragilités et faire émerger de "
                "nouveaux moteurs de croissance et d'emploi ?"
            ),
            "answers": [
                # seed 003, line 3: « 69% des Français »
                {"label": "Le pensent", "share": 69},
            ],
        }],
    },
    {
        "key": "phare-2015-entreprises-france",
        "series": "",
        "title": "Les partenariats, source d'innovation",
        "population": "entreprises",
        "population_detail": "dirigeants d'entreprise",
        "producer": "Comisis / OpinionWay pour l'Observatoire des partenariats (Le RAMEAU)",
        "programme": "Programme PHARE, étude PHARE-Entreprises (décembre 2015)",
        "year": 2015,  # seed 003, line 6
        "territory": None,
        "base_n": None,
        "base_label": "Dirigeants d'entreprise",
        "source": SEED_003,
        "section": "Ligne 3 et note [2] (ligne 6)",
        "notes": "Le document ne donne pas la base.",
        "questions": [{
            "code": "partenariats-source-innovation",
            "text": (
                "Les partenariats sont-ils source d'innovation pour réduire les fragilités et faire émerger de "
                "nouveaux moteurs de croissance et d'emploi ?"
            ),
            "answers": [
                # seed 003, line 3: « 81% des dirigeants d'entreprise »
                {"label": "Le pensent", "share": 81},
            ],
        }],
    },
    {
        "key": "phare-2015-associations-france",
        "series": "",
        "title": "Les partenariats, source d'innovation",
        "population": "associations",
        "population_detail": "responsables associatifs",
        "producer": "Comisis / OpinionWay pour l'Observatoire des partenariats (Le RAMEAU)",
        "programme": "Programme PHARE, étude PHARE-Associations (décembre 2015)",
        "year": 2015,  # seed 003, line 6
        "territory": None,
        "base_n": None,
        "base_label": "Responsables associatifs",
        "source": SEED_003,
        "section": "Ligne 3 et note [2] (ligne 6)",
        "notes": "Le document ne donne pas la base.",
        "questions": [{
            "code": "partenariats-source-innovation",
            "text": (
                "Les partenariats sont-ils source d'innovation pour réduire les fragilités et faire émerger de "
                "nouveaux moteurs de croissance et d'emploi ?"
            ),
            "answers": [
                # seed 003, line 3: « 86% des responsables associatifs »
                {"label": "Le pensent", "share": 86},
            ],
        }],
    },
    {
        "key": "onp-2013-citoyens-france",
        "series": "",
        "title": "Urgence à travailler ensemble",
        "population": "citoyens",
        "producer": "Observatoire national des partenariats (piloté par Le RAMEAU)",
        "programme": "Étude annuelle 2013 de l'Observatoire national des partenariats",
        "year": 2013,  # seed 002, line 107: « chiffres indiqués issus de l'étude 2013 »
        "territory": None,
        "base_n": None,
        "base_label": "Français",
        "source": SEED_002,
        "section": "« b. Un mouvement en marche sur les territoires », ligne 95 et note 1 (ligne 107)",
        "notes": "Le document ne donne pas la base.",
        "questions": [{
            "code": "urgence-travailler-ensemble",
            "text": (
                "Est-il urgent qu'associations, entreprises et pouvoirs publics travaillent ensemble pour résoudre "
                "les problèmes de société et pour répondre à leurs enjeux respectifs ?"
            ),
            "answers": [
                # seed 002, line 95: « 84% des Français pensent qu'il est urgent qu'associations, entreprises et Pouvoirs publics travaillent ensemble »
                {"label": "Le pensent", "share": 84},
            ],
        }],
    },
    # ------------------------------------------- companies of more than 10 employees ----
    {
        "key": "entreprises-10-salaries-pratiques-france",
        "series": "",
        "title": "Pratiques partenariales des entreprises de plus de 10 salariés",
        "population": "entreprises",
        "population_detail": "entreprises de plus de 10 salariés",
        "producer": UNNAMED_PRODUCER,
        "programme": "",
        "year": None,  # not stated in seed 000
        "territory": None,
        "base_n": None,
        "base_label": "Entreprises de plus de 10 salariés",
        "source": SEED_000,
        "section": "« 1,2 million de partenariats sont noués entre associations et entreprises », ligne 28",
        "notes": (
            "Année et base non indiquées. Le même paragraphe dit que plus de 675 000 des 1,2 million de partenariats "
            "entre associations et entreprises concernent les entreprises de plus de 10 salariés et que les TPE "
            "pratiquent principalement du mécénat de proximité (lignes 24-30). La phrase « 74% des partenariats sont "
            "locaux, 51% régionaux, 25% nationaux et 16% internationaux » (ligne 32) n'est pas chargée : elle compte "
            "des partenariats et non une population interrogée, sans dire lesquels. Seed 004 donne 45 % (et non "
            "42 %) de pratiques responsables pour les entreprises en 2015."
        ),
        "questions": [{
            "code": "types-partenariat-pratiques",
            "text": PRACTICES_QUESTION,
            "answers": [
                # seed 000, line 28: « 42% mènent des partenariats autour des pratiques responsables »
                {"label": "Pratiques responsables", "share": 42, "note": "Seed 004 : 45 % pour les entreprises en 2015."},
                # seed 000, line 28: « 30% font du mécénat »
                {"label": "Mécénat", "share": 30},
                # seed 000, line 28: « 25% ont des actions de coopération économique »
                {"label": "Coopération économique", "share": 25},
                # seed 000, line 28: « 16% s'impliquent sur des alliances en matière d'innovation sociétale »
                {"label": "Innovation sociétale", "share": 16},
            ],
        }],
    },
]


# ------------------------------------------------------------------ regional profiles ----
# Seed 004, « Profil de Nouvelle Aquitaine » (lines 261-285) and annexes « Nouvelle Aquitaine »
# (lines 526-610, source cited: ARS Nouvelle Aquitaine, line 537); « Profil d'Occitanie »
# (lines 288-314) and annexes « Occitanie » (lines 613-756, source cited: Repères, Préfecture
# de la région Occitanie, 2017, line 619).

ARS_NA = "ARS Nouvelle-Aquitaine (citée par le document)"
REPERES_OCC = "Repères, Préfecture de la région Occitanie, 2017 (cité par le document)"
PROVISIONAL = "Donnée provisoire 2019."


def _fact(key, territory, theme, label, *, value=None, unit="", display="", year=None, comparison="",
          original="", section, notes="", kind="chiffre") -> dict:
    return {
        "key": key, "territory": territory, "kind": kind, "theme": theme, "label": label, "value": value,
        "unit": unit, "display": display, "year": year, "comparison": comparison, "original_source": original,
        "source": SEED_004, "section": section, "notes": notes,
    }


REGIONAL_FACTS: list[dict] = [
    # ------------------------------------------------------------- Nouvelle-Aquitaine ----
    # seed 004, lines 265-266 and 542-543: « 6,0 M hab (Donnée provisoire 2019) »
    _fact("na-population", NOUVELLE_AQUITAINE, "Démographie", "Population", value=6.0, unit="millions d'habitants",
          display="6,0 M hab", year=2019, original=ARS_NA, section="« Profil de Nouvelle Aquitaine », ligne 265 ; annexe « Démographie », ligne 542", notes=PROVISIONAL),
    # seed 004, lines 545-546: « +2,2% / 2014 »
    _fact("na-population-evolution", NOUVELLE_AQUITAINE, "Démographie", "Évolution de la population depuis 2014", value=2.2, unit="%",
          display="+2,2 % / 2014", original=ARS_NA, section="Annexe « Démographie », lignes 545-546"),
    # seed 004, lines 549-553: « 71,3 hab/km² (Donnée provisoire 2019) » — « Moyenne métropolitaine : 119,5 hab/km² »
    _fact("na-densite", NOUVELLE_AQUITAINE, "Démographie", "Densité", value=71.3, unit="hab/km²", display="71,3 hab/km²", year=2019,
          comparison="Moyenne métropolitaine : 119,5 hab/km²", original=ARS_NA, section="Annexe « Démographie », lignes 549-553", notes=PROVISIONAL),
    # seed 004, line 555: « 4e région la plus peuplée en France (9,2% de la population métropolitaine) »
    _fact("na-part-population", NOUVELLE_AQUITAINE, "Démographie", "Part de la population métropolitaine", value=9.2, unit="%",
          display="9,2 % (4e région la plus peuplée)", original=ARS_NA, section="Annexe « Démographie », ligne 555"),
    # seed 004, line 556: « 5e région dont la croissance démographique est la plus forte »
    _fact("na-rang-croissance", NOUVELLE_AQUITAINE, "Démographie", "5e région dont la croissance démographique est la plus forte",
          kind="constat", original=ARS_NA, section="Annexe « Démographie », ligne 556"),
    # seed 004, lines 268-269 and 566-567: « 84 036 km² (49,9%: part des terrains agricoles cultivés) »
    _fact("na-superficie", NOUVELLE_AQUITAINE, "Superficie", "Superficie", value=84036, unit="km²", display="84 036 km²",
          original=ARS_NA, section="« Profil de Nouvelle Aquitaine », ligne 268 ; annexe « Superficie », ligne 566",
          notes="15 % du territoire français, 1re région la plus étendue (lignes 569-570)."),
    _fact("na-terres-agricoles", NOUVELLE_AQUITAINE, "Superficie", "Part des terrains agricoles cultivés", value=49.9, unit="%",
          display="49,9 %", original=ARS_NA, section="« Profil de Nouvelle Aquitaine », ligne 269 ; annexe, ligne 567"),
    # seed 004, lines 276-277 and 574-578: « 4314 communes », « 12 départements », « 12% des communes françaises »
    _fact("na-communes", NOUVELLE_AQUITAINE, "Structure administrative", "Communes", value=4314, unit="communes", display="4 314",
          original=ARS_NA, section="« Profil de Nouvelle Aquitaine », ligne 276 ; annexe « Structure administrative », ligne 574",
          notes="12 départements ; 12 % des communes françaises ; 3e région par le nombre de communes (lignes 575-578). "
                "Nombre publié par le document, qui peut différer du découpage administratif courant."),
    # seed 004, lines 271-272: « 164 Md€ (PIB en valeur en 2015) »
    _fact("na-pib", NOUVELLE_AQUITAINE, "Activités", "PIB en valeur", value=164, unit="Md€", display="164 Md€", year=2015,
          section="« Profil de Nouvelle Aquitaine », lignes 271-272",
          notes="7,6 % du PIB national, 3e région la plus contributrice, 6e pour l'évolution annuelle du PIB (lignes 592-594)."),
    # seed 004, line 592: « Contribution pour 7,6% au PIB national »
    _fact("na-part-pib", NOUVELLE_AQUITAINE, "Activités", "Contribution au PIB national", value=7.6, unit="%", display="7,6 %",
          section="Annexe « Activités et acteurs du territoire », ligne 592"),
    # seed 004, lines 279-281: « 539 249 Entreprises (2019) »
    _fact("na-entreprises", NOUVELLE_AQUITAINE, "Organisations", "Entreprises", value=539249, unit="entreprises", display="539 249",
          year=2019, section="« Profil de Nouvelle Aquitaine », lignes 279-281"),
    # seed 004, lines 283-285: « 130 000 Associations (2018) »
    _fact("na-associations", NOUVELLE_AQUITAINE, "Organisations", "Associations", value=130000, unit="associations", display="130 000",
          year=2018, section="« Profil de Nouvelle Aquitaine », lignes 283-285"),
    # seed 004, lines 604 and 609
    _fact("na-rangs-depenses", NOUVELLE_AQUITAINE, "Dépenses publiques",
          "10e région pour l'effort de recherche et d'innovation ; 5e région pour les dépenses publiques",
          kind="constat", section="Annexe « Dépenses publiques », lignes 604-609"),
    # seed 004, line 316 (the profile of the « région la plus étendue », i.e. Nouvelle-Aquitaine, lines 569-570)
    _fact("na-synthese-profil", NOUVELLE_AQUITAINE, "Synthèse",
          "La région la plus étendue, avec une part importante de retraités et d'agriculteurs. Une région dynamique en matière économique",
          kind="constat", section="« Profil de Nouvelle Aquitaine », ligne 316"),
    # seed 004, lines 327 and 762-763
    _fact("na-synthese-fragilites", NOUVELLE_AQUITAINE, "Fragilités",
          "Des niveaux de fragilités moins marqués que la moyenne nationale excepté sur le vieillissement, la mobilité et le handicap",
          kind="constat", section="« Indicateurs de Nouvelle Aquitaine », ligne 327 ; annexe, lignes 762-763"),
    # seed 004, lines 339-343
    _fact("na-perception-maires", NOUVELLE_AQUITAINE, "Dynamique de co-construction",
          "La perception des maires : une région qui a déjà expérimenté les dynamiques collectives",
          kind="constat", section="« La perception des maires en Nouvelle Aquitaine », lignes 339-343",
          notes="Le graphique des réponses des maires n'est pas dans le texte du document."),
    # seed 004, lines 773 and 779 (headings in the order NA, Occitanie, then the two findings in the same order)
    _fact("na-pratiques-organisations", NOUVELLE_AQUITAINE, "Dynamique de co-construction",
          "Les pratiques des organisations : des entreprises plus engagées que la moyenne nationale",
          kind="constat", section="« Les pratiques des organisations en Nouvelle Aquitaine », lignes 773-779",
          notes="Titres et constats imprimés à la suite (Nouvelle-Aquitaine puis Occitanie) : attribution par leur ordre."),
    # seed 004, lines 392 and 799
    _fact("na-pratiques-entreprises", NOUVELLE_AQUITAINE, "Dynamique de co-construction",
          "Des relations centrées sur les pratiques responsables et une capacité à diversifier les modes relationnels",
          kind="constat", section="« Pratiques des entreprises en 2015 », lignes 392 et 799"),
    # ----------------------------------------------------------------------- Occitanie ----
    # seed 004, lines 292-293 and 624-625: « 5,9 M hab (Donnée provisoire 2019) »
    _fact("occ-population", OCCITANIE, "Démographie", "Population", value=5.9, unit="millions d'habitants", display="5,9 M hab",
          year=2019, original=REPERES_OCC, section="« Profil d'Occitanie », ligne 292 ; annexe « Démographie », ligne 624", notes=PROVISIONAL),
    # seed 004, lines 627-628: « +3,1% / 2014 »
    _fact("occ-population-evolution", OCCITANIE, "Démographie", "Évolution de la population depuis 2014", value=3.1, unit="%",
          display="+3,1 % / 2014", original=REPERES_OCC, section="Annexe « Démographie », lignes 627-628"),
    # seed 004, lines 630-634: « 81,2 hab/km² (Donnée provisoire 2019) » — « Moyenne métropolitaine : 119,5 hab/km² »
    _fact("occ-densite", OCCITANIE, "Démographie", "Densité", value=81.2, unit="hab/km²", display="81,2 hab/km²", year=2019,
          comparison="Moyenne métropolitaine : 119,5 hab/km²", original=REPERES_OCC, section="Annexe « Démographie », lignes 630-634", notes=PROVISIONAL),
    # seed 004, line 636: « 5e région la plus peuplée en France (9,1% de la population métropolitaine) »
    _fact("occ-part-population", OCCITANIE, "Démographie", "Part de la population métropolitaine", value=9.1, unit="%",
          display="9,1 % (5e région la plus peuplée)", original=REPERES_OCC, section="Annexe « Démographie », ligne 636"),
    # seed 004, line 637: « 2e région dont la croissance démographique est la plus forte »
    _fact("occ-rang-croissance", OCCITANIE, "Démographie", "2e région dont la croissance démographique est la plus forte",
          kind="constat", original=REPERES_OCC, section="Annexe « Démographie », ligne 637"),
    # seed 004, lines 295-296 and 641-642: « 72 724 km² (48%: part des terrains agricoles cultivés) »
    _fact("occ-superficie", OCCITANIE, "Superficie", "Superficie", value=72724, unit="km²", display="72 724 km²",
          original=REPERES_OCC, section="« Profil d'Occitanie », ligne 295 ; annexe « Superficie », ligne 641",
          notes="13 % du territoire français, 2e région la plus étendue (lignes 644-645)."),
    _fact("occ-terres-agricoles", OCCITANIE, "Superficie", "Part des terrains agricoles cultivés", value=48, unit="%", display="48 %",
          original=REPERES_OCC, section="« Profil d'Occitanie », ligne 296 ; annexe, ligne 642"),
    # seed 004, lines 304-305 and 650-654: « 4 454 Communes », « 13 départements », « 13% des communes françaises »
    _fact("occ-communes", OCCITANIE, "Structure administrative", "Communes", value=4454, unit="communes", display="4 454",
          original=REPERES_OCC, section="« Profil d'Occitanie », ligne 304 ; annexe « Structure administrative », ligne 650",
          notes="13 départements ; 13 % des communes françaises ; 2e région par le nombre de communes (lignes 651-654). "
                "Nombre publié par le document, qui peut différer du découpage administratif courant."),
    # seed 004, lines 298-300 and 670-672: « PIB 159 Md€ (2015) »
    _fact("occ-pib", OCCITANIE, "Activités", "PIB en valeur", value=159, unit="Md€", display="159 Md€", year=2015,
          comparison="France métropolitaine : 2 153 Md€ (2015)", section="« Profil d'Occitanie », lignes 298-300 ; annexe, lignes 670-682",
          notes="4e région la plus contributrice ; la région ayant la plus forte évolution annuelle du PIB en France (lignes 687-688)."),
    # seed 004, lines 674-677: « +2,57% évolution annuelle (2010-2015) »
    _fact("occ-pib-evolution", OCCITANIE, "Activités", "Évolution annuelle du PIB (2010-2015)", value=2.57, unit="%",
          display="+2,57 %", section="Annexe « Activités et acteurs du territoire », lignes 674-677"),
    # seed 004, line 686: « Contribution pour 7,4% au PIB national »
    _fact("occ-part-pib", OCCITANIE, "Activités", "Contribution au PIB national", value=7.4, unit="%", display="7,4 %",
          section="Annexe « Activités et acteurs du territoire », ligne 686"),
    # seed 004, lines 307-309 and 692-698: « 584 319 Entreprises (2019) », « 10,8% Poids régional »
    _fact("occ-entreprises", OCCITANIE, "Organisations", "Entreprises", value=584319, unit="entreprises", display="584 319", year=2019,
          section="« Profil d'Occitanie », lignes 307-309 ; annexe « Organisations », lignes 692-698",
          notes="Poids régional 10,8 % ; 3e région pour la présence des entreprises et des associations (lignes 696-708)."),
    # seed 004, lines 312-314 and 710-712: « 140 000 Associations (2018) »
    _fact("occ-associations", OCCITANIE, "Organisations", "Associations", value=140000, unit="associations", display="140 000", year=2018,
          section="« Profil d'Occitanie », lignes 312-314 ; annexe, lignes 710-712"),
    # seed 004, lines 720-729: « 3,7% dépenses R&D (DIRD) rapportées au PIB (2016) » — « France métropolitaine : 2,3% (2016) »
    _fact("occ-dird", OCCITANIE, "Dépenses publiques", "Dépenses de R&D (DIRD) rapportées au PIB", value=3.7, unit="%", display="3,7 %",
          year=2016, comparison="France métropolitaine : 2,3 % (2016)", section="Annexe « Effort Recherche et Innovation », lignes 716-729",
          notes="1re région pour l'effort de recherche et d'innovation (ligne 733)."),
    # seed 004, lines 738-751: « 3343,9M€ dépenses réelles totales (2018) », « +1,40% / 2015 », « France métropolitaine : 29 754,1M€ (2018) »
    _fact("occ-depenses", OCCITANIE, "Dépenses publiques", "Dépenses réelles totales (finances publiques)", value=3343.9, unit="M€",
          display="3 343,9 M€", year=2018, comparison="France métropolitaine : 29 754,1 M€ (2018)",
          section="Annexe « Finances publiques », lignes 735-751",
          notes="+1,40 % par rapport à 2015 ; 3e région dont les dépenses publiques sont les plus fortes (lignes 745-756). "
                "Le document ne précise pas de quelles dépenses publiques il s'agit."),
    # seed 004, line 318 (the « 2ème région la plus étendue », i.e. Occitanie, line 645)
    _fact("occ-synthese-profil", OCCITANIE, "Synthèse",
          "2e région la plus étendue, avec une part importante de retraités et d'artisans, commerçants. Région dynamique en matière de R&D",
          kind="constat", section="« Profil d'Occitanie », ligne 318"),
    # seed 004, lines 334 and 771
    _fact("occ-synthese-fragilites", OCCITANIE, "Fragilités",
          "Des indices globalement plus forts que la moyenne nationale, avec une sensibilité particulière sur le numérique, la mobilité et le handicap (diversité)",
          kind="constat", section="« Indicateurs d'Occitanie », ligne 334 ; annexe, ligne 771"),
    # seed 004, lines 345-349
    _fact("occ-perception-maires", OCCITANIE, "Dynamique de co-construction",
          "La perception des maires : des dynamiques collectives en émergence",
          kind="constat", section="« La perception des maires en Occitanie », lignes 345-349",
          notes="Le graphique des réponses des maires n'est pas dans le texte du document."),
    # seed 004, lines 775 and 781
    _fact("occ-pratiques-organisations", OCCITANIE, "Dynamique de co-construction",
          "Les pratiques des organisations : des organisations en retrait par rapport à la moyenne nationale",
          kind="constat", section="« Les pratiques des organisations en Occitanie », lignes 775-781",
          notes="Titres et constats imprimés à la suite (Nouvelle-Aquitaine puis Occitanie) : attribution par leur ordre."),
    # seed 004, lines 392 and 814
    _fact("occ-pratiques-entreprises", OCCITANIE, "Dynamique de co-construction",
          "Des entreprises en recherche de partenariat de co-construction",
          kind="constat", section="« Pratiques des entreprises en 2015 », lignes 392 et 814"),
]
# Both régions, seed 004, line 351: « Des dynamiques de co-construction qui semblent s'ancrer
# progressivement même si un tiers des maires ne les perçoit pas encore »
for _code, _prefix in ((NOUVELLE_AQUITAINE, "na"), (OCCITANIE, "occ")):
    REGIONAL_FACTS.append(_fact(
        f"{_prefix}-maires-tiers", _code, "Dynamique de co-construction",
        "Des dynamiques de co-construction qui semblent s'ancrer progressivement même si un tiers des maires ne les perçoit pas encore",
        kind="constat", section="« Des fragilités de natures différentes », ligne 351",
        notes="Constat commun à la Nouvelle-Aquitaine et à l'Occitanie ; « un tiers » n'est pas chargé comme un pourcentage.",
    ))
