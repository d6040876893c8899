"""The activities of each métier of a catalyseur territorial, as seed 004 lists them
("Les 4 métiers des catalyseurs": one catalyst may carry one or several métiers)."""

ACTIVITIES = {
    "dialogue_territorial": [
        ("connaissance_territoire", "Partage de connaissance du territoire et des acteurs"),
        ("rencontres", "Temps de rencontres / interconnaissance"),
        ("sensibilisation", "Sensibilisation aux alliances territoriales"),
        ("mise_en_relation", "Mise en relations"),
    ],
    "experimentations_collectives": [
        ("besoins_enjeux", "Identification des besoins du territoire et enjeux partagés"),
        ("mobilisation", "Mobilisation des acteurs pour co-construire des solutions"),
        ("copilotage", "Co-pilotage des expérimentations"),
        ("evaluation", "Évaluation des expérimentations"),
    ],
    "accompagnements": [
        ("incubation", "Incubation de projets"),
        ("formations", "Formations aux nouvelles pratiques"),
        ("accompagnement_partenariats", "Accompagnement de partenariats"),
        ("essaimage", "Essaimage / accélération / transfert de savoir-faire à d'autres territoires"),
    ],
    "gestion_lieu": [
        ("lieu_echanges", "Lieu d'échanges convivial"),
        ("coworking", "Espace de co-working"),
        ("showroom", "Showroom, démonstrateur"),
        ("fab_lab", "Fab lab"),
    ],
}

ACTIVITY_LABELS = {code: label for rows in ACTIVITIES.values() for code, label in rows}


def activity_problem(metier: str, codes: list[str]) -> str | None:
    known = {code for code, _label in ACTIVITIES.get(metier, [])}
    unknown = [c for c in codes if c not in known]
    if unknown:
        return f"Activité inconnue pour le métier « {metier} » : {', '.join(unknown)}."
    return None
