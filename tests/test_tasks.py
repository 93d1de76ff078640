"""Background work on the Tasks API: reports rendered ahead, mail, periodic jobs, the worker."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import mailing, reports, reportstore, tasks
from assessments.models import (
    ActionPlan,
    Campaign,
    ConsultantProfile,
    Invitation,
    PlanAction,
    StoredReport,
)
from assessments.services import close_round, delete_answers

from .factories import make_campaign, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def bakery_round(cast):
    questionnaire = make_questionnaire(dimensions=2, items_per_dimension=3)
    # Interim results, so that the open round has a report too (the first 5 of 12).
    campaign, _ = make_campaign(
        cast.bakery,
        questionnaire,
        teams=("Bakkerij", "Winkel"),
        interim_results=Campaign.Interim.ORGANISATION,
    )
    make_responses(campaign, 12, seed=1, role="employee")
    return Campaign.objects.select_related("organisation").get(pk=campaign.pk)


@pytest.fixture
def renders(monkeypatch):
    """Counts real renders, so a test can tell a stored PDF from a fresh one."""
    made: list[str] = []
    real = reports.build_report_pdf

    def counting(campaign, language):
        made.append(language)
        return real(campaign, language)

    monkeypatch.setattr(reports, "build_report_pdf", counting)
    return made


@pytest.fixture
def worker(monkeypatch):
    """Runs django-tasks-db's worker until the queue is empty, in the test's transaction.

    The worker closes "obsolete" connections between tasks, and a connection inside a test's
    transaction looks obsolete to it; the test's connection must stay open.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run(**options):
        call_command(
            "db_worker", batch=True, no_startup_delay=True, verbosity=0, reload=False, **options
        )

    return run


def _download(client, campaign, language="nl"):
    response = client.get(
        reverse("assessments:campaign_report", args=[campaign.pk]), {"lang": language}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


# --- Reports rendered ahead ----------------------------------------------------------------


def test_closing_a_round_renders_both_languages_and_the_download_renders_nothing(
    settings, client, cast, bakery_round, renders
):
    settings.REPORT_PRERENDER = True
    close_round(bakery_round)
    assert sorted(renders) == ["en", "nl"]
    assert set(StoredReport.objects.values_list("language", flat=True)) == {"nl", "en"}

    client.force_login(cast.alice)
    for language in ("nl", "en"):
        pdf = _download(client, bakery_round, language)
        stored = StoredReport.objects.get(campaign=bakery_round, language=language)
        assert pdf == bytes(stored.pdf)
    assert sorted(renders) == ["en", "nl"]  # both downloads were the stored files


def test_without_a_stored_report_the_download_renders_it_and_keeps_it(
    client, cast, bakery_round, renders
):
    client.force_login(cast.alice)
    first = _download(client, bakery_round, "en")
    assert first.startswith(b"%PDF") and renders == ["en"]
    assert _download(client, bakery_round, "en") == first
    assert renders == ["en"]


def test_a_new_response_makes_the_stored_report_stale(client, cast, bakery_round, renders):
    client.force_login(cast.alice)
    before = _download(client, bakery_round)
    make_responses(bakery_round, 1, seed=7)
    after = _download(client, bakery_round)
    assert renders == ["nl", "nl"]
    assert after != before


@pytest.mark.parametrize(
    "change",
    ["round name", "organisation name", "threshold", "status", "branding"],
)
def test_a_stored_report_is_never_served_for_another_state_of_the_round(
    settings, cast, bakery_round, renders, change
):
    settings.REPORT_PRERENDER = False  # the change itself must not re-render: the key must
    profile = ConsultantProfile.objects.create(user=cast.carol, display_name="Carol Adviseur")
    stale = reportstore.get_pdf(bakery_round, "nl")
    assert renders == ["nl"]

    if change == "round name":
        Campaign.objects.filter(pk=bakery_round.pk).update(name="Een andere naam")
    elif change == "organisation name":
        cast.bakery.name = "Bakkerij Nieuw"
        cast.bakery.save()
    elif change == "threshold":
        Campaign.objects.filter(pk=bakery_round.pk).update(threshold=6)
    elif change == "status":
        Campaign.objects.filter(pk=bakery_round.pk).update(status=Campaign.Status.CLOSED)
    else:
        profile.display_name = "Carol de Vries"
        profile.save()
    fresh = Campaign.objects.select_related("organisation").get(pk=bakery_round.pk)
    assert reportstore.stored_pdf(fresh, "nl") is None
    assert reportstore.get_pdf(fresh, "nl") != stale
    assert renders == ["nl", "nl"]


def test_a_render_whose_round_changed_meanwhile_is_not_stored(bakery_round, monkeypatch):
    real = reports.build_report_pdf

    def render_then_change(campaign, language):
        pdf = real(campaign, language)
        make_responses(campaign, 1, seed=11)  # arrives while the PDF was being made
        return pdf

    monkeypatch.setattr(reports, "build_report_pdf", render_then_change)
    assert reportstore.render_and_store(bakery_round, "nl").startswith(b"%PDF")
    assert not StoredReport.objects.exists()


def test_branding_changes_render_the_closed_rounds_again(settings, cast, bakery_round, renders):
    settings.REPORT_PRERENDER = True
    profile = ConsultantProfile.objects.create(user=cast.carol, display_name="Carol Adviseur")
    assert renders == []  # the round is still open: nothing to render ahead

    close_round(bakery_round)
    renders.clear()
    profile.display_name = "Carol de Vries"
    profile.save()
    assert sorted(renders) == ["en", "nl"]
    assert "Carol de Vries" in _pdf_text(StoredReport.objects.get(language="en").pdf)


def test_deleting_the_answers_deletes_the_stored_reports(settings, bakery_round, renders):
    settings.REPORT_PRERENDER = True
    close_round(bakery_round)
    assert StoredReport.objects.count() == 2
    delete_answers(bakery_round)
    assert not StoredReport.objects.exists()


def test_a_round_below_the_threshold_stores_nothing(settings, cast):
    settings.REPORT_PRERENDER = True
    campaign, _ = make_campaign(
        cast.bakery, make_questionnaire(dimensions=1, items_per_dimension=3)
    )
    make_responses(campaign, 2, seed=1)
    close_round(campaign)
    assert not StoredReport.objects.exists()


def _plan_with_an_action(campaign: Campaign) -> PlanAction:
    plan = ActionPlan.objects.create(campaign=campaign)
    dimension = campaign.questionnaire.dimensions.order_by("position").first()
    plan.focus.set([dimension])
    today = timezone.localdate()
    return PlanAction.objects.create(
        plan=plan,
        dimension=dimension,
        title="Samen terugkijken",
        owner="Eva de Vries",
        starts_on=today,
        due_on=today + dt.timedelta(days=30),
    )


def test_a_plan_change_renders_the_reports_again_once_the_edits_have_settled(
    settings, database_queue, worker, bakery_round, renders
):
    settings.REPORT_PRERENDER = True
    close_round(bakery_round)
    worker(queue_name="reports")
    renders.clear()

    action = _plan_with_an_action(bakery_round)  # a focus, then an action: one burst of edits
    action.status = PlanAction.Status.IN_PROGRESS
    action.save()
    waiting = DBTaskResult.objects.filter(
        task_path="assessments.tasks.render_reports", status="READY"
    )
    (task,) = waiting  # one render for the whole burst, not one per save
    assert task.args_kwargs == {"args": [bakery_round.pk], "kwargs": {}}
    assert task.run_after > timezone.now()  # after the edits, not during them
    assert reportstore.stored_pdf(bakery_round, "nl") is None  # the plan made the PDF stale

    waiting.update(run_after=timezone.now() - dt.timedelta(seconds=1))
    worker(queue_name="reports")
    assert sorted(renders) == ["en", "nl"]
    for language in ("nl", "en"):
        assert reportstore.stored_pdf(bakery_round, language) is not None


def test_in_development_a_plan_change_makes_nobody_wait_for_a_render(
    settings, client, cast, bakery_round, renders
):
    # Tasks run inside the request there: a render per save would cost seconds per click.
    settings.REPORT_PRERENDER = True
    close_round(bakery_round)
    renders.clear()
    _plan_with_an_action(bakery_round)
    assert renders == []
    client.force_login(cast.alice)
    _download(client, bakery_round, "en")  # the download renders the current state
    assert renders == ["en"]


# --- The database queue and its worker --------------------------------------------------------


def test_sending_invitations_queues_a_task_that_the_worker_delivers(
    database_queue, worker, bakery_round
):
    Invitation.objects.create(campaign=bakery_round, email="ans@example.nl")
    assert not mailing.delivers_in_request()

    mailing.queue_invitations(bakery_round)
    mailing.after_queueing(bakery_round)
    assert mail.outbox == []
    task = DBTaskResult.objects.get(task_path="assessments.tasks.deliver_invitations")
    # Only the round's id goes into the task table: no address, invitation or response.
    assert task.args_kwargs == {"args": [bakery_round.pk], "kwargs": {}}

    worker()
    assert [m.to for m in mail.outbox] == [["ans@example.nl"]]
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def test_closing_a_round_queues_its_reports_for_the_worker(
    settings, database_queue, worker, bakery_round, renders
):
    settings.REPORT_PRERENDER = True
    close_round(bakery_round)
    assert renders == []
    (task,) = DBTaskResult.objects.filter(task_path="assessments.tasks.render_reports")
    assert task.queue_name == "reports"
    assert task.args_kwargs == {"args": [bakery_round.pk], "kwargs": {}}

    worker(queue_name="reports")
    assert sorted(renders) == ["en", "nl"]
    assert StoredReport.objects.count() == 2


def test_periodic_tasks_are_scheduled_once_and_schedule_their_next_run(
    database_queue, worker, cast
):
    DBTaskResult.objects.all().delete()
    now = timezone.make_aware(dt.datetime(2026, 5, 4, 12, 0))
    assert sorted(tasks.ensure_scheduled(now)) == sorted(tasks.PERIODIC)
    assert tasks.ensure_scheduled(now) == []  # already waiting
    closing = DBTaskResult.objects.get(task_path="assessments.tasks.close_due_rounds")
    assert timezone.localtime(closing.run_after) == timezone.make_aware(
        dt.datetime(2026, 5, 5, 0, 5)
    )

    # A due round is closed by the task, which first schedules its own next run.
    campaign, _ = make_campaign(
        cast.bakery, make_questionnaire(dimensions=1, items_per_dimension=3)
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2020, 2, 1)
    )
    DBTaskResult.objects.filter(pk=closing.pk).update(run_after=timezone.now())
    worker()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    closing.refresh_from_db()
    assert closing.status == "SUCCESSFUL"
    waiting = DBTaskResult.objects.filter(
        task_path="assessments.tasks.close_due_rounds", status="READY"
    )
    assert waiting.count() == 1
    assert waiting.get().run_after > timezone.now()


def test_the_immediate_backend_schedules_nothing(cast):
    DBTaskResult.objects.all().delete()
    assert tasks.ensure_scheduled() == []
    assert mailing.delivers_in_request()


def test_the_cron_commands_still_do_the_work_themselves(database_queue, bakery_round):
    Campaign.objects.filter(pk=bakery_round.pk).update(
        opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2020, 2, 1)
    )
    out = io.StringIO()
    call_command("close_due_rounds", stdout=out)
    assert "Closed 1 round(s)." in out.getvalue()


def _pdf_text(pdf) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(pdf))).pages)
