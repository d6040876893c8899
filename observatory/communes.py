"""Producer commune codes → current commune codes.

INSEE files follow the geography of their year (1 January 2021 for the comparateur, 2024
for Filosofi 2021); Catalyseur's communes are the current ones of
``@etalab/decoupage-administratif``. A code that is current stays itself; a former commune
(merged into a commune nouvelle) and a delegated or associated commune point to the commune
they now belong to; a municipal arrondissement of Paris, Lyon or Marseille points nowhere,
since the files also hold the whole commune.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings


@lru_cache(maxsize=1)
def current_commune_codes(data_dir: Path | None = None) -> dict[str, str | None]:
    path = Path(data_dir or settings.DECOUPAGE_DATA_DIR) / "communes.json"
    entries = json.loads(path.read_text(encoding="utf-8"))
    current = {entry["code"] for entry in entries if entry["type"] == "commune-actuelle"}
    mapping: dict[str, str | None] = {}
    for entry in entries:
        kind, code = entry["type"], entry["code"]
        if kind == "commune-actuelle":
            for former in entry.get("anciensCodes", ()):
                if former not in current:
                    mapping[former] = code
        elif kind in {"commune-deleguee", "commune-associee"}:
            if code not in current and entry.get("chefLieu") in current:
                mapping.setdefault(code, entry["chefLieu"])
        elif kind == "arrondissement-municipal":
            mapping[code] = None
    mapping.update({code: code for code in current})
    return mapping
