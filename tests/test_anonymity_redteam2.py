"""Red-team round 2: attacks on the response-level file, each a leak of commit c359542.

Every test plays an attacker with a spreadsheet, downloads what the role may download (the
aggregated XLSX — the same numbers as the dashboard, the PDF and ``campaign_results --json`` —
and, for consultants, the response-level XLSX of a closed round), does the arithmetic, and
asserts that it does NOT recover a figure about fewer than k respondents. Each assertion fails
on the code of commit c359542; the message says what was recovered.

What the publication plan's proof does not cover this time, in short:

* the response-level file is not built from the plan's *dimension* plans: its group labels
  make every "group ∩ people with a score on a dimension" computable, including the cells the
  plan hides (A);
* the blanks that ``rows_to_blank`` adds to the file make the file differ from the aggregated
  results by exactly the blanked rows, fewer than k of them (B);
* ``rows_to_blank`` makes patterns of blanks common within the file's group labels, but not
  within the blocks of submission order that the interim looks publish (C);
* ``rows_to_blank`` draws its companion rows anew on every download (D), and makes the
  patterns common only within the group columns of the file at hand, so two files with
  different columns (``export_responses --by``) are blanked differently (E).

The fix (``anonymity.file_dimensions``): no single answer is ever changed; a dimension whose
blank patterns (within the labels of every group column the file could carry, and the blocks
of the looks) would leave a combination below k is left out of the file whole, the same way
in every download and every file. The tests read a left-out column as empty, as anyone would.
"""

from __future__ import annotations

import itertools
import statistics
from fractions import Fraction

import pytest

from assessments.models import Campaign
from assessments.services import close_round

from .attacker import by, distribution, download, read_sheets, score
from .factories import add_teams, make_campaign, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db

K = 5


# --- What the attacker downloads ---------------------------------------------------------


def blank(value) -> bool:
    return value in (None, "")


def row_score(row: dict, codes: list[str]) -> Fraction | None:
    """A respondent's dimension score from the file's _scored columns (the codebook's rule)."""
    valid = [int(row[f"{c}_scored"]) for c in codes if not blank(row[f"{c}_scored"])]
    if not valid or len(valid) * 3 < len(codes) * 2:
        return None
    return Fraction(sum(valid), len(valid))


# --- A. The file's group labels give back a dimension cell the plan hides ----------------


def test_the_response_file_gives_back_the_team_cell_the_dashboard_hides(cast):
    """The consultant, default settings, closed round. Verkoop (5) and Productie (5) are both
    shown. In Productie only the team lead, Henk, has customer contact; the four others answer
    "n.v.t." on the customer statements and have no score on D1. The plan (issue 10, attack 4)
    therefore hides Productie's D1 cell *and* Verkoop's, because the organisation's D1 mean
    (n = 6) minus Verkoop's would be Henk's score.

    But the response-level file labels every row with its team, and Verkoop's five rows are
    complete: their D1 scores add up to exactly the Verkoop cell the dashboard hides. The
    organisation's D1 mean from the aggregated file (n = 6) minus that sum is Henk's score.
    The dimension plans (``plan_dimension``) decide what the results show of E_d ∩ group,
    but the file publishes E_d ∩ group for every label it carries.
    """
    codes = ["D1.1", "D1.2", "D1.3"]
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=3, not_applicable_codes=("D1.2", "D1.3")
    )
    teams = ("Verkoop", "Productie")
    organisation, carol = cast.bakery, cast.carol
    add_teams(organisation, *teams)
    campaign, _ = make_campaign(
        organisation, questionnaire, teams=teams, ask_role=False, ask_tenure=False
    )
    team = {t.name: t for t in campaign.teams.all()}
    make_responses(campaign, 5, seed=1, team=team["Verkoop"])
    henk = {"D1.1": 1, "D1.2": 1, "D1.3": 2}
    make_responses(campaign, 1, seed=9, team=team["Productie"], values=henk)
    make_responses(campaign, 4, seed=2, team=team["Productie"], values={"D1.2": None, "D1.3": None})
    close_round(campaign)

    sheets = download(carol, campaign)
    total = by(sheets["Dimensions"], "Code")["D1"]
    groups = by([r for r in sheets["Breakdowns"] if r["Breakdown"] == "Team"], "Group")
    column = next(c for c in groups["Verkoop"] if c and c.startswith("D1 "))
    assert groups["Verkoop"][column] is None and groups["Productie"][column] is None
    assert total["Mean"] is not None and total["Respondents (n)"] == 6

    rows = download(carol, campaign, "responses")["Responses"]
    if "D1.1" not in rows[0]:
        return  # D1's statements are left out of the file: nothing to add up
    verkoop = [row_score(r, codes) for r in rows if r["team"] == "Verkoop"]
    assert len(verkoop) == 5 and None not in verkoop
    recovered = total["Respondents (n)"] * total["Mean"] - float(sum(verkoop))
    grid = {Fraction(s, c) for c in (2, 3) for s in range(c, 5 * c + 1)}
    snapped = min(grid, key=lambda g: abs(g - Fraction(recovered)))
    assert snapped != score(henk, codes), (
        f"Henk's D1 score {score(henk, codes)} (the one scored person of Productie; both team "
        f"cells are hidden): 6 × {total['Mean']} − the 5 Verkoop rows of the response file "
        f"({float(sum(verkoop)):.3f}) = {recovered:.3f} → {snapped}"
    )


# --- B. The blanks added to the file are the difference from the aggregated results ------


def test_the_answers_blanked_in_the_response_file_are_the_aggregate_minus_the_file(cast):
    """The consultant, default settings, closed round, no breakdowns. Two statements offer
    "n.v.t.": D1.3 (customers) and D2.3 (suppliers). Six people answer both, five answer
    "n.v.t." on both; Jan — everyone knows he is the one with customers but no suppliers —
    answers D1.3 and "n.v.t." on D2.3. His pattern of blanks is rare, so ``rows_to_blank``
    empties his D1.3 in the response-level file, as the codebook says ("dimension scores
    computed from this file can differ slightly from the results").

    The aggregated results still count his answer: D1.3 has 7 valid answers there (the
    "n.v.t." people are 5, so the statement is shown) and 6 in the file. The two distributions
    differ by exactly Jan's answer, which the blanking was meant to hide.
    """
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=3, not_applicable_codes=("D1.3", "D2.3")
    )
    organisation, carol = cast.bakery, cast.carol
    campaign, _ = make_campaign(organisation, questionnaire, ask_team=False, ask_role=False)
    make_responses(campaign, 6, seed=1)
    make_responses(campaign, 5, seed=2, values={"D1.3": None, "D2.3": None})
    jan = {"D1.3": 1, "D2.3": None}
    make_responses(campaign, 1, seed=3, values=jan)
    close_round(campaign)

    item = by(download(carol, campaign)["Items"], "Item")["D1.3"]
    assert not item["Suppressed"] and item["Valid answers"] == 7
    rows = download(carol, campaign, "responses")["Responses"]
    in_file = [0] * 5
    for row in rows:
        if not blank(row["D1.3_scored"]):
            in_file[int(row["D1.3_scored"]) - 1] += 1
    between = [a - b for a, b in zip(distribution(item), in_file, strict=True)]
    assert not (0 < sum(between) < K), (
        f"the aggregated D1.3 minus the response file's D1.3 is {between}: {sum(between)} "
        f"answer(s) blanked in the file, Jan's D1.3 = {jan['D1.3']}"
    )


# --- C. Interim blocks × patterns of blanks in the response file ------------------------


def test_the_first_interim_look_and_the_response_file_single_out_one_row(cast):
    """The consultant, interim results on (organisation level, steps of k). The first look
    shows the first five respondents' D2 and D3 (mean, SD, n); D1 is hidden there, as only
    four of the five have a D1 score. Piet, the warehouse man without customer contact, was
    among those five: he answered "n.v.t." on the two customer statements of D1. Four people
    who answered later did the same, so his pattern of blanks is shared by five rows of the
    response-level file and ``rows_to_blank`` leaves it alone.

    After close, the consultant looks for the five rows of the file whose D2 and D3 scores
    give the first look's means and SDs: the first five respondents, a set the plan itself
    publishes. Only one of those rows is blank on the customer statements. The plan made
    the blanks k-anonymous within the file's group columns, but not within the blocks of
    submission order that the interim looks publish: that row is Piet's whole questionnaire
    (HR: "Piet filled it in on the first morning, right after the kick-off").
    """
    questionnaire = make_questionnaire(
        dimensions=3, items_per_dimension=3, not_applicable_codes=("D1.2", "D1.3")
    )
    organisation, carol = cast.bakery, cast.carol
    campaign, _ = make_campaign(
        organisation,
        questionnaire,
        interim_results=Campaign.Interim.ORGANISATION,
        ask_team=False,
        ask_role=False,
    )
    no_customers = {"D1.2": None, "D1.3": None}
    piet = {"D1.1": 2, **no_customers, "D2.1": 1, "D2.2": 2, "D2.3": 1, "D3.1": 4, "D3.2": 5}
    piet["D3.3"] = 4
    make_responses(campaign, 4, seed=31)
    make_responses(campaign, 1, values=piet)  # the first five: block 1
    make_responses(campaign, 1, seed=32)
    make_responses(campaign, 4, seed=33, values=no_customers)  # block 2
    first = download(carol, campaign)  # 10 received: the look shows the first five
    look = by(first["Dimensions"], "Code")
    assert look["D2"]["Respondents (n)"] == K and look["D1"]["Mean"] is None
    make_responses(campaign, 5, seed=34)  # block 3
    close_round(campaign)

    rows = download(carol, campaign, "responses")["Responses"]
    assert len(rows) == 15
    if "D1.2" not in rows[0]:
        return  # D1's statements are left out of the file: no pattern to tell Piet by
    pattern = [blank(r["D1.2"]) and blank(r["D1.3"]) for r in rows]
    assert sum(pattern) == K  # the pattern is common in the file: nothing blanked

    def fits(subset) -> bool:
        for dim in ("D2", "D3"):
            scores = [float(row_score(rows[i], [f"{dim}.{j}" for j in (1, 2, 3)])) for i in subset]
            if abs(statistics.mean(scores) - look[dim]["Mean"]) > 0.0051:
                return False
            if abs(statistics.stdev(scores) - look[dim]["SD"]) > 0.0051:
                return False
        return True

    blocks = [s for s in itertools.combinations(range(len(rows)), K) if fits(s)]
    singled = set()
    for block in blocks:
        alone = [i for i in block if pattern[i]]
        if len(alone) == 1:
            row = rows[alone[0]]
            singled.add(tuple(None if blank(row[c]) else int(row[c]) for c in sorted(piet)))
    truth = tuple(piet[c] for c in sorted(piet))
    assert singled != {truth}, (
        f"{len(blocks)} way(s) to pick the first five rows; in each, one row alone is blank on "
        f"the customer statements: Piet's questionnaire {sorted(singled)}"
    )


# --- D. The blanks are drawn anew for every download -------------------------------------


def test_downloading_the_response_file_again_shows_which_blanked_row_is_always_blank(cast):
    """The consultant, default settings, closed round (issue 10's Piet, attack 5, again).
    Piet is the only one without customer contact: his row alone is blank on the four
    customer statements D1.3–D1.6. The fix hides him among four other rows whose customer
    statements it empties too, "chosen at random" (``rows_to_blank`` with SystemRandom).

    But the draw is new on every download. The consultant downloads the file a few times
    (CSV or XLSX, each is a fresh draw) and matches rows across downloads by their other
    answers (D1.1, D1.2 and D2.*, which are never emptied). The four companions change from
    download to download; one row is blank on the customer statements every time: Piet's.
    """
    codes = [f"D1.{i}" for i in range(1, 7)] + [f"D2.{i}" for i in range(1, 7)]
    customer = ["D1.3", "D1.4", "D1.5", "D1.6"]
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=6, not_applicable_codes=tuple(customer)
    )
    organisation, carol = cast.bakery, cast.carol
    campaign, _ = make_campaign(organisation, questionnaire, ask_team=False, ask_role=False)
    make_responses(campaign, 11, seed=21)
    piet = {code: (i % 5) + 1 for i, code in enumerate(codes)}
    piet.update(dict.fromkeys(customer))
    make_responses(campaign, 1, values=piet)
    close_round(campaign)

    kept = [c for c in codes if c not in customer]
    always: set[tuple] | None = None
    downloads = 0
    for downloads in range(1, 21):  # noqa: B007
        rows = download(carol, campaign, "responses")["Responses"]
        kept = [c for c in codes if c not in customer and c in rows[0]]  # what the file holds
        blanked = {
            tuple(int(r[c]) for c in kept) for r in rows if all(blank(r[c]) for c in customer)
        }
        assert len(blanked) >= K  # each download hides Piet among at least k rows ...
        always = blanked if always is None else always & blanked
        if len(always) == 1:
            break
    truth = tuple(piet[c] for c in kept)
    assert always != {truth}, (
        f"after {downloads} downloads one row is blank on the customer statements in every "
        f"one: Piet's, with answers {dict(zip(kept, truth, strict=True))}"
    )


# --- E. Two files with different group columns are blanked differently --------------------


def read_xlsx(path) -> list[dict]:
    return next(iter(read_sheets(path.read_bytes()).values()))


def test_the_response_file_without_group_columns_undoes_the_blanks_of_the_one_with_them(
    cast, tmp_path
):
    """The platform operator (or a consultant who asks the operator for a file "without the
    team column, for a reliability analysis"): ``manage.py export_responses --by ""`` writes
    the response file with no group columns, ``--by team`` (or the consultant's download) the
    one with them. ``rows_to_blank`` makes the patterns of "n.v.t." common within the group
    columns *of that file*, so the two files are blanked differently.

    Verkoop (6): four people without customers ("n.v.t." on D1.3), two with. Productie (6):
    Piet is the only one without customers. Without group columns the pattern "n.v.t. on
    D1.3" is shared by five rows, so nothing is emptied; with the team column every D1.3 is
    emptied (both teams' patterns are rare there). Matching the rows of the two files on
    their other answers gives each row its team *and* its real pattern: the one Productie row
    with "n.v.t." on D1.3 is Piet's whole questionnaire.
    """
    from django.core.management import call_command

    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=4, not_applicable_codes=("D1.3",)
    )
    codes = [item.code for item in questionnaire.ordered_items()]
    teams = ("Verkoop", "Productie")
    organisation = cast.bakery
    add_teams(organisation, *teams)
    campaign, _ = make_campaign(
        organisation, questionnaire, teams=teams, ask_role=False, ask_tenure=False
    )
    team = {t.name: t for t in campaign.teams.all()}
    make_responses(campaign, 4, seed=41, team=team["Verkoop"], values={"D1.3": None})
    make_responses(campaign, 2, seed=42, team=team["Verkoop"])
    piet = dict(zip(codes, (2, 4, None, 1, 5, 3, 1, 2), strict=True))
    make_responses(campaign, 1, team=team["Productie"], values=piet)
    make_responses(campaign, 5, seed=43, team=team["Productie"])
    close_round(campaign)

    with_teams, without = tmp_path / "teams.xlsx", tmp_path / "plain.xlsx"
    call_command(
        "export_responses", campaign.pk, "--format", "xlsx", "-o", with_teams, "--by", "team"
    )
    call_command("export_responses", campaign.pk, "--format", "xlsx", "-o", without, "--by", "")
    kept = [c for c in codes if c != "D1.3"]

    def key(row: dict) -> tuple:
        return tuple(int(row[c]) for c in kept if c in row)  # the statements the file holds

    team_of = {key(r): r["team"] for r in read_xlsx(with_teams)}
    real = {key(r): blank(r["D1.3"]) for r in read_xlsx(without)}
    assert len(team_of) == len(real) == 12  # every row matched on its other answers
    singled = [k for k in real if real[k] and team_of[k] == "Productie"]
    truth = tuple(piet[c] for c in kept)
    assert singled != [truth], (
        f"the only Productie row with 'n.v.t.' on D1.3 (a pattern the team file empties): "
        f"Piet's answers {dict(zip(kept, truth, strict=True))}"
    )
