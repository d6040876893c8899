"""Territories: the official ones (région, département, EPCI, commune) and the
*territoires de projet* that users draw as a set of communes.

One table holds them all, named by ``(level, code)``: the official code from the Code
officiel géographique (SIREN for an EPCI), or a stable slug for a project territory.
Containment is stored as one row per (territory, ancestor) pair in ``TerritoryLink``, so
"every commune inside X" and "every territory containing commune Y" are both a single
indexed look-up.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from territories.normalize import searchable


class Level(models.TextChoices):
    REGION = "region", "Région"
    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI"
    COMMUNE = "commune", "Commune"
    PROJECT = "project", "Territoire de projet"


OFFICIAL_LEVELS = (Level.REGION, Level.DEPARTEMENT, Level.EPCI, Level.COMMUNE)
# Order used to sort parents (largest first) and to pick the level just below.
LEVEL_RANK = {Level.REGION: 0, Level.DEPARTEMENT: 1, Level.EPCI: 2, Level.COMMUNE: 3, Level.PROJECT: 2}
LEVEL_PLURAL = {
    Level.REGION: "Régions",
    Level.DEPARTEMENT: "Départements",
    Level.EPCI: "EPCI",
    Level.COMMUNE: "Communes",
    Level.PROJECT: "Territoires de projet",
}
# The levels a territory of each level contains, largest first.
CONTAINED_LEVELS = {
    Level.REGION: (Level.DEPARTEMENT, Level.EPCI, Level.COMMUNE),
    Level.DEPARTEMENT: (Level.EPCI, Level.COMMUNE),
    Level.EPCI: (Level.COMMUNE,),
    Level.PROJECT: (Level.COMMUNE,),
    Level.COMMUNE: (),
}


def at_or_inside(territory, field: str = "territory") -> Q:
    """Rows whose ``field`` is the territory or any territory inside it (one subquery on
    the stored containment links)."""
    return Q(**{field: territory}) | Q(**{f"{field}__in": TerritoryLink.objects.filter(ancestor=territory).values("descendant_id")})


class TerritoryQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_obsolete=False)

    def official(self):
        return self.exclude(level=Level.PROJECT)

    def inside(self, territory):
        """Every territory that ``territory`` contains (not itself)."""
        return self.filter(ancestor_links__ancestor=territory)

    def containing(self, territory):
        """Every territory that contains ``territory`` (not itself)."""
        return self.filter(descendant_links__descendant=territory)


class Territory(models.Model):
    level = models.CharField("niveau", max_length=16, choices=Level.choices)
    code = models.CharField("code officiel", max_length=80)
    name = models.CharField("nom", max_length=200)
    search_name = models.CharField("nom normalisé", max_length=200, editable=False)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)
    zone = models.CharField("zone", max_length=8, blank=True, help_text="metro, drom ou com")
    # Communes: a point for maps (see territories/centres.py), WGS84 degrees.
    latitude = models.FloatField("latitude du centre", null=True, blank=True)
    longitude = models.FloatField("longitude du centre", null=True, blank=True)
    centre_is_approximate = models.BooleanField(
        "centre approché", default=False, help_text="Point d'une commune de 2022 dont celle-ci n'est qu'une partie."
    )
    is_obsolete = models.BooleanField("obsolète", default=False)
    obsolete_since = models.DateField("obsolète depuis", null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name="remplacé par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Project territories only. A deleted account takes its private projects with it
    # (accounts/privacy.py deletes them); its public ones stay, without an owner.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project_territories",
    )
    description = models.TextField("description", blank=True)
    is_private = models.BooleanField(
        "privé", default=False, help_text="Un territoire de projet privé n'est visible que de son auteur·rice."
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        constraints = [
            # Région 28 and département 28 both exist: the code is unique within a level.
            models.UniqueConstraint(fields=["level", "code"], name="territory_level_code_unique"),
        ]
        indexes = [
            # Autocomplete: exact and prefix match on the normalised name.
            models.Index(fields=["search_name"], name="territory_search_name_idx"),
            # Lists of a level ordered by size (search fallback, children pages).
            models.Index(fields=["level", "is_obsolete", "-population"], name="territory_level_pop_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()})"

    def save(self, *args, **kwargs):
        self.search_name = searchable(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("territories:detail", kwargs={"level": self.level, "code": self.code})

    @property
    def is_project(self) -> bool:
        return self.level == Level.PROJECT

    @property
    def level_label(self) -> str:
        return self.get_level_display()

    def parents(self):
        """The territories that contain this one, largest first."""
        rows = list(Territory.objects.containing(self).current().exclude(level=Level.PROJECT))
        return sorted(rows, key=lambda t: (LEVEL_RANK[t.level], t.name))

    def communes(self):
        return Territory.objects.inside(self).filter(level=Level.COMMUNE)


class TerritoryLink(models.Model):
    """``descendant`` lies inside ``ancestor`` (every ancestor stored, not only the parent)."""

    descendant = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="ancestor_links")
    ancestor = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="descendant_links")
    # Copied from the descendant so "communes of X" reads the index alone.
    descendant_level = models.CharField(max_length=16, choices=Level.choices)

    class Meta:
        constraints = [
            # Also serves "every territory containing this one" (leading column: descendant).
            models.UniqueConstraint(fields=["descendant", "ancestor"], name="territory_link_unique"),
        ]
        indexes = [
            # "Every territory of a level inside this one".
            models.Index(fields=["ancestor", "descendant_level"], name="territory_link_inside_idx"),
        ]


class PostalCode(models.Model):
    """One postal code of a commune, so a search by postal code reads an index."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="postal_code_rows")
    code = models.CharField(max_length=5)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "territory"], name="postal_code_unique")]


class ImportRun(models.Model):
    """One run of the official import: what it read and what it changed."""

    source = models.CharField(max_length=200)
    source_version = models.CharField(max_length=40)
    source_digest = models.CharField(max_length=64)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    obsoleted = models.PositiveIntegerField(default=0)
    links_added = models.PositiveIntegerField(default=0)
    links_removed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        get_latest_by = "finished_at"
