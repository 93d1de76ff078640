"""The few ORM queries that feed scoring: a fixed number per round, whatever its size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connections
from django.db.models import Count, Q
from django.utils import timezone

from .anonymity import plan_breakdown
from .mailing import MAX_FAILURES
from .models import (
    Answer,
    Campaign,
    Contract,
    Invitation,
    Item,
    OpenAnswer,
    OpenQuestion,
    Response,
    Role,
    Tenure,
)
from .scoring import ItemSpec, ScoreTable, score_table


@dataclass(frozen=True)
class Respondent:
    answers: dict[str, int | None]
    team: str | None  # str(CampaignTeam.pk); None = not asked / not said
    role: str | None
    tenure: str | None
    contract: str | None


@dataclass
class RoundData:
    campaign: Campaign
    item_specs: list[ItemSpec]
    respondents: list[Respondent]
    open_questions: list[OpenQuestion]
    open_texts: dict[int, list[str]] = field(default_factory=dict)
    invited: int | None = None
    team_order: list[str] = field(default_factory=list)
    _scores: ScoreTable | None = None

    def score_table(self) -> ScoreTable:
        if self._scores is None:
            self._scores = score_table([r.answers for r in self.respondents], self.item_specs)
        return self._scores

    def group_order(self, name: str) -> list[str]:
        if name == "team":
            return self.team_order
        return [
            value
            for value, _ in {"role": Role, "tenure": Tenure, "contract": Contract}[name].choices
        ]


def data_version(campaign: Campaign) -> str:
    """Changes whenever a response is stored or deleted (cache key for results and PDFs).

    Responses are stored whole and never edited, and they are only deleted a round at a
    time (retention, deleting the organisation), so their count identifies the state; this
    runs on every cached dashboard view, and counting 480,000 answers would dominate it.
    """
    responses = Response.objects.filter(campaign=campaign).count()
    deleted = campaign.answers_deleted_on.isoformat() if campaign.answers_deleted_on else "-"
    return f"{responses}:{deleted}"


def _raw_rows(queryset, chunk_size: int = 20000):
    """The rows of a values_list() queryset as the database driver returns them."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def load_round(campaign: Campaign) -> RoundData:
    items = list(
        Item.objects.filter(dimension__questionnaire_id=campaign.questionnaire_id)
        .select_related("dimension")
        .order_by("dimension__position", "position")
    )
    code_by_id = {item.pk: item.code for item in items}
    specs = [
        ItemSpec(item.code, item.dimension.code, str(item.indicator_id), item.is_reversed)
        for item in items
    ]
    # Response ids are only matched against each other here, so both queries skip Django's
    # per-row converters (on SQLite a UUID object per answer cost seconds for 10,000 rounds).
    answers: dict = defaultdict(dict)
    for response_id, item_id, value in _raw_rows(
        Answer.objects.filter(response__campaign=campaign).values_list(
            "response_id", "item_id", "value"
        )
    ):
        answers[response_id][code_by_id[item_id]] = value
    respondents = [
        Respondent(
            answers=answers.get(pk, {}),
            team=str(team_id) if team_id else None,
            role=role or None,
            tenure=tenure or None,
            contract=contract or None,
        )
        for pk, team_id, role, tenure, contract in _raw_rows(
            Response.objects.filter(campaign=campaign).values_list(
                "id", "team_id", "role", "tenure", "contract"
            )
        )
    ]
    open_questions = list(OpenQuestion.objects.filter(questionnaire_id=campaign.questionnaire_id))
    open_texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in OpenAnswer.objects.filter(response__campaign=campaign).values_list(
        "question_id", "text"
    ):
        open_texts[question_id].append(text)
    invited = (
        campaign.invitations.filter(sent_on__isnull=False).count() or campaign.expected_respondents
    )
    team_order = [str(pk) for pk in campaign.teams.values_list("pk", flat=True)]
    return RoundData(
        campaign, specs, respondents, open_questions, dict(open_texts), invited, team_order
    )


@dataclass(frozen=True)
class TeamProgress:
    position: int
    name: str
    size: int | None
    count: int | None  # None: not shown (fewer than k, or it would reveal a smaller group)
    rate: float | None


@dataclass(frozen=True)
class Progress:
    responses: int
    invited: int | None
    rate: float | None
    days_left: int | None
    threshold: int
    teams: list[TeamProgress]
    invitations: int
    invitations_sent: int
    invitations_pending: int
    reminders_sent: int
    invitations_failed: int

    def as_dict(self) -> dict:
        return asdict(self)


def _visible_teams(counts: dict[int, int], no_team: int, k: int) -> set[int]:
    """Teams whose count may be shown: the team breakdown plan of `anonymity`.

    The same plan as the dashboard's team breakdown, so the two pages together never show
    more than it allows (a hidden remainder of 1..k−1 hides the smallest visible team too).
    """
    sizes: dict[str | None, int] = {str(pk): n for pk, n in counts.items()}
    sizes[None] = no_team
    plan = plan_breakdown(sizes, threshold=k, total=sum(sizes.values()))
    if not plan.allowed:
        # Below 10 respondents no breakdown is shown anywhere, team counts included.
        return set()
    return {int(label) for label in plan.shown_labels}


def response_progress(campaign: Campaign) -> Progress:
    """Response counts of a round that are safe to show (counts only, threshold k)."""
    k = campaign.threshold
    responses = campaign.responses.count()
    teams = list(
        campaign.teams.annotate(n=Count("responses")).values("pk", "position", "name", "size", "n")
    )
    counts = {t["pk"]: t["n"] for t in teams}
    no_team = responses - sum(counts.values())
    visible = _visible_teams(counts, no_team, k) if campaign.ask_team else set()
    team_rows = [
        TeamProgress(
            position=t["position"],
            name=t["name"],
            size=t["size"],
            count=t["n"] if t["pk"] in visible else None,
            rate=(t["n"] / t["size"]) if t["pk"] in visible and t["size"] else None,
        )
        for t in teams
    ]
    stats = campaign.invitations.aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(sent_on__isnull=False)),
        pending=Count("pk", filter=Q(pending=Invitation.Pending.INVITATION)),
        reminded=Count("pk", filter=Q(reminded_on__isnull=False)),
        failed=Count("pk", filter=Q(sent_on__isnull=True, send_failures__gte=MAX_FAILURES)),
    )
    invited = stats["sent"] or campaign.expected_respondents or None
    today = timezone.localdate()
    days_left = (
        max((campaign.closes_on - today).days, 0)
        if campaign.status == Campaign.Status.OPEN
        else None
    )
    return Progress(
        responses=responses,
        invited=invited,
        rate=(responses / invited) if invited else None,
        days_left=days_left,
        threshold=k,
        teams=team_rows if campaign.ask_team else [],
        invitations=stats["total"],
        invitations_sent=stats["sent"],
        invitations_pending=stats["pending"],
        reminders_sent=stats["reminded"],
        invitations_failed=stats["failed"],
    )
