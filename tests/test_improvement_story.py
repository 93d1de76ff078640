"""Issue 12's acceptance story, end to end through the pages a user clicks.

Bakkerij A (alice is its HR manager) measures; a director and two team leaders fill in the
management view through its own link; the round closes; alice sees the gap radar and the five
largest statement gaps, picks two focus dimensions and four actions; the PDF has the management
page and the action plan page; a copy of the round a year later shows the change on both focus
dimensions; an overdue action sends one e-mail.

The management link is open for as long as the round is (a link used after the close says so,
see test_management_view.py), so the management team answers before the round closes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assessments import reports, tasks
from assessments.models import ActionPlan, Campaign, Intervention, PlanAction

from .factories import make_questionnaire, make_responses
from .personas import make_world

pytestmark = pytest.mark.django_db

# Employees score 3 everywhere except D2 (leadership), where they give 2s and 3s.
EMPLOYEE_VALUES = {
    "D1.1": 3, "D1.2": 3, "D1.3": 4, "D1.4": 3,
    "D2.1": 2, "D2.2": 3, "D2.3": 2, "D2.4": 2,
    "D3.1": 3, "D3.2": 4, "D3.3": 3, "D3.4": 3,
}  # fmt: skip
# Management sees its own leadership far more positively; D3.2 a little less positively.
MANAGEMENT_VALUES = {
    "D1.1": 4, "D1.2": 3, "D1.3": 4, "D1.4": 3,
    "D2.1": 5, "D2.2": 5, "D2.3": 4, "D2.4": 5,
    "D3.1": 4, "D3.2": 3, "D3.3": 3, "D3.4": 3,
}  # fmt: skip


def fill_in_management_view(
    url: str, name: str, role: str, values: dict[str, int], estimates: dict[int, str]
) -> Client:
    """One member of the management team answers through the management link."""
    browser = Client()
    response = browser.get(url)
    assert response.status_code == 302
    intro = browser.get(response["Location"])
    assert "niet anoniem" in intro.content.decode()
    response = browser.post(reverse("assessments:management_intro"), {"name": name, "role": role})
    assert response.status_code == 302, response.content.decode()
    step = 1
    while True:
        page = browser.get(reverse("assessments:management_step", args=[step]))
        codes = re.findall(r'name="item-(D\d\.\d)"', page.content.decode())
        data = {f"item-{code}": str(values[code]) for code in dict.fromkeys(codes)}
        if step in estimates:
            data["estimate"] = estimates[step]
        response = browser.post(
            reverse("assessments:management_step", args=[step]), {**data, "action": "next"}
        )
        assert response.status_code == 302, response.content.decode()
        if response["Location"] == reverse("assessments:management_review"):
            break
        step += 1
    response = browser.post(reverse("assessments:management_review"))
    assert response["Location"] == reverse("assessments:management_done")
    return browser


def pdf_pages(pdf: bytes, tmp_path, name: str) -> list[str]:
    """The text of every page (pdftotext) and a check that each page renders (pdftoppm)."""
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed; CI installs it")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / name)], check=True)
    pages = text.split("\f")
    images = sorted(tmp_path.glob(f"{name}-*.png"))
    assert len(images) == len([p for p in pages if p.strip()])
    for image in images:
        with Image.open(image) as png:
            # Every page shows something: more than one colour.
            assert len(png.convert("L").getcolors(maxcolors=256 * 256) or []) > 1
    return [re.sub(r"\s+", " ", page) for page in pages]


def test_from_the_management_view_to_a_plan_and_its_follow_up_a_year_later(tmp_path, settings):
    world = make_world()
    alice = world.users["hr_a"]
    call_command("loaddata", "interventions", verbosity=0)
    questionnaire = make_questionnaire(dimensions=3, items_per_dimension=4)
    campaign = Campaign.objects.create(
        organisation=world.org_a,
        questionnaire=questionnaire,
        name="Nulmeting",
        opens_on=timezone.localdate() - dt.timedelta(days=7),
        closes_on=timezone.localdate() + dt.timedelta(days=7),
        status=Campaign.Status.OPEN,
    )
    make_responses(campaign, 12, values=EMPLOYEE_VALUES)
    hr = Client()
    hr.force_login(alice)

    # HR invites the management team by sharing the management link.
    page = hr.get(reverse("assessments:campaign_management", args=[campaign.pk])).content.decode()
    link = re.search(r'id="management-url"[^>]*>([^<]+)<', page)[1]
    path = link.removeprefix(settings.SITE_URL)
    fill_in_management_view(path, "Jan de Bakker", "director", MANAGEMENT_VALUES, {2: "4.5"})
    for name in ("Eva", "Ali"):
        fill_in_management_view(path, name, "team_leader", MANAGEMENT_VALUES, {2: "4.0"})
    page = hr.get(reverse("assessments:campaign_management", args=[campaign.pk])).content.decode()
    assert "Jan de Bakker" in page and "Eva" in page and "Ali" in page

    # The round closes.
    response = hr.post(reverse("assessments:campaign_close", args=[campaign.pk]))
    assert response.status_code == 302

    # HR sees the gap radar and the five largest statement gaps.
    page = hr.get(reverse("assessments:campaign_results", args=[campaign.pk]))
    html = page.content.decode()
    figures = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', html, re.S)[1])
    radar = figures["chart-management"]["data"]
    assert [trace["meta"] for trace in radar] == ["employees", "management"]
    assert radar[1]["r"][:3] == [3.5, 4.75, 3.25]  # management per dimension, closed line
    starters = re.search(r'id="gaps-management-higher"(.*?)</ol>', html, re.S)[1]
    assert re.findall(r"Stelling (D\d\.\d)", starters) == ["D2.1", "D2.4", "D2.2", "D2.3", "D1.1"]
    lower = re.search(r'id="gaps-employees-higher"(.*?)</ol>', html, re.S)[1]
    assert re.findall(r"Stelling (D\d\.\d)", lower) == ["D3.2"]
    assert re.search(r'data-gap="D2".*?\+2,50', html, re.S)  # 4,75 against 2,25

    # HR picks two focus dimensions and four actions: two from the library, two by hand.
    plan_url = reverse("assessments:plan", args=[campaign.pk])
    response = hr.post(plan_url, {"focus": ["D2", "D3"]})
    assert response.status_code == 302
    new_action = reverse("assessments:action_create", args=[campaign.pk])
    today = timezone.localdate()
    picked = Intervention.objects.filter(dimension_code="D2").order_by("position")[:2]
    for number, intervention in enumerate(picked):
        form = hr.get(new_action, {"dimension": "D2", "intervention": intervention.code})
        assert intervention.title_nl in form.content.decode()
        response = hr.post(
            new_action,
            {
                "dimension": "D2",
                "intervention": intervention.code,
                "title": intervention.title_nl,
                "owner": "Jan de Bakker",
                "starts_on": (today - dt.timedelta(days=30)).isoformat(),
                "due_on": (today - dt.timedelta(days=1 - number * 60)).isoformat(),
                "status": "in_progress",
                "note": "",
            },
        )
        assert response.status_code == 302, response.content.decode()
    for title in ("Vaste overlegplek bij de ovens", "Inwerkmaatje voor nieuwe bakkers"):
        response = hr.post(
            new_action,
            {
                "dimension": "D3",
                "title": title,
                "owner": "Eva",
                "starts_on": today.isoformat(),
                "due_on": (today + dt.timedelta(days=90)).isoformat(),
                "status": "planned",
                "note": "Bespreken in het werkoverleg.",
            },
        )
        assert response.status_code == 302, response.content.decode()
    plan = ActionPlan.objects.get(campaign=campaign)
    assert [d.code for d in plan.focus_dimensions()] == ["D2", "D3"]
    assert plan.actions.count() == 4
    page = hr.get(reverse("assessments:campaign_results", args=[campaign.pk])).content.decode()
    assert "Inwerkmaatje voor nieuwe bakkers" in page

    # The PDF has the management page and the action plan page.
    campaign.refresh_from_db()
    pages = pdf_pages(reports.build_report_pdf(campaign, "nl"), tmp_path, "nulmeting")
    management_page = next(p for p in pages if "Het beeld van de leiding" in p)
    assert "Jan de Bakker" in management_page and "Stelling D2.1" in management_page
    plan_page = next(p for p in pages if "Actieplan" in p and "Vaste overlegplek" in p)
    assert "Inwerkmaatje voor nieuwe bakkers" in plan_page and "bezig" in plan_page

    # An overdue action sends one e-mail, once.
    mail.outbox.clear()
    tasks.notify_due_actions.call()
    tasks.notify_due_actions.call()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert picked[0].title_nl in mail.outbox[0].body

    # A copy of the round a year later shows the change on both focus dimensions.
    response = hr.post(reverse("assessments:campaign_copy", args=[campaign.pk]))
    later = Campaign.objects.exclude(pk__in=[campaign.pk]).get(name__contains="Nulmeting")
    later.opens_on = campaign.closes_on + dt.timedelta(days=351)
    later.closes_on = campaign.closes_on + dt.timedelta(days=365)
    later.save(update_fields=["opens_on", "closes_on"])
    later.open(by=alice)
    improved = {**EMPLOYEE_VALUES, "D2.1": 4, "D2.2": 4, "D2.3": 4, "D2.4": 3, "D3.1": 4}
    make_responses(later, 12, values=improved)
    hr.post(reverse("assessments:campaign_close", args=[later.pk]))
    later.refresh_from_db()
    html = hr.get(reverse("assessments:campaign_results", args=[later.pk])).content.decode()
    since = re.search(r'id="since-plan"(.*?)</section>', html, re.S)[1]
    assert 'data-focus="D2"' in since and 'data-focus="D3"' in since
    assert "betekenisvol" in since.lower()
    pages = pdf_pages(reports.build_report_pdf(later, "nl"), tmp_path, "een-jaar-later")
    follow_up = next(p for p in pages if "Sinds het actieplan" in p)
    assert "Dimensie 2" in follow_up and "Dimensie 3" in follow_up
    assert PlanAction.objects.filter(plan=plan).count() == 4
    assert "ja, hoger" in follow_up
