"""The observatory: indicators (the catalogue), their values per territory and year, and
the national references pages compare against.

A value is stored once per (territory, indicator, year). Values read from a source file are
*source* values; the values of larger territories are *computed* by the aggregation
(``observatory/aggregation.py``) with the indicator's rule, and carry the share of the
population they cover. A blank (``value`` null) means the producer did not publish the
figure (statistical secrecy or not available): it is never read as zero.
"""

from django.db import models
from django.urls import reverse

from territories.models import Level


class Direction(models.TextChoices):
    HIGHER_WORSE = "higher_worse", "Plus la valeur est haute, plus la fragilité est forte"
    HIGHER_BETTER = "higher_better", "Plus la valeur est haute, moins la fragilité est forte"
    NEUTRAL = "neutral", "Indicateur de profil (ni meilleur ni pire)"


class Aggregation(models.TextChoices):
    SUM = "sum", "Somme des territoires qui le composent"
    RATIO = "ratio", "Rapport de deux sommes"
    WEIGHTED_MEAN = "weighted_mean", "Moyenne pondérée par la population"
    PUBLISHED = "published", "Publié par le producteur à chaque niveau (pas d'agrégation)"


class Indicator(models.Model):
    code = models.SlugField("code", max_length=60, unique=True)
    name = models.CharField("nom", max_length=200)
    short_name = models.CharField("nom court", max_length=80, blank=True)
    domain = models.ForeignKey(
        "taxonomy.Domain", verbose_name="domaine", null=True, blank=True, on_delete=models.PROTECT,
        help_text="Vide pour un indicateur de profil (population, superficie…).",
    )
    unit = models.CharField("unité", max_length=40, blank=True)
    decimals = models.PositiveSmallIntegerField("décimales affichées", default=1)
    producer = models.CharField("producteur", max_length=200)
    source = models.CharField("source", max_length=300)
    source_url = models.URLField("adresse de la source", blank=True)
    licence = models.CharField("licence", max_length=200, blank=True)
    vintage = models.CharField("millésime", max_length=200, blank=True)
    definition = models.TextField("définition")
    formula = models.TextField("formule", blank=True)
    limits = models.TextField("limites", blank=True)
    direction = models.CharField("sens", max_length=16, choices=Direction.choices, default=Direction.NEUTRAL)
    aggregation = models.CharField("règle d'agrégation", max_length=16, choices=Aggregation.choices)
    base_level = models.CharField(
        "niveau le plus fin", max_length=16, choices=Level.choices, default=Level.COMMUNE,
        help_text="Niveau des valeurs lues dans la source ; les niveaux au-dessus sont calculés.",
    )
    numerator = models.ForeignKey("self", verbose_name="numérateur", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey("self", verbose_name="dénominateur", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scale = models.FloatField("facteur", default=1, help_text="Rapport = facteur × numérateur / dénominateur.")
    is_component = models.BooleanField("donnée de calcul", default=False, help_text="Compte servant au calcul d'un taux.")
    is_demo = models.BooleanField("données de démonstration", default=False)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("observatory:indicator", kwargs={"code": self.code})

    @property
    def is_scored(self) -> bool:
        return self.domain_id is not None and self.direction != Direction.NEUTRAL and not self.is_component


class Value(models.Model):
    # No index of their own: the unique constraint leads with the territory, the slice index
    # with the indicator; more b-trees would only slow every write.
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", db_index=False)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="indicator_values", db_index=False
    )
    level = models.CharField(max_length=16, choices=Level.choices)  # copied from the territory, for ranks
    year = models.PositiveSmallIntegerField("année")
    value = models.FloatField("valeur", null=True, blank=True)
    coverage = models.FloatField(
        "part de la population couverte", null=True, blank=True,
        help_text="Pour une valeur calculée : part de la population des territoires dont la valeur est connue.",
    )
    is_computed = models.BooleanField("calculée", default=False)
    # Written with the value (``store.py`` for source values, window functions in
    # ``aggregation.py`` for computed ones): 1 + the territories of the level with a higher
    # value that year, and how many have one. Empty for a blank and for project territories.
    level_rank = models.PositiveIntegerField("rang dans le niveau", null=True, blank=True)
    level_count = models.PositiveIntegerField("territoires classés", null=True, blank=True)

    class Meta:
        verbose_name = "valeur"
        constraints = [
            models.UniqueConstraint(fields=["territory", "indicator", "year"], name="observatory_value_unique"),
        ]
        indexes = [
            # The slices of an indicator: maps, peers, a slice replaced, the aggregation. Without
            # the value in it, the rows of a slice come in the order they were written (the
            # aggregation reads them all: in value order, it would jump around the table).
            models.Index(fields=["indicator", "year", "level"], name="observatory_value_slice_idx"),
        ]


class Scope(models.TextChoices):
    METRO = "metro", "France métropolitaine"
    FRANCE = "france", "France entière"


class NationalValue(models.Model):
    """The reference a territory is compared with (index = 100 × value / reference)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="national_values")
    scope = models.CharField(max_length=8, choices=Scope.choices)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True)
    coverage = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "scope", "year"], name="observatory_national_unique")]


class Run(models.Model):
    """One load, import or aggregation; the newest one versions the cached figures."""

    class Kind(models.TextChoices):
        LOAD = "load", "Chargement des données de référence"
        IMPORT = "import", "Import de valeurs"
        AGGREGATE = "aggregate", "Agrégation"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=300, blank=True)
    values_written = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        get_latest_by = "id"


# --- Surveys of the Observatoire des partenariats (observatory/surveys_data.py) -------------
#
# Published survey results (citizens, mayors, companies, associations) and the figures of the
# Observatoire's regional reports, each with the document and section it was read from. They
# are real published figures, loaded from ``observatory/surveys_data.py`` by ``load_reference``.


class SurveyPopulation(models.TextChoices):
    CITIZENS = "citoyens", "Citoyens"
    MAYORS = "maires", "Maires et élus"
    COMPANIES = "entreprises", "Entreprises"
    ASSOCIATIONS = "associations", "Associations"


class Survey(models.Model):
    """One survey of one population on one territory (France, or a région)."""

    key = models.SlugField("identifiant", max_length=80, unique=True)
    series = models.SlugField(
        "série", max_length=80, blank=True,
        help_text="Même enquête sur plusieurs territoires (France et régions) : même série, pour les comparer.",
    )
    title = models.CharField("titre", max_length=200)
    population = models.CharField("population interrogée", max_length=16, choices=SurveyPopulation.choices)
    population_detail = models.CharField(
        "précision sur la population", max_length=200, blank=True, help_text="Par exemple « associations employeuses »."
    )
    producer = models.CharField("producteur", max_length=200, help_text="Par exemple Comisis / OpinionWay pour Le RAMEAU.")
    programme = models.CharField("programme d'études", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField("année", null=True, blank=True, help_text="Vide quand la source ne la donne pas.")
    is_national = models.BooleanField("France entière", default=False)
    territory = models.ForeignKey(
        "territories.Territory", verbose_name="région", null=True, blank=True, on_delete=models.PROTECT,
        related_name="surveys", limit_choices_to={"level": Level.REGION},
        help_text="Vide pour une enquête nationale.",
    )
    base_n = models.PositiveIntegerField("base (N)", null=True, blank=True, help_text="Vide quand la source ne la donne pas.")
    base_label = models.CharField("base", max_length=200, blank=True, help_text="Par exemple « Ensemble des maires ».")
    source_title = models.CharField("document source", max_length=300)
    source_file = models.CharField("fichier source", max_length=120)
    source_section = models.CharField("section du document", max_length=300)
    notes = models.TextField("notes", blank=True)
    from_reference = models.BooleanField(
        "chargée des données de référence", default=False, editable=False,
        help_text="Réécrite à chaque chargement de observatory/surveys_data.py.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "enquête"
        verbose_name_plural = "enquêtes"
        ordering = ["position", "key"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(is_national=True, territory__isnull=True) | models.Q(is_national=False, territory__isnull=False)),
                name="observatory_survey_scope",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.scope_label})"

    @property
    def scope_label(self) -> str:
        return "France" if self.is_national else self.territory.name


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField("code", max_length=80, help_text="Le même dans chaque enquête d'une série.")
    text = models.TextField("question")
    base_n = models.PositiveIntegerField("base (N) de la question", null=True, blank=True, help_text="Quand elle diffère de celle de l'enquête.")
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "question d'enquête"
        verbose_name_plural = "questions d'enquête"
        ordering = ["survey", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="observatory_survey_question_unique")]

    def __str__(self):
        return self.text


class SurveyAnswer(models.Model):
    """The share (in %) of the base that gave one answer."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    label = models.CharField("réponse", max_length=200)
    share = models.FloatField("part (%)")
    base_n = models.PositiveIntegerField("base (N) de la réponse", null=True, blank=True, help_text="Quand elle diffère.")
    is_uncertain = models.BooleanField(
        "lecture à confirmer", default=False, help_text="Le chiffre est lisible dans la source, mais son attribution y est ambiguë.",
    )
    note = models.TextField("note", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "réponse d'enquête"
        verbose_name_plural = "réponses d'enquête"
        ordering = ["question", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="observatory_survey_answer_unique"),
            models.CheckConstraint(condition=models.Q(share__gte=0, share__lte=100), name="observatory_survey_answer_share"),
        ]

    def __str__(self):
        return f"{self.label} : {self.share} %"


class RegionalFact(models.Model):
    """A figure or a finding of the Observatoire's regional report on a région (its profile)."""

    class Kind(models.TextChoices):
        FIGURE = "chiffre", "Chiffre"
        FINDING = "constat", "Constat"

    key = models.SlugField("identifiant", max_length=80, unique=True)
    territory = models.ForeignKey(
        "territories.Territory", verbose_name="région", on_delete=models.PROTECT, related_name="regional_facts",
        limit_choices_to={"level": Level.REGION},
    )
    kind = models.CharField("nature", max_length=8, choices=Kind.choices, default=Kind.FIGURE)
    theme = models.CharField("thème", max_length=100)
    label = models.CharField("libellé", max_length=300)
    value = models.FloatField("valeur", null=True, blank=True)
    unit = models.CharField("unité", max_length=60, blank=True)
    display = models.CharField("valeur telle que publiée", max_length=100, blank=True)
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)
    comparison = models.CharField("référence publiée à côté", max_length=200, blank=True)
    original_source = models.CharField("source citée par le document", max_length=300, blank=True)
    source_title = models.CharField("document source", max_length=300)
    source_file = models.CharField("fichier source", max_length=120)
    source_section = models.CharField("section du document", max_length=300)
    notes = models.TextField("notes", blank=True)
    from_reference = models.BooleanField("chargé des données de référence", default=False, editable=False)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "élément de profil régional"
        verbose_name_plural = "éléments de profil régional"
        ordering = ["territory", "position", "key"]

    def __str__(self):
        return f"{self.territory.name} : {self.label}"
