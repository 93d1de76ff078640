"""The questionnaire's database work per request: the draft and its round in one read."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client

from assessments.models import Response, SurveyDraft

from .factories import make_campaign, make_organisation, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_and_token():
    questionnaire = make_questionnaire(dimensions=2, items_per_dimension=4)
    organisation = make_organisation(teams=("Bakkerij", "Winkel"))
    return make_campaign(organisation, questionnaire, teams=("Bakkerij", "Winkel"))


def _started(token) -> Client:
    client = Client()
    assert client.get(f"/s/{token}/").status_code == 302
    assert client.post("/survey/").status_code == 302
    return client


def _page(client, number, value="4") -> dict:
    html = client.get(f"/survey/step/{number}/").content.decode()
    names = {part.split('"')[0] for part in html.split('name="item-')[1:]}
    return {"action": "next", **{f"item-{name}": value for name in names}}


def test_a_page_is_read_with_the_session_and_one_more_query(
    round_and_token, django_assert_num_queries
):
    _, token = round_and_token
    client = _started(token)
    client.get("/survey/step/2/")  # the questionnaire's content and teams are now cached
    # session; draft with its round and organisation
    with django_assert_num_queries(2):
        response = client.get("/survey/step/2/")
    assert response.status_code == 200


def test_a_sent_page_reads_its_draft_once_locked_and_writes_it_once(
    round_and_token, django_assert_max_num_queries
):
    campaign, token = round_and_token
    client = _started(token)
    data = _page(client, 2)
    # session; draft + round (locked); one UPDATE; and BEGIN/COMMIT on SQLite
    with django_assert_max_num_queries(5) as queries:
        response = client.post("/survey/step/2/", data)
    assert response.status_code == 302
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2
    assert "assessments_campaign" in selects[1] and "assessments_surveydraft" in selects[1]
    draft = SurveyDraft.objects.get(campaign=campaign)
    assert len(draft.data["answers"]) == 4


def test_a_whole_questionnaire_is_still_stored_whole(round_and_token):
    campaign, token = round_and_token
    client = _started(token)
    number = 1
    while True:
        response = client.post(f"/survey/step/{number}/", _page(client, number))
        assert response.status_code == 302
        if response["Location"].endswith("/survey/review/"):
            break
        number += 1
    assert client.post("/survey/review/").status_code == 302
    (stored,) = Response.objects.filter(campaign=campaign)
    assert stored.sequence == 1
    assert stored.answers.count() == 8


def test_a_send_reads_draft_and_round_once_and_stores_everything_in_one_transaction(
    round_and_token, django_assert_max_num_queries
):
    campaign, token = round_and_token
    client = _started(token)
    number = 1
    while not client.post(f"/survey/step/{number}/", _page(client, number))["Location"].endswith(
        "/survey/review/"
    ):
        number += 1
    client.get("/survey/review/")
    # 13: the twelve of the send plus the "sent" marker for other devices (SentDraft); one
    # more where the database locks the round's row before numbering the response (PostgreSQL).
    most = 13 + (1 if connection.features.has_select_for_update else 0)
    with django_assert_max_num_queries(most) as queries:
        response = client.post("/survey/review/")
    assert response["Location"].endswith("/survey/done/")
    sql = [q["sql"] for q in queries.captured_queries]
    draft_reads = [q for q in sql if q.startswith("SELECT") and "assessments_surveydraft" in q]
    assert len(draft_reads) == 1  # with its round, locked
    assert Response.objects.get(campaign=campaign).answers.count() == 8
    assert not SurveyDraft.objects.filter(campaign=campaign).exists()


def test_a_first_visit_gets_one_new_session_and_a_planted_one_is_replaced(round_and_token):
    _, token = round_and_token
    fresh = Client()
    fresh.get(f"/s/{token}/")
    assert fresh.cookies[settings.SESSION_COOKIE_NAME].value

    # Someone who got a colleague's browser to carry a session key they know cannot follow
    # that colleague's questionnaire: opening the link replaces the key.
    known = SessionStore()
    known["something"] = "else"
    known.create()
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = known.session_key
    planted.get(f"/s/{token}/")
    assert planted.cookies[settings.SESSION_COOKIE_NAME].value != known.session_key
    assert not SessionStore().exists(known.session_key)


@pytest.mark.django_db(transaction=True)
def test_sends_that_queue_on_one_round_get_distinct_consecutive_numbers(round_and_token):
    """On PostgreSQL a send waits for the round's row lock; after the wait it must see the
    number the send before it took. SQLite runs one write transaction at a time anyway."""
    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent write transactions (runs in the PostgreSQL pass)")
    import threading

    campaign, _ = round_and_token
    senders = 6
    barrier = threading.Barrier(senders)
    numbers, errors = [], []

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                number = Response.objects.next_sequence(campaign)
                # Hold the lock a moment so that the others queue behind it.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.05)")
                Response.objects.create(campaign=campaign, sequence=number)
            numbers.append(number)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == list(range(1, senders + 1))
