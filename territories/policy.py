"""Who may see and change territories. Pages, API and exports all ask here.

Official territories are public. A project territory is public unless its owner made it
private; a private one exists only for its owner (others get a 404, never a hint).
"""

from django.db.models import Q
from django.http import Http404

from territories.models import Level, Territory


def visible_filter(user) -> Q:
    """A filter keeping the territories ``user`` may see."""
    public = ~Q(level=Level.PROJECT) | Q(is_private=False)
    if getattr(user, "is_authenticated", False):
        return public | Q(owner=user)
    return public


def visible_territories(user):
    return Territory.objects.filter(visible_filter(user))


def can_view(user, territory: Territory) -> bool:
    if territory.level != Level.PROJECT or not territory.is_private:
        return True
    return getattr(user, "is_authenticated", False) and territory.owner_id == user.pk


def get_visible_territory(user, level: str, code: str) -> Territory:
    """The territory, or a 404 when it does not exist or the user may not see it."""
    territory = Territory.objects.filter(level=level, code=code).first()
    if territory is None or not can_view(user, territory):
        raise Http404("Territoire introuvable")
    return territory


def can_create_project(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def can_edit(user, territory: Territory) -> bool:
    """Official territories change only through the import; a project, by its owner."""
    if territory.level != Level.PROJECT or not getattr(user, "is_authenticated", False):
        return False
    return territory.owner_id == user.pk or user.is_platform_admin
