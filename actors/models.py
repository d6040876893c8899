"""Acteurs: the organisations of a territory, the catalyseurs territoriaux who animate it,
and the partnerships between organisations (seed 002: associations, companies,
collectivités, academics; the réseau des pionniers; the 4 types of partnership).

An organisation is placed on the map at its address's coordinates when they are known,
otherwise at its commune's centre (``location_precision`` says which). Its département
and région are copied from its commune, so a région's map or a département's network is
read from one indexed column.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from actors.identifiers import validate_rna, validate_siren, validate_siret
from catalyseur.uploads import FORMAT_CHOICES
from taxonomy.models import Domain, Metier, Objective, PartnershipType
from territories.models import Level, Territory


class Kind(models.TextChoices):
    ASSOCIATION = "association", "Association"
    FONDATION = "fondation", "Fondation"
    ENTREPRISE = "entreprise", "Entreprise"
    COLLECTIVITE = "collectivite", "Collectivité"
    ACADEMIQUE = "academique", "Acteur académique"
    INSTITUTION = "institution", "Institution"
    ACCOMPAGNATEUR = "accompagnateur", "Accompagnateur"


class Size(models.TextChoices):
    """Company size categories (décret n° 2008-1354)."""

    TPE = "tpe", "TPE (micro-entreprise)"
    PME = "pme", "PME"
    ETI = "eti", "ETI"
    GE = "ge", "Grande entreprise"


class Precision(models.TextChoices):
    ADDRESS = "adresse", "à l'adresse"
    COMMUNE = "commune", "au centre de la commune"


class Source(models.TextChoices):
    MANUAL = "saisie", "Saisie sur la plateforme"
    RNA = "rna", "Répertoire national des associations"
    SIRENE = "sirene", "Base SIRENE des établissements"
    DEMO = "demo", "Données de démonstration"


class Organization(models.Model):
    slug = models.SlugField("identifiant", max_length=140, unique=True)
    name = models.CharField("nom", max_length=300)
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    size = models.CharField("taille", max_length=4, choices=Size.choices, blank=True, help_text="Entreprises seulement.")
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    rna = models.CharField("numéro RNA", max_length=10, blank=True, validators=[validate_rna])
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(Territory, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", limit_choices_to={"level": Level.COMMUNE})
    departement = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    region = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    location_precision = models.CharField("localisation", max_length=8, choices=Precision.choices, blank=True)
    action_territories = models.ManyToManyField(Territory, verbose_name="territoires d'action", blank=True,
                                                related_name="acting_organizations")
    domains = models.ManyToManyField(Domain, verbose_name="domaines", blank=True, related_name="organizations")
    domains_inferred = models.BooleanField(
        "domaines déduits du registre", default=False,
        help_text="Suggérés d'après l'objet déclaré ou le code d'activité ; remplacés dès qu'un membre les choisit.")
    website = models.URLField("site internet", blank=True)
    description = models.TextField("description", blank=True)
    source = models.CharField("origine", max_length=8, choices=Source.choices, default=Source.MANUAL)
    # Checked and re-encoded by catalyseur.uploads, random name; served by actors.views.organization_logo.
    logo = models.ImageField("logo", upload_to="logos/", blank=True, editable=False)
    logo_format = models.CharField("format du logo", max_length=4, choices=FORMAT_CHOICES, blank=True, editable=False)
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more at each save: two members editing at once are told (catalyseur.concurrency).
    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        constraints = [
            models.UniqueConstraint(fields=["rna"], condition=~Q(rna=""), name="organization_rna_unique"),
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="organization_siret_unique"),
        ]
        indexes = [
            # The map of a région or a département, by kind: covering indexes, so the map's
            # grouping by cell reads the index alone, never the table's rows.
            models.Index(fields=["region", "kind", "latitude", "longitude"], name="organization_region_map_idx"),
            models.Index(fields=["departement", "kind", "latitude", "longitude"], name="organization_dep_map_idx"),
            # Covering for the network of an EPCI, a commune or a project: its organisations' kinds.
            models.Index(fields=["commune", "kind"], name="organization_commune_kind_idx"),
            models.Index(fields=["siren"], name="organization_siren_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("actors:organization", kwargs={"slug": self.slug})

    @property
    def logo_url(self) -> str:
        """The logo through its view; the file's random name in the query string refreshes caches."""
        if not self.logo:
            return ""
        stem = self.logo.name.rsplit("/", 1)[-1].split(".", 1)[0][:12]
        return f"{reverse('actors:organization_logo', kwargs={'slug': self.slug})}?v={stem}"

    def clean(self):
        if self.size and self.kind != Kind.ENTREPRISE:
            raise ValidationError({"size": "La taille ne concerne que les entreprises."})
        if self.siret and self.siren and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": "Le SIRET doit commencer par le SIREN de l'organisation."})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"latitude": "Donnez la latitude et la longitude, ou aucune des deux."})

    def save(self, *args, **kwargs):
        if self.siret and not self.siren:
            self.siren = self.siret[:9]
        place(self)
        super().save(*args, **kwargs)


def place(organization: Organization, *, ancestors: dict | None = None, centres: dict | None = None) -> None:
    """Copy département and région from the commune; without coordinates of its own
    address, put the organisation at its commune's centre. Bulk imports pass
    ``ancestors`` (commune id → (département id, région id)) and ``centres`` (commune id →
    (latitude, longitude)) to spare two queries per organisation."""
    commune_id = organization.commune_id
    if commune_id is None:
        organization.departement_id = organization.region_id = None
    else:
        ancestors = ancestors if ancestors is not None else ancestors_of([commune_id])
        organization.departement_id, organization.region_id = ancestors.get(commune_id, (None, None))
    has_own_point = organization.latitude is not None and organization.location_precision != Precision.COMMUNE
    if has_own_point:
        organization.location_precision = Precision.ADDRESS
        return
    centres = centres if centres is not None else centres_of([commune_id] if commune_id else [])
    latitude, longitude = centres.get(commune_id, (None, None))
    organization.latitude, organization.longitude = latitude, longitude
    organization.location_precision = Precision.COMMUNE if latitude is not None else ""


def centres_of(commune_ids) -> dict[int, tuple[float, float]]:
    """commune id → its centre (communes without a point are left out)."""
    rows = Territory.objects.filter(pk__in=list(commune_ids), latitude__isnull=False).values_list("pk", "latitude", "longitude")
    return {pk: (latitude, longitude) for pk, latitude, longitude in rows}


def ancestors_of(commune_ids) -> dict[int, tuple[int | None, int | None]]:
    """commune id → (its département id, its région id)."""
    from territories.models import TerritoryLink

    out: dict[int, list] = {pk: [None, None] for pk in commune_ids}
    links = TerritoryLink.objects.filter(descendant_id__in=list(out), ancestor__level__in=(Level.DEPARTEMENT, Level.REGION))
    for descendant_id, ancestor_id, level in links.values_list("descendant_id", "ancestor_id", "ancestor__level"):
        out[descendant_id][0 if level == Level.DEPARTEMENT else 1] = ancestor_id
    return {pk: tuple(pair) for pk, pair in out.items()}


class Profile(models.TextChoices):
    """Where a catalyst comes from (seed 001: the diversity of the réseau des pionniers)."""

    COLLECTIVITE = "collectivite", "Collectivité"
    ASSOCIATION = "association", "Association"
    ENTREPRISE = "entreprise", "Entreprise"
    ACCOMPAGNATEUR = "accompagnateur", "Accompagnateur"
    INSTITUTION = "institution", "Institution"
    ACADEMIQUE = "academique", "Acteur académique"


class Catalyst(models.Model):
    """A catalyseur territorial: a person (with their structure) or a structure.

    A person's name and contact details are personal data: they show only when
    ``consent_public`` is set, by the person themselves (``user``)."""

    slug = models.SlugField("identifiant", max_length=140, unique=True)
    is_person = models.BooleanField("une personne", default=True)
    name = models.CharField("nom", max_length=200)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="compte", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="catalyst")
    structure = models.ForeignKey(Organization, verbose_name="structure", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="catalysts")
    job_title = models.CharField("fonction", max_length=200, blank=True)
    profile = models.CharField("profil", max_length=20, choices=Profile.choices)
    territory = models.ForeignKey(Territory, verbose_name="territoire", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="catalysts")
    metiers = models.ManyToManyField(Metier, verbose_name="métiers", through="CatalystMetier", related_name="catalysts")
    description = models.TextField("présentation", blank=True)
    email = models.EmailField("courriel de contact", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    consent_public = models.BooleanField(
        "j'accepte que mon nom et mes coordonnées soient publiés", default=False,
        help_text="Sans cet accord, la fiche reste visible sans nom ni coordonnées.")
    consent_at = models.DateTimeField("accord donné le", null=True, blank=True)
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "catalyseur territorial"
        verbose_name_plural = "catalyseurs territoriaux"
        indexes = [models.Index(fields=["territory"], name="catalyst_territory_idx")]

    def __str__(self):
        return self.public_name

    def get_absolute_url(self):
        return reverse("actors:catalyst", kwargs={"slug": self.slug})

    @property
    def shows_personal_data(self) -> bool:
        return not self.is_person or self.consent_public

    @property
    def public_name(self) -> str:
        if self.shows_personal_data:
            return self.name
        where = f" — {self.structure.name}" if self.structure_id else ""
        return f"Catalyseur·rice ({self.get_profile_display().lower()}){where}"


class CatalystMetier(models.Model):
    catalyst = models.ForeignKey(Catalyst, on_delete=models.CASCADE, related_name="metier_rows")
    metier = models.ForeignKey(Metier, on_delete=models.PROTECT, related_name="+")
    activities = models.JSONField("activités", default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["catalyst", "metier"], name="catalyst_metier_unique")]

    def activity_labels(self) -> list[str]:
        from actors.activities import ACTIVITY_LABELS

        return [ACTIVITY_LABELS.get(code, code) for code in self.activities]


class PartnershipStatus(models.TextChoices):
    PROPOSED = "propose", "Proposé, en attente de confirmation"
    ACTIVE = "actif", "Actif"
    ENDED = "termine", "Terminé"


class Partnership(models.Model):
    """A partnership between two or more organisations, of one of the 4 types."""

    title = models.CharField("intitulé", max_length=200)
    type = models.ForeignKey(PartnershipType, verbose_name="type de partenariat", on_delete=models.PROTECT,
                             related_name="partnerships")
    domains = models.ManyToManyField(Domain, verbose_name="domaines", blank=True, related_name="partnerships")
    territory = models.ForeignKey(Territory, verbose_name="territoire", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="partnerships")
    # Copied from the territory (or, without one, from the first partner), for networks.
    departement = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    region = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    status = models.CharField("statut", max_length=8, choices=PartnershipStatus.choices, default=PartnershipStatus.PROPOSED)
    case_study = models.ForeignKey("practices.CaseStudy", verbose_name="pratique innovante", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="partnerships")
    description = models.TextField("description", blank=True)
    organizations = models.ManyToManyField(Organization, through="PartnershipMember", related_name="partnerships")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="proposé par", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="proposed_partnerships")
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "partenariat"
        verbose_name_plural = "partenariats"
        indexes = [
            # The network of a département or a région (actors.network_figures): covering, so
            # its active partnerships and their types are read from the index alone.
            models.Index(fields=["departement", "status", "type"], name="partnership_dep_network_idx"),
            models.Index(fields=["region", "status", "type"], name="partnership_region_network_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actors:partnership", kwargs={"pk": self.pk})

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "La fin ne peut précéder le début."})


class PartnershipMember(models.Model):
    """One partner of a partnership, its objectives, and whether it confirmed."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="partnership_rows")
    objectives = models.ManyToManyField(Objective, verbose_name="objectifs", blank=True, related_name="+")
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "organization"], name="partnership_member_unique")]
        indexes = [models.Index(fields=["organization", "partnership"], name="partner_org_idx")]


class MembershipRole(models.TextChoices):
    MEMBER = "membre", "Membre"
    MANAGER = "gestionnaire", "Gestionnaire"


class Membership(models.Model):
    """A user who may act for an organisation (after a claim an editor approved)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=12, choices=MembershipRole.choices, default=MembershipRole.MANAGER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "membre d'une organisation"
        verbose_name_plural = "membres des organisations"
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]


class ClaimStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    APPROVED = "acceptee", "Acceptée"
    REJECTED = "refusee", "Refusée"


class Claim(models.Model):
    """"This is my organisation": a member asks to manage it; an editor decides."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="claims")
    message = models.TextField("votre lien avec l'organisation")
    status = models.CharField("statut", max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("note de décision", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "demande de gestion"
        verbose_name_plural = "demandes de gestion"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], condition=Q(status="en_attente"),
                                    name="claim_one_pending_per_user"),
        ]


class NetworkFigures(models.Model):
    """The figures and the graph of one territory's network (``actors.network``), as computed
    on the first read after a change. They are valid while ``token`` is the current network
    token (``search.IndexVersion`` « actors-network »), which every write to an
    organisation, a partnership or a partner renews (``actors.signals``): a row whose token
    is not the current one is never read, and is replaced at the next read. Ids, codes and
    names only: the labels of kinds and partnership types are put on when it is read."""

    territory = models.OneToOneField(Territory, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32)
    figures = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "chiffres du réseau d'un territoire"
        verbose_name_plural = "chiffres des réseaux des territoires"

    def __str__(self):
        return f"{self.territory_id}: {self.token}"
