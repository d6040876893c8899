"""Everything a portrait shows, assembled once for the page, its CSV exports, its PDF and
the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from observatory.aggregation import aggregate_territory
from observatory.comparison import named_territories
from observatory.figures import Figure, DomainScore, domain_scores, parent_of, territory_figures
from observatory.models import Aggregation, Run, Value
from observatory.peers import MAX_PEERS, PeerFigure, comparison_level, peer_figures, suggested_peers
from observatory.surveys import survey_panel
from territories.models import Level, Territory, TerritoryLink

PROFILE_CODES = ("population", "superficie", "densite", "etablissements")


@dataclass
class Row:
    figure: Figure
    peers: PeerFigure | None
    sparkline: dict | None = None

    @property
    def shows_index(self) -> bool:
        """Indices compare rates and means; a count against France's total says nothing."""
        return self.figure.indicator.aggregation != Aggregation.SUM


@dataclass
class Portrait:
    territory: Territory
    parent: Territory | None
    peers: list[Territory]
    peers_chosen: bool
    profile: list[Figure]
    rows: list[Row]
    scores: list[DomainScore]
    communes: int
    organisations: int | None
    partnerships: int | None
    data: dict = field(default_factory=dict)
    surveys: object = None  # observatory.surveys.SurveyPanel: the « Dynamique partenariale » section

    @property
    def priorities(self) -> list[DomainScore]:
        return [score for score in self.scores if score.is_priority]

    @property
    def has_demo(self) -> bool:
        return any(row.figure.indicator.is_demo for row in self.rows)

    def rows_by_domain(self) -> list[tuple[object, list[Row]]]:
        groups: dict[int, tuple[object, list[Row]]] = {}
        for row in self.rows:
            domain = row.figure.indicator.domain
            groups.setdefault(domain.pk, (domain, []))[1].append(row)
        return sorted(groups.values(), key=lambda group: group[0].position)

    def evolutions(self) -> list[Row]:
        """Profile and domain figures known for more than one year."""
        if "evolutions" not in self.data:
            rows = [Row(figure, None) for figure in self.profile] + self.rows
            self.data["evolutions"] = [row for row in rows if len([v for _, v in row.figure.series if v is not None]) > 1]
        return self.data["evolutions"]


def ensure_project_values(territory: Territory) -> None:
    """A project territory drawn or redrawn after the last aggregation gets its own values."""
    if territory.level != Level.PROJECT:
        return
    last = Run.objects.filter(kind=Run.Kind.AGGREGATE).order_by("-id").values_list("finished_at", flat=True).first()
    has_values = Value.objects.filter(territory=territory).exists()
    if last is not None and (not has_values or territory.updated_at > last):
        aggregate_territory(territory)


def build_portrait(territory: Territory, chosen_peers: list[Territory] | None = None) -> Portrait:
    ensure_project_values(territory)
    parent = parent_of(territory)
    figures = territory_figures(territory, parent)
    peers = chosen_peers[:MAX_PEERS] if chosen_peers else suggested_peers(territory)
    shown = [f for f in figures if f.indicator.domain_id and not f.indicator.is_component]
    peer_values = peer_figures(peers, [(f.indicator.pk, f.year) for f in shown])
    communes = (
        1 if territory.level == Level.COMMUNE
        else TerritoryLink.objects.filter(ancestor=territory, descendant_level=Level.COMMUNE, descendant__is_obsolete=False).count()
    )
    organisations, partnerships = actor_counts(territory)
    return Portrait(
        territory=territory,
        parent=parent,
        peers=peers,
        peers_chosen=bool(chosen_peers),
        profile=[f for f in figures if f.indicator.code in PROFILE_CODES],
        rows=[Row(f, peer_values.get((f.indicator.pk, f.year))) for f in shown],
        scores=domain_scores(figures),
        communes=communes,
        organisations=organisations,
        partnerships=partnerships,
        surveys=survey_panel(territory),
    )


def actor_counts(territory: Territory) -> tuple[int | None, int | None]:
    """Organisations located in the territory and partnerships of the platform in it."""
    try:
        from actors.places import organizations_in
        from actors.policy import public_partnerships
    except ImportError:  # the actors app is optional
        return None, None
    from territories.models import at_or_inside

    organisations = organizations_in(territory).count()
    partnerships = public_partnerships().filter(at_or_inside(territory)).count()
    return organisations, partnerships


def parse_peers(values: list[str], territory: Territory) -> tuple[list[Territory], list[str]]:
    """``level/code`` strings from the URL → territories of the comparison level; the
    strings that name none come back as errors."""
    wanted_level = comparison_level(territory)
    found, errors = [], []
    for item, match in named_territories(values, Territory.objects.current()):
        if match is None or match.level != wanted_level or match.pk == territory.pk:
            errors.append(item)
        elif match not in found:
            found.append(match)
    return found[:MAX_PEERS], errors
