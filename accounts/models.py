"""Users of Catalyseur. People sign in with their e-mail address.

Roles, from least to most trusted: a *visitor* is anyone not signed in; a *member*
has an account; an *editor* curates content (moderation of fiches, resources); an
*admin* manages the platform (Django admin). Organisation memberships come with the
actors app.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    MEMBER = "member", "Membre"
    EDITOR = "editor", "Éditeur·rice"
    ADMIN = "admin", "Administrateur·rice"


class EmailUserManager(UserManager):
    """Creates users identified by their e-mail; the username mirrors it."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(email, email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    email = models.EmailField("adresse e-mail", unique=True)
    display_name = models.CharField("nom affiché", max_length=150, blank=True)
    role = models.CharField("rôle", max_length=16, choices=Role.choices, default=Role.MEMBER)
    is_demo = models.BooleanField(
        "compte de démonstration", default=False, help_text="Créé par les données de démonstration."
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateur·rices"
        constraints = [
            # One account per address, whatever its case.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        # Shown on public pages (fiches, project territories): never the address.
        return self.display_name or f"Membre n° {self.pk}"

    def save(self, *args, **kwargs):
        self.username = self.email
        if self.role == Role.ADMIN:
            self.is_staff = True
        super().save(*args, **kwargs)

    @property
    def is_editor(self) -> bool:
        return self.is_active and (self.role in (Role.EDITOR, Role.ADMIN) or self.is_superuser)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)


class FailedSignIn(models.Model):
    """One failed sign-in, kept a short while to slow down password guessing
    (see accounts/throttle.py)."""

    email = models.CharField(max_length=254)
    ip = models.CharField(max_length=45, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "échec de connexion"
        verbose_name_plural = "échecs de connexion"
        indexes = [
            models.Index(fields=["email", "at"], name="failed_signin_email_idx"),
            models.Index(fields=["ip", "at"], name="failed_signin_ip_idx"),
        ]
