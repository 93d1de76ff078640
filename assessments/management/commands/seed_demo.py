"""Demo data: an installation company with a closed baseline round and an open follow-up round.

The closed round also has a management view (the director and two team leaders, who see
leadership and the organisation far more positively than the employees do) and an action plan
on its two weakest dimensions, so a new user sees both at once.

Idempotent: objects are looked up by name and only created when missing, so running it again
adds nothing. The closed round's answers are simulated from a seeded random model in which
each respondent has a latent score per dimension (company level + team + role + person), so
the dashboard tells a coherent story: collaboration strong, leadership and organisation weak,
the office more positive about the organisation, the workshop less safe to experiment.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments import improvement, reportstore, services, tasks
from assessments.access import consultant_group
from assessments.models import (
    ActionPlan,
    Answer,
    Campaign,
    Contract,
    Intervention,
    Item,
    ManagementAnswer,
    ManagementEstimate,
    ManagementResponse,
    ManagementRole,
    ManagementView,
    Membership,
    OpenAnswer,
    Organisation,
    PlanAction,
    Questionnaire,
    Response,
    Role,
    Team,
    Tenure,
    hash_token,
)

QUESTIONNAIRE_CODE = "leercultuur-mkb"
ORGANISATION = "Installatiebedrijf Van Dijk"
TEAMS = {"Werkplaats": 22, "Montage": 18, "Kantoor": 12, "Service": 9}
ACCOUNTS = [
    # username, password, role, first name, last name
    ("adviseur", "demo-adviseur-2026", Membership.Role.CONSULTANT, "Anouk", "de Adviseur"),
    ("hr", "demo-hr-2026", Membership.Role.HR, "Henk", "Rijsbergen"),
]
CLOSED_ROUND = "Nulmeting voorjaar 2026"
CLOSED_OPENS_ON = dt.date(2026, 3, 9)
CLOSED_CLOSES_ON = dt.date(2026, 3, 27)
OPEN_ROUND = "Vervolgmeting najaar 2026"
SEED = 20260309

# Respondents per team in the closed round; None = chose "zeg ik liever niet".
RESPONDENTS = {"Werkplaats": 19, "Montage": 15, "Kantoor": 11, "Service": 8, None: 5}
# Managers and directors per team; the rest are employees, except a couple who skip the role.
MANAGERS = {"Werkplaats": 3, "Montage": 3, "Kantoor": 2, "Service": 1, None: 1}
DIRECTORS = {"Kantoor": 1, None: 1}
NO_ROLE = {"Werkplaats": 1, "Montage": 1}

COMPANY_LEVEL = {"D1": 3.6, "D2": 3.4, "D3": 4.0, "D4": 2.8, "D5": 2.7, "D6": 3.2}
TEAM_EFFECT = {
    "Werkplaats": {"D1": -0.2, "D2": -0.7, "D3": 0.1},
    "Montage": {"D1": 0.2, "D6": -0.2},
    "Kantoor": {"D1": -0.1, "D4": 0.2, "D5": 0.8},
    "Service": {"D1": 0.3, "D6": 0.5},
    None: {"D2": -0.3, "D4": -0.3},
}
ROLE_EFFECT = {
    Role.MANAGER: {"D2": 0.2, "D4": 0.5, "D5": 0.4},
    Role.DIRECTOR: {"D2": 0.5, "D4": 0.9, "D5": 0.8, "D6": 0.4},
}
TENURE_EFFECT = {Tenure.UNDER_1: {"D3": 0.2, "D5": -0.3}}
CONTRACT_EFFECT = {Contract.TEMPORARY: {"D4": -0.2, "D5": -0.4}}
# Items that stand out from their dimension, on the scored (after reversal) scale.
ITEM_EFFECT = {"D3.2": 0.5, "D3.4": -0.6, "D5.9": -0.4, "D5.8": -0.5, "D1.5": -0.3, "D4.7": 0.3}

OPEN_ANSWERS = {
    "O1": [
        "Meer tijd om nieuwe collega's goed in te werken. Nu gebeurt dat tussen de klussen door.",
        "Duidelijk maken hoeveel geld er is voor cursussen en hoe je dat aanvraagt.",
        "Dat de leiding vaker vraagt wat wij zelf willen leren.",
        "Minder mopperen als er iets misgaat in de werkplaats, dan durven mensen het eerder te "
        "melden.",
        "Na elk groot project even samen terugkijken wat beter kan.",
        "Meer uitleg over warmtepompen en nieuwe installaties, daar krijgen we steeds meer "
        "vragen over.",
        "Verbeterideeën ook echt oppakken, niet alleen opschrijven.",
        "Een vast moment in het jaar om over je ontwikkeling te praten.",
        "Werkinstructies bijwerken. Sommige zijn nog van jaren geleden.",
    ],
    "O2": [
        "Toen ik met een ervaren monteur meeging naar een lastige storing en hij alles uitlegde.",
        "De cursus over zonnepanelen. Ik kon het daarna meteen in de praktijk doen.",
        "Bij een leverancier kregen we een demo van een nieuwe ketel. Zelf proberen hielp het "
        "meest.",
        "Een klus waar het misging en we daarna samen hebben gekeken wat we anders doen.",
        "Ik mocht een nieuw planningsprogramma uitzoeken en invoeren. Daar heb ik veel van "
        "geleerd.",
        "Samen met een klant een oplossing bedenken voor een oud pand.",
    ],
}


# The management view of the closed round: name, role, how much rosier each dimension looks to
# them than to the average employee, and their estimates of the employees' means.
MANAGEMENT = [
    ("Marieke van Dijk", ManagementRole.DIRECTOR),
    ("Kees Jansen", ManagementRole.TEAM_LEADER),
    ("Fatima El Amrani", ManagementRole.TEAM_LEADER),
]
MANAGEMENT_EFFECT = {"D1": 0.3, "D2": 0.7, "D3": 0.1, "D4": 1.3, "D5": 1.0, "D6": 0.4}
ESTIMATES = {
    "Marieke van Dijk": {"D1": 3.7, "D2": 3.8, "D3": 4.1, "D4": 3.9, "D5": 3.6, "D6": 3.5},
    "Kees Jansen": {"D2": 3.4, "D4": 3.3, "D5": 3.0},
    "Fatima El Amrani": {"D1": 3.8, "D3": 4.0, "D4": 3.5, "D5": 3.2},
}
# The plan on the two weakest dimensions: (library code, owner, start and due in days from
# the day the plan was made, status, note).
PLAN_FOCUS = ("D4", "D5")
PLAN_ACTIONS = [
    ("D4.01", "Marieke van Dijk", -200, -150, PlanAction.Status.DONE, "Staat op intranet."),
    ("D4.02", "Kees Jansen", -180, -20, PlanAction.Status.IN_PROGRESS, ""),
    ("D5.01", "Henk Rijsbergen", -120, 30, PlanAction.Status.IN_PROGRESS,
     "Budget vastgesteld; aanvraag SLIM-subsidie loopt."),
    ("D5.02", "Fatima El Amrani", -60, 60, PlanAction.Status.PLANNED, ""),
    ("D5.05", "Kees Jansen", -90, -30, PlanAction.Status.STOPPED,
     "Gestopt: het ideeënbord in de kantine werd niet gebruikt; nu via de app."),
]  # fmt: skip
MANAGEMENT_SEED = 20260310


@dataclass
class Respondent:
    team: str | None
    role: str
    tenure: str
    contract: str


class Command(BaseCommand):
    help = "Create (once) a demo organisation with accounts, a closed round and an open round."
    # Start-up time: the full system check (URLconf, templates, ~0.4 s) is for runserver,
    # migrate and `manage.py check`, which deployments run; see README, Management commands.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        # The closed round's report shows its management view and plan, which are made after it
        # closed: render it once at the end rather than at its close and again.
        with reportstore.renders_paused(), transaction.atomic():
            questionnaire = self._questionnaire()
            organisation = self._organisation()
            self._accounts(organisation)
            closed = self._closed_round(organisation, questionnaire)
            self._management_view(closed)
            self._action_plan(closed)
            opened = self._open_round(organisation, questionnaire)
            if hash_token(opened.link_token()) != opened.link_token_hash or not opened.code_hash:
                # SECRET_KEY changed since the link was made, so the old link no longer works.
                opened.set_link_token()
                opened.save(update_fields=["link_salt", "link_token_hash", "code_hash"])
        if settings.REPORT_PRERENDER:
            tasks.enqueue(tasks.render_reports, closed.pk)
        self._report(organisation, [closed, opened], opened)

    def _questionnaire(self) -> Questionnaire:
        if not Questionnaire.objects.filter(code=QUESTIONNAIRE_CODE, version=1).exists():
            call_command("loaddata", "questionnaire", verbosity=0)
        if not Intervention.objects.exists():
            call_command("loaddata", "interventions", verbosity=0)
        questionnaire = (
            Questionnaire.objects.published()
            .filter(code=QUESTIONNAIRE_CODE)
            .order_by("-version")
            .first()
        )
        if questionnaire is None:
            raise CommandError(f"No published questionnaire {QUESTIONNAIRE_CODE!r} found.")
        return questionnaire

    def _organisation(self) -> Organisation:
        organisation, _ = Organisation.objects.get_or_create(
            name=ORGANISATION, defaults={"sector": "construction", "size_band": "10-49"}
        )
        for name, size in TEAMS.items():
            Team.objects.get_or_create(
                organisation=organisation, name=name, defaults={"size": size}
            )
        return organisation

    def _accounts(self, organisation: Organisation) -> None:
        User = get_user_model()
        for username, password, role, first_name, last_name in ACCOUNTS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.com",
                },
            )
            # Reset on every run so that the printed password always works.
            user.set_password(password)
            user.save(update_fields=["password"])
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
            if role == Membership.Role.CONSULTANT:
                # Only consultants create client organisations (DESIGN.md §2).
                user.groups.add(consultant_group())

    def _closed_round(self, organisation: Organisation, questionnaire: Questionnaire) -> Campaign:
        campaign, _ = Campaign.objects.get_or_create(
            organisation=organisation,
            name=CLOSED_ROUND,
            defaults={
                "questionnaire": questionnaire,
                "opens_on": CLOSED_OPENS_ON,
                "closes_on": CLOSED_CLOSES_ON,
                "threshold": 5,
                "ask_team": True,
                "ask_role": True,
                "ask_tenure": True,
                "ask_contract": True,
                "expected_respondents": sum(TEAMS.values()),
            },
        )
        if campaign.status == Campaign.Status.DRAFT:
            campaign.open()
        if not campaign.responses.exists():
            simulate_responses(campaign, random.Random(SEED))
        if campaign.status != Campaign.Status.CLOSED:
            services.close_round(campaign)
            campaign.closed_on = campaign.closes_on
            campaign.save(update_fields=["closed_on"])
        return campaign

    def _management_view(self, campaign: Campaign) -> None:
        view, _ = ManagementView.objects.get_or_create(campaign=campaign)
        if view.responses.exists():
            return
        rng = random.Random(MANAGEMENT_SEED)
        items = campaign.questionnaire.ordered_items()
        dimensions = {d.code: d for d in campaign.questionnaire.dimensions.all()}
        sent_at = timezone.make_aware(dt.datetime.combine(campaign.closes_on, dt.time(12)))
        for name, role in MANAGEMENT:
            response = ManagementResponse.objects.create(
                view=view, name=name, role=role, submitted_at=sent_at
            )
            general = rng.gauss(0, 0.2)
            respondent = Respondent(None, str(Role.DIRECTOR), "", "")
            ManagementAnswer.objects.bulk_create(
                ManagementAnswer(
                    response=response,
                    item=item,
                    value=_answer(
                        rng,
                        item,
                        COMPANY_LEVEL[item.dimension.code]
                        + MANAGEMENT_EFFECT[item.dimension.code]
                        + ITEM_EFFECT.get(item.code, 0)
                        + general,
                        respondent,
                    ),
                )
                for item in items
            )
            ManagementEstimate.objects.bulk_create(
                ManagementEstimate(
                    response=response, dimension=dimensions[code], value=Decimal(str(value))
                )
                for code, value in ESTIMATES[name].items()
                if code in dimensions
            )

    def _action_plan(self, campaign: Campaign) -> None:
        plan, created = ActionPlan.objects.get_or_create(campaign=campaign)
        if not created:
            return
        dimensions = {d.code: d for d in campaign.questionnaire.dimensions.all()}
        plan.focus.set([dimensions[code] for code in PLAN_FOCUS if code in dimensions])
        today = timezone.localdate()
        library = {i.code: i for i in Intervention.objects.all()}
        for code, owner, start, due, status, note in PLAN_ACTIONS:
            intervention = library.get(code)
            if intervention is None:
                continue
            PlanAction.objects.create(
                plan=plan,
                dimension=dimensions[intervention.dimension_code],
                intervention=intervention,
                title=intervention.title_nl,
                owner=owner,
                starts_on=today + dt.timedelta(days=start),
                due_on=today + dt.timedelta(days=due),
                status=status,
                note=note,
                # Past dates were part of the demo's history, not news for HR's inbox.
                due_notice_for=today + dt.timedelta(days=due) if due < 0 else None,
            )

    def _open_round(self, organisation: Organisation, questionnaire: Questionnaire) -> Campaign:
        today = timezone.localdate()
        campaign, _ = Campaign.objects.get_or_create(
            organisation=organisation,
            name=OPEN_ROUND,
            defaults={
                "questionnaire": questionnaire,
                "opens_on": today - dt.timedelta(days=3),
                "closes_on": today + dt.timedelta(days=14),
                "threshold": 5,
                "ask_team": True,
                "ask_role": True,
                "expected_respondents": sum(TEAMS.values()),
            },
        )
        if not campaign.opens_on <= today <= campaign.closes_on:
            # Run again weeks later, the printed link should still lead to an open survey.
            campaign.opens_on = min(campaign.opens_on, today)
            campaign.closes_on = max(campaign.closes_on, today + dt.timedelta(days=14))
            campaign.save(update_fields=["opens_on", "closes_on"])
        if campaign.status != Campaign.Status.OPEN:
            campaign.open()
        return campaign

    def _report(self, organisation: Organisation, rounds: list[Campaign], opened: Campaign) -> None:
        try:
            login = f"{settings.SITE_URL}{reverse('login')}"
        except NoReverseMatch:
            login = f"{settings.SITE_URL}/"
        # In the installation's language (Dutch unless LANGUAGE_CODE says otherwise), like the
        # app that the person running this is about to open.
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(self._report_text(organisation, rounds, opened, login))

    def _report_text(
        self, organisation: Organisation, rounds: list[Campaign], opened: Campaign, login: str
    ) -> str:
        width = max(len(r.name) for r in rounds)
        lines = [
            "",
            _("Demo data ready: %(name)s") % {"name": organisation.name},
            "",
            "  " + _("Accounts (log in at %(url)s)") % {"url": login},
        ]
        labels = {
            Membership.Role.CONSULTANT: _("Consultant"),
            Membership.Role.HR: _("HR manager"),
        }
        for username, password, role, *_rest in ACCOUNTS:
            lines.append(f"    {labels[role]:<12} {username} / {password}")
        lines += ["", "  " + _("Rounds")]
        for campaign in rounds:
            responses = campaign.responses.count()
            lines.append(
                f"    id {campaign.pk:<4} {campaign.name:<{width}}  "
                f"{str(campaign.get_status_display()).lower():<8}  "
                + ngettext("%(n)3d response", "%(n)3d responses", responses) % {"n": responses}
                + f"  {campaign.opens_on:%d-%m-%Y} – {campaign.closes_on:%d-%m-%Y}"
            )
        lines += [
            "",
            "  " + _("Questionnaire link of the open round:"),
            f"    {opened.survey_url()}",
            "  "
            + _("or its code %(code)s at %(url)s")
            % {
                "code": opened.short_code_display(),
                "url": f"{settings.SITE_URL}{reverse('assessments:code_entry')}",
            },
            "",
            "  " + _("Management link of the open round (management's view):"),
            f"    {improvement.management_view(opened, create=True).url()}",
            "",
        ]
        return "\n".join(lines)


def simulate_responses(campaign: Campaign, rng: random.Random) -> None:
    """Store simulated, internally consistent responses for a round, in a few queries."""
    items = campaign.questionnaire.ordered_items()
    specs = [item.spec() for item in items]
    teams = {team.name: team for team in campaign.teams.all()}
    item_offset = {item.code: ITEM_EFFECT.get(item.code, rng.gauss(0, 0.2)) for item in items}
    respondents = _respondents(rng)
    responses, answers = [], []
    # The shuffled list is the order in which they sent their answers.
    for number, respondent in enumerate(respondents, start=1):
        response = Response(
            campaign=campaign,
            sequence=number,
            team=teams.get(respondent.team) if respondent.team else None,
            role=respondent.role,
            tenure=respondent.tenure,
            contract=respondent.contract,
        )
        responses.append(response)
        general = rng.gauss(0, 0.35)
        latent = {
            code: level
            + general
            + rng.gauss(0, 0.3)
            + TEAM_EFFECT[respondent.team].get(code, 0)
            + ROLE_EFFECT.get(respondent.role, {}).get(code, 0)
            + TENURE_EFFECT.get(respondent.tenure, {}).get(code, 0)
            + CONTRACT_EFFECT.get(respondent.contract, {}).get(code, 0)
            for code, level in COMPANY_LEVEL.items()
        }
        given = {}
        for item in items:
            expected = latent[item.dimension.code] + item_offset[item.code]
            given[item.code] = _answer(rng, item, expected, respondent)
            answers.append(Answer(response=response, item=item, value=given[item.code]))
        response.set_stored_scores(given, specs)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=1000)

    questions = {q.code: q for q in campaign.questionnaire.open_questions.all()}
    writers = rng.sample(responses, sum(len(texts) for texts in OPEN_ANSWERS.values()))
    open_answers = []
    for code, texts in OPEN_ANSWERS.items():
        if code in questions:
            for text in texts:
                open_answers.append(
                    OpenAnswer(response=writers.pop(), question=questions[code], text=text)
                )
    OpenAnswer.objects.bulk_create(open_answers)


def _respondents(rng: random.Random) -> list[Respondent]:
    respondents = []
    for team, count in RESPONDENTS.items():
        roles = (
            [Role.MANAGER] * MANAGERS.get(team, 0)
            + [Role.DIRECTOR] * DIRECTORS.get(team, 0)
            + [""] * NO_ROLE.get(team, 0)
        )
        roles += [Role.EMPLOYEE] * (count - len(roles))
        for role in roles:
            contract = rng.choices(
                [Contract.PERMANENT, Contract.TEMPORARY, Contract.WORK_STUDY, ""],
                [68, 15, 9, 8],
            )[0]
            if role == Role.DIRECTOR:
                contract = Contract.PERMANENT
            tenure_options = [Tenure.UNDER_1, Tenure.FROM_1_TO_5, Tenure.OVER_5, ""]
            tenure_weights = [12, 33, 45, 10]
            if contract == Contract.WORK_STUDY:
                tenure_weights = [60, 40, 0, 0]
            elif role == Role.DIRECTOR:
                tenure_weights = [0, 0, 1, 0]
            tenure = rng.choices(tenure_options, tenure_weights)[0]
            respondents.append(Respondent(team, str(role), str(tenure), str(contract)))
    rng.shuffle(respondents)
    return respondents


def _answer(rng: random.Random, item: Item, expected: float, respondent: Respondent) -> int | None:
    if item.allows_not_applicable:
        # Shop-floor employees see less of budgets and customer contacts.
        on_floor = respondent.team in {"Werkplaats", "Montage"} and respondent.role == Role.EMPLOYEE
        if rng.random() < (0.14 if on_floor else 0.04):
            return None
    score = min(5, max(1, round(expected + rng.gauss(0, 0.65))))
    # A reverse item is answered on the opposite side, so it scores coherently after 6 − x.
    return 6 - score if item.is_reversed else score
