"""Who may do what with accounts. Views, API and exports ask here, nowhere else."""

from accounts.models import Role


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
