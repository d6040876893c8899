"""The contribution form of a fiche, and the editor's review."""

from django import forms
from django.utils import timezone

from catalyseur.concurrency import VersionedFormMixin
from catalyseur.forms import DescribedErrorsMixin
from practices.models import CaseStudy, Category, Status
from practices.richtext import sanitize
from territories.forms import TerritoryCodeField

RICH_HELP = "Paragraphes séparés par une ligne vide. Mise en forme simple acceptée : <strong>, <em>, listes, liens."


class LinesField(forms.CharField):
    """One item per line, stored as a list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class FiguresField(forms.CharField):
    """« valeur : libellé », one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        figures = []
        for number, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            figure, sep, label = line.partition(":")
            if not sep or not figure.strip() or not label.strip():
                raise forms.ValidationError(f"Ligne {number} : écrivez « valeur : libellé », par exemple « 150 : dirigeants mobilisés ».")
            figures.append({"value": figure.strip(), "label": label.strip()})
        return figures

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{f.get('value', '')} : {f.get('label', '')}" for f in value)
        return value


class CaseStudyForm(DescribedErrorsMixin, VersionedFormMixin, forms.ModelForm):
    territory = TerritoryCodeField(
        label="Territoire", required=False,
        help_text="Cherchez une commune, un EPCI, un département ou une région, ou saisissez niveau/code (ex. commune/94018).",
        widget=forms.TextInput(attrs={"data-autocomplete": "fill", "autocomplete": "off"}),
    )
    places = LinesField(label="Lieux cités (un par ligne)", required=False)
    organisations = LinesField(label="Organisations impliquées (une par ligne)", required=False)
    figures = FiguresField(label="Résultats chiffrés (« valeur : libellé », un par ligne)", required=False)
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = CaseStudy
        fields = [
            "title", "summary", "objet", "territory", "places", "carrier", "carrier_status", "genese", "objectif",
            "activites_partenariats", "resultats", "figures", "prochaines_etapes", "year_started", "website",
            "organisations", "domains", "partnership_types", "category", "metiers",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "domains": forms.CheckboxSelectMultiple,
            "partnership_types": forms.CheckboxSelectMultiple,
            "metiers": forms.CheckboxSelectMultiple,
            "category": forms.RadioSelect,
        }
        help_texts = {name: RICH_HELP for name in ("objet", "genese", "objectif", "activites_partenariats", "resultats", "prochaines_etapes")}

    FIELDSETS = [
        ("L'essentiel", ["title", "summary", "territory", "places", "carrier", "carrier_status", "year_started", "website"]),
        ("La fiche", ["objet", "genese", "objectif", "activites_partenariats", "organisations", "resultats", "figures", "prochaines_etapes"]),
        ("Classement", ["domains", "partnership_types", "category", "metiers"]),
    ]

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Non renseignée"), *Category.choices]
        self.fields["carrier_status"].choices = [("", "Non renseigné"), *self.fields["carrier_status"].choices[1:]]
        for name in ("objet", "genese", "objectif", "activites_partenariats", "resultats", "prochaines_etapes"):
            self.fields[name].widget.attrs["rows"] = 5

    def clean_year_started(self):
        year = self.cleaned_data.get("year_started")
        if year is not None and not 1800 <= year <= timezone.now().year + 1:
            raise forms.ValidationError(f"Année entre 1800 et {timezone.now().year + 1}.")
        return year

    def clean(self):
        data = super().clean()
        for name in ("objet", "genese", "objectif", "activites_partenariats", "resultats", "prochaines_etapes"):
            if data.get(name):
                data[name] = sanitize(data[name])
        return data


class ReviewForm(DescribedErrorsMixin, forms.Form):
    DECISIONS = [("publish", "Publier"), ("changes", "Demander des modifications"), ("archive", "Archiver")]
    decision = forms.ChoiceField(label="Décision", choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(label="Message au contributeur ou à la contributrice", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "changes" and not (data.get("note") or "").strip():
            self.add_error("note", "Dites ce qui doit changer.")
        return data

    STATUS_OF = {"publish": Status.PUBLISHED, "changes": Status.DRAFT, "archive": Status.ARCHIVED}


class ImportForm(DescribedErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Fichier CSV ou JSON",
        help_text="Les colonnes de l'export (title et summary obligatoires). 5 Mio au plus. Rien n'est importé si une ligne est fausse.",
    )
    status = forms.ChoiceField(label="Statut des fiches importées", choices=[(Status.DRAFT, "Brouillon"), (Status.PUBLISHED, "Publiée")],
                               initial=Status.DRAFT, widget=forms.RadioSelect)
