"""Who may see and change fiches. Pages, API, search and exports all ask here.

A published fiche is public. A fiche in any other status is seen only by its contributor
and by editors; to anyone else it does not exist (404).
"""

from accounts.policy import can_moderate
from practices.models import CaseStudy, Status


def searchable_case_studies(user):
    """What search, facets, lists and exports may show: published fiches only."""
    return CaseStudy.objects.published()


def is_searchable(case: CaseStudy) -> bool:
    """The same rule as ``searchable_case_studies``, for one fiche already loaded."""
    return case.status == Status.PUBLISHED


def can_view(user, case: CaseStudy) -> bool:
    if case.status == Status.PUBLISHED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return case.contributor_id == user.pk or can_moderate(user)


def can_contribute(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def can_review(user) -> bool:
    """Editors publish, send back for changes, or archive fiches."""
    return can_moderate(user)


def can_edit(user, case: CaseStudy) -> bool:
    """Editors edit any fiche; a contributor edits their own while it is a draft."""
    if not can_contribute(user):
        return False
    if can_review(user):
        return True
    return case.contributor_id == user.pk and case.status == Status.DRAFT


def can_submit(user, case: CaseStudy) -> bool:
    return can_edit(user, case) and case.status == Status.DRAFT
