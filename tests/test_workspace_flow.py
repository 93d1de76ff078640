"""The acceptance story of issue 3, walked through with the test client."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.access import consultant_group
from assessments.models import Campaign, Invitation, Organisation, Questionnaire, hash_token

from .factories import make_questionnaire, make_responses, make_user


@pytest.fixture(autouse=True)
def _english_ui(settings):
    # These tests read the English messages; Dutch (the default) is checked in test_i18n.py.
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/i/([A-Za-z0-9_-]+)/")


def _addresses(n: int) -> list[str]:
    return [f"medewerker{i:02d}@bakkerij.example" for i in range(1, n + 1)]


def test_consultant_to_reminders_without_revealing_who_answered():
    make_questionnaire()
    # carol of the cast (tests/personas.py), before the bakery exists: this story creates it.
    carol = make_user("carol", password="carol-secret-1")
    carol.groups.add(consultant_group())

    # The consultant logs in, creates the organisation and its HR account.
    consultant = Client()
    response = consultant.post(
        reverse("login"), {"username": "carol", "password": "carol-secret-1"}
    )
    assert response.status_code == 302
    response = consultant.post(
        reverse("assessments:organisation_create"),
        {"name": "Bakkerij De Korenschoof", "sector": "trade", "size_band": "10-49"},
    )
    organisation = Organisation.objects.get(name="Bakkerij De Korenschoof")
    assert response["Location"] == reverse(
        "assessments:organisation_detail", args=[organisation.pk]
    )
    response = consultant.post(
        reverse("assessments:member_add", args=[organisation.pk]),
        {"first_name": "Hanna", "last_name": "de Vries", "email": "Hanna@Korenschoof.example"},
    )
    assert response.status_code == 302
    (welcome,) = mail.outbox
    assert welcome.to == ["hanna@korenschoof.example"]
    set_password_path = re.search(r"https?://[^/\s]+(/accounts/welcome/\S+/)", welcome.body)[1]

    # The HR manager sets a password through the e-mailed link and is logged in.
    hr = Client()
    response = hr.get(set_password_path, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    response = hr.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Brood-en-banket-2026", "new_password2": "Brood-en-banket-2026"},
    )
    assert response.status_code == 302
    assert hr.get(reverse("assessments:home")).status_code == 200

    # Teams, then a round that is created and opened.
    for name, size in (("Bakkerij", 15), ("Winkel", 12)):
        response = hr.post(
            reverse("assessments:team_create", args=[organisation.pk]), {"name": name, "size": size}
        )
        assert response.status_code == 302
    today = timezone.localdate()
    response = hr.post(
        reverse("assessments:campaign_create", args=[organisation.pk]),
        {
            "name": "Voorjaar",
            "questionnaire": Questionnaire.objects.get().pk,
            "opens_on": today.isoformat(),
            "closes_on": (today + timezone.timedelta(days=14)).isoformat(),
            "threshold": 5,
            "ask_team": "on",
            "ask_role": "on",
            "default_language": "nl",
        },
    )
    campaign = Campaign.objects.get(organisation=organisation)
    assert response["Location"] == campaign.get_absolute_url()
    hr.post(reverse("assessments:campaign_open", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert list(campaign.teams.values_list("name", flat=True)) == ["Bakkerij", "Winkel"]

    # 30 addresses of which 3 malformed: told exactly which lines, nothing stored.
    good = _addresses(27)
    lines = ["e-mail", *good[:9], "jan.bakker.example", *good[9:18], "piet@", *good[18:]]
    lines.insert(25, "kees @bakkerij.example")
    assert len(lines) == 31  # a header and 30 addresses
    bad_lines = {i + 1 for i, v in enumerate(lines) if v.startswith(("jan.", "piet@", "kees "))}
    upload = SimpleUploadedFile("lijst.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"))
    invitations_url = reverse("assessments:invitations", args=[campaign.pk])
    response = hr.post(invitations_url, {"file": upload})
    assert response.status_code == 200
    reported = {row.line for row in response.context["result"].errors}
    assert reported == bad_lines
    html = response.content.decode()
    for line in sorted(bad_lines):
        assert f"<td>{line}</td>" in html
    assert Invitation.objects.filter(campaign=campaign).count() == 0

    # The fixed list of 27 goes in; invitations go out, one distinct link each.
    fixed = SimpleUploadedFile("lijst.csv", ("e-mail\n" + "\n".join(good)).encode())
    response = hr.post(invitations_url, {"file": fixed})
    assert response.status_code == 302
    assert campaign.invitations.count() == 27
    mail.outbox.clear()
    hr.post(reverse("assessments:invitation_send", args=[campaign.pk]))
    assert len(mail.outbox) == 27
    assert sorted(m.to[0] for m in mail.outbox) == sorted(good)
    tokens = {m.to[0]: LINK.search(m.body)[1] for m in mail.outbox}
    assert len(set(tokens.values())) == 27
    for message in mail.outbox:
        assert LINK.search(message.alternatives[0][0])[1] == tokens[message.to[0]]
    stored = set(campaign.invitations.values_list("token_hash", flat=True))
    assert {hash_token(t) for t in tokens.values()} == stored
    assert not any(t in stored for t in tokens.values())

    # Six employees answer through their links.
    answered = good[:6]
    make_responses(campaign, 6)
    Invitation.objects.filter(token_hash__in=[hash_token(tokens[a]) for a in answered]).update(
        is_used=True
    )

    # The rate shows 6 of 27; no page shows an address or who answered.
    response = hr.get(campaign.get_absolute_url())
    progress = response.context["progress"]
    assert (progress.responses, progress.invited) == (6, 27)
    assert 'data-field="rate_percent">22<' in response.content.decode()
    pages = [
        reverse("assessments:home"),
        reverse("assessments:organisation_detail", args=[organisation.pk]),
        campaign.get_absolute_url(),
        reverse("assessments:campaign_progress", args=[campaign.pk]),
        reverse("assessments:campaign_share", args=[campaign.pk]),
        invitations_url,
    ]
    for client in (hr, consultant):
        for page in pages:
            body = client.get(page).content.decode().lower()
            assert not [a for a in good if a in body], page
            assert not [t for t in tokens.values() if t.lower() in body], page

    # Reminders go to exactly the other 21, once the invitations are three days old.
    mail.outbox.clear()
    campaign.invitations.update(sent_on=timezone.localdate() - dt.timedelta(days=3))
    hr.post(reverse("assessments:invitation_remind", args=[campaign.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(good[6:])
    for message in mail.outbox:
        assert LINK.search(message.body)[1] == tokens[message.to[0]]

    # Closing the round deletes the addresses.
    hr.post(reverse("assessments:campaign_close", args=[campaign.pk]))
    assert not campaign.invitations.exclude(email="").exists()
