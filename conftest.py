"""Fixtures shared by every app's tests."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

SAMPLE_DIR = Path(__file__).resolve().parent / "territories" / "tests" / "data" / "decoupage-sample"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sample_dir(tmp_path) -> Path:
    """A writable copy of the sample source (tests may corrupt or edit it)."""
    target = tmp_path / "pkg" / "data"
    shutil.copytree(SAMPLE_DIR, target)
    shutil.copy(SAMPLE_DIR.parent / "package.json", target.parent / "package.json")
    return target


@pytest.fixture
def sample_territories(db):
    call_command("import_territories", source=SAMPLE_DIR, no_progress=True, force=True, stdout=open("/dev/null", "w"))


@pytest.fixture
def member(db, django_user_model):
    return django_user_model.objects.create_user(email="membre@example.org", password="un mot de passe solide", display_name="Membre")


@pytest.fixture
def other_member(db, django_user_model):
    return django_user_model.objects.create_user(email="autre@example.org", password="un mot de passe solide", display_name="Autre")


@pytest.fixture
def editor(db, django_user_model):
    return django_user_model.objects.create_user(email="editeur@example.org", password="un mot de passe solide", role="editor")


@pytest.fixture
def fiches(sample_territories):
    """Three published fiches on the sample territories (see practices.tests.sample_fiches.py)."""
    from practices.importer import clean_rows, save_rows
    from practices.tests.sample_fiches import FICHES

    return save_rows(clean_rows(FICHES))
