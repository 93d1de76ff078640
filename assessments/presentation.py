"""One vocabulary for every output: the words HR and consultants read about the results.

The dashboard, the PDF, the exports and the JSON command take their wording of these concepts
from here, so a rule is explained the same way everywhere.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def reason_text(code: str | None, k: int) -> str:
    """Why a group, a breakdown, a look or the open answers are not shown (anonymity.py)."""
    texts = {
        "too_small": lambda: _("fewer than %(k)d responses") % {"k": k},
        "complementary": lambda: (
            _(
                "hidden so that the rest of this breakdown, fewer than %(k)d people, cannot be "
                "worked out from the total"
            )
            % {"k": k}
        ),
        "crossing": lambda: (
            _(
                "hidden because, together with a group that is already shown (for example a "
                "team), it would point to fewer than %(k)d people"
            )
            % {"k": k}
        ),
        "earlier_look": lambda: (
            _(
                "hidden because an interim result already covered part of this group: comparing "
                "the two would point to fewer than %(k)d people"
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
    text = texts.get(code or "")
    return text() if text else _("Not shown, to protect anonymity.")


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
