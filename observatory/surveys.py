"""The Observatoire des partenariats' survey results and regional profiles: loading them from
``observatory/surveys_data.py`` (idempotent, called by ``load_reference``) and what a
portrait, its CSV, its PDF and the survey page show of them.

A région's portrait shows the surveys of that région beside the same surveys for France
(same ``series``), and every portrait shows the France-level surveys. The figures are the
published ones: a share whose attribution is ambiguous in the source is flagged « lecture à
confirmer » wherever it appears.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q

from observatory.models import RegionalFact, Survey, SurveyAnswer, SurveyQuestion
from observatory.surveys_data import REGIONAL_FACTS, SURVEYS
from territories.models import Level, Territory

REGION_FILL = "#2c6e9b"
FRANCE_FILL = "#5f6368"


# ----------------------------------------------------------------------------- loading ----

@dataclass
class LoadReport:
    surveys: int = 0
    answers: int = 0
    facts: int = 0
    skipped: list[str] = field(default_factory=list)  # entries whose région is not in the database

    def __str__(self) -> str:
        text = f"Enquêtes : {self.surveys} enquêtes, {self.answers} réponses, {self.facts} éléments de profil régional"
        if self.skipped:
            text += f" ({len(self.skipped)} écartés faute de région : {', '.join(self.skipped)})"
        return text + "."


def _region(ref: tuple[str, str] | None, cache: dict) -> Territory | None:
    if ref not in cache:
        level, code = ref
        cache[ref] = Territory.objects.filter(level=level, code=code, is_obsolete=False).first()
    return cache[ref]


def _save(model, lookup: dict, values: dict):
    """Create, or update only what changed: loading twice writes nothing the second time."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return row


@transaction.atomic
def load_surveys() -> LoadReport:
    """Write every survey, question, answer and regional fact of ``surveys_data``; remove the
    ones a previous version of the file had and this one no longer has."""
    report, regions = LoadReport(), {}
    kept_surveys, kept_facts = [], []
    for position, entry in enumerate(SURVEYS, start=1):
        territory = _region(entry["territory"], regions) if entry["territory"] else None
        if entry["territory"] and territory is None:
            report.skipped.append(entry["key"])
            continue
        survey = _save(Survey, {"key": entry["key"]}, {
            "series": entry.get("series", ""), "title": entry["title"], "population": entry["population"],
            "population_detail": entry.get("population_detail", ""), "producer": entry["producer"],
            "programme": entry.get("programme", ""), "year": entry.get("year"), "is_national": territory is None,
            "territory": territory, "base_n": entry.get("base_n"), "base_label": entry.get("base_label", ""),
            "source_title": entry["source"]["title"], "source_file": entry["source"]["file"],
            "source_section": entry["section"], "notes": entry.get("notes", ""), "from_reference": True,
            "position": position,
        })
        kept_surveys.append(survey.key)
        codes = []
        for q_position, item in enumerate(entry["questions"], start=1):
            question = _save(SurveyQuestion, {"survey": survey, "code": item["code"]},
                             {"text": item["text"], "base_n": item.get("base_n"), "position": q_position})
            codes.append(question.code)
            labels = []
            for a_position, answer in enumerate(item["answers"], start=1):
                _save(SurveyAnswer, {"question": question, "label": answer["label"]}, {
                    "share": float(answer["share"]), "base_n": answer.get("base_n"),
                    "is_uncertain": bool(answer.get("uncertain")), "note": answer.get("note", ""), "position": a_position,
                })
                labels.append(answer["label"])
                report.answers += 1
            question.answers.exclude(label__in=labels).delete()
        survey.questions.exclude(code__in=codes).delete()
        report.surveys += 1
    Survey.objects.filter(from_reference=True).exclude(key__in=kept_surveys).delete()

    for position, entry in enumerate(REGIONAL_FACTS, start=1):
        territory = _region(entry["territory"], regions)
        if territory is None:
            report.skipped.append(entry["key"])
            continue
        _save(RegionalFact, {"key": entry["key"]}, {
            "territory": territory, "kind": entry["kind"], "theme": entry["theme"], "label": entry["label"],
            "value": entry["value"], "unit": entry["unit"], "display": entry["display"], "year": entry["year"],
            "comparison": entry["comparison"], "original_source": entry["original_source"],
            "source_title": entry["source"]["title"], "source_file": entry["source"]["file"],
            "source_section": entry["section"], "notes": entry["notes"], "from_reference": True, "position": position,
        })
        kept_facts.append(entry["key"])
        report.facts += 1
    RegionalFact.objects.filter(from_reference=True).exclude(key__in=kept_facts).delete()
    return report


# ------------------------------------------------------------------------------ reading ----

def surveys_queryset():
    answers = Prefetch("answers", queryset=SurveyAnswer.objects.order_by("position", "label"))
    questions = Prefetch("questions", queryset=SurveyQuestion.objects.order_by("position", "code").prefetch_related(answers))
    return Survey.objects.select_related("territory").prefetch_related(questions)


@dataclass
class TableRow:
    """One answer of the results table, with the spans of its survey and question cells."""

    survey: Survey
    question: SurveyQuestion
    answer: SurveyAnswer
    survey_span: int = 0  # > 0 on the survey's first row
    question_span: int = 0  # > 0 on the question's first row

    @property
    def base_n(self) -> int | None:
        return self.answer.base_n or self.question.base_n or self.survey.base_n


def table_rows(surveys: list[Survey]) -> list[TableRow]:
    rows: list[TableRow] = []
    for survey in surveys:
        first = len(rows)
        for question in survey.questions.all():
            answers = list(question.answers.all())
            for index, answer in enumerate(answers):
                rows.append(TableRow(survey, question, answer, question_span=len(answers) if index == 0 else 0))
        if len(rows) > first:
            rows[first].survey_span = len(rows) - first
    return rows


def survey_blocks(surveys: list[Survey]) -> list[tuple[Survey, list[TableRow]]]:
    """Each survey with its table rows (one ``<tbody>`` each)."""
    return [(survey, table_rows([survey])) for survey in surveys]


def _n(value: float) -> str:
    """A coordinate as SVG wants it: a dot, whatever the page's language (templates would
    write « 12,5 » in French)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(title: str, members: list[Survey], width: int = 560) -> dict | None:
    """Horizontal bars (0–100 %), one group per answer, one bar per survey of the series
    (the région first, then France). Geometry only, coordinates as strings: the template
    draws it."""
    label_w, value_w, bar_h, gap, group_gap, legend_h = 200, 56, 14, 3, 12, 26
    span = width - label_w - value_w
    keys: list[tuple[str, str]] = []
    shares: dict[tuple[int, str, str], SurveyAnswer] = {}
    for survey in members:
        for question in survey.questions.all():
            for answer in question.answers.all():
                key = (question.code, answer.label)
                if key not in keys:
                    keys.append(key)
                shares[(survey.pk, *key)] = answer
    if not keys:
        return None
    legend = [
        {"label": survey.scope_label, "fill": FRANCE_FILL if survey.is_national else REGION_FILL,
         "x": _n(label_w + index * 170), "text_x": _n(label_w + index * 170 + 18)}
        for index, survey in enumerate(members)
    ]
    groups, y = [], legend_h
    for question_code, label in keys:
        bars = []
        for index, survey in enumerate(members):
            answer = shares.get((survey.pk, question_code, label))
            bar_y = y + index * (bar_h + gap)
            if answer is None:
                bars.append({"missing": True, "text": "non publié", "text_x": _n(label_w + 4), "text_y": _n(bar_y + bar_h - 3),
                             "scope": survey.scope_label})
                continue
            length = span * max(0.0, min(answer.share, 100.0)) / 100
            bars.append({
                "y": _n(bar_y), "x": _n(label_w), "width": _n(length), "height": _n(bar_h), "missing": False,
                "fill": FRANCE_FILL if survey.is_national else REGION_FILL, "uncertain": answer.is_uncertain,
                "text": f"{answer.share:g}\xa0%".replace(".", ",") + (" *" if answer.is_uncertain else ""),
                "text_x": _n(label_w + length + 4), "text_y": _n(bar_y + bar_h - 3), "scope": survey.scope_label,
            })
        height = len(members) * (bar_h + gap) - gap
        groups.append({"label": label, "label_y": _n(y + height / 2 + 4), "bars": bars})
        y += height + group_gap
    ticks = [{"x": _n(label_w + span * value / 100), "text": f"{value} %"} for value in (0, 25, 50, 75, 100)]
    return {
        "title": title, "width": _n(width), "height": _n(y + 18), "label_x": _n(label_w - 6), "legend": legend, "groups": groups,
        "ticks": ticks, "axis_y": _n(y + 14), "axis_top": _n(legend_h - 4), "axis_bottom": _n(y - group_gap + 2),
        "has_uncertain": any(bar.get("uncertain") for group in groups for bar in group["bars"]),
        "scopes": " et ".join(survey.scope_label for survey in members),
    }


@dataclass
class SurveyPanel:
    """The « Dynamique partenariale » section of a portrait."""

    region: Territory | None  # the région whose own surveys are shown (région portraits only)
    regional: list[Survey]
    national: list[Survey]
    facts: list[RegionalFact]
    charts: list[dict]

    @property
    def surveys(self) -> list[Survey]:
        return self.regional + self.national

    @property
    def rows(self) -> list[TableRow]:
        return table_rows(self.surveys)

    @property
    def blocks(self) -> list[tuple[Survey, list[TableRow]]]:
        return survey_blocks(self.surveys)

    @property
    def has_uncertain(self) -> bool:
        return any(row.answer.is_uncertain for row in self.rows)

    @property
    def figures(self) -> list[RegionalFact]:
        return [fact for fact in self.facts if fact.kind == RegionalFact.Kind.FIGURE]

    @property
    def findings(self) -> list[RegionalFact]:
        return [fact for fact in self.facts if fact.kind == RegionalFact.Kind.FINDING]


def survey_panel(territory: Territory) -> SurveyPanel:
    region = territory if territory.level == Level.REGION else None
    scope = Q(is_national=True) | (Q(territory=region) if region else Q(pk__in=[]))
    surveys = list(surveys_queryset().filter(scope))
    regional = [s for s in surveys if not s.is_national]
    national = [s for s in surveys if s.is_national]
    facts = list(RegionalFact.objects.filter(territory=region).order_by("position")) if region else []
    charts = []
    for series in dict.fromkeys(s.series for s in regional + national if s.series):
        members = [s for s in regional if s.series == series] + [s for s in national if s.series == series]
        chart = bar_chart(members[0].title, members)
        if chart:
            chart["id"] = f"survey-chart-{series}"
            chart["year"] = members[0].year
            charts.append(chart)
    return SurveyPanel(region=region, regional=regional, national=national, facts=facts, charts=charts)


def all_surveys() -> list[Survey]:
    """Every survey for the survey page: France first, then the régions by name."""
    return sorted(surveys_queryset(), key=lambda s: (not s.is_national, s.territory.name if s.territory else "", s.position))
