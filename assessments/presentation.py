"""One vocabulary for every output: the words, colours, rules and formats of the results.

The dashboard (templates and plotly charts), the PDF (SVG charts and text), the exports and the
JSON command take the following from here and nowhere else, so two outputs never describe the
same figure differently:

* score bands — their names, rules and colours (:data:`BANDS`) — and the one palette;
* why something is not shown (:func:`reason_text`) and what an interim look covers;
* the answer scale's labels (:func:`scale_labels`);
* the response rate, its denominator and the "indicative" threshold (:func:`response_rate`);
* how many strongest and weakest statements are picked (the rule is ``scoring.extremes``);
* number, percentage and date formats (Dutch conventions in Dutch, English in English);
* the time the questionnaire takes (:func:`minutes_to_complete`);
* the glossary of terms HR reads (:data:`GLOSSARY`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import scoring

# --- Colours -----------------------------------------------------------------------------
# The one palette of the dashboard and the PDF; static/css/app.css and report.css declare the
# same values as custom properties (--lc-*), and tests/test_presentation.py checks they agree.
PALETTE: dict[str, str] = {
    "primary": "#1f6f5c",  # this round
    "primary_dark": "#17574a",
    "accent": "#f2c14e",
    "high": "#2a9d8f",  # "Sterk punt"
    "middle": "#8cc9a0",  # "Basis aanwezig"
    "vulnerable": "#e9a23b",  # "Kwetsbaar"
    "low": "#c8553d",  # "Aandachtspunt"
    "previous": "#6b716e",  # the previous round (grey, dashed)
    "benchmark": "#3d5a98",  # the benchmark median (blue, dotted)
    "leadership": "#7b4f9d",  # leidinggevenden
    "employees": "#d9822b",  # medewerkers
    "text": "#1d2421",
    "muted": "#5c635f",
    "grid": "#e3e3dc",
    "paper": "#f7f7f4",
    "suppressed": "#efefea",  # cells without figures
}
# Scored answers 1..5, from "helemaal oneens" (after reversal) to "helemaal eens".
DISTRIBUTION_COLOURS: tuple[str, str, str, str, str] = (
    PALETTE["low"],
    "#e39a88",
    "#cfd2cd",
    "#8fcfc6",
    PALETTE["high"],
)


@dataclass(frozen=True)
class BandStyle:
    code: str
    label: Promise
    rule: Promise  # the rule in words, for legends and the method appendix
    colour: str  # charts, swatches, the edge of a dimension card
    badge_colour: str  # behind text: as ``colour``, darker where white text needs it (WCAG AA)
    text_colour: str  # on ``badge_colour``


# In display order, best first. The rules are those of scoring.band (instrument.md §3).
BANDS: dict[str, BandStyle] = {
    "high": BandStyle(
        "high",
        gettext_lazy("Strong point"),
        gettext_lazy("mean 4.00 or higher, with fewer than 15% negative answers"),
        PALETTE["high"],
        "#1f7a6f",
        "#ffffff",
    ),
    "middle": BandStyle(
        "middle",
        gettext_lazy("Basis present"),
        gettext_lazy("mean 3.50 or higher, but not a strong point"),
        PALETTE["middle"],
        PALETTE["middle"],
        PALETTE["text"],
    ),
    "vulnerable": BandStyle(
        "vulnerable",
        gettext_lazy("Vulnerable"),
        gettext_lazy("basis present, but only just: mean 3.00 to 3.50"),
        PALETTE["vulnerable"],
        PALETTE["vulnerable"],
        PALETTE["text"],
    ),
    "low": BandStyle(
        "low",
        gettext_lazy("Point of attention"),
        gettext_lazy("mean below 3.00, or 30% negative answers or more"),
        PALETTE["low"],
        "#a8432e",
        "#ffffff",
    ),
}


# The zones of the 1–5 scale behind bars and gauges: the bands' limits on the mean alone (the
# share of negative answers can move a dimension down a band, which a zone cannot show).
BAND_ZONES: tuple[tuple[float, float, str], ...] = (
    (float(scoring.SCALE_MIN), float(scoring.LOW_MEAN), "low"),
    (float(scoring.LOW_MEAN), float(scoring.VULNERABLE_MEAN), "vulnerable"),
    (float(scoring.VULNERABLE_MEAN), float(scoring.HIGH_MEAN), "middle"),
    (float(scoring.HIGH_MEAN), float(scoring.SCALE_MAX), "high"),
)


def band_label(code: str | None) -> str:
    style = BANDS.get(code or "")
    return str(style.label) if style else _("too few responses")


def band_colour(code: str | None) -> str:
    style = BANDS.get(code or "")
    return style.colour if style else PALETTE["suppressed"]


# --- Strongest and weakest statements ---------------------------------------------------------
TOP_ITEMS = scoring.TOP_ITEMS  # for the whole round (summary, report)
CARD_ITEMS = 2  # per dimension (dashboard card, report page)


# --- The answer scale --------------------------------------------------------------------------


def scale_labels() -> list[tuple[int, str]]:
    """The answer scale (1–5) as the questionnaire, the dashboard, the report and the codebook
    label it."""
    return [
        (1, _("Strongly disagree")),
        (2, _("Disagree")),
        (3, _("Neither agree nor disagree")),
        (4, _("Agree")),
        (5, _("Strongly agree")),
    ]


# --- Response rate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRate:
    """Responses over the expected number of respondents (presentation.response_rate)."""

    received: int
    denominator: int | None  # None: no headcount known, so no rate
    basis: str  # "headcount", "teams", "invitations" or "unknown"
    percent: int | None  # 0..100, never above 100
    indicative: bool  # below presentation.INDICATIVE_RESPONSE_RATE
    above_headcount: bool  # more responses than the headcount HR gave: worth checking
    invitations_sent: int = 0
    link_responses: int = 0  # responses not through a personal invitation (estimated)


# instrument.md §4.5: results are "indicatief" below about 40–50% response; Effectory uses 40%.
INDICATIVE_RESPONSE_RATE = 40  # percent


def response_rate(
    *,
    received: int,
    headcount: int | None,
    team_sizes: list[int | None],
    invitations_sent: int,
    invitations_used: int,
) -> ResponseRate:
    """Responses over the number of people who could respond: the one definition.

    The denominator is, in this order: the headcount HR entered for the round; the sum of the
    team sizes frozen when it opened (when every team has one); or the personal invitations
    sent plus the responses that came in through the round link. Never above 100%.
    """
    link_responses = max(received - invitations_used, 0)
    if headcount:
        denominator, basis = headcount, "headcount"
    elif team_sizes and all(team_sizes):
        denominator, basis = sum(size or 0 for size in team_sizes), "teams"
    elif invitations_sent:
        denominator, basis = invitations_sent + link_responses, "invitations"
    else:
        return ResponseRate(received, None, "unknown", None, False, False, 0, link_responses)
    above = received > denominator
    percent = min(round(100 * received / denominator), 100)
    return ResponseRate(
        received=received,
        denominator=denominator,
        basis=basis,
        percent=percent,
        indicative=percent < INDICATIVE_RESPONSE_RATE,
        above_headcount=above,
        invitations_sent=invitations_sent,
        link_responses=link_responses,
    )


def rate_basis_text(rate: ResponseRate) -> str:
    """What the response rate is a share of, in words (round page, dashboard, report)."""
    if rate.basis == "headcount":
        text = _("of the %(n)d employees the round is for (the number entered for the round)")
    elif rate.basis == "teams":
        text = _("of the %(n)d employees in the teams of the round (their sizes added up)")
    elif rate.basis == "invitations":
        return _(
            "of %(sent)d personal invitations plus %(link)d responses through the round link"
        ) % {"sent": rate.invitations_sent, "link": rate.link_responses}
    else:
        return _(
            "Fill in the number of employees the round is for (or the sizes of its teams) to "
            "see a response rate."
        )
    return text % {"n": rate.denominator}


def indicative_text(rate: ResponseRate) -> str:
    return _(
        "Indicative results: %(rate)s responded. Below %(threshold)s the people who answered "
        "may differ from those who did not, so read the results as a first impression."
    ) % {
        "rate": format_percent(rate.percent),
        "threshold": format_percent(INDICATIVE_RESPONSE_RATE),
    }


# --- Numbers and dates -----------------------------------------------------------------------


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "nl")[:2]


def format_number(value: float | None, language: str | None = None, digits: int = 2) -> str:
    """3,42 in Dutch, 3.42 in English; a dash for no value."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if _language(language) == "nl" else text


def format_signed(value: float | None, language: str | None = None) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + format_number(abs(value), language)


def format_percent(value: float | None) -> str:
    """Whole percentages, as every output shows them: 53%."""
    return "–" if value is None else f"{value:.0f}%"


def format_date(value: dt.date | None, language: str | None = None) -> str:
    """1 december 2026 (Dutch) or 1 December 2026."""
    if value is None:
        return "–"
    with translation.override(_language(language)):
        return date_format(value, "j F Y")


def format_short_date(value: dt.date | None, language: str | None = None) -> str:
    """9 mrt 2026 (Dutch: lower-case month) or 9 Mar 2026."""
    if value is None:
        return "–"
    lang = _language(language)
    with translation.override(lang):
        return date_format(value, "j b Y" if lang == "nl" else "j M Y")


# --- The questionnaire ---------------------------------------------------------------------


SECONDS_PER_STATEMENT = 9  # measured order of magnitude for short B1 statements on a phone


def minutes_to_complete(statements: int) -> int:
    """The one promise of how long the questionnaire takes (intro, poster, e-mails)."""
    return max(5, round(statements * SECONDS_PER_STATEMENT / 60 + 1))


# --- Why something is not shown -----------------------------------------------------------------


HIDDEN_GROUP = "hidden"  # the one reason every output gives for a group it does not show
HIDDEN_COMPARISON = "comparison_hidden"  # the same, for managers vs. employees


def reason_text(code: str, k: int) -> str:
    """Why a group, a breakdown, a look or the open answers are not shown (anonymity.py)."""
    texts = {
        # Every hidden group gets this one text: saying which rule hid it (too small, or hidden
        # with another group) would tell its size apart.
        HIDDEN_GROUP: lambda: (
            _(
                "this group has fewer than %(k)d responses, or showing it would let a group of "
                "fewer than %(k)d people be worked out (from the total, from groups that are "
                "shown, or from an earlier interim result)"
            )
            % {"k": k}
        ),
        HIDDEN_COMPARISON: lambda: (
            _(
                "one of the two groups has fewer than %(k)d responses, or showing them would "
                "let a group of fewer than %(k)d people be worked out"
            )
            % {"k": k}
        ),
        "cell_hidden": lambda: (
            _(
                "– = not shown: in this group, or in another group of this breakdown, too few "
                "people have a score on this dimension (they answered “don't know” to too many "
                "of its statements), and the figure would point to fewer than %(k)d people."
            )
            % {"k": k}
        ),
        "dimension_hidden": lambda: (
            _(
                "Not shown: too few people answered enough statements of this dimension since the "
                "last update to show it without pointing to fewer than %(k)d people."
            )
            % {"k": k}
        ),
        "statements_at_close": lambda: _(
            "The statements, indicators and spread appear when the round closes; interim "
            "results show the dimensions only."
        ),
        "statements_hidden": lambda: (
            _(
                "The statements of this dimension are not shown: fewer than %(k)d people answered "
                "“don't know” to some of them, and next to the dimension's mean their figures "
                "would give those few people's answers away."
            )
            % {"k": k}
        ),
        "round_below_threshold": lambda: (
            _("This round has fewer than %(k)d responses, so no results can be shown.") % {"k": k}
        ),
        "not_before_close": lambda: _(
            "The results appear when the round closes. Results that change while people are "
            "still answering would show, by comparison, what the newest respondents answered."
        ),
        "first_step_not_reached": lambda: (
            _(
                "The first interim results appear at %(first)d responses. The results are updated "
                "per %(k)d new responses, so that nobody can be traced."
            )
            % {"first": 2 * k, "k": k}
        ),
        "organisation_too_small": lambda: _(
            "With fewer than 10 respondents, results are shown for the organisation as a whole "
            "only: in groups that small, people would be easy to recognise."
        ),
        "not_in_interim": lambda: _(
            "Interim results are shown for the whole organisation only; the breakdowns appear "
            "when the round closes."
        ),
        "team_counts_with_results": lambda: _(
            "The number of responses per team appears together with the results per team, "
            "when the round closes: counts per team that change while people are answering "
            "would show who answered."
        ),
        "too_few_answers": lambda: _("Too few people answered this question to show the answers."),
    }
    if code not in texts:
        raise ValueError(f"No text for the reason {code!r}.")
    return texts[code]()


def look_note(*, respondents: int, received: int, step: int, final: bool) -> str | None:
    """What an interim look covers and why it lags, or None for final results."""
    if final:
        return None
    return ngettext(
        "These are interim results of the first %(shown)d of %(received)d responses. The "
        "results are updated per %(k)d new response, so that nobody can be traced.",
        "These are interim results of the first %(shown)d of %(received)d responses. The "
        "results are updated per %(k)d new responses, so that nobody can be traced.",
        step,
    ) % {"shown": respondents, "received": received, "k": step}


# --- Rounds and breakdowns ---------------------------------------------------------------------


def status_label(status: str) -> str:
    from .models import Campaign

    return str(Campaign.Status(status).label)


def breakdown_label(name: str) -> str:
    return {
        "team": _("Team"),
        "leadership": _("Leadership or employee"),
        "role": _("Role"),
        "tenure": _("Years of service"),
        "contract": _("Type of contract"),
    }.get(name, name)


def comparison_label(key: str) -> str:
    return {"leadership": _("Managers and directors"), "employees": _("Employees")}.get(key, key)


# --- Glossary ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    key: str
    term: Promise
    explanation: Promise


# Every technical term on an HR page or in the PDF, explained at B1 level; read it through
# glossary(), which fills in the thresholds.
GLOSSARY: tuple[Term, ...] = (
    Term(
        "mean",
        gettext_lazy("Mean (1–5)"),
        gettext_lazy(
            "The average answer: 1 is strongly disagree, 5 strongly agree. For statements that "
            "are worded the other way round, the answer counts reversed, so higher is always "
            "better for learning."
        ),
    ),
    Term(
        "positive",
        gettext_lazy("% positive / % negative"),
        gettext_lazy(
            "The share of answers that are good (4 or 5) or bad (1 or 2) for learning, after "
            "turning round the reversed statements."
        ),
    ),
    Term(
        "agree",
        gettext_lazy("% agree / % disagree"),
        gettext_lazy(
            "The share of people who agreed (4 or 5) or disagreed (1 or 2) with a statement as "
            "it is written. For a statement marked “counts reversed”, agreeing is bad for "
            "learning."
        ),
    ),
    Term(
        "reversed",
        gettext_lazy("Counts reversed"),
        gettext_lazy(
            "A statement worded negatively, such as “there is rarely time to look back”. "
            "Agreeing with it lowers the score."
        ),
    ),
    Term(
        "band",
        gettext_lazy("Strong point, basis present, vulnerable, point of attention"),
        gettext_lazy(
            "Four levels for a dimension, from its mean and the share of negative answers; "
            "the legend gives the exact limits."
        ),
    ),
    Term(
        "interval",
        gettext_lazy("Margin (95% interval)"),
        gettext_lazy(
            "With a different group of people the mean would come out a little different. "
            "The margin shows how much: the true mean lies between these two numbers in 95 of "
            "100 cases. Small groups have wide margins."
        ),
    ),
    Term(
        "meaningful",
        gettext_lazy("Meaningful change"),
        gettext_lazy(
            "A change that is bigger than chance alone would explain (its margin does not "
            "include zero). Smaller changes may just be a different mood on the day."
        ),
    ),
    Term(
        "sd",
        gettext_lazy("Spread (SD)"),
        gettext_lazy(
            "How far the answers lie apart. A large spread means people see it very "
            "differently: worth talking about."
        ),
    ),
    Term(
        "alpha",
        gettext_lazy("Reliability (Cronbach's alpha)"),
        gettext_lazy(
            "Whether the statements of a dimension measure the same thing: 0.70 or higher is "
            "good. Below 30 respondents it says little."
        ),
    ),
    Term(
        "benchmark",
        gettext_lazy("Benchmark (Q1, median, Q3)"),
        gettext_lazy(
            "How other organisations scored: the median is the middle one; half of them lie "
            "between Q1 and Q3."
        ),
    ),
    Term(
        "indicative",
        gettext_lazy("Indicative"),
        gettext_lazy(
            "Fewer than %(threshold)s of the people responded: those who did may think "
            "differently from those who did not. Read it as a first impression."
        ),
    ),
    Term(
        "k",
        gettext_lazy("Minimum group size (k)"),
        gettext_lazy(
            "A group is only shown when at least this many people are in it, and never so that "
            "a smaller group can be worked out. That keeps every answer anonymous."
        ),
    ),
)


def glossary() -> list[dict[str, str]]:
    values = {"threshold": format_percent(INDICATIVE_RESPONSE_RATE)}
    return [
        {"key": t.key, "term": str(t.term), "explanation": str(t.explanation) % values}
        if "%(" in str(t.explanation)
        else {"key": t.key, "term": str(t.term), "explanation": str(t.explanation)}
        for t in GLOSSARY
    ]


# --- The management view and the action plan (issue 12) ------------------------------------
# The words and rules the dashboard, the PDF, the dialogue kit and the exports share for the
# management view ("het beeld van de leiding") and the action plan.

# How many statements each list of conversation starters shows (management higher, lower).
GAP_STATEMENTS = 5
# A gap or a change of at least half a point: the smallest difference instrument.md §3 lets us
# call real for groups under about ten people, and the management team is such a group.
NOTABLE_GAP = 0.5
# An estimate within a quarter point of the employees' mean counts as "about right".
CLOSE_ESTIMATE = 0.25


def management_label(participants: list[tuple[str, str]] | tuple = ()) -> str:
    """The management view's name in a legend: one person's view is named as theirs."""
    if len(participants) == 1:
        name, role = participants[0]
        return _("View of %(name)s (%(role)s)") % {"name": name, "role": role}
    return _("Management's view (n = %(n)d)") % {"n": len(participants)}


def employees_label(n: int) -> str:
    return _("Employees (n = %(n)d)") % {"n": n}


def gap_text(gap: float | None) -> str:
    """What a gap (management − employees) means, in words."""
    if gap is None:
        return "–"
    if abs(gap) < NOTABLE_GAP:
        return _("about the same")
    return (
        _("management sees it more positively")
        if gap > 0
        else _("employees see it more positively")
    )


def estimate_text(verdict: str | None) -> str:
    return {
        "close": _("about right"),
        "too_high": _("too high"),
        "too_low": _("too low"),
    }.get(verdict or "", "–")


# Action statuses: the model's choices give the names; these the colours of their badges.
ACTION_STATUS_CLASSES: dict[str, str] = {
    "planned": "status-planned",
    "in_progress": "status-in-progress",
    "done": "status-done",
    "stopped": "status-stopped",
}


def action_status_label(status: str) -> str:
    from .models import PlanAction

    return str(PlanAction.Status(status).label)


IMPROVEMENT_GLOSSARY: tuple[Term, ...] = (
    Term(
        "management_view",
        gettext_lazy("Management's view"),
        gettext_lazy(
            "The directors, owners and team leaders answered the same statements as they see "
            "the organisation. Their answers are not anonymous within the management team and "
            "never count in the employees' results."
        ),
    ),
    Term(
        "gap",
        gettext_lazy("Gap"),
        gettext_lazy(
            "Management's score minus the employees' score. Above zero: management sees it more "
            "positively. With only a few managers, read a gap of less than half a point as no "
            "real difference."
        ),
    ),
    Term(
        "estimate",
        gettext_lazy("Estimate"),
        gettext_lazy(
            "What management expected the employees to score. An estimate within a quarter "
            "point of the real score is about right."
        ),
    ),
    Term(
        "focus",
        gettext_lazy("Focus dimension"),
        gettext_lazy(
            "One of the one to three dimensions the organisation chose to work on after the "
            "round. The next round shows how much it changed since the plan."
        ),
    ),
)


def improvement_glossary() -> list[dict[str, str]]:
    return [
        {"key": t.key, "term": str(t.term), "explanation": str(t.explanation)}
        for t in IMPROVEMENT_GLOSSARY
    ]
