"""Three small fiches on the sample territories, for the tests of search, pages and API."""

FICHES = [
    {"slug": "silver", "title": "Des seniors et des tablettes", "summary": "Lutter contre la fracture numérique des seniors.",
     "resultats": "Des tournois de jeux vidéo entre résidents d'établissements.", "territory": "commune/94018",
     "domains": ["numerique", "vieillissement"], "partnership_types": ["innovation_societale"], "category": "co_innovation",
     "carrier_status": "association", "year_started": 2014},
    {"slug": "labo", "title": "Un laboratoire régional", "summary": "Favoriser les partenariats entre associations et entreprises.",
     "genese": "Un collectif d'acteurs alsaciens.", "territory": "region/24", "domains": ["emploi"],
     "partnership_types": ["mecenat", "cooperation_economique"], "category": "impulsion", "carrier_status": "association", "year_started": 2010},
    {"slug": "insertion", "title": "Chantier d'insertion", "summary": "Un chantier pour l'emploi des jeunes.",
     "activites_partenariats": "Un partenariat avec une entreprise de l'eau, des outils numeriques.", "territory": "commune/45234",
     "domains": ["emploi", "insertion_jeunes"], "partnership_types": ["pratiques_responsables"], "carrier_status": "entreprise", "year_started": 2012},
]

