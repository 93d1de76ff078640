"""The employee questionnaire: its steps, answers in progress and the one-shot submission.

The browser session only points at a SurveyDraft; everything typed is on the server, so a
pause, a crash or another device loses nothing. Submission turns a draft into a Response in one
transaction and deletes the draft in the same transaction, which is what makes double clicks,
replayed POSTs and concurrent tabs store exactly one response.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction

from .models import (
    Answer,
    Campaign,
    CampaignTeam,
    Contract,
    Dimension,
    Invitation,
    Item,
    OpenAnswer,
    OpenQuestion,
    Organisation,
    Response,
    Role,
    SentDraft,
    SurveyDraft,
    Tenure,
    hash_token,
)

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives.
RESUME_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RESUME_CODE_LENGTH = 16  # 80 bits: far beyond guessing under the rate limit
UNDISCLOSED = "x"  # "zeg ik liever niet"
NOT_APPLICABLE = "na"
OPEN_ANSWER_MAX_LENGTH = 2000

SEGMENT_CHOICES = {
    "role": Role.choices,
    "tenure": Tenure.choices,
    "contract": Contract.choices,
}


def new_resume_code() -> str:
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RESUME_CODE_LENGTH, 4))


def normalize_resume_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"}))
    if len(cleaned) != RESUME_CODE_LENGTH or any(ch not in RESUME_ALPHABET for ch in cleaned):
        return ""
    return "-".join(cleaned[i : i + 4] for i in range(0, RESUME_CODE_LENGTH, 4))


def hash_resume_code(code: str) -> str:
    return hash_token("resume:" + code)


CONTENT_CACHE_SECONDS = 60
_content_cache: dict[int, tuple[float, tuple]] = {}


def _content(questionnaire_id: int) -> tuple[list, dict, list]:
    """A questionnaire's dimensions, items and open questions, kept in memory for a minute.

    Every questionnaire page needs them and they change only through the admin, before a
    questionnaire has answers; a minute's delay for such an edit costs nothing, two queries
    per page do.
    """
    now = time.monotonic()
    cached = _content_cache.get(questionnaire_id)
    if cached and now - cached[0] < CONTENT_CACHE_SECONDS:
        return cached[1]
    items = list(
        Item.objects.filter(dimension__questionnaire_id=questionnaire_id)
        .select_related("dimension")
        .order_by("dimension__position", "position")
    )
    dimensions: list[Dimension] = []
    by_dimension: dict[int, list[Item]] = {}
    for item in items:
        if item.dimension_id not in by_dimension:
            dimensions.append(item.dimension)
            by_dimension[item.dimension_id] = []
        by_dimension[item.dimension_id].append(item)
    open_questions = list(OpenQuestion.objects.filter(questionnaire_id=questionnaire_id))
    content = (dimensions, by_dimension, open_questions)
    _content_cache[questionnaire_id] = (now, content)
    return content


_teams_cache: dict[int, tuple[float, list[CampaignTeam]]] = {}


def _teams(campaign: Campaign) -> list[CampaignTeam]:
    """The round's team list, kept in memory for a minute like the content.

    A round's teams are copied when it opens and only renamed by hand, if ever; the segment
    page and the send need them, and a query per page for them was one in four.
    """
    now = time.monotonic()
    cached = _teams_cache.get(campaign.pk)
    if cached and now - cached[0] < CONTENT_CACHE_SECONDS:
        return cached[1]
    teams = list(campaign.teams.all())
    _teams_cache[campaign.pk] = (now, teams)
    return teams


def clear_content_cache() -> None:
    _content_cache.clear()
    _teams_cache.clear()


# --- Draft, round and organisation in one read --------------------------------------------

_JOINED = (SurveyDraft, Campaign, Organisation)
_joined_sql: dict[tuple[str, bool], tuple[str, list]] = {}


def _joined_statement(connection, lock: bool) -> tuple[str, list]:
    """The SELECT of a draft with its round and organisation, built once per process.

    Every questionnaire request makes this read, and compiling it through the ORM (three
    models, forty columns, select_related) cost several times what the database spends on it.
    Returns the SQL and, per column, (model index, attname, converters).
    """
    cached = _joined_sql.get((connection.alias, lock))
    if cached:
        return cached
    quote = connection.ops.quote_name
    aliases = ("d", "c", "o")
    columns, plan = [], []
    for index, (model, alias) in enumerate(zip(_JOINED, aliases, strict=True)):
        for model_field in model._meta.concrete_fields:
            columns.append(f"{alias}.{quote(model_field.column)}")
            expression = model_field.get_col(alias)
            converters = connection.ops.get_db_converters(
                expression
            ) + model_field.get_db_converters(connection)
            plan.append((index, model_field.attname, expression, converters))
    draft, campaign, organisation = (quote(m._meta.db_table) for m in _JOINED)
    sql = (
        f"SELECT {', '.join(columns)} FROM {draft} d "  # noqa: S608 - our own table names
        f"JOIN {campaign} c ON c.{quote('id')} = d.{quote('campaign_id')} "
        f"JOIN {organisation} o ON o.{quote('id')} = c.{quote('organisation_id')} "
        f"WHERE d.{quote('id')} = %s AND d.{quote('campaign_id')} = %s"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF d" if connection.features.has_select_for_update_of else " FOR UPDATE"
    _joined_sql[(connection.alias, lock)] = (sql, plan)
    return sql, plan


def draft_with_round(draft_id: str, campaign_id: int, *, lock: bool = False) -> SurveyDraft | None:
    """The draft with ``draft.campaign`` and ``draft.campaign.organisation`` loaded, or None.

    With ``lock`` (inside a transaction) the draft row is locked, like select_for_update().
    """
    connection = connections[
        router.db_for_write(SurveyDraft) if lock else router.db_for_read(SurveyDraft)
    ]
    try:
        key = SurveyDraft._meta.pk.get_db_prep_value(
            SurveyDraft._meta.pk.to_python(draft_id), connection
        )
    except ValidationError:
        return None
    sql, plan = _joined_statement(connection, lock)
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, campaign_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values: tuple[dict, dict, dict] = ({}, {}, {})
    for value, (index, attname, expression, converters) in zip(row, plan, strict=True):
        for converter in converters:
            value = converter(value, expression, connection)
        values[index][attname] = value
    draft, campaign, organisation = (
        model.from_db(connection.alias, list(v), list(v.values()))
        for model, v in zip(_JOINED, values, strict=True)
    )
    campaign.organisation = organisation
    draft.campaign = campaign
    return draft


@dataclass(frozen=True)
class Step:
    kind: str  # "segments", "dimension" or "open"
    dimension: Dimension | None = None


@dataclass
class SurveyPlan:
    """The pages of one round's questionnaire, built from two queries."""

    campaign: Campaign
    dimensions: list[Dimension]
    items_by_dimension: dict[int, list[Item]]
    open_questions: list[OpenQuestion]
    teams: list[CampaignTeam]
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def for_campaign(cls, campaign: Campaign) -> SurveyPlan:
        dimensions, by_dimension, open_questions = _content(campaign.questionnaire_id)
        teams = _teams(campaign) if campaign.ask_team else []
        plan = cls(campaign, dimensions, by_dimension, open_questions, teams)
        if plan.segment_questions():
            plan.steps.append(Step("segments"))
        plan.steps.extend(Step("dimension", d) for d in dimensions)
        if open_questions:
            plan.steps.append(Step("open"))
        return plan

    def segment_questions(self) -> list[str]:
        return [
            name
            for name in self.campaign.segment_questions()
            if name != "team" or self.teams  # no team list, no team question
        ]

    @property
    def items(self) -> list[Item]:
        return [item for d in self.dimensions for item in self.items_by_dimension[d.pk]]

    @property
    def item_specs(self) -> list:
        return [item.spec() for item in self.items]

    def item_count(self) -> int:
        return sum(len(v) for v in self.items_by_dimension.values())

    def missing_items(self, data: dict, dimension: Dimension | None = None) -> list[Item]:
        answers = data.get("answers", {})
        dims = [dimension] if dimension else self.dimensions
        return [
            item for d in dims for item in self.items_by_dimension[d.pk] if item.code not in answers
        ]

    def first_incomplete_step(self, data: dict) -> int | None:
        for number, step in enumerate(self.steps, start=1):
            if step.kind == "dimension" and self.missing_items(data, step.dimension):
                return number
        return None

    def segment_options(self, name: str) -> list[tuple[str, str]]:
        if name == "team":
            return [(str(team.pk), team.name) for team in self.teams]
        return list(SEGMENT_CHOICES[name])


def parse_item_value(raw: str | None, item: Item) -> tuple[bool, int | None]:
    """(valid, value): a 1–5 answer, or None for n.v.t. where the item offers it."""
    if raw is None:
        return False, None
    if raw == NOT_APPLICABLE:
        return (True, None) if item.allows_not_applicable else (False, None)
    if raw in {"1", "2", "3", "4", "5"}:
        return True, int(raw)
    return False, None


def parse_segment_value(raw: str | None, options: list[tuple[str, str]]) -> tuple[bool, str]:
    if raw in (None, ""):
        return True, ""
    if raw == UNDISCLOSED or raw in {value for value, _ in options}:
        return True, raw
    return False, ""


def start_draft(
    campaign: Campaign, invitation: Invitation | None = None
) -> tuple[SurveyDraft, str]:
    code = new_resume_code()
    draft = SurveyDraft.objects.create(
        campaign=campaign, invitation=invitation, resume_code_hash=hash_resume_code(code)
    )
    return draft, code


def new_code_for(draft: SurveyDraft) -> str:
    """A fresh resume code for an existing draft (the old one is only stored as a hash)."""
    code = new_resume_code()
    draft.resume_code_hash = hash_resume_code(code)
    draft.save(update_fields=["resume_code_hash", "updated_on"])
    return code


class SubmissionError(Exception):
    def __init__(self, reason: str, step: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.step = step


def _insert_answers(response: Response, rows: list[tuple[int, int | None]]) -> None:
    """One multi-row INSERT of a response's answers.

    This is the hot path of a submission: bulk_create spends more time preparing 48 model
    instances (a third of the whole request) than the database spends storing them. The
    values are plain integers already validated by parse_item_value, and the database's
    check and unique constraints still guard them.
    """
    connection = connections[Answer.objects.db]
    response_id = Response._meta.pk.get_db_prep_value(response.pk, connection)
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (response_id, item_id, value) VALUES (%s, %s, %s)",  # noqa: S608
            [(response_id, item_id, value) for item_id, value in rows],
        )


@transaction.atomic
def submit_draft(*, draft_id: str, plan: SurveyPlan) -> Response | None:
    """Store the draft as one whole Response, or nothing.

    Returns None when the draft is gone (it was submitted already: double click, replay).
    Raises SubmissionError("incomplete", step) or ("unavailable").
    """
    draft = SurveyDraft.objects.select_for_update().filter(pk=draft_id).first()
    if draft is None:
        return None
    return store_locked_draft(draft, plan)


def store_locked_draft(draft: SurveyDraft, plan: SurveyPlan) -> Response:
    """submit_draft() for a draft the caller read with a row lock in its open transaction
    (the questionnaire's send reads draft, round and lock in one statement)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("store_locked_draft() needs a transaction")
    campaign = plan.campaign
    if draft.campaign_id != campaign.pk or not campaign.is_accepting_responses():
        raise SubmissionError("unavailable")
    step = plan.first_incomplete_step(draft.data)
    if step is not None:
        raise SubmissionError("incomplete", step)
    if draft.invitation_id is not None:
        claimed = Invitation.objects.filter(pk=draft.invitation_id, is_used=False).update(
            is_used=True
        )
        if not claimed:
            draft.delete()
            raise SubmissionError("unavailable")

    segments = draft.data.get("segments", {})
    team_id = segments.get("team", "")
    team = next((t for t in plan.teams if str(t.pk) == team_id), None)

    def segment(name: str) -> str:
        value = segments.get(name, "")
        return value if value in {v for v, _ in SEGMENT_CHOICES[name]} else ""

    # The answers go in before the response row, under the id it will get: the foreign keys
    # are checked at commit (Django creates them DEFERRABLE INITIALLY DEFERRED), and the
    # round's row lock that numbers the response is then held only for the last few
    # statements, so concurrent sends to one round queue for less time.
    response = Response(
        campaign=campaign,
        team=team,
        role=segment("role"),
        tenure=segment("tenure"),
        contract=segment("contract"),
    )
    answers = draft.data.get("answers", {})
    items = plan.items
    _insert_answers(response, [(item.pk, answers[item.code]) for item in items])
    response.set_stored_scores(answers, plan.item_specs)
    texts = draft.data.get("open", {})
    OpenAnswer.objects.bulk_create(
        OpenAnswer(response_id=response.pk, question_id=q.pk, text=texts[q.code].strip())
        for q in plan.open_questions
        if texts.get(q.code, "").strip()
    )
    response.sequence = Response.objects.next_sequence(campaign)
    response.save(force_insert=True)
    # Another device that still holds this draft, or its resume code, can then say "sent".
    SentDraft.objects.create(
        id=draft.pk, campaign_id=campaign.pk, resume_code_hash=draft.resume_code_hash
    )
    draft.delete()
    return response
