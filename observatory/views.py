"""Observatory pages: a territory's portrait (with its CSV and PDF), the indicator
catalogue and methodology, and the side-by-side comparison."""

from __future__ import annotations

import csv

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from observatory import charts
from observatory.comparison import compare_territories, parse_compared
from observatory.exports import PORTRAIT_SECTIONS, portrait_rows
from observatory.figures import PRIORITY_THRESHOLD
from observatory.maps import choropleth_for
from observatory.models import Indicator, NationalValue
from observatory.peers import PEER_COVERAGE_RULE, PEER_COUNT
from observatory.policy import can_import_values, get_portrait_territory
from observatory.portrait import Portrait, build_portrait, parse_peers


def portrait_for(request, level: str, code: str) -> tuple[Portrait, list[str]]:
    territory = get_portrait_territory(request.user, level, code)
    peers, errors = parse_peers(request.GET.getlist("pairs"), territory)
    return build_portrait(territory, peers or None), errors


def chart_context(portrait: Portrait) -> dict:
    indexed = [
        (row.figure.indicator.short_name or row.figure.indicator.name, row.figure.index_france, row.figure.indicator.direction == "higher_worse")
        for row in portrait.rows
        if row.shows_index and row.figure.index_france is not None and row.figure.indicator.is_scored
    ]
    for row in portrait.evolutions():
        row.sparkline = charts.sparkline(row.figure.series)
    return {
        "index_chart": charts.index_bars(indexed) if indexed else None,
        "radar": charts.radar([(score.domain.label, score.score) for score in portrait.scores]),
    }


@require_safe
def portrait(request, level, code):
    result, peer_errors = portrait_for(request, level, code)
    context = {
        "portrait": result,
        "territory": result.territory,
        "peer_errors": peer_errors,
        "peer_query": "&".join(f"pairs={t.level}/{t.code}" for t in result.peers) if result.peers_chosen else "",
        "threshold": round(PRIORITY_THRESHOLD, 1),
        "peer_rule": round(100 * PEER_COVERAGE_RULE),
        "peer_count": PEER_COUNT,
        "sections": PORTRAIT_SECTIONS,
        # The "Carte" section: the territories inside this one (None for a commune).
        "choropleth": choropleth_for(request, result.territory, keep=("pairs",)),
        **chart_context(result),
    }
    return render(request, "observatory/portrait.html", context)


@require_safe
def portrait_csv(request, level, code, section):
    if section not in PORTRAIT_SECTIONS:
        raise Http404("Section inconnue.")
    result, _ = portrait_for(request, level, code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="portrait-{level}-{code}-{section}.csv"'
    response.write("\ufeff")  # spreadsheet programs then read the accents right
    writer = csv.writer(response, delimiter=";")
    for line in portrait_rows(result, section):
        writer.writerow(line)
    return response


@require_safe
def portrait_pdf(request, level, code):
    from weasyprint import CSS, HTML  # imported here: loading it costs ~0.3 s

    result, _ = portrait_for(request, level, code)
    html = render_to_string(
        "observatory/portrait_print.html",
        {"portrait": result, "territory": result.territory, "threshold": round(PRIORITY_THRESHOLD, 1), **chart_context(result)},
        request=request,
    )
    stylesheet = CSS(filename=finders.find("observatory/portrait_print.css"))
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(stylesheets=[stylesheet])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="portrait-{level}-{code}.pdf"'
    return response


@require_safe
def indicators(request):
    rows = Indicator.objects.select_related("domain").order_by("position")
    return render(request, "observatory/indicators.html",
                  {"indicators": rows, "can_import": can_import_values(request.user)})


@require_safe
def indicator(request, code):
    item = get_object_or_404(Indicator.objects.select_related("domain", "numerator", "denominator"), code=code)
    years = sorted(set(item.values.values_list("year", flat=True).distinct()))
    national = NationalValue.objects.filter(indicator=item).order_by("scope", "year")
    return render(request, "observatory/indicator.html", {"indicator": item, "years": years, "national": national})


@require_safe
def surveys(request):
    """Every survey result of the Observatoire des partenariats, with its source and notes,
    France first, then each région with its published profile."""
    from observatory.models import RegionalFact
    from observatory.surveys import all_surveys, survey_blocks

    items = all_surveys()
    sections: dict = {}
    for survey in items:
        sections.setdefault(survey.territory, {"territory": survey.territory, "surveys": [], "facts": []})["surveys"].append(survey)
    for fact in RegionalFact.objects.select_related("territory").order_by("territory__name", "position"):
        sections.setdefault(fact.territory, {"territory": fact.territory, "surveys": [], "facts": []})["facts"].append(fact)
    ordered = sorted(sections.values(), key=lambda item: (item["territory"] is not None, item["territory"].name if item["territory"] else ""))
    for item in ordered:
        item["blocks"] = survey_blocks(item["surveys"])
        item["figures"] = [f for f in item["facts"] if f.kind == RegionalFact.Kind.FIGURE]
        item["findings"] = [f for f in item["facts"] if f.kind == RegionalFact.Kind.FINDING]
    return render(request, "observatory/surveys.html", {"sections": ordered, "survey_count": len(items)})


@require_safe
def compare(request):
    territories, errors = parse_compared(request.user, request.GET.getlist("t"))
    comparison = compare_territories(territories) if len(territories) >= 2 else None
    return render(
        request,
        "observatory/compare.html",
        {"territories": territories, "errors": errors, "comparison": comparison,
         "permalink": "&".join(f"t={t.level}/{t.code}" for t in territories)},
    )
