from django import forms
from django.urls import reverse_lazy

from catalyseur.forms import DescribedErrorsMixin
from territories.models import Level, Territory
from territories.projects import MemberError, parse_picks, resolve_communes

SEARCHABLE_LEVELS = [(lvl.value, lvl.label) for lvl in Level]


class TerritoryCodeField(forms.CharField):
    """A territory typed as niveau/code (a bare code means a commune); private project
    territories are never found."""

    default_error_messages = {
        "format": "Indiquez le territoire sous la forme niveau/code, par exemple commune/94018 ou region/11.",
        "unknown": "Territoire « %(value)s » introuvable.",
    }

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        if "/" not in value:
            value = f"commune/{value}"
        level, _, code = value.partition("/")
        if level not in Level.values or not code or "\x00" in code:  # PostgreSQL refuses a NUL in a query
            raise forms.ValidationError(self.error_messages["format"], code="format")
        territory = Territory.objects.filter(level=level, code=code.strip()).first()
        if territory is None or (territory.level == Level.PROJECT and territory.is_private):
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"value": value})
        return territory

    def prepare_value(self, value):
        if isinstance(value, Territory):
            return f"{value.level}/{value.code}"
        if isinstance(value, int):
            territory = Territory.objects.filter(pk=value).first()
            return f"{territory.level}/{territory.code}" if territory else ""
        return value


class SearchForm(forms.Form):
    q = forms.CharField(label="Nom, code officiel ou code postal", max_length=100, strip=True)
    niveau = forms.MultipleChoiceField(label="Niveaux", choices=SEARCHABLE_LEVELS, required=False)

    def clean(self):
        data = super().clean()
        data["levels"] = data.get("niveau") or None
        return data


class TokenListWidget(forms.Textarea):
    """A textarea whose value may also arrive as several fields of the same name
    (the enhanced picker sends one hidden input per chosen territory)."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return "\n".join(v for v in data.getlist(name) if v)
        return data.get(name)


class ProjectForm(DescribedErrorsMixin, forms.Form):
    name = forms.CharField(label="Nom du territoire de projet", max_length=200, strip=True)
    description = forms.CharField(label="Description (facultative)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    membres = forms.CharField(
        label="Communes, EPCI ou départements",
        help_text=(
            "Un territoire par ligne : un code INSEE de commune (ex. 45234), "
            "ou niveau:code pour ajouter toutes leurs communes (epci:244500468, departement:45, region:24)."
        ),
        widget=TokenListWidget(attrs={"rows": 5, "data-territory-picker": "", "data-api": reverse_lazy("api:search"), "spellcheck": "false"}),
        max_length=200_000,
    )
    is_private = forms.BooleanField(
        label="Privé : visible de moi seul·e", required=False,
    )

    def clean_membres(self):
        value = self.cleaned_data["membres"]
        try:
            picks = parse_picks([value])
            self.cleaned_data["commune_ids"] = resolve_communes(picks)
        except MemberError as error:
            raise forms.ValidationError(error.problems) from None
        return "\n".join(f"{p.level}:{p.code}" for p in picks)

    def project_fields(self) -> dict:
        return {
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data["description"],
            "is_private": self.cleaned_data["is_private"],
        }

    def picker_labels(self) -> dict[str, str]:
        """Names of the chosen territories, so the enhanced picker shows names, not codes."""
        raw = self.data.get("membres") if self.is_bound else self.initial.get("membres", "")
        try:
            picks = parse_picks([raw or ""])
        except MemberError:
            return {}
        labels = {}
        by_level: dict[str, list[str]] = {}
        for pick in picks:
            by_level.setdefault(pick.level, []).append(pick.code)
        for level, codes in by_level.items():
            for code, name in Territory.objects.filter(level=level, code__in=codes).values_list("code", "name"):
                suffix = f", {code}" if level == Level.COMMUNE else ""
                labels[f"{level}:{code}"] = f"{name} ({Level(level).label}{suffix})"
        return labels

    @classmethod
    def for_project(cls, project: Territory) -> "ProjectForm":
        codes = project.communes().order_by("code").values_list("code", flat=True)
        return cls(
            initial={
                "name": project.name,
                "description": project.description,
                "is_private": project.is_private,
                "membres": "\n".join(f"commune:{code}" for code in codes),
            }
        )
