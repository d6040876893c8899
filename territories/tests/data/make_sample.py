"""Rebuild the small sample of @etalab/decoupage-administratif used by the tests.

    .venv/bin/python territories/tests/data/make_sample.py

It keeps a few régions, départements, EPCI and communes chosen for what they exercise
(accents and ligatures, a name shared by a prefix, overseas, postal codes, an EPCI
spread over two départements), with EPCI members limited to the kept communes.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "node_modules" / "@etalab" / "decoupage-administratif"
TARGET = HERE / "decoupage-sample"

COMMUNES = {
    "45234", "45232", "45147", "45284", "45302",  # Orléans, Olivet, Fleury-les-Aubrais, Saint-Jean-de-Braye, Saran
    "45252",  # Pithiviers (another EPCI of the Loiret)
    "94018", "94069", "94046", "94038",  # Charenton-le-Pont, Saint-Maurice, Maisons-Alfort, L'Haÿ-les-Roses
    "64445", "64335", "33314",  # Pau, Lescar, Pauillac (prefix "pau")
    "97105", "97101",  # Basse-Terre, Les Abymes (Guadeloupe)
    "01015",  # Arboys en Bugey, formerly 01340 (anciensCodes)
    "01340",  # not a current commune: kept out by the importer if present as délégué
}


def main():
    data = {name: json.loads((SOURCE / "data" / f"{name}.json").read_text()) for name in ("regions", "departements", "epci", "communes")}
    communes = [c for c in data["communes"] if c["code"] in COMMUNES and c["type"] == "commune-actuelle"]
    deps = {c["departement"] for c in communes}
    regions = {c["region"] for c in communes}
    epcis = []
    for epci in data["epci"]:
        members = [m for m in epci["membres"] if m["code"] in {c["code"] for c in communes}]
        if members:
            epcis.append({**epci, "membres": members, "populationMunicipale": sum(m["populationMunicipale"] for m in members)})
    TARGET.mkdir(exist_ok=True)
    out = {
        "regions": [r for r in data["regions"] if r["code"] in regions],
        "departements": [d for d in data["departements"] if d["code"] in deps],
        "epci": epcis,
        "communes": communes,
    }
    for name, rows in out.items():
        (TARGET / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    version = json.loads((SOURCE / "package.json").read_text())["version"]
    (TARGET.parent / "package.json").write_text(json.dumps({"name": "decoupage-sample", "version": f"{version}-sample"}) + "\n")
    print({name: len(rows) for name, rows in out.items()})


if __name__ == "__main__":
    main()
