"""Who may do what with accounts. Views, API and exports ask here, nowhere else."""

from django.db.models import Q

from accounts.models import Role, User


def role_of(user) -> str:
    """The role name of anyone, signed in or not: visitor, member, editor or admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "visitor"
    if user.is_platform_admin:
        return Role.ADMIN.value
    if user.is_editor:
        return Role.EDITOR.value
    return Role.MEMBER.value


def can_moderate(user) -> bool:
    return role_of(user) in (Role.EDITOR.value, Role.ADMIN.value)


def can_use_admin_site(user) -> bool:
    return bool(getattr(user, "is_staff", False)) and user.is_active


# --- Personal data (RGPD) ---------------------------------------------------------------


def can_export_own_data(user) -> bool:
    """Anyone signed in downloads everything the platform keeps about them, and only that."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def last_admin_standing(user) -> bool:
    """True when ``user`` is the only active platform administrator: deleting the account
    would leave the site with nobody to run it."""
    if not getattr(user, "is_authenticated", False) or not user.is_platform_admin:
        return False
    others = User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True)).exclude(pk=user.pk)
    return not others.exists()


def can_delete_own_account(user) -> bool:
    """Anyone signed in deletes their own account (never someone else's), except the last
    administrator, who first names another one."""
    return can_export_own_data(user) and not last_admin_standing(user)
