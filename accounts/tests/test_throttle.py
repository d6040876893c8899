"""Too many failed sign-ins for one address: refused for a while, password not even checked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import throttle
from accounts.models import FailedSignIn

pytestmark = pytest.mark.django_db
PASSWORD = "un mot de passe solide"


def sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_five_failures_block_the_address_even_with_the_right_password(client, member):
    for _ in range(throttle.MAX_PER_EMAIL):
        assert sign_in(client, "Membre@Example.org", "mauvais").status_code == 200
    blocked = sign_in(client, "membre@example.org", PASSWORD)
    assert blocked.status_code == 200
    assert "Trop de tentatives de connexion : réessayez dans 15 minutes" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_block_ends_after_the_window_and_a_success_clears_the_count(client, member):
    for _ in range(throttle.MAX_PER_EMAIL):
        sign_in(client, "membre@example.org", "mauvais")
    FailedSignIn.objects.update(at=timezone.now() - throttle.WINDOW - timedelta(seconds=1))
    assert sign_in(client, "membre@example.org", PASSWORD).status_code == 302
    assert not FailedSignIn.objects.filter(email="membre@example.org").exists()


def test_one_network_address_trying_many_accounts_is_slowed_down_too(client, member):
    for n in range(throttle.MAX_PER_IP):
        sign_in(client, f"personne{n}@example.org", "mauvais")
    response = sign_in(client, "membre@example.org", PASSWORD)
    assert "Trop de tentatives" in response.content.decode()


def test_a_failure_under_the_limit_still_lets_the_right_password_in(client, member):
    sign_in(client, "membre@example.org", "mauvais")
    assert sign_in(client, "membre@example.org", PASSWORD).status_code == 302


def test_failures_older_than_the_window_are_not_kept(client, member):
    """A failure only counts for the window; after it, the next sign-in attempt, failed or
    successful, of anyone erases it (the privacy page says so)."""
    old = timezone.now() - throttle.WINDOW - timedelta(seconds=1)
    FailedSignIn.objects.create(email="ancien@example.org", ip="192.0.2.1")
    FailedSignIn.objects.update(at=old)
    sign_in(client, "quelquun@example.org", "mauvais")
    assert list(FailedSignIn.objects.values_list("email", flat=True)) == ["quelquun@example.org"]

    FailedSignIn.objects.update(at=old)
    FailedSignIn.objects.create(email="recent@example.org", ip="192.0.2.2")
    assert sign_in(client, "membre@example.org", PASSWORD).status_code == 302
    assert list(FailedSignIn.objects.values_list("email", flat=True)) == ["recent@example.org"]
