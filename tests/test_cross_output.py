"""Issue 11: every figure of a round is the same in every output, read back field by field.

Rounds: the demo's closed round (``manage.py seed_demo``), and a seeded random round (random
team sizes, reverse-scored statements, "don't know" answers, teams above and below k so some
groups are hidden, blank cells, a previous round and a benchmark), in Dutch and in English; and
the random round without teams, where managers and employees are compared. Each output is
*parsed* into figures keyed by field::

    {("dimension", "D1", "mean"): 3.42, ("item", "D1.2", "pct_agree"): 53,
     ("group", "team", "<team key>", "D1"): 3.1, ("round", "received"): 16, ...}

and compared with ``==`` to the same keys computed from the typed results
(``assessments.results.campaign_results``), one output at a time: the dashboard HTML (its
``data-*`` attributes, one page per breakdown), the PDF (``pdftotext -layout``; each table row's
figures matched to its label: statement, indicator, dimension or group), the aggregated CSV and
XLSX (columns by their header), and ``manage.py campaign_results --json``. Numbers are parsed
strictly in the output's language: "3,42" is a number in Dutch and an error in English, "53%"
is 53, "–" is None. No figure is looked up as a substring. A field shown in several places
(a mean in four tables) must show the same figure in each.

Each comparison first checks that the output shows exactly the expected fields (at least one
per dimension, statement and shown group), so an output that lost a section fails rather than
passes on an empty dict.

Mutations tried, each made the named tests fail and was reverted:

* ``{{ i.pct_disagree|percent }}`` → ``{{ i.pct_agree|percent }}`` in ``_dimension.html``
  (``test_dashboard``: every statement's ``pct_disagree``);
* ``{{ cell.value|number }}`` → ``{{ row.overall|number }}`` in ``_breakdown.html``
  (``test_dashboard``: the group cells);
* ``format_number(item.mean)`` → ``format_number(item.mean, "en")`` in ``reports._dimension``
  (``test_pdf`` in Dutch: "4.16" is not a Dutch number);
* ``"n": g.n`` → ``"n": g.n + 1`` in ``reports._breakdowns`` (``test_pdf``: group sizes);
* the managers' column filled with the employees' means in ``reports._role_section``
  (``test_pdf[roles-nl]``);
* ``i.pct_agree`` and ``i.pct_disagree`` swapped in ``exports/aggregate.py`` (``test_csv``,
  ``test_xlsx``);
* floats rounded to one decimal in ``RoundResults.to_json`` (``test_campaign_results_json``).

Found this way: in Dutch, the aggregated export had two columns called "Stelling" (the code,
msgid "Item", and the text, "Statement"); "Item" is now "Stellingcode".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import subprocess
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from assessments import exports, presentation, reports
from assessments.models import (
    Answer,
    Campaign,
    Contract,
    Indicator,
    Item,
    Response,
    Role,
    Tenure,
)
from assessments.results import campaign_results
from assessments.results.data import RoundResults
from assessments.services import close_round

from .factories import (
    add_member,
    make_campaign,
    make_organisation,
    make_questionnaire,
    make_responses,
    make_user,
)

pytestmark = pytest.mark.django_db

Key = tuple[Any, ...]
Figures = dict[Key, Any]

K = 5
RANDOM_SEED = 20261102
DEMO_ROUND = "Nulmeting voorjaar 2026"

# --- The two rounds ----------------------------------------------------------------------------


@dataclass
class Round:
    campaign: Campaign
    user: Any  # an HR manager of the organisation


def demo_round() -> Round:
    call_command("seed_demo", stdout=StringIO())
    return Round(Campaign.objects.get(name=DEMO_ROUND), get_user_model().objects.get(username="hr"))


WORDS = re.findall(
    r"\S+",
    "leren werk team collega's tijd ruimte fouten vragen ideeën klanten planning cursus "
    "leidinggevende feedback samen nieuwe manier ontwikkelen project afspraken overleg "
    "verbeteren uitproberen terugkijken kennis vaardigheden toekomst bedrijf machine",
)
TEAMS = ("Drukkerij", "Afwerking", "Inkoop & Verkoop", "Vormgeving", "Expeditie")


def _simulate(
    campaign: Campaign,
    rng: random.Random,
    counts: dict[str | None, int],
    roles: Sequence[int] = (66, 22, 5, 7),  # employee, manager, director, not said
) -> None:
    """Responses with team effects, reverse-scored statements answered the other way round
    and "don't know" answers on the statements that offer it."""
    items = campaign.questionnaire.ordered_items()
    teams = {t.name: t for t in campaign.teams.all()}
    level = {f"D{d}": rng.uniform(2.3, 4.2) for d in range(1, 7)}
    team_effect = {team: {d: rng.gauss(0, 0.4) for d in level} for team in counts}
    offset = {item.code: rng.gauss(0, 0.35) for item in items}
    not_applicable = {item.code: rng.uniform(0.15, 0.35) for item in items}
    responses, answers = [], []
    people = [team for team, n in counts.items() for _ in range(n)]
    rng.shuffle(people)
    for number, team in enumerate(people, start=1):
        response = Response(
            campaign=campaign,
            sequence=number,
            team=teams[team] if team else None,
            role=rng.choices([Role.EMPLOYEE, Role.MANAGER, Role.DIRECTOR, ""], roles)[0],
            tenure=rng.choice([Tenure.UNDER_1, Tenure.FROM_1_TO_5, Tenure.OVER_5, ""]),
            contract=rng.choices(
                [Contract.PERMANENT, Contract.TEMPORARY, Contract.WORK_STUDY, ""], [70, 18, 6, 6]
            )[0],
        )
        responses.append(response)
        person = rng.gauss(0, 0.35)
        for item in items:
            if item.allows_not_applicable and rng.random() < not_applicable[item.code]:
                value = None
            else:
                d = item.dimension.code
                mean = level[d] + team_effect[team][d] + person + offset[item.code]
                value = min(5, max(1, round(mean + rng.gauss(0, 0.8))))
                value = 6 - value if item.is_reversed else value
            answers.append(Answer(response=response, item=item, value=value))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=1000)


def random_round(seed: int = RANDOM_SEED, *, by_team: bool = True) -> Round:
    """A closed round of random answers, with a previous round and a benchmark.

    ``by_team``: three teams above k, two below and a few people without a team (teams come
    first, so most other groups are hidden); without it, no team question and a headcount,
    so that managers and employees can be compared.
    """
    rng = random.Random(seed)
    codes = [f"D{d}.{i}" for d in range(1, 7) for i in range(1, 6)]
    questionnaire = make_questionnaire(
        dimensions=6,
        items_per_dimension=5,
        reversed_codes=tuple(rng.sample(codes, 7)),
        not_applicable_codes=tuple(rng.sample(codes, 9)),
    )
    # Long statements (they wrap in the PDF's tables) and two indicators per dimension.
    for item in Item.objects.filter(dimension__questionnaire=questionnaire):
        words = rng.choices(WORDS, k=rng.randint(3, 24))
        item.text_nl = f"Stelling {item.code} over {' '.join(words)}."
        item.text_en = f"Statement {item.code} about {' '.join(words)}."
        item.save(update_fields=["text_nl", "text_en"])
    for dimension in questionnaire.dimensions.all():
        second = Indicator.objects.create(
            dimension=dimension,
            position=2,
            name_nl=f"Modelnaam {dimension.code} twee",
            name_en=f"Model name {dimension.code} two",
            plain_name_nl=f"Tweede indicator van {dimension.code}",
            plain_name_en=f"Second indicator of {dimension.code}",
        )
        Item.objects.filter(dimension=dimension, position__gte=4).update(indicator=second)

    organisation = make_organisation("Drukkerij De Letterbak")
    hr = make_user("hr-letterbak")
    add_member(hr, organisation)
    # A previous round of the organisation, on the same questionnaire.
    previous, _ = make_campaign(
        organisation,
        questionnaire,
        name="Nulmeting 2025",
        opens_on=dt.date(2025, 3, 3),
        closes_on=dt.date(2025, 3, 21),
        teams=TEAMS[:3],
        ask_tenure=True,
        ask_contract=True,
    )
    _simulate(previous, rng, {TEAMS[0]: 9, TEAMS[1]: 8, TEAMS[2]: 6, None: 2})
    close_round(previous)
    # Five other organisations in the same sector: a benchmark.
    for number in range(5):
        other = make_organisation(f"Vergelijkbaar bedrijf {number + 1}")
        campaign, _ = make_campaign(
            other,
            questionnaire,
            name="Meting",
            opens_on=dt.date(2026, 1, 5),
            closes_on=dt.date(2026, 1, 23),
        )
        make_responses(campaign, rng.randint(K, 9), seed=seed + number)
        close_round(campaign)

    counts: dict[str | None, int]
    if by_team:
        counts = {team: rng.randint(10, 22) for team in TEAMS[:3]}
        counts |= {team: rng.randint(1, K - 1) for team in TEAMS[3:]}
        counts[None] = rng.randint(0, 3)
        questions = {"teams": TEAMS, "ask_tenure": True, "ask_contract": True}
    else:
        counts = {None: rng.randint(40, 60)}
        headcount = counts[None] + rng.randint(0, 25)
        questions = {"ask_team": False, "expected_respondents": headcount}
    campaign, _ = make_campaign(
        organisation,
        questionnaire,
        name="Vervolgmeting 2026",
        opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 20),
        **questions,
    )
    for team in campaign.teams.all():
        team.size = counts[team.name] + rng.randint(0, 6)
        team.save(update_fields=["size"])
    # Without teams, everyone says their role and there are no directors: the groups of the
    # comparison of managers with employees are the groups by role, so both can be shown.
    _simulate(campaign, rng, counts, roles=(66, 22, 5, 7) if by_team else (60, 40, 0, 0))
    close_round(campaign)
    return Round(campaign, hr)


ROUNDS: dict[str, Callable[[], Round]] = {
    "demo": demo_round,
    "random": random_round,
    "roles": lambda: random_round(by_team=False),
}
# The demo in Dutch (its own language); the random round in both; the round that compares
# managers with employees in Dutch.
CASES = [("demo", "nl"), ("random", "nl"), ("random", "en"), ("roles", "nl")]


# --- Numbers as each output writes them, read back strictly -------------------------------------


class Unparsable(AssertionError):
    pass


def _decimal(language: str) -> str:
    return "," if language == "nl" else r"\."


def parse_number(text: str, language: str) -> float | None:
    """ "3,42" (Dutch) or "3.42" (English), always two decimals as format_number writes them."""
    text = text.strip()
    if text == "–":
        return None
    match = re.fullmatch(rf"(\d+){_decimal(language)}(\d\d)", text)
    if not match:
        raise Unparsable(f"not a {language} number: {text!r}")
    return float(f"{match[1]}.{match[2]}")


def parse_signed(text: str, language: str) -> float | None:
    """ "+0,12", "−0,05" or "±0,00" (format_signed)."""
    text = text.strip()
    if text == "–":
        return None
    match = re.fullmatch(r"([+−±])(.+)", text)
    value = parse_number(match[2], language) if match else None
    if value is None or (match[1] == "±") != (value == 0):
        raise Unparsable(f"not a signed {language} number: {text!r}")
    return -value if match[1] == "−" else value


def parse_percent(text: str) -> int | None:
    """ "53%" (format_percent); "–" for none."""
    text = text.strip()
    if text == "–":
        return None
    match = re.fullmatch(r"(\d+)%", text)
    if not match:
        raise Unparsable(f"not a percentage: {text!r}")
    return int(match[1])


def parse_int(text: str) -> int:
    if not re.fullmatch(r"\d+", text.strip()):
        raise Unparsable(f"not a whole number: {text!r}")
    return int(text)


def parse_range(text: str, language: str, sep: str = "–", signed: bool = False):
    """A margin "3,53–3,83" / "3,53 – 3,83", or a change's interval "−0,20 … +0,33"."""
    text = text.strip()
    if text == "–":
        return None, None
    # Read text is NFKC-normalised (norm), where "…" is "...".
    parts = [p.strip() for p in text.split(unicodedata.normalize("NFKC", sep))]
    if len(parts) != 2:
        raise Unparsable(f"not a range: {text!r}")
    parse = parse_signed if signed else parse_number
    return parse(parts[0], language), parse(parts[1], language)


def _spaced(template: str) -> str:
    # Words of the template literally, any run of whitespace as \s+, placeholders as groups:
    # one word (a figure), or words for the few that hold text.
    out = []
    for token in re.split(r"(%\(\w+\)[sd]|\s+)", template):
        if not token:
            continue
        if token.isspace():
            out.append(r"\s+")
        elif match := re.fullmatch(r"%\((\w+)\)[sd]", token):
            figure = r"\S+" if match[1] not in ("basis", "name", "sector") else ".+?"
            out.append(f"(?P<{match[1]}>{figure})")
        else:
            out.append(re.escape(token))
    return "".join(out)


def find_one(template: str, text: str) -> re.Match:
    """The one place ``template`` (a translated message) occurs in ``text``."""
    matches = list(re.finditer(_spaced(template), text))
    assert len(matches) == 1, f"{len(matches)} times {template!r}"
    return matches[0]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


# --- Figures keyed by field -------------------------------------------------------------------


class Sink(dict):
    """Figures keyed by field; a field that appears twice must show the same figure."""

    def __init__(self, where: str):
        super().__init__()
        self.where = where
        self.conflicts: list[str] = []

    def add(self, key: Key, value: Any) -> None:
        if key in self and self[key] != value:
            self.conflicts.append(f"{key}: {self[key]!r} and {value!r}")
        self.setdefault(key, value)


def assert_figures_equal(parsed: Sink, expected: Figures, *, at_least: int) -> None:
    """The output shows exactly the expected fields, each with the expected figure."""
    assert len(expected) >= at_least, f"only {len(expected)} expected figures"
    assert parsed, f"nothing parsed from {parsed.where}"
    assert not parsed.conflicts, f"{parsed.where} shows one field twice, differently: " + (
        "; ".join(parsed.conflicts[:20])
    )
    missing = sorted(map(repr, expected.keys() - parsed.keys()))
    extra = sorted(map(repr, parsed.keys() - expected.keys()))
    assert not missing and not extra, (
        f"{parsed.where}: {len(missing)} expected fields not found: {missing[:20]}; "
        f"{len(extra)} unexpected fields: {extra[:20]}"
    )
    wrong = [
        f"{key}: shows {parsed[key]!r}, typed results {expected[key]!r}"
        for key in sorted(expected, key=repr)
        if parsed[key] != expected[key]
        or isinstance(parsed[key], bool) != isinstance(expected[key], bool)
    ]
    assert not wrong, f"{parsed.where}: {len(wrong)} figures differ: " + "; ".join(wrong[:30])


# --- The same keys from the typed results -------------------------------------------------------

DIMENSION_FIELDS = (
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "pct_positive",
    "pct_negative",
    "band",
    "attention",
    "alpha",
    "alpha_n",
    "alpha_warning",
    "suppressed",
    "statements_shown",
)
ITEM_FIELDS = (
    "n_valid",
    "n_not_applicable",
    "mean",
    "pct_positive",
    "pct_negative",
    "pct_agree",
    "pct_disagree",
    "is_reversed",
    "suppressed",
)
CHANGE_FIELDS = ("previous_mean", "difference", "ci_low", "ci_high", "is_meaningful")
QUARTILE_FIELDS = ("n", "q1", "median", "q3")


class Record:
    """``campaign_results --json`` read back with the attribute names of the typed results."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return plain(self.data[name])
        except KeyError:
            raise AttributeError(name) from None

    def __bool__(self) -> bool:
        return bool(self.data)


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return Record(value)
    if isinstance(value, list):
        return tuple(plain(v) for v in value)
    return value


def entries(mapping: Any) -> Iterable[tuple[str, Any]]:
    """The entries of a dict field (breakdowns, means per dimension, …), typed or JSON."""
    items = mapping.data.items() if isinstance(mapping, Record) else mapping.items()
    return [(key, plain(value)) for key, value in items]


def scored(prefix: Key, distribution: Sequence[int]) -> Figures:
    """Counts of the scored answers 1..5 (None when the distribution is not shown)."""
    return {
        (*prefix, f"scored_{v}"): (distribution[v - 1] if distribution else None)
        for v in range(1, 6)
    }


def group_figures(prefix: Key, group: Any) -> Figures:
    out: Figures = {(*prefix, "n"): group.n, (*prefix, "overall"): group.overall}
    out |= {(*prefix, code): mean for code, mean in entries(group.dimensions)}
    return out


def all_figures(r: Any) -> Figures:
    """Every figure of the results, keyed by field: the typed results or their JSON."""
    rate = r.response_rate
    f: Figures = {
        ("round", "received"): r.received,
        ("round", "respondents"): r.respondents,
        ("round", "response_rate"): rate.percent,
        ("round", "response_rate_denominator"): rate.denominator,
        ("round", "indicative"): rate.indicative,
        ("round", "threshold"): r.threshold,
        ("round", "overall_index"): r.overall_index,
        ("round", "strongest"): tuple(r.strongest),
        ("round", "weakest"): tuple(r.weakest),
    }
    for d in plain(r.dimensions):
        f |= {("dimension", d.code, name): getattr(d, name) for name in DIMENSION_FIELDS}
        f |= scored(("dimension", d.code), d.distribution)
        f[("dimension", d.code, "strongest")] = tuple(d.strongest)
        f[("dimension", d.code, "weakest")] = tuple(d.weakest)
        for ind in plain(d.indicators):
            f[("indicator", ind.code, "mean")] = ind.mean
            f[("indicator", ind.code, "suppressed")] = ind.suppressed
        for i in plain(d.items):
            f |= {("item", i.code, name): getattr(i, name) for name in ITEM_FIELDS}
            f |= scored(("item", i.code), i.distribution)
    roles = r.role_comparison
    f[("role", "allowed")] = bool(roles and roles.allowed)
    if roles and roles.allowed:
        for key in ("leadership", "employees"):
            f |= group_figures(("role", key), getattr(roles, key))
    for name, b in entries(r.breakdowns):
        f[("breakdown", name, "allowed")] = b.allowed
        for g in plain(b.groups):
            f |= group_figures(("group", name, g.key), g)
        for g in plain(b.suppressed):
            f[("group", name, g.key, "hidden")] = True
    if r.previous:
        p = r.previous
        f[("previous", "round", "respondents")] = p.respondents
        f[("previous", "round", "overall")] = p.overall
        for code, change in entries(p.dimensions):
            f |= {("previous", code, name): getattr(change, name) for name in CHANGE_FIELDS}
    if r.benchmark:
        bm = r.benchmark
        f[("benchmark", "organisations")] = bm.organisations
        f[("benchmark_sector", "organisations")] = bm.sector_organisations
        for scope, quartiles in (
            ("benchmark", bm.dimensions),
            ("benchmark_sector", bm.sector_dimensions or {}),
        ):
            for code, q in entries(quartiles):
                f |= {(scope, code, name): getattr(q, name) for name in QUARTILE_FIELDS}
    return f


def minimum_figures(r: RoundResults) -> int:
    """A floor for any output's count: a figure per dimension, statement and shown group."""
    groups = sum(len(b.groups) for b in r.breakdowns.values())
    return len(r.dimensions) + sum(len(d.items) for d in r.dimensions) + groups


def meaningful(change: Any) -> str | None:
    """How the dashboard and the PDF word a change: only meaningful ones have a direction."""
    if not change.is_meaningful:
        return None
    return "higher" if change.difference > 0 else "lower"


def shown_statements(d: Any) -> bool:
    return d.statements_shown and d.mean is not None


# --- Dashboard -----------------------------------------------------------------------------------


class DataFields(HTMLParser):
    """Every element with data-field (data-kpi, data-suppressed), its text and the keys
    (data-dimension, data-item, …) of it and its ancestors."""

    CONTEXT = (
        "data-dimension",
        "data-item",
        "data-indicator",
        "data-group",
        "data-breakdown",
        "data-series",
        "data-list",
    )
    VOID = frozenset(
        re.findall(r"\w+", "area base br col embed hr img input link meta source track wbr")
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[dict[str, Any]] = []
        self.found: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        a = dict(attrs)
        context = dict(self.stack[-1]["context"]) if self.stack else {}
        context |= {k: v for k, v in a.items() if k in self.CONTEXT}
        marks = {k: a[k] for k in ("data-field", "data-kpi", "data-suppressed") if k in a}
        self.stack.append({"tag": tag, "context": context, "marks": marks, "text": []})

    def handle_data(self, data: str) -> None:
        for frame in self.stack:
            if frame["marks"]:
                frame["text"].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.stack:
            frame = self.stack.pop()
            if frame["marks"]:
                self.found.append(frame)
            if frame["tag"] == tag:
                break


def dashboard_figures(pages: Iterable[str], language: str) -> Sink:
    sink = Sink(f"the dashboard ({language})")
    with translation.override(language):
        of_n = _spaced(gettext("of %(n)s"))
        alpha = _spaced(
            gettext("Reliability (Cronbach's alpha) %(alpha)s over %(n)s complete answers.")
        )
        verdicts = {
            gettext("no"): None,
            gettext("yes, higher"): "higher",
            gettext("yes, lower"): "lower",
        }

    def number(text: str) -> float | None:
        return parse_number(text, language)

    for html in pages:
        parser = DataFields()
        parser.feed(html)
        parser.close()
        lists: dict[Key, list[str]] = defaultdict(list)
        for frame in parser.found:
            context, marks = frame["context"], frame["marks"]
            text = norm("".join(frame["text"]))
            dim = context.get("data-dimension")
            if "data-kpi" in marks:
                kpi = marks["data-kpi"]
                if kpi == "received":
                    sink.add(("round", "received"), parse_int(text))
                elif kpi == "response-rate":
                    sink.add(("round", "response_rate"), parse_percent(text))
                elif kpi == "overall":
                    sink.add(("round", "overall_index"), number(text))
                elif kpi == "denominator":
                    match = re.fullmatch(of_n, text)
                    assert match, text
                    sink.add(("round", "response_rate_denominator"), parse_int(match["n"]))
                else:
                    raise Unparsable(f"data-kpi={kpi!r}")
                continue
            if "data-suppressed" in marks:
                key = ("group", context["data-breakdown"], marks["data-suppressed"], "hidden")
                sink.add(key, True)
                continue
            name = marks["data-field"]
            if "data-group" in context:
                group = ("group", context["data-breakdown"], context["data-group"])
                if name == "n":
                    sink.add((*group, "n"), parse_int(text))
                else:
                    assert name == "mean", name
                    sink.add((*group, dim), number(text))
            elif "data-series" in context:
                series = context["data-series"]
                key = {
                    "round": ("dimension", dim, "mean"),
                    "previous": ("previous", dim, "previous_mean"),
                    "benchmark": ("benchmark", dim, "median"),
                }.get(series, ("role", series, dim))
                sink.add(key, number(text))
            elif "data-item" in context:
                item = context["data-item"]
                if "data-list" in context:
                    owner = ("dimension", dim) if dim else ("round",)
                    lists[(*owner, context["data-list"])].append(item)
                if name == "mean":
                    sink.add(("item", item, "mean"), number(text))
                elif name in ("pct_agree", "pct_disagree"):
                    sink.add(("item", item, name), parse_percent(text))
                elif name == "n_not_applicable":
                    sink.add(("item", item, name), parse_int(text))
                elif name == "suppressed":
                    sink.add(("item", item, name), True)
                else:
                    raise Unparsable(f"data-field={name!r} of a statement")
            elif "data-indicator" in context:
                assert name == "mean", name
                sink.add(("indicator", context["data-indicator"], "mean"), number(text))
            elif dim:
                if name == "mean":
                    sink.add(("dimension", dim, "mean"), number(text))
                elif name == "n":
                    sink.add(("dimension", dim, "n"), parse_int(text))
                elif name == "ci":
                    low, high = parse_range(text, language)
                    sink.add(("dimension", dim, "ci_low"), low)
                    sink.add(("dimension", dim, "ci_high"), high)
                elif name in ("pct_positive", "pct_negative") or name.startswith("share_"):
                    sink.add(("dimension", dim, name), parse_percent(text))
                elif name == "alpha_text":
                    match = re.match(alpha, text)
                    assert match, text
                    sink.add(("dimension", dim, "alpha"), number(match["alpha"]))
                    sink.add(("dimension", dim, "alpha_n"), parse_int(match["n"]))
                elif name == "previous.previous_mean":
                    sink.add(("previous", dim, "previous_mean"), number(text))
                elif name == "previous.difference":
                    sink.add(("previous", dim, "difference"), parse_signed(text, language))
                elif name == "previous.ci":
                    low, high = parse_range(text, language, "…", signed=True)
                    sink.add(("previous", dim, "ci_low"), low)
                    sink.add(("previous", dim, "ci_high"), high)
                elif name == "previous.is_meaningful":
                    sink.add(("previous", dim, "meaningful"), verdicts[text])
                elif name.startswith(("benchmark.", "benchmark_sector.")):
                    scope, field_ = name.split(".")
                    sink.add((scope, dim, field_), number(text) if text else None)
                else:
                    raise Unparsable(f"data-field={name!r} of a dimension")
            else:
                raise Unparsable(f"data-field={name!r} without a key ({context})")
        for key, codes in lists.items():
            sink.add(key, tuple(codes))
    return sink


def dashboard_expected(r: RoundResults) -> Figures:
    """What the dashboard shows, over one page per breakdown."""
    rate = r.response_rate
    f: Figures = {
        ("round", "received"): r.received,
        ("round", "overall_index"): r.overall_index,
        ("round", "strongest"): tuple(r.strongest),
        ("round", "weakest"): tuple(r.weakest),
    }
    if rate.denominator:
        f[("round", "response_rate_denominator")] = rate.denominator
    if rate.percent is not None:
        f[("round", "response_rate")] = rate.percent
    for d in r.dimensions:
        for name in ("mean", "n", "ci_low", "ci_high", "pct_positive", "pct_negative"):
            f[("dimension", d.code, name)] = getattr(d, name)
        total = sum(d.distribution)
        for value, count in enumerate(d.distribution, start=1):
            f[("dimension", d.code, f"share_{value}")] = round(100 * count / total)
        if not shown_statements(d):
            continue
        if d.alpha is not None:
            f[("dimension", d.code, "alpha")] = d.alpha
            f[("dimension", d.code, "alpha_n")] = d.alpha_n
        f[("dimension", d.code, "strongest")] = tuple(d.strongest)
        f[("dimension", d.code, "weakest")] = tuple(d.weakest)
        for ind in d.indicators:
            f[("indicator", ind.code, "mean")] = ind.mean
        for i in d.items:
            if i.suppressed:
                f[("item", i.code, "suppressed")] = True
                continue
            for name in ("mean", "pct_agree", "pct_disagree", "n_not_applicable"):
                f[("item", i.code, name)] = getattr(i, name)
    if r.previous and r.previous.dimensions:
        for d in r.dimensions:
            change = r.previous.dimensions.get(d.code)
            f[("previous", d.code, "previous_mean")] = change.previous_mean if change else None
            if change:
                for name in ("difference", "ci_low", "ci_high"):
                    f[("previous", d.code, name)] = getattr(change, name)
                f[("previous", d.code, "meaningful")] = meaningful(change)
    if r.benchmark and r.benchmark.dimensions:
        sector = r.benchmark.sector_dimensions
        for d in r.dimensions:
            q = r.benchmark.dimensions.get(d.code)
            f[("benchmark", d.code, "median")] = q.median if q else None
            if q:
                f[("benchmark", d.code, "q1")] = q.q1
                f[("benchmark", d.code, "q3")] = q.q3
                if sector:
                    s = sector.get(d.code)
                    f[("benchmark_sector", d.code, "median")] = s.median if s else None
    roles = r.role_comparison
    if roles and roles.allowed:
        for key in ("leadership", "employees"):
            group = getattr(roles, key)
            if group:
                f |= {("role", key, d.code): group.dimensions.get(d.code) for d in r.dimensions}
    for name, b in r.breakdowns.items():
        if not b.allowed:
            continue
        for g in b.groups:
            f[("group", name, g.key, "n")] = g.n
            f |= {("group", name, g.key, d.code): g.dimensions.get(d.code) for d in r.dimensions}
        for g in b.suppressed:
            f[("group", name, g.key, "hidden")] = True
    return f


def dashboard_pages(rnd: Round, language: str, names: Iterable[str]) -> list[str]:
    client = Client()
    client.force_login(rnd.user)
    url = reverse("assessments:campaign_results", args=[rnd.campaign.pk])
    pages = []
    for by in list(names) or [None]:
        response = client.get(url, {"by": by} if by else {}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        pages.append(response.content.decode())
    return pages


# --- PDF ---------------------------------------------------------------------------------------


def pdf_lines(pdf: bytes, tmp_path, r: RoundResults, language: str) -> list[str]:
    """The report's text laid out as on the page (pdftotext -layout), without the running
    header and footer, pages joined."""
    path = tmp_path / f"report-{language}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    with translation.override(language):
        footer = re.compile(
            rf"{re.escape(gettext('Learning culture report'))}\s+"
            + _spaced(gettext("Page %(page)s of %(pages)s"))
        )
    running = f"{r.round.organisation} · {r.round.name}"
    lines = []
    for line in text.replace("\f", "\n").splitlines():
        stripped = line.strip()
        if stripped.startswith(running) or footer.fullmatch(stripped):
            continue
        lines.append(unicodedata.normalize("NFKC", line.rstrip()))
    return lines


def cells(line: str) -> list[tuple[int, str]]:
    """The cells of a laid-out line: runs of text two or more spaces apart."""
    return [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", line)]


def value_pattern(language: str) -> re.Pattern:
    num = rf"\d+{_decimal(language)}\d\d"
    signed = rf"(?:[+−±]{num}|–)"
    return re.compile(rf"–|{num}|\d+%|\d+|[+−±]{num}|{num} – {num}|{signed} \.\.\. {signed}")


@dataclass
class Row:
    label: str
    values: list[str]
    after: list[str] = field(default_factory=list)  # text cells right of the figures
    tags: list[str] = field(default_factory=list)  # tags behind the label ("highest", …)
    hidden: bool = False


def walk(
    text: str, labels: Iterable[str], noise: Iterable[str] = (), tags: Iterable[str] = ()
) -> tuple[list[tuple[str, list[str]]], str]:
    """Split running text into known labels in the order they appear (longest first), with
    the tags that follow each; returns them and the text left where nothing matched."""

    def flow(words: str) -> str:
        # A line may break after a hyphen ("on-call" laid out as "on-" and "call").
        return re.sub(r"(?<=\S-) ", "", norm(words))

    rest = flow(text)
    candidates = sorted({flow(label): label for label in labels}.items(), key=lambda c: -len(c[0]))
    skip = sorted({flow(n) for n in noise} | {flow(t) for t in tags}, key=len, reverse=True)
    tag_words = {flow(t) for t in tags}
    found: list[tuple[str, list[str]]] = []

    def starts(prefix: str) -> bool:
        return rest.startswith(prefix) and rest[len(prefix) : len(prefix) + 1] in ("", " ")

    while rest:
        word = next((w for w in skip if starts(w)), None)
        if word is not None:
            if word in tag_words and found:
                found[-1][1].append(word)
            rest = rest[len(word) :].lstrip()
            continue
        match = next(((n, label) for n, label in candidates if starts(n)), None)
        if match is None:
            break
        found.append((match[1], []))
        rest = rest[len(match[0]) :].lstrip()
    return found, rest


def table(
    lines: Sequence[str],
    labels: Iterable[str],
    language: str,
    *,
    width: int,
    header: Iterable[str] = (),
    noise: Iterable[str] = (),
    tags: Iterable[str] = (),
    marker: str | None = None,
    hidden_text: str | None = None,
    label_column: int | None = None,
    text_after: bool = False,
) -> list[Row]:
    """The rows of a laid-out table in order, each label matched to its figures.

    A row's figures are the ``width`` value cells on one line. Labels wrap over several lines
    above and below that line; they are read as running text and split into the known labels
    (so a row's label is the statement, team or dimension itself, never a guess by position).
    With ``label_column``, only text starting there is label text, and other text on lines
    without figures is the ``hidden_text`` of groups that are not shown. ``marker``: a text
    that stands in for the figures ("too few answers"). ``text_after``: text after the last
    row (a note below the table) is allowed.
    """
    values = value_pattern(language)
    header_cells = {norm(h) for h in header}
    label_text: list[str] = []
    bodies: list[tuple[list[str], list[str]] | None] = []
    hidden_buffer: list[str] = []

    def flush_hidden() -> None:
        if not hidden_buffer:
            return
        assert hidden_text, hidden_buffer
        found, rest = walk(" ".join(hidden_buffer), [hidden_text])
        assert not rest, f"unexpected text in a table: {rest!r}"
        bodies.extend([None] * len(found))
        hidden_buffer.clear()

    for line in lines:
        row = cells(line)
        if not row or (header_cells and all(norm(t) in header_cells for _, t in row)):
            continue
        at = [i for i, (_, t) in enumerate(row) if values.fullmatch(t)]
        if at:
            if len(at) != width or at != list(range(at[0], at[0] + width)):
                raise Unparsable(f"expected {width} figures in a row: {line!r}")
            flush_hidden()
            label_text += [t for _, t in row[: at[0]]]
            bodies.append(
                ([t for _, t in row[at[0] : at[-1] + 1]], [t for _, t in row[at[-1] + 1 :]])
            )
            continue
        for column, text in row:
            if marker and norm(text) == norm(marker):
                flush_hidden()
                bodies.append(([], []))
            elif label_column is not None and column > label_column + 2:
                hidden_buffer.append(text)
            else:
                label_text.append(text)
    flush_hidden()
    found, rest = walk(" ".join(label_text), labels, noise, tags)
    assert text_after or not rest, f"unexpected text in a table: {rest[:120]!r}"
    assert len(found) == len(bodies), (
        f"{len(found)} labels ({[f[0] for f in found]}) for {len(bodies)} rows of figures"
    )
    return [
        Row(label, body[0], body[1], row_tags) if body else Row(label, [], hidden=True)
        for (label, row_tags), body in zip(found, bodies, strict=True)
    ]


def in_template(message: str) -> str:
    """A {% translate %} text with "%": its msgid doubles the sign."""
    return gettext(message.replace("%", "%%")).replace("%%", "%")


def index_of(lines: Sequence[str], predicate: Callable[[str], bool], start: int = 0) -> int:
    for index in range(start, len(lines)):
        if predicate(lines[index]):
            return index
    raise AssertionError("not found in the PDF text")


def has_cell(text: str) -> Callable[[str], bool]:
    return lambda line: norm(text) in [norm(t) for _, t in cells(line)]


def is_line(text: str) -> Callable[[str], bool]:
    return lambda line: norm(line) == norm(text)


def previous_line(lines: Sequence[str], index: int) -> str:
    return next(lines[i] for i in range(index - 1, -1, -1) if lines[i].strip())


def parse_basis(text: str) -> int:
    """The denominator of the response rate from its basis in words (rate_basis_text)."""
    for template in (
        "of the %(n)d employees the round is for (the number entered for the round)",
        "of the %(n)d employees in the teams of the round (their sizes added up)",
    ):
        if match := re.fullmatch(_spaced(gettext(template)), text):
            return parse_int(match["n"])
    template = "of %(sent)d personal invitations plus %(link)d responses through the round link"
    match = re.fullmatch(_spaced(gettext(template)), text)
    assert match, text
    return parse_int(match["sent"]) + parse_int(match["link"])


def pdf_figures(lines: list[str], r: RoundResults, language: str) -> Sink:
    """Every figure of the report, read from its laid-out text."""
    sink = Sink(f"the PDF ({language})")
    with translation.override(language):
        _pdf_figures(sink, lines, r, language)
    return sink


def _pdf_figures(sink: Sink, lines: list[str], r: RoundResults, language: str) -> None:
    _ = gettext

    def number(text: str) -> float | None:
        return parse_number(text, language)

    dims = r.dimensions
    names = [d.name for d in dims]
    by_name = {d.name: d for d in dims}
    items = {i.text: i for _d, i in r.items()}
    assert len(items) == sum(len(d.items) for d in dims), "statements must differ"
    kicker = [norm(_(k)).upper() for k in ("Comparisons", "Breakdowns", "In their own words")]
    kicker.append(norm(_("Appendix")).upper())
    dim_kickers = [(_("Dimension %(number)s of 6") % {"number": n}).upper() for n in range(1, 7)]
    text = norm(" ".join(lines))

    # Cover: respondents, response rate, index.
    labels_at = index_of(lines, has_cell(_("learning culture index (1–5)")))
    labels = [t for _, t in cells(lines[labels_at])]
    figures = [t for _, t in cells(previous_line(lines, labels_at))]
    assert len(labels) == len(figures), (labels, figures)
    for label, figure in zip(labels, figures, strict=True):
        if label == _("responses received"):
            sink.add(("round", "received"), parse_int(figure))
        elif match := re.fullmatch(_spaced(_("response rate (of %(n)s)")), label):
            sink.add(("round", "response_rate"), parse_percent(figure))
            sink.add(("round", "response_rate_denominator"), parse_int(match["n"]))
        else:
            assert label == _("learning culture index (1–5)"), label
            sink.add(("round", "overall_index"), number(figure))

    # Summary, in words.
    rate = r.response_rate
    if rate.percent is not None:
        template = (
            "%(n)s employees filled in the questionnaire: a response rate of %(rate)s, %(basis)s."
        )
        match = find_one(_(template), text)
        sink.add(("round", "received"), parse_int(match["n"]))
        sink.add(("round", "response_rate"), parse_percent(match["rate"]))
        sink.add(("round", "response_rate_denominator"), parse_basis(match["basis"]))
    template = (
        "Averaged over the six dimensions, the learning culture index is %(index)s on a "
        "scale from 1 to 5. The profile says more than this one number: look at which "
        "dimensions stand out, up or down."
    )
    sink.add(("round", "overall_index"), number(find_one(_(template), text)["index"]))

    # The six dimensions at a glance.
    start = index_of(lines, lambda line: has_cell(_("% positive"))(line) and "%" in line)
    end = index_of(lines, lambda line: line.strip().startswith(_("% positive") + ":"), start)
    bands = [presentation.band_label(code) for code in (*presentation.BANDS, None)]
    header = [_("Dimension"), _("Mean (1–5)"), _("Mean"), _("Assessment")]
    header += [in_template("% positive"), in_template("% negative")]
    for row in table(lines[start + 1 : end], names, language, width=3, header=header):
        code = by_name[row.label].code
        assert len(row.after) == 1 and row.after[0] in bands, row
        sink.add(("dimension", code, "mean"), number(row.values[0]))
        sink.add(("dimension", code, "pct_positive"), parse_percent(row.values[1]))
        sink.add(("dimension", code, "pct_negative"), parse_percent(row.values[2]))

    # Highest- and lowest-scoring statements, side by side.
    head = index_of(
        lines, lambda line: len([c for c in cells(line) if c[1] == _("Statement")]) == 2
    )
    end = index_of(lines, has_cell(_("How to read the assessment")), head)
    split = [col for col, t in cells(lines[head]) if t == _("Statement")][1]
    short = [f"({d.short_name})" for d in dims]
    for key, part in (("strongest", slice(0, split)), ("weakest", slice(split, None))):
        rows = table(
            [line[part] for line in lines[head + 1 : end]],
            items,
            language,
            width=1,
            header=[_("Statement"), _("Mean")],
            noise=short,
            tags=[_("counts reversed")],
        )
        sink.add(("round", key), tuple(items[row.label].code for row in rows))
        for row in rows:
            item = items[row.label]
            sink.add(("item", item.code, "mean"), number(row.values[0]))
            sink.add(("item", item.code, "reversed_tag"), _("counts reversed") in row.tags)

    # One section per dimension.
    starts = [index_of(lines, is_line(k)) for k in dim_kickers[: len(dims)]]
    # The dimension pages end at the comparisons, or (where those would only say "not shown"
    # and management's view replaces them, issue 12) at the next page's kicker.
    after_dims = [norm(_(k)).upper() for k in ("Comparison", "From measuring to improving")]
    ends = [
        *starts[1:],
        index_of(lines, lambda line: norm(line) in [*kicker, *after_dims], starts[-1]),
    ]
    for d, start, end in zip(dims, starts, ends, strict=True):
        section = lines[start:end]
        at = index_of(section, has_cell(_("mean on 1–5")))
        mean = next(
            t
            for line in reversed(section[:at])
            for _col, t in reversed(cells(line))
            if value_pattern(language).fullmatch(t)
        )
        sink.add(("dimension", d.code, "mean"), number(mean))
        try:
            at = index_of(section, has_cell(_("respondents with a score")))
        except AssertionError:
            continue  # a dimension without figures: only its mean ("–") and the reason
        labels = [t for _, t in cells(section[at])]
        figures = [t for _, t in cells(previous_line(section, at))]
        assert len(labels) == len(figures), (labels, figures)
        for label, figure in zip(labels, figures, strict=True):
            if label == _("positive (4–5)"):
                sink.add(("dimension", d.code, "pct_positive"), parse_percent(figure))
            elif label == _("negative (1–2)"):
                sink.add(("dimension", d.code, "pct_negative"), parse_percent(figure))
            elif label == _("respondents with a score"):
                sink.add(("dimension", d.code, "n"), parse_int(figure))
            else:
                assert label == _("Margin (95% interval)"), label
                low, high = parse_range(figure, language)
                sink.add(("dimension", d.code, "ci_low"), low)
                sink.add(("dimension", d.code, "ci_high"), high)
        try:
            first = index_of(section, is_line(_("Indicators")))
        except AssertionError:
            continue  # statements not shown
        last = index_of(section, is_line(_("Statements, from highest to lowest")), first)
        indicators = {ind.name: ind for ind in d.indicators}
        for row in table(
            section[first + 1 : last],
            indicators,
            language,
            width=1,
            header=[_("Indicator"), _("Mean (1–5)"), _("Mean")],
            noise=[_("too few answers")],
        ):
            sink.add(("indicator", indicators[row.label].code, "mean"), number(row.values[0]))
        own = {i.text: i for i in d.items}
        rows = table(
            section[last + 1 :],
            own,
            language,
            width=3,
            header=[_("Statement"), _("Mean"), in_template("% agree"), in_template("% disagree")],
            tags=[_("counts reversed"), _("highest"), _("lowest")],
            marker=_("too few answers"),
        )
        for row in rows:
            item = own[row.label]
            sink.add(("item", item.code, "reversed_tag"), _("counts reversed") in row.tags)
            if not row.values:
                sink.add(("item", item.code, "suppressed"), True)
                continue
            sink.add(("item", item.code, "mean"), number(row.values[0]))
            sink.add(("item", item.code, "pct_agree"), parse_percent(row.values[1]))
            sink.add(("item", item.code, "pct_disagree"), parse_percent(row.values[2]))
        for tag, key in ((_("highest"), "tagged_strongest"), (_("lowest"), "tagged_weakest")):
            tagged = frozenset(own[row.label].code for row in rows if tag in row.tags)
            sink.add(("dimension", d.code, key), tagged)

    # Comparisons: managers and employees, the previous round, the benchmark. Without the
    # page (nothing to compare; management's view takes its place) nothing is shown there.
    if not any(is_line(kicker[0])(line) for line in lines):
        sink.add(("role", "allowed"), False)
    else:
        start = index_of(lines, is_line(kicker[0]))
        end = index_of(lines, is_line(kicker[1]), start)
        section = lines[start:end]
        h_roles = index_of(section, is_line(_("Managers and management compared with employees")))
        h_previous = index_of(section, is_line(_("Compared with the previous round")), h_roles)
        h_benchmark = index_of(section, is_line(_("Compared with other organisations")), h_previous)
        part = section[h_roles:h_previous]
        has_roles = any(has_cell(_("Managers"))(line) for line in part)
        sink.add(("role", "allowed"), has_roles)
        if has_roles:
            at = index_of(part, has_cell(_("Managers")))
            index_label = _("Learning culture index")
            header = [_("Dimension"), _("Managers"), _("Employees")]
            rows = table(part[at + 1 :], [*names, index_label], language, width=2, header=header)
            for row in rows:
                for key, figure in zip(("leadership", "employees"), row.values, strict=True):
                    field_ = "overall" if row.label == index_label else by_name[row.label].code
                    sink.add(("role", key, field_), number(figure))
        part = section[h_previous:h_benchmark]
        if any(has_cell(_("Now"))(line) for line in part):
            template = (
                "Previous round: %(name)s (%(n)s respondents). A difference counts as meaningful "
                "when its 95%% interval does not include zero."
            )
            match = find_one(_(template).replace("%%", "%"), norm(" ".join(part)))
            sink.add(("previous", "round", "respondents"), parse_int(match["n"]))
            at = index_of(part, has_cell(_("Now")))
            verdicts = {_("no"): None, _("yes, higher"): "higher", _("yes, lower"): "lower"}
            header = [_("Dimension"), _("Previous"), _("Now"), _("Difference")]
            header += [in_template("95% interval"), _("Meaningful?")]
            for row in table(part[at + 1 :], names, language, width=4, header=header):
                code = by_name[row.label].code
                sink.add(("previous", code, "previous_mean"), number(row.values[0]))
                sink.add(("dimension", code, "mean"), number(row.values[1]))
                sink.add(("previous", code, "difference"), parse_signed(row.values[2], language))
                low, high = parse_range(row.values[3], language, "…", signed=True)
                sink.add(("previous", code, "ci_low"), low)
                sink.add(("previous", code, "ci_high"), high)
                assert len(row.after) == 1, row
                sink.add(("previous", code, "meaningful"), verdicts[row.after[0]])
        part = section[h_benchmark:]
        if any(has_cell(_("Median"))(line) for line in part):
            template = (
                "The benchmark consists of the latest closed round of %(n)s other organisations. "
                "Q1 and Q3 mark the middle half of them."
            )
            match = find_one(_(template), norm(" ".join(part)))
            sink.add(("benchmark", "organisations"), parse_int(match["n"]))
            sector_template = _spaced(_("Within the sector %(sector)s (%(n)s organisations)"))
            tables = [("benchmark", part)]
            for at, line in enumerate(part):
                if match := re.fullmatch(sector_template, norm(line)):
                    sink.add(("benchmark_sector", "organisations"), parse_int(match["n"]))
                    tables = [("benchmark", part[:at]), ("benchmark_sector", part[at + 1 :])]
            header = [_("Dimension"), _("You"), "Q1", _("Median"), "Q3", _("Position")]
            for scope, rows_ in tables:
                at = index_of(rows_, has_cell(_("Median")))
                for row in table(rows_[at + 1 :], names, language, width=4, header=header):
                    code = by_name[row.label].code
                    sink.add(("dimension", code, "mean"), number(row.values[0]))
                    for name, figure in zip(("q1", "median", "q3"), row.values[1:], strict=True):
                        sink.add((scope, code, name), number(figure))

    # Breakdowns: one table per grouping.
    start = index_of(lines, is_line(kicker[1]))
    end = index_of(lines, lambda line: norm(line) in kicker[2:], start)
    section = lines[start:end]
    titles = {
        norm(presentation.breakdown_label(name)): name
        for name in ("team", "leadership", "role", "tenure", "contract")
    }
    at_titles = [
        (i, titles[norm(line)])
        for i, line in enumerate(section)
        if norm(line) in titles and not line.startswith(" ")
    ]
    hidden_text = presentation.reason_text(presentation.HIDDEN_GROUP, r.threshold)
    for (at, name), (next_at, _next) in zip(
        at_titles, [*at_titles[1:], (len(section), None)], strict=True
    ):
        part = section[at + 1 : next_at]
        b = r.breakdowns[name]
        try:
            head = index_of(part, has_cell(_("Group")))
        except AssertionError:
            sink.add(("breakdown", name, "allowed"), False)
            continue
        sink.add(("breakdown", name, "allowed"), True)
        groups = {g.label: g.key for g in (*b.groups, *b.suppressed)}
        assert len(groups) == len(b.groups) + len(b.suppressed), "group names must differ"
        body = index_of(part, lambda line: not line.strip(), head)  # below a wrapped header
        for row in table(
            part[body:],
            groups,
            language,
            width=len(dims) + 2,
            hidden_text=hidden_text,
            label_column=cells(part[head])[0][0],
            text_after=True,
        ):
            key = ("group", name, groups[row.label])
            if row.hidden:
                sink.add((*key, "hidden"), True)
                continue
            sink.add((*key, "n"), parse_int(row.values[0]))
            for d, figure in zip(dims, row.values[1:-1], strict=True):
                sink.add((*key, d.code), number(figure))
            sink.add((*key, "overall"), number(row.values[-1]))

    # Appendix: who took part, and reliability.
    start = index_of(lines, is_line(kicker[3]))
    appendix = lines[start:]
    if rate.percent is not None:
        match = find_one(
            _("%(n)s employees responded: %(rate)s %(basis)s."), norm(" ".join(appendix))
        )
        sink.add(("round", "received"), parse_int(match["n"]))
        sink.add(("round", "response_rate"), parse_percent(match["rate"]))
        sink.add(("round", "response_rate_denominator"), parse_basis(match["basis"]))
    head = index_of(appendix, has_cell(_("Based on")))
    end = index_of(appendix, is_line(_("The indicators in the model's own words")), head)
    based_on = [_spaced(ngettext("%(n)s respondent", "%(n)s respondents", n)) for n in (1, 2)]
    header = [_("Dimension"), _("Alpha"), _("Based on"), _("Note")]
    rows = table(appendix[head + 1 : end], names, language, width=1, header=header, text_after=True)
    for row in rows:
        code = by_name[row.label].code
        sink.add(("dimension", code, "alpha"), number(row.values[0]))
        match = next(m for p in based_on if (m := re.fullmatch(p, row.after[0])))
        sink.add(("dimension", code, "alpha_n"), parse_int(match["n"]))


def pdf_expected(r: RoundResults) -> Figures:
    rate = r.response_rate
    f: Figures = {
        ("round", "received"): r.received,
        ("round", "overall_index"): r.overall_index,
        ("round", "strongest"): tuple(r.strongest),
        ("round", "weakest"): tuple(r.weakest),
        ("role", "allowed"): bool(
            r.role_comparison
            and r.role_comparison.allowed
            and r.role_comparison.leadership
            and r.role_comparison.employees
        ),
    }
    if rate.percent is not None:
        f[("round", "response_rate")] = rate.percent
        f[("round", "response_rate_denominator")] = rate.denominator
    for code in (*r.strongest, *r.weakest):
        f[("item", code, "mean")] = r.item(code).mean
        f[("item", code, "reversed_tag")] = r.item(code).is_reversed
    for d in r.dimensions:
        for name in ("mean", "pct_positive", "pct_negative", "alpha", "alpha_n"):
            f[("dimension", d.code, name)] = getattr(d, name)
        if d.suppressed or d.mean is None:
            continue
        for name in ("n", "ci_low", "ci_high"):
            f[("dimension", d.code, name)] = getattr(d, name)
        if not d.statements_shown:
            continue
        for ind in d.indicators:
            f[("indicator", ind.code, "mean")] = ind.mean
        weakest = set(d.weakest)
        f[("dimension", d.code, "tagged_strongest")] = frozenset(set(d.strongest) - weakest)
        f[("dimension", d.code, "tagged_weakest")] = frozenset(weakest)
        for i in d.items:
            f[("item", i.code, "reversed_tag")] = i.is_reversed
            if i.suppressed:
                f[("item", i.code, "suppressed")] = True
                continue
            for name in ("mean", "pct_agree", "pct_disagree"):
                f[("item", i.code, name)] = getattr(i, name)
    if f[("role", "allowed")]:
        roles = r.role_comparison
        for key in ("leadership", "employees"):
            group = getattr(roles, key)
            f[("role", key, "overall")] = group.overall
            f |= {("role", key, d.code): group.dimensions.get(d.code) for d in r.dimensions}
    if r.previous:
        f[("previous", "round", "respondents")] = r.previous.respondents
        for d in r.dimensions:
            change = r.previous.dimensions.get(d.code)
            if change:
                for name in ("previous_mean", "difference", "ci_low", "ci_high"):
                    f[("previous", d.code, name)] = getattr(change, name)
                f[("previous", d.code, "meaningful")] = meaningful(change)
    if r.benchmark:
        f[("benchmark", "organisations")] = r.benchmark.organisations
        scopes = [("benchmark", r.benchmark.dimensions)]
        if r.benchmark.sector_dimensions:
            f[("benchmark_sector", "organisations")] = r.benchmark.sector_organisations
            scopes.append(("benchmark_sector", r.benchmark.sector_dimensions))
        for scope, quartiles in scopes:
            for d in r.dimensions:
                q = quartiles.get(d.code)
                if q and d.mean is not None and q.q1 is not None and q.q3 is not None:
                    f |= {
                        (scope, d.code, name): getattr(q, name) for name in ("q1", "median", "q3")
                    }
    for name, b in r.breakdowns.items():
        f[("breakdown", name, "allowed")] = b.allowed
        if not b.allowed:
            continue
        for g in b.groups:
            f |= group_figures(("group", name, g.key), g)
        for g in b.suppressed:
            f[("group", name, g.key, "hidden")] = True
    return f


# --- Aggregated CSV and XLSX -------------------------------------------------------------------

Table = tuple[list[str], list[list[Any]]]


def csv_cell(text: str, language: str) -> Any:
    """A cell as Excel in the file's language reads it: numbers, booleans, text."""
    dialect = exports.writers.csv_dialect(language)
    if text == "":
        return None
    if text in (dialect.true, dialect.false):
        return text == dialect.true
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(rf"-?\d+{re.escape(dialect.decimal)}\d+", text):
        return float(text.replace(dialect.decimal, "."))
    return text


def csv_tables(content: bytes, language: str) -> dict[str, Table]:
    """The sections of the CSV: a title, a header and rows, an empty line between them."""
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    delimiter = exports.writers.csv_dialect(language).delimiter
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))
    tables: dict[str, Table] = {}
    sections: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            sections[-1].append(row)
        else:
            sections.append([])
    for section in sections:
        (title,), header, *body = section
        tables[title] = (header, [[csv_cell(c, language) for c in row] for row in body])
    return tables


def xlsx_tables(content: bytes) -> dict[str, Table]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    tables = {}
    for sheet in workbook.worksheets:
        header, *body = (list(row) for row in sheet.iter_rows(values_only=True))
        width = len(header)
        tables[sheet.title] = (header, [row + [None] * (width - len(row)) for row in body])
    return tables


def export_figures(tables: dict[str, Table], r: RoundResults, language: str, where: str) -> Sink:
    sink = Sink(where)
    with translation.override(language):
        _export_figures(sink, tables, r, language)
    return sink


def _export_figures(sink: Sink, tables: dict[str, Table], r: RoundResults, language: str) -> None:
    _ = gettext
    used: set[str] = set()
    titles = {
        key: exports.writers.sheet_name(_(title), used) if "xlsx" in sink.where else _(title)
        for key, title in (
            ("round", "Round"),
            ("dimensions", "Dimensions"),
            ("indicators", "Indicators"),
            ("items", "Items"),
            ("extremes", "Strongest and weakest"),
            ("roles", "Managers vs. employees"),
            ("breakdowns", "Breakdowns"),
            ("previous", "Previous round"),
            ("benchmark", "Benchmark"),
        )
    }

    def rows(key: str) -> Iterable[dict[str, Any]]:
        if titles[key] not in tables:
            return []
        header, body = tables[titles[key]]
        assert len(set(header)) == len(header), header
        return [dict(zip(header, row, strict=True)) for row in body]

    scored_ = {f"scored_{v}": _("Scored %(value)d (count)") % {"value": v} for v in range(1, 6)}
    for row in rows("round"):
        key = {
            "respondents": ("round", "respondents"),
            "received": ("round", "received"),
            "response_rate_basis": ("round", "response_rate_denominator"),
            "response_rate": ("round", "response_rate"),
            "indicative": ("round", "indicative"),
            "threshold": ("round", "threshold"),
            "overall_index": ("round", "overall_index"),
            "previous_respondents": ("previous", "round", "respondents"),
            "previous_overall": ("previous", "round", "overall"),
        }.get(row[_("Key")])
        if key:
            sink.add(key, row[_("Value")])
    columns = {
        "n": _("Respondents (n)"),
        "mean": _("Mean"),
        "sd": _("SD"),
        "ci_low": _("95% CI low"),
        "ci_high": _("95% CI high"),
        "pct_positive": _("% positive"),
        "pct_negative": _("% negative"),
        **scored_,
        "band": _("Band code"),
        "attention": _("Needs attention"),
        "alpha": _("Cronbach's alpha"),
        "alpha_n": _("Alpha n"),
        "alpha_warning": _("Alpha indicative (n < 30)"),
        "suppressed": _("Suppressed"),
    }
    for row in rows("dimensions"):
        for name, column in columns.items():
            sink.add(("dimension", row[_("Code")], name), row[column])
    indicators = {(d.code, ind.name): ind.code for d in r.dimensions for ind in d.indicators}
    for row in rows("indicators"):
        code = indicators[(row[_("Dimension")], row[_("Indicator")])]
        sink.add(("indicator", code, "mean"), row[_("Mean")])
        sink.add(("indicator", code, "suppressed"), row[_("Suppressed")])
    columns = {
        "n_valid": _("Valid answers"),
        "n_not_applicable": _("Don't know / not applicable"),
        "mean": _("Mean"),
        "pct_agree": _("% agree (as worded)"),
        "pct_disagree": _("% disagree (as worded)"),
        "pct_positive": _("% positive"),
        "pct_negative": _("% negative"),
        **scored_,
        "is_reversed": _("Counts reversed"),
        "suppressed": _("Suppressed"),
    }
    for row in rows("items"):
        for name, column in columns.items():
            sink.add(("item", row[_("Item")], name), row[column])
    lists: dict[str, list[str]] = {"strongest": [], "weakest": []}
    names = {_("Strongest"): "strongest", _("Weakest"): "weakest"}
    for row in rows("extremes"):
        listed = lists[names[row[_("List")]]]
        assert row[_("Rank")] == len(listed) + 1, row
        listed.append(row[_("Item")])
        sink.add(("item", row[_("Item")], "mean"), row[_("Mean")])
    for name, codes in lists.items():
        sink.add(("round", name), tuple(codes))
    codes = [d.code for d in r.dimensions]
    means = {code: f"{code} {d.short_name}" for code, d in zip(codes, r.dimensions, strict=True)}
    roles = r.role_comparison
    role_keys = {}
    if roles and roles.leadership and roles.employees:
        role_keys = {roles.leadership.label: "leadership", roles.employees.label: "employees"}
    for row in rows("roles"):
        if not row[_("Group")]:
            sink.add(("role", "allowed"), False)
            continue
        sink.add(("role", "allowed"), True)
        key = ("role", role_keys[row[_("Group")]])
        sink.add((*key, "n"), row[_("Respondents (n)")])
        sink.add((*key, "overall"), row[_("Overall index")])
        for code in codes:
            sink.add((*key, code), row[means[code]])
    breakdowns = {b.label: b for b in r.breakdowns.values()}
    for row in rows("breakdowns"):
        b = breakdowns[row[_("Breakdown")]]
        if not row[_("Group")]:
            sink.add(("breakdown", b.name, "allowed"), False)
            continue
        sink.add(("breakdown", b.name, "allowed"), True)
        groups = {g.label: g.key for g in (*b.groups, *b.suppressed)}
        key = ("group", b.name, groups[row[_("Group")]])
        if row[_("Respondents (n)")] is None:
            figures = [row[_("Overall index")], *(row[means[c]] for c in codes)]
            assert figures == [None] * len(figures), row
            sink.add((*key, "hidden"), True)
            continue
        sink.add((*key, "n"), row[_("Respondents (n)")])
        sink.add((*key, "overall"), row[_("Overall index")])
        for code in codes:
            sink.add((*key, code), row[means[code]])
    columns = {
        "previous_mean": _("Previous mean"),
        "difference": _("Difference"),
        "ci_low": _("95% CI low"),
        "ci_high": _("95% CI high"),
        "is_meaningful": _("Meaningful difference"),
    }
    for row in rows("previous"):
        for name, column in columns.items():
            sink.add(("previous", row[_("Dimension")], name), row[column])
    columns = {
        ("benchmark", "n"): _("Organisations"),
        ("benchmark", "q1"): _("First quartile"),
        ("benchmark", "median"): _("Median"),
        ("benchmark", "q3"): _("Third quartile"),
        ("benchmark_sector", "n"): _("Organisations in the sector"),
        ("benchmark_sector", "q1"): _("Sector: first quartile"),
        ("benchmark_sector", "median"): _("Sector: median"),
        ("benchmark_sector", "q3"): _("Sector: third quartile"),
    }
    for row in rows("benchmark"):
        for (scope, name), column in columns.items():
            sink.add((scope, row[_("Dimension")], name), row[column])


def export_expected(r: RoundResults) -> Figures:
    left_out = {"statements_shown", "strongest", "weakest"}
    f = {
        key: value
        for key, value in all_figures(r).items()
        if not (key[0] == "dimension" and key[2] in left_out) and key[1:] != ("organisations",)
    }
    if not r.previous:
        f[("previous", "round", "respondents")] = None
        f[("previous", "round", "overall")] = None
    if r.benchmark:
        sector = r.benchmark.sector_dimensions or {}
        for code in r.benchmark.dimensions:
            if code not in sector:
                f |= {("benchmark_sector", code, name): None for name in QUARTILE_FIELDS}
    return f


# --- The comparisons ---------------------------------------------------------------------------


@pytest.fixture(params=CASES, ids=[f"{name}-{language}" for name, language in CASES])
def case(request) -> tuple[Round, str, RoundResults]:
    name, language = request.param
    rnd = ROUNDS[name]()
    results = campaign_results(rnd.campaign, language)
    assert results.visible and results.final and results.language == language
    return rnd, language, results


def test_the_random_round_has_what_the_comparison_needs():
    """Teams above and below k, hidden groups, blank cells, reverse-scored statements and
    "don't know" answers among the shown figures, a previous round and a benchmark."""
    rnd = random_round()
    r = campaign_results(rnd.campaign, "nl")
    sizes = [team.responses.count() for team in rnd.campaign.teams.all()]
    assert min(sizes) < K <= max(sizes)
    team = r.breakdowns["team"]
    assert team.groups and team.suppressed
    assert all(g.n >= K for g in team.groups)
    assert any(None in g.dimensions.values() for b in r.breakdowns.values() for g in b.groups)
    shown = [i for d in r.dimensions if shown_statements(d) for i in d.items]
    assert any(i.is_reversed for i in shown)
    assert any(i.n_not_applicable for i in shown)
    assert r.previous and r.previous.dimensions
    assert r.benchmark and r.benchmark.sector_dimensions


def test_dashboard(case):
    rnd, language, r = case
    parsed = dashboard_figures(dashboard_pages(rnd, language, r.breakdowns), language)
    assert_figures_equal(parsed, dashboard_expected(r), at_least=minimum_figures(r))


def test_pdf(case, tmp_path):
    rnd, language, r = case
    lines = pdf_lines(reports.build_report_pdf(rnd.campaign, language), tmp_path, r, language)
    parsed = pdf_figures(lines, r, language)
    assert_figures_equal(parsed, pdf_expected(r), at_least=minimum_figures(r))


def test_csv(case):
    rnd, language, r = case
    export = exports.build_aggregate_export(rnd.campaign, "csv", language)
    assert export.filename.endswith(".csv")
    tables = csv_tables(export.content, language)
    parsed = export_figures(tables, r, language, f"the CSV ({language})")
    assert_figures_equal(parsed, export_expected(r), at_least=minimum_figures(r))


def test_xlsx(case):
    rnd, language, r = case
    export = exports.build_aggregate_export(rnd.campaign, "xlsx", language)
    tables = xlsx_tables(export.content)
    parsed = export_figures(tables, r, language, f"the xlsx ({language})")
    assert_figures_equal(parsed, export_expected(r), at_least=minimum_figures(r))


def test_campaign_results_json(case):
    rnd, language, r = case
    out = StringIO()
    call_command("campaign_results", rnd.campaign.pk, "--json", "--lang", language, stdout=out)
    parsed = Sink(f"campaign_results --json --lang {language}")
    for key, value in all_figures(plain(json.loads(out.getvalue()))).items():
        parsed.add(key, value)
    assert_figures_equal(parsed, all_figures(r), at_least=minimum_figures(r))
