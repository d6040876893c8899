"""Every saved or deleted organisation is kept in step in the full-text index. Bulk
imports (``bulk_create`` sends no signal) call ``actors.indexing.reindex`` per batch."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from actors.indexing import INDEX, reindex
from actors.models import Organization


@receiver(post_save, sender=Organization, dispatch_uid="actors-index-organization")
def index_saved_organization(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex([instance])


@receiver(post_delete, sender=Organization, dispatch_uid="actors-unindex-organization")
def unindex_deleted_organization(sender, instance, **kwargs):
    INDEX.delete([instance.pk])
