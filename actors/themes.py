"""Fragility domains suggested for an organisation from what the registers say of it: the
declared object of an association (RNA), the main activity code of an establishment
(SIRENE, NAF rév. 2). The registers know nothing of the Observatoire's 16 domains, so
these are *suggestions*: ``Organization.domains_inferred`` marks them, the pages say
« déduits du registre, à vérifier », and they are replaced as soon as a member sets the
domains by hand.

Words are compared as the search compares them (French stem, no accents), so « seniors »
and « Sénior » both point to vieillissement.
"""

from search.text import analyze

# Domain code → words of a declared object that point to it.
KEYWORDS = {
    "emploi": "emploi emplois chômage chômeurs chômeuse demandeurs professionnelle",
    "education_formation": "éducation éducatif scolaire scolarité école écoles formation formations alphabétisation "
                           "illettrisme apprentissage enseignement",
    "logement": "logement logements hébergement habitat sans-abri abri",
    "sante": "santé soins soin médical médicale maladie malades hôpital patients",
    "environnement": "environnement écologie écologique nature biodiversité jardin jardins déchets recyclage climat "
                     "compost",
    "vieillissement": "seniors senior aînés retraités vieillissement ehpad",
    "mobilite": "mobilité transport transports déplacements covoiturage vélo",
    "handicap": "handicap handicapés handicapées autisme sourds aveugles malvoyants",
    "numerique": "numérique informatique internet digital ordinateurs",
    "pauvrete_precarite": "pauvreté précarité précaires démunis alimentaire exclusion",
    "isolement": "isolement isolées isolés solitude",
    "insertion_jeunes": "jeunes jeunesse adolescents",
    "precarite_energetique": "énergie énergétique chauffage rénovation",
    "cohesion_sociale": "quartier quartiers citoyenneté interculturel voisinage",
}
STEMS = {domain: set(analyze(words)) for domain, words in KEYWORDS.items()}

# NAF rév. 2 code prefixes (without the dot) → domains.
NAF_PREFIXES = {
    "85": ["education_formation"],
    "86": ["sante"],
    "8710": ["sante", "vieillissement"],
    "8720": ["handicap"],
    "8730": ["vieillissement", "handicap"],
    "8810": ["vieillissement", "handicap"],
    "8891": ["insertion_jeunes"],
    "49": ["mobilite"],
    "38": ["environnement"],
    "39": ["environnement"],
    "62": ["numerique"],
    "631": ["numerique"],
}


def domains_from_text(*texts: str) -> list[str]:
    stems = set()
    for text in texts:
        stems.update(analyze(text or ""))
    return [domain for domain, keywords in STEMS.items() if stems & keywords]


def domains_from_naf(code: str) -> list[str]:
    compact = (code or "").replace(".", "").upper()
    found: list[str] = []
    for prefix, domains in NAF_PREFIXES.items():
        if compact.startswith(prefix):
            found += [d for d in domains if d not in found]
    return found
