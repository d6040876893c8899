import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from territories.models import Level, Territory

pytestmark = pytest.mark.django_db


def test_demo_data_is_loaded_once_and_labelled(client, sample_territories):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    project = Territory.objects.get(level=Level.PROJECT)
    assert project.is_demo and "démonstration" in project.name
    assert User.objects.filter(is_demo=True).count() == 2
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Donnée de démonstration" in html


def test_demo_data_needs_the_territories_first(db):
    with pytest.raises(CommandError, match="importez d'abord les territoires"):
        call_command("load_demo", stdout=open("/dev/null", "w"))


def test_demo_data_is_refused_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo")


def test_demo_actors_are_labelled_and_make_a_network(client, sample_territories):
    from actors.models import Catalyst, Organization, Partnership

    call_command("load_demo", stdout=open("/dev/null", "w"))
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Organization.objects.count() == Organization.objects.filter(is_demo=True).count() == 11
    assert Partnership.objects.filter(is_demo=True, status="actif").count() == 5
    assert Catalyst.objects.filter(is_demo=True).count() == 3
    page = client.get("/acteurs/organisations/demo-numerique-solidaire/").content.decode()
    assert "Donnée de démonstration" in page
    network = client.get("/acteurs/reseau/departement/94/").content.decode()
    assert "Centre social Saint-Maurice (démo)" in network  # the isolated one
    assert "donnée de démonstration" in network
