"""The shared vocabulary as the seeds define it, loaded by the data migration (and by tests
whose transactional database was flushed). Editable afterwards in the admin.

Domains: the seeds speak of 16 fragility domains (PHARE 2015, IMPACT) and name these 14;
the other two are added by an editor when their names are known.
"""

DOMAINS = [
    ("emploi", "Emploi"),
    ("education_formation", "Éducation et formation"),
    ("logement", "Logement"),
    ("sante", "Santé"),
    ("environnement", "Environnement"),
    ("vieillissement", "Vieillissement"),
    ("mobilite", "Mobilité"),
    ("handicap", "Handicap"),
    ("numerique", "Numérique"),
    ("pauvrete_precarite", "Pauvreté et précarité"),
    ("isolement", "Isolement"),
    ("insertion_jeunes", "Insertion des jeunes"),
    ("precarite_energetique", "Précarité énergétique"),
    ("cohesion_sociale", "Cohésion sociale"),
]
# Seed 002, annexe 2.
PARTNERSHIP_TYPES = [
    ("mecenat", "Mécénat", "Soutien financier, humain, matériel ou logistique à une association d'intérêt général."),
    ("pratiques_responsables", "Pratiques responsables", "L'association contribue à l'amélioration des pratiques de l'entreprise dans sa démarche de responsabilité sociétale."),
    ("cooperation_economique", "Coopération économique", "Chacun des partenaires contribue à une offre commune."),
    ("innovation_societale", "Innovation sociétale", "Inventer ensemble de nouvelles solutions à des besoins non pourvus des territoires, et leur déploiement."),
]
# Seed 002, annexe 3.
OBJECTIVES = [
    ("ressources_humaines", "Ressources humaines"),
    ("parties_prenantes", "Relation avec les parties prenantes, ancrage territorial"),
    ("economique", "Économique"),
    ("innovation", "Innovation"),
]
# Seeds 001 and 004.
METIERS = [
    ("dialogue_territorial", "Dialogue territorial"),
    ("experimentations_collectives", "Expérimentations collectives"),
    ("accompagnements", "Accompagnements"),
    ("gestion_lieu", "Gestion d'un lieu"),
]


def load_terms(apps):
    for model, rows in (("Domain", DOMAINS), ("PartnershipType", PARTNERSHIP_TYPES), ("Objective", OBJECTIVES), ("Metier", METIERS)):
        Model = apps.get_model("taxonomy", model)
        for position, row in enumerate(rows, start=1):
            code, label, *rest = row
            Model.objects.update_or_create(code=code, defaults={"label": label, "position": position, "description": rest[0] if rest else ""})
