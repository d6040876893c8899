"""Where organisations are, in terms of territories: one definition for the map, the
directory and the networks.

An organisation carries indexed copies of its commune's département and région, so "in a
région" or "in a département" is one indexed column; an EPCI or a project territory is
reached through the communes it contains."""

from django.db.models import Q

from actors.models import Organization
from territories.models import Level, Territory, TerritoryLink

# The organisation's indexed copy of its place, for each level that has one.
LOCATED_BY = {Level.REGION: "region", Level.DEPARTEMENT: "departement", Level.COMMUNE: "commune"}


def communes_inside(territory: Territory):
    """The ids of the communes in the territory (a subquery)."""
    return TerritoryLink.objects.filter(ancestor=territory, descendant_level=Level.COMMUNE).values("descendant_id")


def located_in(territory: Territory, prefix: str = "") -> Q:
    """Organisations (or, with ``prefix="structure__"``, catalysts by their structure)
    located in the territory."""
    if territory.level in LOCATED_BY:
        return Q(**{prefix + LOCATED_BY[territory.level]: territory})
    return Q(**{prefix + "commune__in": communes_inside(territory)})


def organizations_in(territory: Territory):
    return Organization.objects.filter(located_in(territory))
