"""The facet snapshot: presence maps, and rebuilding exactly when the fiches change."""

import pytest
from django.db import transaction

from practices import facet_index
from practices.facet_index import positions_in, presence
from practices.indexing import INDEX, reindex
from practices.models import CaseStudy, Status


def test_a_presence_map_gives_back_its_positions_in_order():
    found = presence([7, 0, 3, 12], 13)
    assert found.bit_count() == 4
    assert positions_in(found, 13) == [0, 3, 7, 12]
    assert positions_in(found, 13, skip=1, limit=2) == [3, 7]
    assert positions_in(found & presence([3, 12, 5], 13), 13) == [3, 12]
    assert positions_in(0, 13) == []


@pytest.mark.django_db
def test_the_snapshot_is_kept_while_nothing_changes_and_rebuilt_after_a_change(fiches):
    first = facet_index.current()
    assert facet_index.current() is first
    assert first.everything.bit_count() == 3

    case = CaseStudy.objects.get(slug="silver")
    case.status = Status.ARCHIVED
    case.save()
    reindex([case])
    after = facet_index.current()
    assert after is not first
    assert after.everything.bit_count() == 2
    assert after.number_of(case.pk) is None


@pytest.mark.django_db
def test_the_newest_fiche_comes_first(fiches):
    snapshot = facet_index.current()
    newest = CaseStudy.objects.published().order_by("-published_at", "-pk").first()
    assert snapshot.pks[0] == newest.pk


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_index_token_as_it_was(fiches):
    before = INDEX.token()
    with pytest.raises(RuntimeError), transaction.atomic():
        reindex(CaseStudy.objects.published())
        assert INDEX.token() != before
        raise RuntimeError("annulé")
    assert INDEX.token() == before


def test_packing_one_byte_per_fiche_sets_the_same_bits_as_setting_them_one_by_one():
    import random

    rng = random.Random(7)
    for size in (0, 1, 7, 8, 9, 63, 64, 65, 1000, 4099):
        positions = sorted(rng.sample(range(size), k=size // 3)) if size else []
        assert presence(positions, size) == sum(1 << p for p in positions)
        assert positions_in(presence(positions, size), size) == positions
        assert positions_in(presence(positions, size), size, skip=5, limit=3) == positions[5:8]


@pytest.mark.django_db
def test_ids_given_as_a_numpy_array_make_the_same_map_as_a_list(fiches):
    import numpy as np

    snapshot = facet_index.current()
    pks = list(CaseStudy.objects.values_list("pk", flat=True))
    unknown = max(pks) + 50  # newer than the snapshot: the slow way
    for ids in ([], pks, pks[:1], [pk for pk in pks if snapshot.number_of(pk) is None], pks + [unknown]):
        assert snapshot.of_ids(np.array(ids, dtype=np.int32)) == snapshot.of_ids(list(ids)), ids
    assert snapshot.of_ids(np.array(pks, dtype=np.int32)) == snapshot.everything
