"""What the search app stores besides the full-text tables themselves."""

from django.db import models


class IndexVersion(models.Model):
    """A new random token each time an index changes.

    Whatever is derived from an index (the facet snapshot of the fiches, for one) compares
    this token with the one it was built from, and rebuilds when they differ. The token is
    written in the same transaction as the change, so a rolled-back change leaves it as it
    was. A random token, not a counter: a counter could come back to a value already seen
    after a rollback, for different contents.
    """

    name = models.CharField(primary_key=True, max_length=40)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "version d'index"
        verbose_name_plural = "versions d'index"

    def __str__(self):
        return f"{self.name}: {self.token}"
