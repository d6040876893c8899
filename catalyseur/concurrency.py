"""Two people editing the same thing: the second to save is told, nothing is overwritten.

A model that takes part has a ``version`` column (1 at creation, one more at each save).
Its edit form (``VersionedFormMixin``) carries the version it was loaded from in a hidden
field. Saving claims the row inside the write transaction::

    claim_version(CaseStudy, case.pk, form.loaded_version)   # UPDATE … SET version = n + 1 WHERE version = n

and raises ``EditConflict`` when no row matched: someone else saved since the form was
loaded, and the transaction (so nothing) is written. The claiming UPDATE also holds the
row (PostgreSQL) or the database (SQLite, whose transactions here begin IMMEDIATE) until
the commit, so two saves of the same version cannot both pass.

The view then shows the form again (``conflict_context``) with the person's own text kept,
the fields where the saved version differs from theirs, a link to the saved version, and
the version number now current: saving again is a choice made knowing what it replaces.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import strip_tags
from django.utils.text import Truncator

CONFLICT_TITLE = "Quelqu'un d'autre a enregistré cette page pendant que vous la modifiiez"
STALE_FORM = ("Ce formulaire ne dit pas quelle version il modifie (page trop ancienne ?) : "
              "rechargez la page, puis refaites vos modifications.")
EMPTY = "(vide)"


class EditConflict(Exception):
    """Someone else saved the object since the form was loaded; ``current`` is their version."""

    def __init__(self, current):
        super().__init__("version changée entre-temps")
        self.current = current


class VersionField(forms.IntegerField):
    """The version a form was loaded from (hidden). Unreadable → None, refused by the form."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None

    def validate(self, value):
        pass

    def run_validators(self, value):
        pass


class VersionedFormMixin:
    """For a ModelForm whose model has a ``version`` column: the hidden ``version`` field
    when it edits an existing object. Put it before ``forms.ModelForm`` in the bases."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"] = VersionField(initial=self.instance.version)

    def clean(self):
        data = super().clean()
        if "version" in self.fields and data.get("version") is None:
            raise forms.ValidationError(STALE_FORM, code="stale")
        return data

    @property
    def loaded_version(self) -> int | None:
        return self.cleaned_data.get("version") if "version" in self.fields else None


def claim_version(model, pk, expected: int | None) -> int:
    """Move row ``pk`` from version ``expected`` to the next one, or raise ``EditConflict``.
    Call it inside the transaction that then saves the object (with the returned version)."""
    manager = model._default_manager
    if expected is not None and manager.filter(pk=pk, version=expected).update(version=expected + 1):
        return expected + 1
    raise EditConflict(manager.get(pk=pk))


# --- Showing a conflict -------------------------------------------------------------------


@dataclass
class Difference:
    label: str
    theirs: str
    yours: str


@dataclass
class Conflict:
    """What the form page shows about a conflict."""

    url: str  # the saved version
    differences: list[Difference] = field(default_factory=list)
    saved_by: str = ""
    saved_at: object = None
    file_dropped: bool = False  # a file chosen in the form was not kept
    title: str = CONFLICT_TITLE


def rebind(form, current, **kwargs):
    """The submitted form again, over the current object and carrying its version (the
    uploaded files are not carried: a file input cannot be filled back)."""
    data = form.data.copy()
    data["version"] = str(current.version)
    # A bound ModelForm writes the submitted values into its instance: keep ``current`` as saved.
    again = type(form)(data, instance=copy.copy(current), **kwargs)
    again.is_valid()
    return again


def differences(form, current, **kwargs) -> list[Difference]:
    """Fields whose saved value (``current``) differs from what ``form`` submitted."""
    fresh = type(form)(instance=current, **kwargs)
    found = []
    cleaned = getattr(form, "cleaned_data", {})
    for name, formfield in fresh.fields.items():
        if name not in cleaned or isinstance(formfield, forms.FileField) or not _is_model_field(current, name):
            continue
        theirs = fresh.get_initial_for_field(formfield, name)
        if _is_foreign_key(current, name):
            theirs = getattr(current, name)  # the object, to show its name rather than its key
        yours = cleaned[name]
        if _comparable(theirs) != _comparable(yours):
            found.append(Difference(label=str(formfield.label or name), theirs=_shown(formfield, theirs),
                                    yours=_shown(formfield, yours)))
    return found


def _is_model_field(instance, name: str) -> bool:
    try:
        instance._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return name != "version"


def _is_foreign_key(instance, name: str) -> bool:
    try:
        return bool(instance._meta.get_field(name).many_to_one)
    except Exception:
        return False


def _comparable(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (models.QuerySet, list, tuple, set)):
        items = [_comparable(v) for v in value]
        return tuple(sorted(items, key=repr)) if all(not isinstance(v, dict) for v in value) else tuple(items)
    if isinstance(value, dict):
        return tuple(sorted((k, _comparable(v)) for k, v in value.items()))
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)


def _shown(formfield, value) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(formfield, forms.ModelMultipleChoiceField):
        chosen = value if not isinstance(value, (list, tuple)) or not value or isinstance(value[0], models.Model) \
            else formfield.queryset.filter(pk__in=value)
        text = ", ".join(str(v) for v in chosen)
    elif isinstance(formfield, forms.ModelChoiceField):
        text = str(value if isinstance(value, models.Model) else formfield.queryset.filter(pk=value).first() or value)
    elif isinstance(value, models.Model):
        text = str(value)
    elif isinstance(value, (list, tuple)) and value and isinstance(value[0], models.Model):
        text = ", ".join(str(v) for v in value)
    elif isinstance(formfield, forms.ChoiceField):
        text = str(dict(formfield.choices).get(value, value))
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    else:
        text = str(formfield.prepare_value(value))
    text = strip_tags(text).strip()
    return Truncator(text).words(60) if text else EMPTY
