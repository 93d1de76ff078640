"""What the publication plan costs in detail: groups shown at close, before and after issue 10.

For the demo organisation and for simulated organisations of 25, 60 and 150 people with
realistic team, role, tenure and contract mixes (and "zeg ik liever niet"), count the groups
with figures in the final results:

* before: the rules until issue 10 — each breakdown planned on its own (every group ≥ k, the
  rest of that breakdown 0 or ≥ k), blind to overlaps between breakdowns and to looks over time;
* after, no interim results (the default): one plan over all breakdowns together;
* after, interim results for the organisation, when people answer in random order;
* after, interim results for the organisation, when teams answer one after the other (a team
  fills in during its own work meeting).

Pure Python (the plan is), so it needs no database; 200 random organisations per size.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments import anonymity

K = 5
DRAWS = 200
ROLES = ["employee", "manager", "director"]
TENURES = ["lt1", "1-5", "gt5"]
CONTRACTS = ["permanent", "temporary", "work_study"]
NAMES = ("team", anonymity.LEADERSHIP, "role", "tenure", "contract")
# Simulated SMEs: team sizes (headcount), managers, directors; a response rate of 70–90 %.
SIZES = {
    25: ([10, 8, 7], 3, 1),
    60: ([18, 14, 12, 9, 7], 6, 2),
    150: ([40, 32, 28, 22, 16, 12], 14, 3),
}


def simulated(size: int, rng: random.Random) -> list[dict]:
    teams, managers, directors = SIZES[size]
    people = []
    for t, headcount in enumerate(teams):
        for _ in range(headcount):
            people.append({"team": f"team-{t}"})
    rng.shuffle(people)
    for i, person in enumerate(people):
        person["role"] = (
            "director" if i < directors else "manager" if i < directors + managers else "employee"
        )
        person["contract"] = rng.choices(CONTRACTS, [75, 17, 8])[0]
        person["tenure"] = rng.choices(
            TENURES, [60, 40, 0] if person["contract"] == "work_study" else [13, 37, 50]
        )[0]
        for question in ("team", "role", "tenure", "contract"):
            if rng.random() < 0.07:  # "zeg ik liever niet"
                person[question] = None
    rate = rng.uniform(0.7, 0.9)
    return rng.sample(people, round(len(people) * rate))


def demo() -> list[dict]:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leercultuur.settings")
    django.setup()
    from assessments.management.commands import seed_demo

    return [
        {
            "team": r.team,
            "role": r.role or None,
            "tenure": r.tenure or None,
            "contract": r.contract or None,
        }
        for r in seed_demo._respondents(random.Random(seed_demo.SEED))
    ]


def orders(people: Sequence[dict]) -> dict[str, list[dict]]:
    return {team: [p for p in people if p["team"] == team] for team in _teams(people)}


def _teams(people: Sequence[dict]) -> list[str]:
    return sorted({p["team"] for p in people if p["team"]})


def specs(people: Sequence[dict]) -> tuple[anonymity.BreakdownSpec, ...]:
    return anonymity.breakdown_specs(
        asked=anonymity.SEGMENTS,
        group_orders={
            "team": _teams(people),
            "role": ROLES,
            "tenure": TENURES,
            "contract": CONTRACTS,
        },
    )


def possible(people: Sequence[dict]) -> dict[str, int]:
    """Groups that have at least k people: what a rule blind to differencing would show."""
    counts = {}
    for spec in specs(people):
        sizes = [
            sum(1 for p in people if p[spec.attribute] in group.values) for group in spec.groups
        ]
        ok = [s for s in sizes if s >= K]
        counts[spec.name] = len(ok) if not spec.all_or_nothing or len(ok) == 2 else 0
    return counts


def before(people: Sequence[dict]) -> dict[str, int]:
    """The rules until issue 10: every breakdown planned on its own."""
    counts = {}
    total = len(people)
    for spec in specs(people):
        if total < anonymity.MIN_RESPONDENTS_FOR_BREAKDOWNS:
            counts[spec.name] = 0
            continue
        sizes = {
            group.label: sum(1 for p in people if p[spec.attribute] in group.values)
            for group in spec.groups
        }
        shown = [label for label, n in sizes.items() if n >= K]
        if spec.all_or_nothing:
            rest = total - sum(sizes.values())
            ok = len(shown) == 2 and (rest == 0 or rest >= K)
            counts[spec.name] = 2 if ok else 0
            continue
        while shown and 0 < total - sum(sizes[g] for g in shown) < K:
            shown.remove(min(shown, key=lambda g: (sizes[g], g)))
        counts[spec.name] = len(shown)
    return counts


def after(people: Sequence[dict], interim: anonymity.Interim) -> dict[str, int]:
    plan = anonymity.plan_round(
        people, threshold=K, interim=interim, closed=True, breakdowns=specs(people)
    )
    look = plan.current
    return {b.name: len(b.shown) for b in look.breakdowns} if look else dict.fromkeys(NAMES, 0)


def by_team(people: Sequence[dict], rng: random.Random) -> list[dict]:
    teams = list(orders(people).values())
    rng.shuffle(teams)
    rest = [p for p in people if not p["team"]]
    ordered = [p for team in teams for p in team]
    for p in rest:
        ordered.insert(rng.randrange(len(ordered) + 1), p)
    return ordered


def measure(label: str, draw) -> dict:
    rng = random.Random(label)
    rows: dict[str, list[dict[str, int]]] = {
        key: [] for key in ("possible", "before", "none", "random", "teams")
    }
    respondents = []
    started = time.perf_counter()
    for _ in range(DRAWS):
        people = draw(rng)
        respondents.append(len(people))
        rows["possible"].append(possible(people))
        rows["before"].append(before(people))
        rows["none"].append(after(people, anonymity.Interim.NONE))
        shuffled = list(people)
        rng.shuffle(shuffled)
        rows["random"].append(after(shuffled, anonymity.Interim.ORGANISATION))
        rows["teams"].append(after(by_team(people, rng), anonymity.Interim.ORGANISATION))
    seconds = time.perf_counter() - started
    out = {"respondents": statistics.mean(respondents), "plans_per_second": 4 * DRAWS / seconds}
    for key, counts in rows.items():
        out[key] = {name: statistics.mean(c.get(name, 0) for c in counts) for name in NAMES}
        out[key]["total"] = statistics.mean(sum(c.values()) for c in counts)
    return out


def run() -> dict:
    demo_people = demo()
    figures = {"demo": measure("demo", lambda rng: list(demo_people))}
    for size in SIZES:
        figures[str(size)] = measure(str(size), lambda rng, size=size: simulated(size, rng))

    def cell(data: dict, key: str) -> str:
        parts = " · ".join(f"{data[key][name]:.1f}" for name in NAMES)
        return f"**{data[key]['total']:.1f}** ({parts})"

    markdown = [
        "Targets (issue 10): the plan that keeps every atom ≥ k must stay useful for an SME; "
        "report the groups shown at close before and after, and what interim results cost.",
        "",
        f"Groups with figures in the final results, mean over {DRAWS} random organisations per "
        "size (the demo: its one organisation, "
        f"{DRAWS} submission orders), k = {K}. In brackets per breakdown: team · leadership vs. "
        "employees (0 or 2) · role · years of service · contract. *Possible*: groups of at least "
        "k people, ignoring differencing. *Before*: each breakdown planned on its own (the rules "
        "until issue 10, which the attacks of issue 10 broke). *After*: one plan for all "
        "breakdowns and all looks.",
        "",
        "| organisation | respondents | possible | before | after, no interim results "
        "(default) | after, interim results, random order | after, interim results, team by "
        "team |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, data in figures.items():
        name = "demo (Installatiebedrijf Van Dijk)" if label == "demo" else f"{label} employees"
        markdown.append(
            f"| {name} | {data['respondents']:.0f} | {cell(data, 'possible')} | "
            f"{cell(data, 'before')} | {cell(data, 'none')} | {cell(data, 'random')} | "
            f"{cell(data, 'teams')} |"
        )
    cheapest = min(
        figures.values(), key=lambda d: d["random"]["total"] / max(d["none"]["total"], 1)
    )
    markdown += [
        "",
        "Interim results cost detail at close: each interim look fixes a block of k responses, "
        "and a group whose people fall into a block in fewer than k is hidden at close "
        f"(with random order, {cheapest['random']['total']:.1f} groups remain where "
        f"{cheapest['none']['total']:.1f} would be shown without interim results). That is why "
        "the default is no interim results; HR can turn them on for the organisation as a "
        "whole, and the round form says what that costs.",
        "",
        "Plans per second (pure Python, one plan per organisation and mode): "
        + ", ".join(f"{label}: {data['plans_per_second']:.0f}" for label, data in figures.items())
        + ".",
    ]
    return {
        "title": "Anonymity: groups shown at close (issue 10)",
        "figures": figures,
        "markdown": markdown,
    }


if __name__ == "__main__":
    print("\n".join(run()["markdown"]))
