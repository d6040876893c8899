"""The life of a fiche: draft → submitted → published, sent back to draft with a note when
an editor asks for changes, archived when it no longer applies. Each step is one
transaction that records a revision and keeps the search index in step."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from catalyseur.concurrency import claim_version
from practices.importer import snapshot
from practices.indexing import reindex
from practices.models import CaseStudy, CaseStudyRevision, Status


def new_slug(title: str) -> str:
    base = slugify(title)[:100].strip("-") or "pratique"
    slug = base
    while CaseStudy.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


@transaction.atomic
def save_contribution(form, user, *, submit: bool) -> CaseStudy:
    """Save the form's fiche as a draft, or submit it for review. Editing claims the version
    the form was loaded from: ``EditConflict`` if someone saved the fiche since, and nothing
    is written."""
    case = form.save(commit=False)
    if case.pk is None:
        case.slug = new_slug(case.title)
        case.contributor = user
        case.documented_by = str(user)
        case.documented_year = timezone.now().year
    else:
        case.version = claim_version(CaseStudy, case.pk, form.loaded_version)
    if case.status != Status.PUBLISHED:
        case.status = Status.SUBMITTED if submit else Status.DRAFT
    case.save()
    form.save_m2m()
    note = "Soumise à relecture" if submit else "Brouillon enregistré"
    CaseStudyRevision.objects.create(case_study=case, author=user, status=case.status, note=note, snapshot=snapshot(case))
    reindex([case])
    return case


@transaction.atomic
def review(case: CaseStudy, editor, decision: str, note: str = "") -> CaseStudy:
    status = {"publish": Status.PUBLISHED, "changes": Status.DRAFT, "archive": Status.ARCHIVED}[decision]
    # Claim the change only if nobody changed the status meanwhile (safe on SQLite and PostgreSQL).
    updated = CaseStudy.objects.filter(pk=case.pk, status=case.status).update(
        status=status, published_at=case.published_at or (timezone.now() if status == Status.PUBLISHED else None),
        updated_at=timezone.now(), version=F("version") + 1,  # an open edit form of it is now out of date
    )
    if not updated:
        raise ValueError("Le statut de cette fiche a changé entre-temps : rechargez la page.")
    case.refresh_from_db()
    CaseStudyRevision.objects.create(case_study=case, author=editor, status=status, note=note, snapshot=snapshot(case))
    reindex([case])
    return case
