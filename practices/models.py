"""Pratiques innovantes: the case-study base (the *fiches* of IMPACT-Pratiques innovantes).

A fiche follows the outline of the seeds (objet, territoire, statut, genèse, objectif,
activités en matière de partenariats, résultats, prochaines étapes) and is classified by
the shared taxonomy. Its life: draft → submitted → published (or back to draft with a
request for changes) → archived; every change is kept in ``CaseStudyRevision``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from taxonomy.models import Domain, Metier, PartnershipType
from territories.models import Territory


class Status(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumise à relecture"
    PUBLISHED = "published", "Publiée"
    ARCHIVED = "archived", "Archivée"


class CarrierStatus(models.TextChoices):
    ASSOCIATION = "association", "Association"
    COLLECTIVITE = "collectivite", "Collectivité"
    ENTREPRISE = "entreprise", "Entreprise"
    FONDATION = "fondation", "Fondation"
    COLLECTIF_INFORMEL = "collectif_informel", "Collectif informel"
    INSTITUTION = "institution", "Institution"
    ACADEMIQUE = "academique", "Acteur académique"


class Category(models.TextChoices):
    """Categories of territorial experimentation (seed 002, part 3)."""

    IMPULSION = "impulsion", "Impulsion d'acteurs territoriaux"
    EXPERIMENTATION_COLLECTIVE = "experimentation_collective", "Expérimentation collective"
    CO_INNOVATION = "co_innovation", "Co-innovation territoriale"


class CaseStudyQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class CaseStudy(models.Model):
    slug = models.SlugField("identifiant", max_length=120, unique=True)
    title = models.CharField("titre", max_length=200)
    summary = models.TextField("résumé", max_length=1000)
    objet = models.TextField("objet", blank=True)
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", null=True, blank=True, on_delete=models.PROTECT, related_name="case_studies"
    )
    places = models.JSONField("lieux cités", default=list, blank=True)
    carrier_status = models.CharField("statut du porteur", max_length=24, choices=CarrierStatus.choices, blank=True)
    carrier = models.CharField("porteur", max_length=200, blank=True)
    genese = models.TextField("genèse", blank=True)
    objectif = models.TextField("objectif", blank=True)
    activites_partenariats = models.TextField("activités en matière de partenariats", blank=True)
    resultats = models.TextField("résultats", blank=True)
    figures = models.JSONField("résultats chiffrés", default=list, blank=True)
    prochaines_etapes = models.TextField("prochaines étapes", blank=True)
    year_started = models.PositiveSmallIntegerField("année de lancement", null=True, blank=True)
    website = models.URLField("site internet", blank=True)
    organisations = models.JSONField("organisations impliquées", default=list, blank=True)
    domains = models.ManyToManyField(Domain, verbose_name="domaines", blank=True, related_name="case_studies")
    partnership_types = models.ManyToManyField(
        PartnershipType, verbose_name="types de partenariat", blank=True, related_name="case_studies"
    )
    category = models.CharField("catégorie d'expérimentation", max_length=32, choices=Category.choices, blank=True)
    metiers = models.ManyToManyField(Metier, verbose_name="métiers des catalyseurs", blank=True, related_name="case_studies")
    source_document = models.CharField("document source", max_length=200, blank=True)
    source_title = models.CharField("titre de la source", max_length=300, blank=True)
    documented_by = models.CharField("documentée par", max_length=200, blank=True)
    documented_year = models.PositiveSmallIntegerField("année de documentation", null=True, blank=True)
    source_where = models.CharField("passage de la source", max_length=300, blank=True)
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.DRAFT)
    contributor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="contributeur·rice", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="case_studies",
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    # One more at each save: two editors saving the same fiche are told (catalyseur.concurrency).
    version = models.PositiveIntegerField("version", default=1, editable=False)

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        verbose_name = "pratique innovante"
        verbose_name_plural = "pratiques innovantes"
        indexes = [
            # The public list: published fiches, newest first.
            models.Index(fields=["status", "-published_at"], name="casestudy_status_pub_idx"),
            # Facets on the year and the carrier's statut.
            models.Index(fields=["status", "year_started"], name="casestudy_status_year_idx"),
            models.Index(fields=["status", "carrier_status"], name="casestudy_status_carrier_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("practices:detail", kwargs={"slug": self.slug})

    def search_body(self) -> str:
        """Every text field but title and summary, for the full-text index."""
        from practices.richtext import plain

        parts = [plain(self.objet), self.carrier, plain(self.genese), plain(self.objectif), plain(self.activites_partenariats),
                 plain(self.resultats), plain(self.prochaines_etapes), " ".join(self.places or []), " ".join(self.organisations or [])]
        parts += [f"{f.get('label', '')} {f.get('value', '')}" for f in self.figures or [] if isinstance(f, dict)]
        # The taxonomy, in words: a search for "emploi" finds the fiches of that domain.
        parts += [term.label for term in self.domains.all()] + [term.label for term in self.partnership_types.all()]
        parts += [self.get_category_display() if self.category else "", self.get_carrier_status_display() if self.carrier_status else ""]
        return "\n".join(p for p in parts if p)


class CaseStudyRevision(models.Model):
    """One saved state of a fiche: who changed it, to which status, with a note."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="revisions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
