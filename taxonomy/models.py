"""The shared vocabulary of co-construction, as data (editable in the admin, loaded by a
data migration): fragility domains, partnership types, partners' objectives and the
métiers of a catalyst. Every app that classifies something uses these tables.
"""

from django.db import models


class TermQuerySet(models.QuerySet):
    def by_codes(self, codes):
        return self.filter(code__in=codes)


class Term(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=120)
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class Domain(Term):
    """A fragility domain of the Observatoire des partenariats (PHARE 2015, IMPACT)."""

    class Meta(Term.Meta):
        verbose_name = "domaine de fragilité"
        verbose_name_plural = "domaines de fragilité"


class PartnershipType(Term):
    """One of the 4 types of partnership (seed 002, annexe 2)."""

    class Meta(Term.Meta):
        verbose_name = "type de partenariat"
        verbose_name_plural = "types de partenariat"


class Objective(Term):
    """One of the 4 objectives a partner pursues in a partnership (seed 002, annexe 3)."""

    class Meta(Term.Meta):
        verbose_name = "objectif de partenariat"
        verbose_name_plural = "objectifs de partenariat"


class Metier(Term):
    """One of the 4 métiers of a catalyseur territorial (seeds 001 and 004)."""

    class Meta(Term.Meta):
        verbose_name = "métier de catalyseur"
        verbose_name_plural = "métiers de catalyseur"
