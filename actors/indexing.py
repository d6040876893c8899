"""The full-text index of the organisations (name, then description and places), kept in
step by every write path: forms, importers, the demo loader."""

from typing import Iterable

from actors.models import Organization
from search.backends import Document, SearchIndex

INDEX = SearchIndex("organizations")


def document_of(organization: Organization, commune_name: str = "") -> Document:
    body = " ".join(p for p in (organization.address, organization.postal_code, commune_name, organization.rna,
                                organization.siren) if p)
    return Document(id=organization.pk, title=organization.name, summary=organization.description, body=body)


def reindex(organizations: Iterable[Organization]) -> None:
    organizations = list(organizations)
    names = _commune_names(organizations)
    INDEX.replace(document_of(o, names.get(o.commune_id, "")) for o in organizations)


def _commune_names(organizations) -> dict[int, str]:
    from territories.models import Territory

    ids = {o.commune_id for o in organizations if o.commune_id}
    return dict(Territory.objects.filter(pk__in=ids).values_list("pk", "name"))
