"""``/observatoire/importer/``: editors import indicator values from a CSV or XLSX file
(``observatory/importing.py``). The import runs in the request; the page shows every
problem (line, column) when the file is refused, or what was written and re-aggregated."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from catalyseur.forms import DescribedErrorsMixin
from observatory.importing import MAX_UPLOAD_BYTES, ImportRefused, check_xlsx, import_values, sniff
from observatory.models import Indicator
from observatory.policy import can_import_values

MAX_MB = MAX_UPLOAD_BYTES // (1024 * 1024)


class ValuesImportForm(DescribedErrorsMixin, forms.Form):
    file = forms.FileField(
        label="Fichier CSV ou XLSX",
        help_text=f"CSV en UTF-8 séparé par « ; » ou « , », ou classeur XLSX (première feuille) ; au plus {MAX_MB} Mo. "
                  "L'import se fait pendant que la page attend : pour plusieurs centaines de milliers de valeurs, "
                  "préférez la commande manage.py import_indicator_values.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
    layout = forms.ChoiceField(
        label="Format",
        choices=[("", "Déduit de l'en-tête"), ("long", "Long : indicateur, niveau, code, annee, valeur"),
                 ("wide", "Large : une colonne par indicateur ou par année")],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"Fichier trop lourd ({upload.size / 1024 / 1024:.0f} Mo) : au plus {MAX_MB} Mo ici ; "
                "au-delà, utilisez la commande manage.py import_indicator_values."
            )
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        try:
            if sniff(head) == "xlsx":
                check_xlsx(upload.file)
        except ImportRefused as refused:
            raise forms.ValidationError(refused.problems[0].message[:1].upper() + refused.problems[0].message[1:]) from None
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not can_import_values(request.user):
        raise PermissionDenied("Seul·es les éditeur·rices importent des valeurs d'indicateurs.")
    form = ValuesImportForm(request.POST or None, request.FILES or None)
    report, refused = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        try:
            report = import_values(upload.file, name=upload.name, layout=form.cleaned_data["layout"] or None)
        except ImportRefused as error:
            refused = error
    examples = Indicator.objects.filter(is_demo=False).exclude(aggregation="ratio").order_by("position")[:6]
    status = 400 if form.errors or refused else 200
    return render(request, "observatory/import.html",
                  {"form": form, "report": report, "refused": refused, "examples": examples, "max_mb": MAX_MB},
                  status=status)
