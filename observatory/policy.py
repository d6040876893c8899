"""Who sees what in the observatory. Official figures and the catalogue are public; a
territory's portrait, figures and exports follow the territory's own visibility (a
private project territory: its owner alone), through ``territories.policy``."""

from territories.policy import get_visible_territory


def get_portrait_territory(user, level: str, code: str):
    """The territory whose portrait ``user`` may read, or 404."""
    return get_visible_territory(user, level, code)


def can_import_values(user) -> bool:
    """Importing indicator values changes public figures: editors and admins only."""
    return bool(user.is_authenticated and user.is_editor)
