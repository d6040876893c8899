"""Demo organisations, catalysts and partnerships around Charenton-le-Pont (Val-de-Marne),
every one labelled as demo data. Called by ``manage.py load_demo``; idempotent."""

from django.db import transaction
from django.utils import timezone

from actors.models import (
    Catalyst, CatalystMetier, Kind, Membership, Organization, Partnership, PartnershipMember, PartnershipStatus, Source,
)
from actors.workflow import locate_partnership
from taxonomy.models import Domain, Metier, Objective, PartnershipType
from territories.models import Level, Territory

# (slug, name, kind, size, commune, domains, description)
ORGANIZATIONS = [
    ("demo-jardins-bras-du-chapitre", "Jardins partagés du Bras-du-Chapitre (démo)", Kind.ASSOCIATION, "", "94018",
     ["cohesion_sociale", "isolement"], "Association de démonstration : des parcelles cultivées ensemble au bord de la Marne."),
    ("demo-numerique-solidaire", "Numérique solidaire Charenton (démo)", Kind.ASSOCIATION, "", "94018",
     ["numerique", "isolement"], "Association de démonstration : ateliers numériques pour les seniors."),
    ("demo-mission-locale", "Mission locale des bords de Marne (démo)", Kind.ASSOCIATION, "", "94046",
     ["insertion_jeunes", "emploi"], "Structure de démonstration : accompagnement des jeunes vers l'emploi."),
    ("demo-fondation-marne", "Fondation Marne Avenir (démo)", Kind.FONDATION, "", "94069",
     ["insertion_jeunes", "cohesion_sociale"], "Fondation de démonstration qui soutient les projets locaux."),
    ("demo-boulangerie-du-pont", "Boulangerie du Pont (démo)", Kind.ENTREPRISE, "tpe", "94018",
     ["emploi"], "Entreprise de démonstration."),
    ("demo-transports-marne", "Transports de la Marne (démo)", Kind.ENTREPRISE, "pme", "94046",
     ["mobilite", "emploi"], "Entreprise de démonstration : transport de personnes."),
    ("demo-energie-val-de-marne", "Énergies Val-de-Marne (démo)", Kind.ENTREPRISE, "eti", "94069",
     ["precarite_energetique"], "Entreprise de démonstration : fourniture et rénovation énergétiques."),
    ("demo-mairie-charenton", "Ville de Charenton-le-Pont — service démo", Kind.COLLECTIVITE, "", "94018",
     ["cohesion_sociale"], "Service municipal de démonstration."),
    ("demo-universite-est", "Laboratoire d'études territoriales de l'Est parisien (démo)", Kind.ACADEMIQUE, "", "94046",
     [], "Laboratoire de démonstration."),
    ("demo-accompagnateur-alliances", "Atelier des alliances (démo)", Kind.ACCOMPAGNATEUR, "", "94069",
     [], "Accompagnateur de démonstration des partenariats."),
    ("demo-centre-social", "Centre social Saint-Maurice (démo)", Kind.ASSOCIATION, "", "94069",
     ["pauvrete_precarite"], "Association de démonstration, sans partenariat déclaré."),
]

# (title, type, partners (slug, objectives), domains, territory commune)
PARTNERSHIPS = [
    ("Ateliers numériques pour les seniors (démo)", "mecenat",
     [("demo-numerique-solidaire", ["innovation"]), ("demo-energie-val-de-marne", ["parties_prenantes"])],
     ["numerique", "isolement"], "94018"),
    ("Premiers emplois en boulangerie (démo)", "cooperation_economique",
     [("demo-mission-locale", ["ressources_humaines"]), ("demo-boulangerie-du-pont", ["ressources_humaines", "economique"])],
     ["insertion_jeunes", "emploi"], "94018"),
    ("Transport solidaire vers l'emploi (démo)", "innovation_societale",
     [("demo-mission-locale", ["innovation"]), ("demo-transports-marne", ["parties_prenantes"]),
      ("demo-fondation-marne", ["innovation"])],
     ["mobilite", "emploi"], "94046"),
    ("Jardins et entreprises du quartier (démo)", "pratiques_responsables",
     [("demo-jardins-bras-du-chapitre", ["parties_prenantes"]), ("demo-boulangerie-du-pont", ["parties_prenantes"]),
      ("demo-mairie-charenton", ["parties_prenantes"])],
     ["cohesion_sociale"], "94018"),
    ("Observatoire local des alliances (démo)", "innovation_societale",
     [("demo-universite-est", ["innovation"]), ("demo-accompagnateur-alliances", ["innovation"]),
      ("demo-mairie-charenton", ["innovation"])],
     [], "94018"),
]

# (slug, name, profile, consent, métier → activities, structure, territory (level, code))
CATALYSTS = [
    ("demo-claire", "Claire Dumont (démo)", "collectivite", True,
     {"dialogue_territorial": ["connaissance_territoire", "mise_en_relation"], "experimentations_collectives": ["mobilisation"]},
     "demo-mairie-charenton", ("departement", "94")),
    ("demo-karim", "Karim Benali (démo)", "accompagnateur", True,
     {"accompagnements": ["accompagnement_partenariats", "formations"]}, "demo-accompagnateur-alliances", ("departement", "94")),
    ("demo-sans-accord", "Personne sans accord de publication (démo)", "association", False,
     {"gestion_lieu": ["lieu_echanges", "coworking"]}, "demo-jardins-bras-du-chapitre", ("commune", "94018")),
]


@transaction.atomic
def load_actors_demo(manager=None) -> list[str]:
    """Create what is missing; return what was done, in French."""
    done = []
    communes = {t.code: t for t in Territory.objects.filter(level=Level.COMMUNE, code__in={o[4] for o in ORGANIZATIONS})}
    domains = {d.code: d for d in Domain.objects.all()}
    by_slug = {}
    for slug, name, kind, size, commune, domain_codes, description in ORGANIZATIONS:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            organization = Organization.objects.create(
                slug=slug, name=name, kind=kind, size=size, commune=communes.get(commune), description=description,
                source=Source.DEMO, is_demo=True)
            organization.domains.set([domains[c] for c in domain_codes if c in domains])
            done.append(f"Organisation de démonstration créée : {name}")
        by_slug[slug] = organization
    if manager is not None:
        Membership.objects.get_or_create(user=manager, organization=by_slug["demo-numerique-solidaire"])

    types = {t.code: t for t in PartnershipType.objects.all()}
    objectives = {o.code: o for o in Objective.objects.all()}
    for title, type_code, partners, domain_codes, commune in PARTNERSHIPS:
        if Partnership.objects.filter(title=title, is_demo=True).exists():
            continue
        partnership = Partnership.objects.create(title=title, type=types[type_code], territory=communes.get(commune),
                                                 status=PartnershipStatus.ACTIVE, is_demo=True)
        partnership.domains.set([domains[c] for c in domain_codes if c in domains])
        for slug, objective_codes in partners:
            member = PartnershipMember.objects.create(partnership=partnership, organization=by_slug[slug],
                                                      confirmed_at=timezone.now())
            member.objectives.set([objectives[c] for c in objective_codes])
        locate_partnership(partnership)
        partnership.save(update_fields=["departement", "region"])
        done.append(f"Partenariat de démonstration créé : {title}")

    metiers = {m.code: m for m in Metier.objects.all()}
    for slug, name, profile, consent, activities, structure, (level, code) in CATALYSTS:
        if Catalyst.objects.filter(slug=slug).exists():
            continue
        catalyst = Catalyst.objects.create(
            slug=slug, name=name, is_person=True, profile=profile, consent_public=consent,
            consent_at=timezone.now() if consent else None, structure=by_slug[structure],
            territory=Territory.objects.filter(level=level, code=code).first(), is_demo=True,
            description="Profil de démonstration d'un catalyseur territorial.")
        for metier, codes in activities.items():
            CatalystMetier.objects.create(catalyst=catalyst, metier=metiers[metier], activities=codes)
        done.append(f"Catalyseur de démonstration créé : {catalyst.public_name}")
    return done
