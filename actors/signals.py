"""Every saved or deleted organisation is kept in step in the full-text index. Bulk
imports (``bulk_create`` sends no signal) call ``actors.indexing.reindex`` per batch.

Every write that can change a territory's network renews the network token
(``actors.network.touch``): organisations, partnerships, partners (rows, or the
``Partnership.organizations`` relation), a project territory (its communes change with it)
and an import of the official territories (containment links). The receivers run inside
the write's transaction when there is one (every write path of the application opens
one; deletions always do), else right after the row is written: never before it, so a
read never stores figures older than the token it read. Bulk imports call ``touch``
themselves, per batch."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from actors.indexing import INDEX, reindex
from actors.models import Organization, Partnership, PartnershipMember
from actors.network import touch
from territories.models import ImportRun, Level, Territory


@receiver(post_save, sender=Organization, dispatch_uid="actors-index-organization")
def index_saved_organization(sender, instance, raw=False, **kwargs):
    if not raw:
        reindex([instance])


@receiver(post_delete, sender=Organization, dispatch_uid="actors-unindex-organization")
def unindex_deleted_organization(sender, instance, **kwargs):
    INDEX.delete([instance.pk])


def _network_changed(sender, **kwargs):
    touch()


for _model in (Organization, Partnership, PartnershipMember):
    post_save.connect(_network_changed, sender=_model, dispatch_uid=f"actors-network-save-{_model.__name__}")
    post_delete.connect(_network_changed, sender=_model, dispatch_uid=f"actors-network-delete-{_model.__name__}")


@receiver(m2m_changed, sender=Partnership.organizations.through, dispatch_uid="actors-network-partners")
def partners_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        touch()


@receiver(post_save, sender=Territory, dispatch_uid="actors-network-project-saved")
@receiver(post_delete, sender=Territory, dispatch_uid="actors-network-project-deleted")
def project_changed(sender, instance, **kwargs):
    if instance.level == Level.PROJECT:
        touch()


@receiver(post_save, sender=ImportRun, dispatch_uid="actors-network-territories-imported")
def territories_imported(sender, created, **kwargs):
    if created:
        touch()
