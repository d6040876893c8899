"""Who may see what of the actors. Pages, map and API all ask here.

Organisations are public. A catalyst who is a person shows their name, presentation and
contact only with their consent (``Catalyst.shows_personal_data``); they always see their
own. A partnership shows publicly once it is no longer a mere proposal: a partner named
in a proposal has not confirmed anything yet.
"""

from accounts.policy import can_moderate
from actors.models import Catalyst, Claim, ClaimStatus, Membership, Organization, Partnership, PartnershipStatus


def can_view_catalyst_contact(user, catalyst: Catalyst) -> bool:
    """Name, presentation, job title, e-mail and phone of the catalyst."""
    if catalyst.shows_personal_data:
        return True
    return getattr(user, "is_authenticated", False) and catalyst.user_id == user.pk


def catalyst_name(user, catalyst: Catalyst) -> str:
    """The name ``user`` may read: the person's own, or the anonymous public name."""
    return catalyst.name if can_view_catalyst_contact(user, catalyst) else catalyst.public_name


def public_partnerships():
    """Partnerships anyone may see (and that the map's partnership filter counts)."""
    return Partnership.objects.filter(status__in=(PartnershipStatus.ACTIVE, PartnershipStatus.ENDED))


# --- Organisations, claims, partnerships: who changes what -------------------------------
# Organisations are edited by their members (after a claim an editor approved) and by
# editors; a partnership is confirmed by each partner's members, or by an editor.


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def is_member(user, organization: Organization) -> bool:
    return _signed_in(user) and Membership.objects.filter(user=user, organization=organization).exists()


def organizations_of(user):
    """The organisations a user acts for."""
    if not _signed_in(user):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def can_edit_organization(user, organization: Organization) -> bool:
    return _signed_in(user) and (can_moderate(user) or is_member(user, organization))


def can_create_organization(user) -> bool:
    return _signed_in(user)


def can_claim(user, organization: Organization) -> bool:
    """A signed-in member who does not manage it yet and has no claim waiting."""
    if not _signed_in(user) or is_member(user, organization):
        return False
    return not Claim.objects.filter(user=user, organization=organization, status=ClaimStatus.PENDING).exists()


def can_decide_claims(user) -> bool:
    return can_moderate(user)


def can_propose_partnership(user) -> bool:
    return _signed_in(user)


def can_view_partnership(user, partnership: Partnership) -> bool:
    """A proposal is seen by its partners' members, the person who proposed it and editors."""
    if partnership.status != PartnershipStatus.PROPOSED:
        return True
    if not _signed_in(user):
        return False
    return (can_moderate(user) or partnership.proposed_by_id == user.pk
            or Membership.objects.filter(user=user, organization__partnership_rows__partnership=partnership).exists())


def visible_partnerships(user):
    """Partnerships a list, a network or an export may show to anyone."""
    return public_partnerships()


def can_confirm(user, partnership: Partnership, organization: Organization) -> bool:
    """A partner confirms for its own organisation (its members, or an editor)."""
    return _signed_in(user) and (can_moderate(user) or is_member(user, organization))


def can_edit_catalyst(user, catalyst: Catalyst) -> bool:
    return _signed_in(user) and (catalyst.user_id == user.pk or can_moderate(user))


def can_import_registers(user) -> bool:
    """Importing a register writes many organisations at once: editors only."""
    return can_moderate(user)
