import json

import pytest
from django.core.management import CommandError, call_command

from territories.importer import SourceError, import_territories
from territories.models import ImportRun, Level, PostalCode, Territory, TerritoryLink


def run(source, **kwargs):
    return import_territories(source, force=True, **kwargs)


def snapshot():
    return (
        sorted(Territory.objects.values_list("level", "code", "name", "population", "is_obsolete")),
        sorted(TerritoryLink.objects.values_list("descendant__code", "ancestor__level", "ancestor__code")),
        PostalCode.objects.count(),
    )


def edit(path, name, change):
    rows = json.loads((path / name).read_text())
    rows = change(rows)
    (path / name).write_text(json.dumps(rows, ensure_ascii=False))


@pytest.mark.django_db
class TestImportOfTheSample:
    def test_it_creates_every_level_with_populations(self, sample_dir):
        report = run(sample_dir)
        assert report.created[Level.COMMUNE] == 16
        assert report.created[Level.REGION] == 5
        orleans = Territory.objects.get(level=Level.COMMUNE, code="45234")
        assert orleans.name == "Orléans" and orleans.population == 116357
        assert orleans.postal_codes == ["45000", "45100"]
        loiret = Territory.objects.get(level=Level.DEPARTEMENT, code="45")
        assert loiret.population == sum(
            Territory.objects.filter(level=Level.COMMUNE, code__startswith="45").values_list("population", flat=True)
        )

    def test_it_stores_every_ancestor_of_a_commune(self, sample_dir):
        run(sample_dir)
        orleans = Territory.objects.get(level=Level.COMMUNE, code="45234")
        assert {(t.level, t.code) for t in orleans.parents()} == {
            ("region", "24"), ("departement", "45"), ("epci", "244500468"),
        }
        assert [t.level for t in orleans.parents()] == ["region", "departement", "epci"]

    def test_inside_and_containing_are_single_lookups(self, sample_dir, django_assert_num_queries):
        run(sample_dir)
        region = Territory.objects.get(level=Level.REGION, code="24")
        with django_assert_num_queries(1):
            codes = set(Territory.objects.inside(region).filter(level=Level.COMMUNE).values_list("code", flat=True))
        assert codes == {"45234", "45232", "45147", "45284", "45302", "45252"}
        orleans = Territory.objects.get(level=Level.COMMUNE, code="45234")
        with django_assert_num_queries(1):
            assert Territory.objects.containing(orleans).count() == 3

    def test_an_epci_is_linked_to_each_of_its_departements(self, sample_dir):
        # Make Orléans Métropole also hold Charenton-le-Pont (94): it now spans two départements.
        def add_member(rows):
            for row in rows:
                if row["code"] == "244500468":
                    row["membres"].append({"code": "94018", "nom": "Charenton-le-Pont"})
                else:
                    row["membres"] = [m for m in row["membres"] if m["code"] != "94018"]
            return [r for r in rows if r["membres"]]

        edit(sample_dir, "epci.json", add_member)
        run(sample_dir)
        epci = Territory.objects.get(level=Level.EPCI, code="244500468")
        assert {t.code for t in epci.parents() if t.level == "departement"} == {"45", "94"}

    def test_a_second_run_changes_nothing(self, sample_dir):
        run(sample_dir)
        before = snapshot()
        report = run(sample_dir)
        assert sum(report.created.values()) == sum(report.changed.values()) == sum(report.obsoleted.values()) == 0
        assert report.links_added == report.links_removed == 0
        assert snapshot() == before

    def test_it_skips_an_unchanged_source_unless_forced(self, sample_dir):
        import_territories(sample_dir)
        assert import_territories(sample_dir).skipped
        assert not import_territories(sample_dir, force=True).skipped
        assert ImportRun.objects.count() == 2

    def test_a_renamed_commune_is_updated_and_searchable_by_its_new_name(self, sample_dir):
        run(sample_dir)
        edit(sample_dir, "communes.json", lambda rows: [{**r, "nom": "Olivet-sur-Loiret"} if r["code"] == "45232" else r for r in rows])
        report = run(sample_dir)
        assert report.changed[Level.COMMUNE] == 1
        olivet = Territory.objects.get(level=Level.COMMUNE, code="45232")
        assert olivet.search_name == "olivet sur loiret"

    def test_a_commune_that_changes_epci_leaves_the_old_one(self, sample_dir):
        run(sample_dir)

        def move_saran(rows):
            for row in rows:
                row["membres"] = [m for m in row["membres"] if m["code"] != "45302"]
                if row["code"] != "244500468" and any(m["code"] == "45252" for m in row["membres"]):
                    row["membres"].append({"code": "45302", "nom": "Saran"})
            return rows

        edit(sample_dir, "epci.json", move_saran)
        run(sample_dir)
        saran = Territory.objects.get(level=Level.COMMUNE, code="45302")
        epcis = [t.code for t in saran.parents() if t.level == "epci"]
        assert len(epcis) == 1 and epcis[0] != "244500468"
        metropole = Territory.objects.get(level=Level.EPCI, code="244500468")
        assert "45302" not in set(metropole.communes().values_list("code", flat=True))

    def test_a_vanished_commune_is_flagged_obsolete_not_deleted(self, sample_dir, member):
        from territories.projects import save_project

        run(sample_dir)
        # Saran merges into Orléans: it disappears and Orléans lists it as a former code.
        saran = Territory.objects.get(level=Level.COMMUNE, code="45302")
        project = save_project(owner=member, name="Nord d'Orléans", description="", is_private=False, commune_ids=[saran.pk])

        def merge(rows):
            rows = [r for r in rows if r["code"] != "45302"]
            for r in rows:
                if r["code"] == "45234":
                    r["anciensCodes"] = ["45302"]
            return rows

        edit(sample_dir, "communes.json", merge)
        edit(sample_dir, "epci.json", lambda rows: [{**r, "membres": [m for m in r["membres"] if m["code"] != "45302"]} for r in rows])
        report = run(sample_dir)
        assert report.obsoleted[Level.COMMUNE] == 1
        saran.refresh_from_db()
        assert saran.is_obsolete and saran.obsolete_since is not None
        assert saran.successor.code == "45234"
        assert not TerritoryLink.objects.filter(descendant=saran).exists()
        # The project territory now holds the successor, and its population follows.
        project.refresh_from_db()
        assert list(project.communes().values_list("code", flat=True)) == ["45234"]
        assert project.population == 116357
        # Reappearing makes it current again.
        edit(sample_dir, "communes.json", lambda rows: rows)  # no-op edit keeps the merged file
        assert Territory.objects.filter(code="45302").count() == 1

    def test_dry_run_writes_nothing(self, sample_dir):
        report = import_territories(sample_dir, dry_run=True)
        assert report.created[Level.COMMUNE] == 16
        assert Territory.objects.count() == 0 and ImportRun.objects.count() == 0


@pytest.mark.django_db
class TestBadSources:
    def test_a_missing_file_is_reported_and_changes_nothing(self, sample_dir):
        run(sample_dir)
        before = snapshot()
        (sample_dir / "epci.json").unlink()
        with pytest.raises(SourceError) as error:
            run(sample_dir)
        assert "epci.json : fichier introuvable" in str(error.value)
        assert snapshot() == before

    def test_corrupt_json_names_the_line_and_changes_nothing(self, sample_dir):
        run(sample_dir)
        before = snapshot()
        text = (sample_dir / "communes.json").read_text()
        (sample_dir / "communes.json").write_text(text[: len(text) // 2])
        with pytest.raises(SourceError) as error:
            run(sample_dir)
        assert "communes.json : JSON invalide ligne" in str(error.value)
        assert snapshot() == before

    def test_every_bad_entry_is_listed_with_its_position_and_field(self, sample_dir):
        def spoil(rows):
            rows[0].pop("nom")
            rows[1]["population"] = "beaucoup"
            rows[2]["departement"] = "99"
            return rows

        edit(sample_dir, "communes.json", spoil)
        with pytest.raises(SourceError) as error:
            run(sample_dir)
        problems = error.value.problems
        assert any("entrée n° 1" in p and "« nom » manquant" in p for p in problems)
        assert any("entrée n° 2" in p and "« population »" in p and "int attendu" in p for p in problems)
        assert any("entrée n° 3" in p and "département « 99 » inconnu" in p for p in problems)
        assert Territory.objects.count() == 0

    def test_an_epci_member_that_is_no_commune_is_reported(self, sample_dir):
        edit(sample_dir, "epci.json", lambda rows: [{**rows[0], "membres": [{"code": "00000"}]}] + rows[1:])
        with pytest.raises(SourceError, match="membre n° 1 : commune « 00000 » inconnue"):
            run(sample_dir)

    def test_a_source_that_fails_midway_rolls_back_everything(self, sample_dir, monkeypatch):
        import territories.importer as importer

        def boom(*args, **kwargs):
            raise RuntimeError("panne simulée")

        monkeypatch.setattr(importer, "_sync_postal_codes", boom)
        with pytest.raises(RuntimeError):
            run(sample_dir)
        assert Territory.objects.count() == 0 and TerritoryLink.objects.count() == 0

    def test_the_command_reports_problems_clearly(self, sample_dir):
        (sample_dir / "regions.json").write_text("{}")
        with pytest.raises(CommandError, match="regions.json : une liste JSON est attendue"):
            call_command("import_territories", source=sample_dir, no_progress=True)
