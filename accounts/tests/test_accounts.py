import pytest
from django.core import mail

from accounts.models import Role, User
from accounts.policy import can_moderate, role_of

pytestmark = pytest.mark.django_db


def test_a_visitor_signs_up_and_is_signed_in(client):
    response = client.post(
        "/compte/inscription/",
        {"email": "Nouvelle@Example.org", "display_name": "Nouvelle", "password1": "un mot de passe solide", "password2": "un mot de passe solide"},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "Nouvelle@example.org" and user.role == Role.MEMBER
    assert client.get("/compte/").status_code == 200


def test_sign_up_rejects_a_taken_address_whatever_its_case(client, member):
    response = client.post(
        "/compte/inscription/",
        {"email": "MEMBRE@example.org", "password1": "un mot de passe solide", "password2": "un mot de passe solide"},
    )
    assert "Un compte existe déjà avec cette adresse e-mail." in response.content.decode()
    assert User.objects.count() == 1


def test_sign_up_explains_weak_and_mismatched_passwords_in_french(client):
    response = client.post("/compte/inscription/", {"email": "a@example.org", "password1": "123", "password2": "124"})
    html = response.content.decode()
    assert "Les deux mots de passe ne correspondent pas." in html
    assert not User.objects.exists()


def test_sign_in_with_the_email_address_and_sign_out(client, member):
    response = client.post("/compte/connexion/", {"username": "membre@example.org", "password": "un mot de passe solide"})
    assert response.status_code == 302
    assert client.get("/compte/").context["user"] == member
    client.post("/compte/deconnexion/")
    assert client.get("/compte/").status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, member):
    response = client.post("/compte/connexion/", {"username": "membre@example.org", "password": "faux"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_password_reset_sends_a_link_that_works(client, member):
    client.post("/compte/mot-de-passe/oubli/", {"email": "membre@example.org"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Catalyseur : choisir un nouveau mot de passe"
    link = next(line for line in message.body.splitlines() if "/compte/mot-de-passe/nouveau/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "un autre mot de passe", "new_password2": "un autre mot de passe"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("un autre mot de passe")


def test_roles(member, editor, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    admin = django_user_model.objects.create_superuser(email="admin@example.org", password="un mot de passe solide")
    assert [role_of(AnonymousUser()), role_of(member), role_of(editor), role_of(admin)] == ["visitor", "member", "editor", "admin"]
    assert not can_moderate(member) and can_moderate(editor) and can_moderate(admin)
    assert admin.is_staff


def test_staff_reach_the_django_admin(client, django_user_model, member):
    admin = django_user_model.objects.create_superuser(email="admin@example.org", password="un mot de passe solide")
    client.force_login(member)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/territories/territory/").status_code == 200
