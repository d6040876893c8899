"""Forms of the actors: an organisation, a claim and its decision, a partnership proposal
and a partner's confirmation, a catalyst's own profile."""

from django import forms

from actors.activities import ACTIVITIES
from actors.identifiers import digits_only
from actors.models import Catalyst, Kind, Organization, Partnership
from catalyseur.concurrency import VersionedFormMixin
from catalyseur.forms import DescribedErrorsMixin
from catalyseur.uploads import SafeImageField
from taxonomy.models import Domain, Metier, Objective, PartnershipType
from territories.forms import TerritoryCodeField
from territories.models import Level


class CommuneField(TerritoryCodeField):
    def to_python(self, value):
        territory = super().to_python(value)
        if territory is not None and territory.level != Level.COMMUNE:
            raise forms.ValidationError("Indiquez une commune (code INSEE, par exemple 94018).")
        return territory


def find_organization(reference: str) -> Organization | None:
    """An organisation by its identifier on the site, its SIRET, SIREN or RNA number."""
    reference = reference.strip()
    compact = digits_only(reference).upper()
    if compact.startswith("W"):
        return Organization.objects.filter(rna=compact).first()
    if compact.isdigit() and len(compact) == 14:
        return Organization.objects.filter(siret=compact).first()
    if compact.isdigit() and len(compact) == 9:
        return Organization.objects.filter(siren=compact).order_by("pk").first()
    return Organization.objects.filter(slug=reference.rstrip("/").rsplit("/", 1)[-1]).first()


class TerritoriesField(forms.CharField):
    """Territories, one per line, as niveau/code (a bare code is a commune)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        one = TerritoryCodeField()
        found, problems = [], []
        for number, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                territory = one.clean(line)
            except forms.ValidationError as error:
                problems.append(f"Ligne {number} : {' '.join(error.messages)}")
                continue
            if territory not in found:
                found.append(territory)
        if problems:
            raise forms.ValidationError(problems)
        return found

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(f"{t.level}/{t.code}" for t in value if hasattr(t, "level"))
        return value


class OrganizationForm(DescribedErrorsMixin, VersionedFormMixin, forms.ModelForm):
    commune = CommuneField(label="Commune", required=False,
                           help_text="Code INSEE de la commune du siège, par exemple 94018 pour Charenton-le-Pont.")
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https", max_length=200)
    action_territories = TerritoriesField(
        label="Territoires d'action (un par ligne)", required=False,
        help_text="Où l'organisation agit, sous la forme niveau/code : departement/94, epci/200054781, commune/94018…")
    logo = SafeImageField(
        label="Logo", required=False,
        help_text="Une image PNG, JPEG ou WebP, de 2 Mo et 4000 × 4000 pixels au plus. Elle est vérifiée puis "
                  "réenregistrée : ses métadonnées (position GPS, auteur…) sont retirées.")
    remove_logo = forms.BooleanField(label="Retirer le logo actuel", required=False)

    class Meta:
        model = Organization
        fields = ["name", "kind", "size", "siren", "siret", "rna", "address", "postal_code", "commune",
                  "latitude", "longitude", "action_territories", "domains", "website", "description"]
        widgets = {
            "domains": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "latitude": "Facultatif : sans coordonnées, l'organisation est placée au centre de sa commune.",
            "siren": "9 chiffres, espaces acceptés.",
            "siret": "14 chiffres (SIREN + NIC), espaces acceptés.",
            "rna": "W suivi de 9 caractères, pour une association.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domains"].queryset = Domain.objects.all()
        if self.instance.pk:
            self.initial["action_territories"] = list(self.instance.action_territories.all())
        if self.instance.pk and self.instance.location_precision == "commune":
            # Coordinates copied from the commune are not the address's own.
            self.initial["latitude"] = self.initial["longitude"] = None
        if not self.instance.logo:
            del self.fields["remove_logo"]
        else:
            self.fields["logo"].help_text += " Sans nouveau fichier, le logo actuel est gardé."

    def _clean_identifier(self, name):
        value = digits_only(self.cleaned_data.get(name, "")).upper()
        return value

    def clean_siren(self):
        return self._clean_identifier("siren")

    def clean_siret(self):
        return self._clean_identifier("siret")

    def clean_rna(self):
        return self._clean_identifier("rna")

    def _post_clean(self):
        # The identifiers' validators run on the cleaned (compact) values.
        if self.cleaned_data.get("latitude") is None:
            self.instance.location_precision = "commune"
        elif self.instance.location_precision == "commune":
            self.instance.location_precision = "adresse"
        super()._post_clean()

    def clean(self):
        data = super().clean()
        if data.get("size") and data.get("kind") != Kind.ENTREPRISE:
            self.add_error("size", "La taille ne concerne que les entreprises.")
        return data


class ClaimForm(DescribedErrorsMixin, forms.Form):
    message = forms.CharField(
        label="Votre lien avec l'organisation", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Par exemple : « Je suis la présidente de l'association » ; un·e éditeur·rice vérifie avant d'accepter.")


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Décision", choices=[("accepter", "Accepter"), ("refuser", "Refuser")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label="Note (envoyée avec la décision)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReferencesField(forms.CharField):
    """Organisations, one per line: identifier on the site, SIRET, SIREN or RNA number."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        found, problems = [], []
        for number, line in enumerate((super().to_python(value) or "").splitlines(), start=1):
            if not line.strip():
                continue
            organization = find_organization(line)
            if organization is None:
                problems.append(f"Ligne {number} : aucune organisation « {line.strip()} ».")
            elif organization not in found:
                found.append(organization)
        if problems:
            raise forms.ValidationError(problems)
        return found


class PartnershipForm(DescribedErrorsMixin, forms.ModelForm):
    my_organization = forms.ModelChoiceField(label="Votre organisation", queryset=Organization.objects.none(),
                                             empty_label=None)
    partners = ReferencesField(
        label="Organisations partenaires (une par ligne)",
        help_text="Identifiant de la page de l'organisation, numéro SIRET, SIREN ou RNA.")
    my_objectives = forms.ModelMultipleChoiceField(
        label="Vos objectifs dans ce partenariat", queryset=Objective.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple)
    territory = TerritoryCodeField(label="Territoire du partenariat", required=False,
                                   help_text="Facultatif : niveau/code, par exemple commune/94018 ou departement/94.")
    case_study = forms.CharField(
        label="Pratique innovante qu'il illustre", required=False, max_length=200,
        help_text="Facultatif : l'adresse ou l'identifiant de sa fiche publiée, par exemple silvergeek.")

    class Meta:
        model = Partnership
        fields = ["title", "type", "domains", "territory", "start_date", "end_date", "case_study", "description"]
        widgets = {
            "type": forms.RadioSelect,
            "domains": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["my_organization"].queryset = organizations if organizations is not None else Organization.objects.none()
        self.fields["type"].queryset = PartnershipType.objects.all()
        self.fields["type"].empty_label = None
        self.fields["domains"].queryset = Domain.objects.all()
        self.order_fields(["my_organization", "partners", "title", "type", "my_objectives"])

    def clean_case_study(self):
        from practices.policy import searchable_case_studies

        reference = self.cleaned_data.get("case_study", "").strip().rstrip("/").rsplit("/", 1)[-1]
        if not reference:
            return None
        case = searchable_case_studies(None).filter(slug=reference).first()
        if case is None:
            raise forms.ValidationError(f"Aucune pratique innovante publiée « {reference} ».")
        return case

    def clean(self):
        data = super().clean()
        mine, partners = data.get("my_organization"), data.get("partners") or []
        if mine is not None and mine in partners:
            partners.remove(mine)
        if mine is not None and "partners" not in self.errors and not partners:
            self.add_error("partners", "Indiquez au moins une autre organisation.")
        return data


class ConfirmForm(forms.Form):
    objectives = forms.ModelMultipleChoiceField(
        label="Objectifs de votre organisation dans ce partenariat", queryset=Objective.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple)


ACTIVITY_CHOICES = [(f"{metier}:{code}", label) for metier, rows in ACTIVITIES.items() for code, label in rows]


class CatalystForm(DescribedErrorsMixin, forms.ModelForm):
    structure_reference = forms.CharField(
        label="Votre structure", required=False, max_length=200,
        help_text="Identifiant de sa page sur le site, SIRET, SIREN ou numéro RNA.")
    metier_codes = forms.MultipleChoiceField(label="Vos métiers", required=False, widget=forms.CheckboxSelectMultiple)
    activity_codes = forms.MultipleChoiceField(label="Vos activités", required=False, choices=ACTIVITY_CHOICES,
                                               widget=forms.CheckboxSelectMultiple)
    territory = TerritoryCodeField(label="Votre territoire", required=False,
                                   help_text="Niveau/code, par exemple epci/200054781 ou departement/94.")

    class Meta:
        model = Catalyst
        fields = ["is_person", "name", "job_title", "profile", "territory", "description", "email", "phone", "consent_public"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metier_codes"].choices = list(Metier.objects.values_list("code", "label"))
        if self.instance.pk:
            rows = list(self.instance.metier_rows.select_related("metier"))
            self.initial["metier_codes"] = [r.metier.code for r in rows]
            self.initial["activity_codes"] = [f"{r.metier.code}:{a}" for r in rows for a in r.activities]
            if self.instance.structure_id:
                self.initial["structure_reference"] = self.instance.structure.slug
        self.order_fields(["is_person", "name", "job_title", "structure_reference", "profile", "territory",
                           "metier_codes", "activity_codes"])

    def clean_structure_reference(self):
        reference = self.cleaned_data.get("structure_reference", "").strip()
        if not reference:
            return None
        organization = find_organization(reference)
        if organization is None:
            raise forms.ValidationError(f"Aucune organisation « {reference} ».")
        return organization

    def clean(self):
        data = super().clean()
        metiers = set(data.get("metier_codes") or [])
        activities: dict[str, list[str]] = {}
        for value in data.get("activity_codes") or []:
            metier, _, code = value.partition(":")
            activities.setdefault(metier, []).append(code)
            metiers.add(metier)  # an activity implies its métier
        if not metiers and "metier_codes" not in self.errors:
            self.add_error("metier_codes", "Choisissez au moins un métier (ou une activité).")
        data["metiers_with_activities"] = {m: activities.get(m, []) for m in sorted(metiers)}
        return data


MAX_UPLOAD_MB = 50


class RegisterImportForm(DescribedErrorsMixin, forms.Form):
    register = forms.ChoiceField(label="Registre", widget=forms.RadioSelect, choices=[
        ("rna", "Répertoire national des associations (export « rna_waldec », séparé par « ; »)"),
        ("sirene", "SIRENE, fichier des établissements (StockEtablissement, séparé par « , »)"),
    ])
    file = forms.FileField(label="Fichier CSV", help_text=f"Au plus {MAX_UPLOAD_MB} Mo ; au-delà, utilisez la commande "
                           "manage.py import_rna ou import_sirene.")
    territory = TerritoryCodeField(label="Territoire à importer",
                                   help_text="Seules les organisations situées dans ce territoire sont importées, "
                                             "par exemple departement/94 ou commune/94018.")
    encoding = forms.ChoiceField(label="Encodage", choices=[("utf-8", "UTF-8"), ("latin-1", "Latin-1 (ISO-8859-1)")],
                                 initial="utf-8")
    ignore_invalid_rows = forms.BooleanField(
        label="Importer les lignes valides et écarter les lignes invalides (sinon, une seule ligne invalide empêche tout import)",
        required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"Fichier trop volumineux ({upload.size / 1e6:.0f} Mo) : au plus {MAX_UPLOAD_MB} Mo ici.")
        head = upload.read(2048)
        upload.seek(0)
        if b"\x00" in head:
            raise forms.ValidationError("Ce fichier n'est pas un fichier texte CSV.")
        return upload

    def clean_territory(self):
        territory = self.cleaned_data.get("territory")
        if territory is None:
            raise forms.ValidationError("Indiquez le territoire à importer.")
        return territory
