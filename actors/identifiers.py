"""Official identifiers of French organisations, checked the way their registers define them.

- SIREN (9 digits) and SIRET (14 digits: SIREN + NIC) carry a Luhn check digit. La Poste's
  establishments (SIREN 356 000 000) are the documented exception: their SIRET is valid
  when the sum of its digits is a multiple of 5.
- An RNA number (Répertoire national des associations) is "W" followed by nine
  characters: the first three name the préfecture that registered the association
  (e.g. "941" for the Val-de-Marne, "2A1" for Corse-du-Sud, "9T1" for Mayotte), then six
  digits. It has no check digit: only its form is checked.
"""

import re

from django.core.exceptions import ValidationError

LA_POSTE_SIREN = "356000000"
_RNA = re.compile(r"^W[0-9][0-9A-Z]{2}[0-9]{6}$")


def digits_only(value: str) -> str:
    """Spaces and dots removed, as the numbers are often written (« 552 100 554 »)."""
    return re.sub(r"[\s.\u00a0]", "", value or "")


def luhn_ok(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """Why a SIREN is not valid, in French, or None when it is."""
    if not re.fullmatch(r"[0-9]{9}", value):
        return f"SIREN « {value} » : 9 chiffres attendus."
    if not luhn_ok(value):
        return f"SIREN « {value} » : la clé de contrôle ne correspond pas (vérifiez les chiffres)."
    return None


def siret_problem(value: str) -> str | None:
    if not re.fullmatch(r"[0-9]{14}", value):
        return f"SIRET « {value} » : 14 chiffres attendus."
    if value.startswith(LA_POSTE_SIREN):
        ok = sum(int(c) for c in value) % 5 == 0
    else:
        ok = luhn_ok(value)
    if not ok:
        return f"SIRET « {value} » : la clé de contrôle ne correspond pas (vérifiez les chiffres)."
    return None


def rna_problem(value: str) -> str | None:
    if not _RNA.fullmatch(value):
        return f"Numéro RNA « {value} » : « W » suivi de 9 caractères attendu (par exemple W941001234)."
    return None


def _raise_if(message: str | None) -> None:
    if message:
        raise ValidationError(message)


def validate_siren(value: str) -> None:
    _raise_if(siren_problem(value))


def validate_siret(value: str) -> None:
    _raise_if(siret_problem(value))


def validate_rna(value: str) -> None:
    _raise_if(rna_problem(value))
