"""Four differencing attacks on one round, as an attacker with a spreadsheet would run them.

Bakkerij De Korenschoof has teams of 4, 9 and 12 and k = 5. Every employee fills in the
questionnaire on their own phone (the real survey views); alice (HR) and carol (consultant)
of the cast in tests/personas.py then read what their accounts can download. Each attack
worked on the code before the publication plan (issue 10); each test asserts that it now
recovers no group below k.

The employees of the round:
* Expeditie (4): employees, 1–5 years, temporary contracts — the group to protect.
* Montage (9): 2 newcomer managers, 7 long-serving employees, permanent.
* Werkplaats (12): 3 newcomer managers, 1 newcomer employee, 1 temporary employee, 7
  long-serving employees.
So "< 1 year" has 6 people, the 5 managers are all newcomers, "temporary" is the 4 of
Expeditie plus one of Werkplaats.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments.models import Campaign, Contract, Role, Tenure
from assessments.services import close_round

from .attacker import download
from .factories import make_campaign, make_questionnaire

pytestmark = pytest.mark.django_db

K = 5
DIMENSIONS = 3
ITEMS = [f"D{d}.{i}" for d in range(1, DIMENSIONS + 1) for i in (1, 2)]


@dataclass
class Employee:
    team: str
    role: str
    tenure: str
    contract: str
    answers: dict[str, int]

    def scores(self) -> list[float]:
        return [
            (self.answers[f"D{d}.1"] + self.answers[f"D{d}.2"]) / 2
            for d in range(1, DIMENSIONS + 1)
        ]


def employees() -> list[Employee]:
    rng = random.Random(4417)
    people = []

    def add(team, role, tenure, contract, count):
        for _ in range(count):
            answers = {code: rng.randint(1, 5) for code in ITEMS}
            people.append(Employee(team, role, tenure, contract, answers))

    add("Expeditie", "employee", "1-5", "temporary", 4)
    add("Montage", "manager", "lt1", "permanent", 2)
    add("Montage", "employee", "gt5", "permanent", 7)
    add("Werkplaats", "manager", "lt1", "permanent", 3)
    add("Werkplaats", "employee", "lt1", "permanent", 1)
    add("Werkplaats", "employee", "1-5", "temporary", 1)
    add("Werkplaats", "employee", "gt5", "permanent", 7)
    return people


def open_round(organisation, interim: str) -> tuple[Campaign, str]:
    questionnaire = make_questionnaire(dimensions=DIMENSIONS, items_per_dimension=2)
    return make_campaign(
        organisation,
        questionnaire,
        teams=("Expeditie", "Montage", "Werkplaats"),
        threshold=K,
        ask_tenure=True,
        ask_contract=True,
        interim_results=interim,
    )


def fill_in(campaign: Campaign, token: str, person: Employee) -> None:
    """One employee on their own phone: link, intro, every page, send."""
    phone = Client()
    assert phone.get(f"/s/{token}/").status_code == 302
    assert phone.post(reverse("assessments:survey_intro")).status_code == 302
    team = campaign.teams.get(name=person.team)
    segments = {
        "segment-team": team.pk,
        "segment-role": person.role,
        "segment-tenure": person.tenure,
        "segment-contract": person.contract,
        "action": "next",
    }
    assert phone.post("/survey/step/1/", segments).status_code == 302
    for d in range(1, DIMENSIONS + 1):
        page = {f"item-D{d}.{i}": person.answers[f"D{d}.{i}"] for i in (1, 2)}
        response = phone.post(f"/survey/step/{d + 1}/", {**page, "action": "next"})
        assert response.status_code == 302
    phone.post(f"/survey/step/{DIMENSIONS + 2}/", {"open-O1": "", "action": "next"})
    response = phone.post(reverse("assessments:survey_review"))
    assert response.status_code == 302 and response.url == reverse("assessments:survey_done")


@dataclass(frozen=True)
class Published:
    """One published group: its label, size and dimension means."""

    label: str
    n: int
    means: tuple[float | None, ...]


def published_groups(sheets: dict) -> list[Published]:
    """The organisation and every breakdown group with figures in an aggregated file."""
    dims = sheets["Dimensions"]
    groups = [Published("organisation", dims[0]["Respondents (n)"], tuple(d["Mean"] for d in dims))]
    codes = [d["Code"] for d in dims]
    for row in sheets["Breakdowns"]:
        if row["Respondents (n)"] is None:
            continue
        means = []
        for code in codes:
            column = next(c for c in row if c and c.startswith(f"{code} "))
            means.append(row[column])
        groups.append(
            Published(f"{row['Breakdown']}: {row['Group']}", row["Respondents (n)"], tuple(means))
        )
    for row in sheets["Managers vs. employees"]:
        if row.get("Respondents (n)"):
            means = [v for c, v in row.items() if c and c.split(" ")[0] in codes]
            groups.append(
                Published(f"role group: {row['Group']}", row["Respondents (n)"], tuple(means))
            )
    return groups


def isolates(sums: list[float], count: int, people: list[Employee]) -> bool:
    """Whether (sums, count) are the summed scores of fewer than k real people."""
    if not 0 < count < K:
        return False
    for group in itertools.combinations(people, count):
        totals = [sum(p.scores()[d] for p in group) for d in range(DIMENSIONS)]
        if all(abs(a - b) < 0.05 * count for a, b in zip(totals, sums, strict=True)):
            return True
    return False


# --- 1. An open round, looked at after N and after N + 1 responses ----------------------


@pytest.mark.parametrize("interim", [Campaign.Interim.NONE, Campaign.Interim.ORGANISATION])
def test_two_looks_at_an_open_round_never_differ_by_fewer_than_k_people(cast, interim):
    organisation, alice = cast.bakery, cast.alice
    campaign, token = open_round(organisation, interim)
    people = employees()
    random.Random(1).shuffle(people)
    looks = []
    for number, person in enumerate(people, start=1):
        fill_in(campaign, token, person)
        if number >= 10:
            looks.append(download(alice, campaign))
    for before, after in itertools.pairwise(looks):
        n_before = sum(r["Valid answers"] for r in before["Items"]) if before else 0
        n_after = sum(r["Valid answers"] for r in after["Items"]) if after else 0
        # The attacker subtracts valid count × mean per statement: the newest answers come out
        # only when the two looks differ by fewer than k respondents.
        people_between = (n_after - n_before) // len(ITEMS)
        assert people_between == 0 or people_between >= K
        if before and after and people_between:
            sums = [
                sum(
                    a["Valid answers"] * a["Mean"] - b["Valid answers"] * b["Mean"]
                    for a, b in zip(after["Items"], before["Items"], strict=True)
                    if a["Dimension"] == code
                )
                / 2
                for code in [f"D{d}" for d in range(1, DIMENSIONS + 1)]
            ]
            assert not isolates(sums, people_between, people)
    if interim == Campaign.Interim.NONE:
        assert not any(looks), "nothing may be published before the round closes"
    else:
        assert any(looks), "interim results must appear"


# --- 2. Over time: a team shown while open, hidden at close ------------------------------


@pytest.mark.parametrize("interim", [Campaign.Interim.NONE, Campaign.Interim.ORGANISATION])
def test_a_group_shown_while_open_cannot_be_subtracted_from_the_final_results(cast, interim):
    organisation, alice = cast.bakery, cast.alice
    campaign, token = open_round(organisation, interim)
    people = employees()
    # Montage and Werkplaats answer first; Expeditie last.
    people.sort(key=lambda p: p.team == "Expeditie")
    seen: list[Published] = []
    for person in people:
        fill_in(campaign, token, person)
        sheets = download(alice, campaign)
        if sheets:
            seen += published_groups(sheets)
    close_round(campaign)
    final = published_groups(download(alice, campaign))
    organisation_final = final[0]
    assert organisation_final.n == 25
    # The attacker tries every selection of other groups ever shown, from any look.
    groups = [g for g in {*seen, *final[1:]} if g.label != "organisation" or g.n < 25]
    for size in range(1, 4):
        for selection in itertools.combinations(groups, size):
            count = organisation_final.n - sum(g.n for g in selection)
            if not 0 < count < K:
                continue
            sums = [
                organisation_final.n * organisation_final.means[d]
                - sum(g.n * (g.means[d] or 0) for g in selection)
                for d in range(DIMENSIONS)
            ]
            assert not isolates(sums, count, people), [g.label for g in selection]


# --- 3. Across breakdowns: two groups that differ by one person --------------------------


def test_groups_of_two_breakdowns_never_differ_by_fewer_than_k_people(cast):
    organisation, alice = cast.bakery, cast.alice
    campaign, token = open_round(organisation, Campaign.Interim.NONE)
    people = employees()
    for person in people:
        fill_in(campaign, token, person)
    close_round(campaign)
    groups = published_groups(download(alice, campaign))
    assert len(groups) >= 2, "some breakdown must still be shown"
    for a, b in itertools.permutations(groups, 2):
        count = a.n - b.n
        sums = [a.n * a.means[d] - b.n * b.means[d] for d in range(DIMENSIONS)]
        assert not isolates(sums, count, people), (a.label, b.label)
    # The invariant behind it: the groups' true member sets cut nobody into a part below k.
    members = _true_members(groups, people)
    atoms: dict[tuple, int] = {}
    for index in range(len(people)):
        key = tuple(index in m for m in members.values())
        atoms[key] = atoms.get(key, 0) + 1
    assert all(size >= K for size in atoms.values()), atoms


def _true_members(groups: list[Published], people: list[Employee]) -> dict[str, set[int]]:
    """Which people each published label stands for (the attacker does not know this)."""
    with translation.override("en"):
        values = {
            "Team": {p.team: p.team for p in people},
            "Role": {str(label): value for value, label in Role.choices},
            "Years of service": {str(label): value for value, label in Tenure.choices},
            "Type of contract": {str(label): value for value, label in Contract.choices},
            "role group": {"Managers and directors": "leadership", "Employees": "employees"},
        }
    attribute = {
        "Team": "team",
        "Role": "role",
        "Years of service": "tenure",
        "Type of contract": "contract",
    }
    members = {}
    for group in groups:
        if group.label == "organisation":
            members[group.label] = set(range(len(people)))
            continue
        kind, _, name = group.label.partition(": ")
        value = values[kind][name]
        if kind == "role group":
            leading = value == "leadership"
            members[group.label] = {
                i for i, p in enumerate(people) if (p.role != "employee") == leading
            }
        else:
            members[group.label] = {
                i for i, p in enumerate(people) if getattr(p, attribute[kind]) == value
            }
    return members


# --- 4. The consultant's response file, linked to a group on the dashboard ---------------


def test_linking_the_response_file_to_a_published_group_singles_out_nobody(cast):
    organisation, alice, carol = cast.bakery, cast.alice, cast.carol
    campaign, token = open_round(organisation, Campaign.Interim.NONE)
    people = employees()
    for person in people:
        fill_in(campaign, token, person)
    close_round(campaign)
    groups = published_groups(download(alice, campaign))
    rows = download(carol, campaign, "responses")["Responses"]
    assert len(rows) == 25
    label_columns = [
        c for c in ("team", "leadership", "role", "tenure", "contract") if c in rows[0]
    ]

    def scores(row) -> list[float]:
        return [
            (row[f"D{d}.1_scored"] + row[f"D{d}.2_scored"]) / 2 for d in range(1, DIMENSIONS + 1)
        ]

    for group in groups[1:]:
        # The subset search of the attack: the rows whose mean scores are the group's.
        matches = (
            [
                subset
                for subset in itertools.combinations(range(len(rows)), group.n)
                if all(
                    abs(sum(scores(rows[i])[d] for i in subset) / group.n - group.means[d]) < 0.006
                    for d in range(DIMENSIONS)
                )
            ]
            if group.n <= 6
            else []
        )
        for subset in matches:
            cells: dict[tuple, int] = {}
            for i in subset:
                key = tuple(rows[i][c] for c in label_columns)
                cells[key] = cells.get(key, 0) + 1
            # Crossed with the file's own columns, no cell of the group is below k.
            assert all(n >= K for n in cells.values()), (group.label, cells)
    # And the file's own columns crossed never hold fewer than k rows.
    combos: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row[c] for c in label_columns)
        combos[key] = combos.get(key, 0) + 1
    assert all(n >= K for n in combos.values()), combos


# --- Changing k after opening ------------------------------------------------------------


def test_the_minimum_group_size_of_an_open_round_cannot_be_changed(cast):
    from django.core.exceptions import ValidationError

    organisation, alice = cast.bakery, cast.alice
    campaign, _ = open_round(organisation, Campaign.Interim.ORGANISATION)
    for field, value in (("threshold", 7), ("threshold", 3), ("interim_results", "none")):
        setattr(campaign, field, value)
        with pytest.raises(ValidationError) as refusal, translation.override("en"):
            campaign.full_clean()
        with translation.override("en"):
            assert "can no longer be changed" in str(refusal.value.message_dict[field])
        campaign.refresh_from_db()
    # The workspace's form for an open round does not offer it; posting it changes nothing.
    client = Client()
    client.force_login(alice)
    url = reverse("assessments:campaign_edit", args=[campaign.pk])
    assert 'name="threshold"' not in client.get(url).content.decode()
    client.post(url, {"threshold": 3, "closes_on": campaign.closes_on.isoformat()})
    campaign.refresh_from_db()
    assert campaign.threshold == K


def test_a_round_moves_forward_only_and_keeps_its_questionnaire_once_open(cast):
    from django.core.exceptions import ValidationError

    organisation = cast.bakery
    campaign, _ = open_round(organisation, Campaign.Interim.NONE)
    other = make_questionnaire(dimensions=1, items_per_dimension=3)
    campaign.questionnaire = other
    with pytest.raises(ValidationError) as refusal:
        campaign.full_clean()
    assert "questionnaire" in refusal.value.message_dict
    campaign.refresh_from_db()
    campaign.mark_closed()
    for earlier in (Campaign.Status.OPEN, Campaign.Status.DRAFT):
        campaign.status = earlier
        with pytest.raises(ValidationError) as refusal, translation.override("en"):
            campaign.full_clean()
        with translation.override("en"):
            assert "only moves forward" in str(refusal.value.message_dict["status"])
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED


def test_staff_see_the_locked_settings_of_an_open_round_read_only_in_the_admin(cast):
    campaign, _ = open_round(cast.bakery, Campaign.Interim.NONE)
    client = Client()
    client.force_login(cast.sam)  # staff and superuser
    url = reverse("admin:assessments_campaign_change", args=[campaign.pk])
    page = client.get(url).content.decode()
    assert 'name="threshold"' not in page and 'name="interim_results"' not in page
    assert 'name="status"' not in page and 'name="questionnaire"' not in page
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert 'name="threshold"' in client.get(url).content.decode()
