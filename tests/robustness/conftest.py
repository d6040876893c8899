"""Fixtures of the robustness tests: the database's fingerprint (to prove that a refused
import wrote nothing) and the pages' messages as plain text."""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "territories" / "tests" / "data" / "decoupage-sample"

# Examples per property or per API operation: modest by default (the folder runs in well
# under a minute); ROBUSTNESS_EXAMPLES=500 for a deeper search.
EXAMPLES = int(os.environ.get("ROBUSTNESS_EXAMPLES", "0")) or None


def examples(default: int) -> int:
    return EXAMPLES or default


def pytest_configure(config):
    config.addinivalue_line("markers", "fuzz: generated inputs (hypothesis, schemathesis); deselect with -m 'not fuzz'")


# Sessions change with each login, not with an import.
UNTRACKED_TABLES = {"django_session"}


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows (full-text tables included): two
    equal fingerprints mean nothing was created, changed or deleted."""
    fingerprint = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in UNTRACKED_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            fingerprint[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16])
    return fingerprint


def changed_tables(before: dict, after: dict) -> dict:
    return {table: (before.get(table), after.get(table)) for table in before.keys() | after.keys()
            if before.get(table) != after.get(table)}


def page_text(response) -> str:
    """The page's text, tags removed and entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


@pytest.fixture
def fingerprint():
    return database_fingerprint


@contextmanager
def module_data(django_db_blocker):
    """Data made once for a whole test module, inside a transaction rolled back at its end;
    each test still runs in its own savepoint (the ``db`` fixture) on top of it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def load_sample_territories():
    call_command("import_territories", source=SAMPLE_DIR, no_progress=True, force=True, stdout=io.StringIO())


def build_world() -> dict:
    """A small populated database for the API: the sample territories with their centres,
    the three sample fiches, organisations with domains and places, a partnership (active)
    and another only proposed, two catalysts (one with consent), a public and a private
    project territory."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from actors.indexing import reindex as reindex_organizations
    from actors.models import Catalyst, CatalystMetier, Kind, Organization, Partnership, PartnershipMember, PartnershipStatus
    from practices.importer import clean_rows, save_rows
    from practices.tests.sample_fiches import FICHES
    from taxonomy.models import Domain, Metier, PartnershipType
    from territories.centres import import_commune_centres
    from territories.models import Level, Territory
    from territories.projects import save_project

    load_sample_territories()
    import_commune_centres()
    save_rows(clean_rows(FICHES))
    commune = {code: Territory.objects.get(level=Level.COMMUNE, code=code) for code in ("94018", "94069", "45234")}
    aidants = Organization.objects.create(slug="aidants", name="Association des aidants", kind=Kind.ASSOCIATION,
                                          commune=commune["94018"], rna="W941012345")
    aidants.domains.set(Domain.objects.filter(code__in=["numerique", "vieillissement"]))
    pont = Organization.objects.create(slug="pont-numerique", name="Pont numérique", kind=Kind.ENTREPRISE, size="pme",
                                       siret="44306184100047", siren="443061841", commune=commune["94069"],
                                       address="12 rue du Val d'Osne", postal_code="94410", latitude=48.8185, longitude=2.4345)
    fondation = Organization.objects.create(slug="fondation-loire", name="Fondation Loire solidaire", kind=Kind.FONDATION,
                                            commune=commune["45234"], is_demo=True, website="https://fondation.example.org")
    fondation.action_territories.set([commune["45234"], Territory.objects.get(level=Level.DEPARTEMENT, code="45")])
    Organization.objects.create(slug="sans-commune", name="Organisation sans commune", kind=Kind.INSTITUTION)
    active = Partnership.objects.create(title="Tablettes pour les aidants", type=PartnershipType.objects.get(code="mecenat"),
                                        status=PartnershipStatus.ACTIVE)
    for organization in (pont, aidants):
        PartnershipMember.objects.create(partnership=active, organization=organization, confirmed_at=timezone.now())
    proposed = Partnership.objects.create(title="Offre commune", type=PartnershipType.objects.get(code="cooperation_economique"))
    for organization in (fondation, aidants):
        PartnershipMember.objects.create(partnership=proposed, organization=organization)
    hidden = Catalyst.objects.create(slug="camille", name="Camille Martin", is_person=True, structure=aidants,
                                     profile="association", email="camille@example.org", description="Anime le réseau.")
    CatalystMetier.objects.create(catalyst=hidden, metier=Metier.objects.get(code="dialogue_territorial"), activities=["rencontres"])
    public = Catalyst.objects.create(slug="dominique", name="Dominique Leroy", is_person=True, territory=commune["45234"],
                                     profile="collectivite", email="dominique@example.org", consent_public=True,
                                     consent_at=timezone.now())
    CatalystMetier.objects.create(catalyst=public, metier=Metier.objects.get(code="accompagnements"))
    owner = get_user_model().objects.create_user(email="proprietaire@example.org", password="un mot de passe solide")
    communes = [commune["94018"].pk, commune["94069"].pk]
    public_project = save_project(owner=owner, name="Bords de Marne", description="", is_private=False, commune_ids=communes)
    private_project = save_project(owner=owner, name="Projet privé", description="", is_private=True, commune_ids=communes)
    reindex_organizations(Organization.objects.all())
    return {"public_project": public_project.code, "private_project": private_project.code}


class NulQueries:
    """Records every SQL query whose parameters carry a NUL character (PostgreSQL refuses
    them: DataError, so a 500). On SQLite the captured SQL text cuts a string at its NUL,
    hence a look at the parameters themselves."""

    def __init__(self):
        self.found: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if self._has_nul(params):
            self.found.append(sql)
        return execute(sql, params, many, context)

    def _has_nul(self, value) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, (list, tuple)):
            return any(self._has_nul(v) for v in value)
        if isinstance(value, dict):
            return any(self._has_nul(v) for v in value.values())
        return False


@contextmanager
def nul_queries():
    recorder = NulQueries()
    with connection.execute_wrapper(recorder):
        yield recorder.found


@contextmanager
def connection_kept_across_requests():
    """Call the WSGI application the way Django's test client does: without closing the
    database connection at the end of each request. The connection holds the tests'
    transaction; on PostgreSQL closing it would lose everything (SQLite's in-memory test
    database ignores the close)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def wsgi_calls():
    with connection_kept_across_requests():
        yield
