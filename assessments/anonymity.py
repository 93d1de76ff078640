"""The publication plan of a round: everything any role can ever see of its answers.

Pure Python (standard library only, no Django), tested without a database. Every output of a
round — the results page and its breakdowns, ``campaign_results --json``, the PDF, the
aggregated CSV/XLSX, the response-level file and its group columns, the response-rate page and
its JSON, the comparison with the previous round and the benchmark — is built from the one
:class:`PublicationPlan` that :func:`plan_round` makes, so none of them can publish a group the
plan did not allow.

The invariant
    Call a *published set* every set of respondents over which some figure of the round is, was
    or can be shown to anyone (HR, consultant, anyone they pass it to): the respondents of every
    look while the round was open, those of the final results, every group of every breakdown
    shown in any of those looks, and every group label the rows of the response-level file
    carry. The *atoms* are the classes of respondents that lie in exactly the same published
    sets. **Every atom has 0 or at least k respondents.**

Why the invariant is enough
    Every figure we publish of a set S — a count, a mean, a standard deviation, a percentage, a
    distribution, Cronbach's alpha, the n.v.t. count, the strongest statements, the open answers
    — is a function of sums over S of per-respondent quantities (answers, scores, their squares
    and products, indicators such as "answered 1"), or of the multiset of S's rows. S is a union
    of atoms, so each such sum is the sum of the atoms' sums. Everything anyone can compute from
    all figures together is therefore a function of the per-atom sums: any linear combination of
    published sums gives every respondent of an atom the same weight, so no subtraction — over
    time, across breakdowns, or between a file and a page — singles out fewer than k people.
    The response-level file shows rows, but only labelled with published sets, so a row's
    labels say which atom-union it is in and nothing finer; linking its rows to a published
    mean finds a union of atoms, which was already known.

How the plan keeps it (the proof is by construction)
    1. *Looks.* Which looks exist is a function of the number of responses received, not of who
       looked when, so the plan can treat every look that could have been seen as seen. While a
       round is open its results cover the first responses in submission order up to the
       largest multiple of k that trails the newest by at least k (``Interim.ORGANISATION``),
       or nothing at all (``Interim.NONE``, the default). Successive looks differ by k, and the
       final results at close differ from the last look by at least k. The looks are nested, so
       the sets they publish cut the respondents into *blocks* of submission order, each of at
       least k.
    2. *Breakdowns together.* A look shows its breakdowns in a fixed order of preference —
       team, then leadership vs. employees, role, years of service, contract — and within one
       breakdown the largest admissible selection of groups. A group is added to the published
       sets only when every atom of the refined partition still has 0 or ≥ k respondents; the
       partition the plan checks is made from the blocks and every group already accepted, so
       each accepted step keeps the invariant, and a rejected group is never published. Groups
       are not shown when they are smaller than k (``Reason.TOO_SMALL``), when they would split
       a block of an earlier look into a part below k (``Reason.EARLIER_LOOK``), when they would
       overlap a group already shown in fewer than k (``Reason.CROSSING``) or when the rest of
       their breakdown would be smaller than k (``Reason.COMPLEMENTARY``).
    3. *The response-level file* (closed rounds) labels each row, per breakdown, with the shown
       group the respondent is in, or leaves it blank; a blank is the complement of the shown
       groups. Every label is thus a published set (or a complement of a union of them), and the
       file adds no set to the partition.
    4. *Open answers* are shown only at organisation level, for the respondents of a look, when
       at least ``threshold`` of them wrote something; they are shuffled and have no dates.

Other rules
    * k is at least 3 (:data:`MIN_THRESHOLD`); a round shows results only from k respondents,
      breakdowns only from :data:`MIN_RESPONDENTS_FOR_BREAKDOWNS` (instrument.md §4.4).
    * Suppressed groups are listed without their size: that size is itself a count below k.
    * The settings that shape the plan (k, interim results, the segment questions) are locked
      once a round opens; changing them would combine looks made under two plans.
    * The submission number that orders the responses is never shown, exported or logged.

Usage::

    specs = breakdown_specs(asked=campaign.segment_questions(), group_orders={...})
    plan = plan_round(profiles, threshold=k, interim=Interim.NONE, closed=True, breakdowns=specs)
    look = plan.current            # None: nothing to show yet (plan.reason says why)
    look.size                      # the first look.size respondents in submission order
    for group in look.breakdown("team").shown: ...
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_THRESHOLD = 3
MIN_RESPONDENTS_FOR_BREAKDOWNS = 10
LEADERSHIP_ROLES: frozenset[str] = frozenset({"manager", "director"})
EMPLOYEE_ROLES: frozenset[str] = frozenset({"employee"})
LEADERSHIP = "leadership"
EMPLOYEES = "employees"
SEGMENTS = ("team", "role", "tenure", "contract")
# The order in which breakdowns get their groups: a group of a later breakdown is shown only
# when it adds nothing below k to what the earlier ones show. Team first: it is what HR and the
# teams act on (instrument.md §4, S1).
PREFERENCE = ("team", LEADERSHIP, "role", "tenure", "contract")
# Above this many admissible groups in one breakdown the best selection is found greedily.
EXHAUSTIVE_GROUPS = 12

Label = str | None
Profile = Mapping[str, Label]  # a respondent's segment answers; None = not asked / not said


class Interim(StrEnum):
    """What an open round shows before it closes."""

    NONE = "none"  # nothing: every group keeps its detail at close (the default)
    ORGANISATION = "organisation"  # organisation-level results in steps of k responses


class Reason(StrEnum):
    """Why one group of a breakdown is not shown."""

    TOO_SMALL = "too_small"
    COMPLEMENTARY = "complementary"
    CROSSING = "crossing"
    EARLIER_LOOK = "earlier_look"


class Refusal(StrEnum):
    """Why a look, a breakdown or the open answers show nothing."""

    ROUND_BELOW_THRESHOLD = "round_below_threshold"  # fewer than k respondents
    NOT_BEFORE_CLOSE = "not_before_close"  # Interim.NONE: results appear at close
    FIRST_STEP_NOT_REACHED = "first_step_not_reached"  # interim results from 2k responses
    ORGANISATION_TOO_SMALL = "organisation_too_small"  # < 10 respondents: organisation only
    NOT_IN_INTERIM = "not_in_interim"  # interim looks show the organisation only
    TOO_FEW_ANSWERS = "too_few_answers"  # open answers below their threshold


@dataclass(frozen=True)
class GroupSpec:
    label: str
    values: frozenset[str]  # the answers to the breakdown's question that make up the group


@dataclass(frozen=True)
class BreakdownSpec:
    name: str
    attribute: str  # the segment question it reads: team, role, tenure or contract
    groups: tuple[GroupSpec, ...]  # in display order
    all_or_nothing: bool = False  # a comparison of two groups shows both or neither


@dataclass(frozen=True)
class ShownGroup:
    label: str
    size: int
    values: frozenset[str]


@dataclass(frozen=True)
class SuppressedGroup:
    label: str
    reason: Reason


@dataclass(frozen=True)
class BreakdownPlan:
    name: str
    attribute: str
    allowed: bool
    reason: Refusal | None
    shown: tuple[ShownGroup, ...]
    suppressed: tuple[SuppressedGroup, ...]

    @property
    def shown_labels(self) -> tuple[str, ...]:
        return tuple(group.label for group in self.shown)

    def is_shown(self, label: str) -> bool:
        return label in self.shown_labels

    def group_of(self, profile: Profile) -> str | None:
        """The shown group a respondent belongs to, or None."""
        value = profile.get(self.attribute)
        for group in self.shown:
            if value in group.values:
                return group.label
        return None


@dataclass(frozen=True)
class Look:
    """One state of the results: the first ``size`` respondents in submission order."""

    size: int
    final: bool
    breakdowns: tuple[BreakdownPlan, ...]

    def breakdown(self, name: str) -> BreakdownPlan | None:
        return next((plan for plan in self.breakdowns if plan.name == name), None)


@dataclass(frozen=True)
class PublicationPlan:
    threshold: int
    interim: Interim
    received: int  # responses received so far (the live count; no figure of their answers)
    closed: bool
    looks: tuple[Look, ...]  # every look that is or was published, oldest first
    reason: Refusal | None  # why nothing is shown yet; None when a look is shown

    @property
    def current(self) -> Look | None:
        return self.looks[-1] if self.looks else None

    @property
    def lag(self) -> int:
        """Responses received but not (yet) in the results."""
        current = self.current
        return self.received - (current.size if current else 0)

    def released_labels(self, profiles: Sequence[Profile]) -> list[dict[str, str | None]]:
        """Per respondent, per breakdown of the final results: the shown group, or None.

        These are the only group labels the response-level file may carry (closed rounds).
        """
        current = self.current
        if not self.closed or current is None or not current.final:
            raise ValueError("Group labels of individual rows exist only for closed rounds.")
        return [
            {plan.name: plan.group_of(profile) for plan in current.breakdowns}
            for profile in profiles
        ]

    def published_sets(self, profiles: Sequence[Profile]) -> list[frozenset[int]]:
        """Every published set, as positions in submission order (for tests and the bench)."""
        sets = []
        for look in self.looks:
            sets.append(frozenset(range(look.size)))
            for plan in look.breakdowns:
                for group in plan.shown:
                    sets.append(
                        frozenset(
                            i
                            for i in range(look.size)
                            if profiles[i].get(plan.attribute) in group.values
                        )
                    )
        return sets


# --- Basic rules -------------------------------------------------------------------------


def check_threshold(threshold: int) -> int:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError(f"The threshold must be a whole number, not {threshold!r}.")
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"The threshold must be at least {MIN_THRESHOLD}, not {threshold}.")
    return threshold


def round_results_visible(total: int, threshold: int) -> bool:
    """Whether a set of this many respondents may have figures at all."""
    return total >= check_threshold(threshold)


def breakdowns_allowed(total: int, threshold: int) -> Refusal | None:
    """None when a look of ``total`` respondents may show breakdowns, else why not."""
    if not round_results_visible(total, threshold):
        return Refusal.ROUND_BELOW_THRESHOLD
    if total < MIN_RESPONDENTS_FOR_BREAKDOWNS:
        return Refusal.ORGANISATION_TOO_SMALL
    return None


def look_sizes(
    received: int, threshold: int, interim: Interim | str, closed: bool
) -> tuple[int, ...]:
    """The sizes of every look published so far, oldest first.

    Interim looks are the multiples of k that trail the responses received by at least k; at
    close the final look covers everyone (and so differs from the last interim look by ≥ k).
    """
    k = check_threshold(threshold)
    if received < 0:
        raise ValueError("The number of responses cannot be negative.")
    sizes = list(range(k, received - k + 1, k)) if Interim(interim) is Interim.ORGANISATION else []
    if closed and received >= k:
        sizes.append(received)
    return tuple(sizes)


def atom_sizes(sets: Iterable[Collection[int]], population: int) -> Counter[tuple[bool, ...]]:
    """Respondents per atom: the classes of positions 0..population−1 in the same sets.

    Respondents in no set at all are left out: nothing is published about them, so no
    combination of published figures can involve them.
    """
    members = [frozenset(s) for s in sets]
    atoms: Counter[tuple[bool, ...]] = Counter()
    for i in range(population):
        key = tuple(i in s for s in members)
        if any(key):
            atoms[key] += 1
    return atoms


def disclosure_safe(sets: Iterable[Collection[int]], population: int, threshold: int) -> bool:
    """Whether every atom of these published sets has 0 or at least ``threshold`` respondents."""
    return all(size >= threshold for size in atom_sizes(sets, population).values())


# --- The plan ----------------------------------------------------------------------------


def breakdown_specs(
    *, asked: Collection[str], group_orders: Mapping[str, Sequence[str]]
) -> tuple[BreakdownSpec, ...]:
    """The breakdowns of a round, in the order of :data:`PREFERENCE`.

    ``asked``: the segment questions of the round. ``group_orders``: per question, its answer
    values in display order (team ids, role codes, …). The leadership comparison
    (managers + directors vs. employees) is a breakdown of the role question of its own.
    """
    specs = []
    for name in PREFERENCE:
        attribute = "role" if name == LEADERSHIP else name
        if attribute not in asked:
            continue
        groups: tuple[GroupSpec, ...]
        if name == LEADERSHIP:
            groups = (
                GroupSpec(LEADERSHIP, LEADERSHIP_ROLES),
                GroupSpec(EMPLOYEES, EMPLOYEE_ROLES),
            )
            specs.append(BreakdownSpec(name, attribute, groups, all_or_nothing=True))
        else:
            order = group_orders.get(name, ())
            groups = tuple(GroupSpec(value, frozenset({value})) for value in order)
            specs.append(BreakdownSpec(name, attribute, groups))
    return tuple(specs)


def plan_round(
    profiles: Sequence[Profile],
    *,
    threshold: int,
    interim: Interim | str = Interim.NONE,
    closed: bool,
    breakdowns: Sequence[BreakdownSpec],
) -> PublicationPlan:
    """Everything that is or was published of a round with these respondents.

    ``profiles``: every response received, in submission order. ``closed``: whether the round
    has closed (the final look exists). See the module docstring for the rules.
    """
    k = check_threshold(threshold)
    mode = Interim(interim)
    received = len(profiles)
    sizes = look_sizes(received, k, mode, closed)
    if not sizes:
        if closed:
            reason = Refusal.ROUND_BELOW_THRESHOLD
        elif mode is Interim.NONE:
            reason = Refusal.NOT_BEFORE_CLOSE
        else:
            reason = Refusal.FIRST_STEP_NOT_REACHED
        return PublicationPlan(k, mode, received, closed, (), reason)

    partition = _Partition(profiles, sizes, [spec.attribute for spec in breakdowns])
    looks = []
    for index, size in enumerate(sizes):
        final = closed and index == len(sizes) - 1
        plans = tuple(
            partition.add_breakdown(spec, index, k)
            if final
            else _refused(spec, Refusal.NOT_IN_INTERIM)
            for spec in breakdowns
        )
        looks.append(Look(size, final, plans))
    return PublicationPlan(k, mode, received, closed, tuple(looks), None)


def _refused(spec: BreakdownSpec, reason: Refusal) -> BreakdownPlan:
    return BreakdownPlan(spec.name, spec.attribute, False, reason, (), ())


class _Partition:
    """The atoms of everything published so far, kept as counts of interchangeable cells.

    Respondents in the same block of submission order who gave the same segment answers are
    in exactly the same published sets, whatever the plan publishes, so the plan counts cells
    instead of people: its cost depends on the number of distinct answer combinations, not N.
    """

    def __init__(
        self, profiles: Sequence[Profile], sizes: Sequence[int], attributes: Sequence[str]
    ):
        self.attributes = list(dict.fromkeys(attributes))
        self.sizes = list(sizes)
        cells: Counter[tuple[int, tuple[Label, ...]]] = Counter()
        for position, profile in enumerate(profiles[: self.sizes[-1]]):
            block = bisect.bisect_right(self.sizes, position)
            cells[block, tuple(profile.get(name) for name in self.attributes)] += 1
        self.cells = list(cells.items())
        # An atom is (block, the published groups the cell is in); groups get one bit each.
        self.signature = [0] * len(self.cells)
        self.next_bit = 0

    def add_breakdown(self, spec: BreakdownSpec, look: int, k: int) -> BreakdownPlan:
        in_look = [block <= look for (block, _), _ in self.cells]
        total = sum(
            weight for (_, weight), inside in zip(self.cells, in_look, strict=True) if inside
        )
        refusal = breakdowns_allowed(total, k)
        if refusal is not None:
            return _refused(spec, refusal)
        column = self.attributes.index(spec.attribute)
        atoms: Counter[tuple[int, int]] = Counter()
        for i, ((block, _), weight) in enumerate(self.cells):
            atoms[block, self.signature[i]] += weight
        members: list[list[int]] = []
        for group in spec.groups:
            members.append(
                [
                    i
                    for i, ((_, values), _) in enumerate(self.cells)
                    if in_look[i] and values[column] in group.values
                ]
            )
        sizes = [sum(self.cells[i][1] for i in cells) for cells in members]
        overlaps: list[Counter[tuple[int, int]]] = []
        for cells in members:
            overlap: Counter[tuple[int, int]] = Counter()
            for i in cells:
                overlap[self.cells[i][0][0], self.signature[i]] += self.cells[i][1]
            overlaps.append(overlap)

        reasons: dict[int, Reason] = {}
        candidates = []
        for g, size in enumerate(sizes):
            if size < k:
                reasons[g] = Reason.TOO_SMALL
            elif any(not _ok(part, k) for part in overlaps[g].values()):
                reasons[g] = _why_split(overlaps[g], k)
            else:
                candidates.append(g)
        if spec.all_or_nothing and len(candidates) < len(spec.groups):
            for g in candidates:
                reasons[g] = _why_left_out(overlaps[g], atoms, k)
            candidates = []
        chosen = _best_selection(candidates, sizes, overlaps, atoms, k, spec.all_or_nothing)
        for g in candidates:
            if g not in chosen:
                reasons[g] = _why_left_out(overlaps[g], atoms, k)
        for g in chosen:
            bit = 1 << self.next_bit
            self.next_bit += 1
            for i in members[g]:
                self.signature[i] |= bit
        return BreakdownPlan(
            name=spec.name,
            attribute=spec.attribute,
            allowed=True,
            reason=None,
            shown=tuple(
                ShownGroup(spec.groups[g].label, sizes[g], spec.groups[g].values)
                for g in sorted(chosen)
            ),
            suppressed=tuple(
                SuppressedGroup(spec.groups[g].label, reasons[g]) for g in sorted(reasons)
            ),
        )


def _ok(size: int, k: int) -> bool:
    return size == 0 or size >= k


def _why_split(overlap: Counter, k: int) -> Reason:
    """Why a group would cut an atom into a part below k: an earlier look, or another group."""
    blocks: Counter[int] = Counter()
    for (block, _), part in overlap.items():
        blocks[block] += part
    if len(blocks) > 1 and any(not _ok(part, k) for part in blocks.values()):
        return Reason.EARLIER_LOOK
    return Reason.CROSSING


def _why_left_out(overlap: Counter, atoms: Counter, k: int) -> Reason:
    """Why an admissible group was not selected: whose rest would fall below k."""
    short = [atom for atom, part in overlap.items() if not _ok(atoms[atom] - part, k)]
    if any(signature for _, signature in short):
        return Reason.CROSSING  # the rest of a group already shown
    if len({block for block, _ in atoms}) > 1 and short:
        return Reason.EARLIER_LOOK  # the rest of the responses between two looks
    return Reason.COMPLEMENTARY  # the rest of this breakdown


def _feasible(
    selection: Sequence[int], overlaps: Sequence[Counter], atoms: Counter, k: int
) -> bool:
    taken: Counter = Counter()
    for g in selection:
        taken.update(overlaps[g])
    return all(_ok(atoms[atom] - part, k) for atom, part in taken.items())


def _best_selection(
    candidates: list[int],
    sizes: Sequence[int],
    overlaps: Sequence[Counter],
    atoms: Counter,
    k: int,
    all_or_nothing: bool,
) -> set[int]:
    """The most groups (then the most respondents, then the first in order) safe together."""
    if not candidates:
        return set()
    if all_or_nothing:
        return set(candidates) if _feasible(candidates, overlaps, atoms, k) else set()
    if len(candidates) <= EXHAUSTIVE_GROUPS:
        for count in range(len(candidates), 0, -1):
            feasible = [
                combo
                for combo in itertools.combinations(candidates, count)
                if _feasible(combo, overlaps, atoms, k)
            ]
            if feasible:
                return set(max(feasible, key=lambda c: (sum(sizes[g] for g in c), [-g for g in c])))
        return set()
    # Many groups (a large organisation's team list): drop groups until the rest is safe,
    # each time the smallest whose removal alone suffices, else the smallest.
    chosen = list(candidates)
    while chosen and not _feasible(chosen, overlaps, atoms, k):
        by_size = sorted(chosen, key=lambda g: (sizes[g], -g))
        victim = next(
            (g for g in by_size if _feasible([c for c in chosen if c != g], overlaps, atoms, k)),
            by_size[0],
        )
        chosen.remove(victim)
    return set(chosen)


# --- The figures of one dimension, and the open answers ---------------------------------------
#
# A dimension's figures do not describe a whole group but the group's respondents who have a
# score on it (at least ⅔ of its statements answered), E_d. Everything above holds for the
# groups; the same argument must hold for their E_d parts, or a subtraction of two dimension
# figures could single out the one person who lacks a score in one of them. So each dimension
# gets its own plan on the same looks and groups, restricted to E_d:
#
# * organisation level: a look shows the dimension only when at least k people with a score
#   came in since the last look that showed it (interim looks) — at close, 0 or at least k;
# * statement level (items, indicators, distributions, % positive/negative) only at close, and
#   only when the respondents whose score rests on fewer than all statements (P_d, some
#   "n.v.t.") are 0 or at least k in every block between looks that showed the dimension: the
#   mean weighs their answers differently from the statement totals, and the difference of the
#   two is a sum over P_d;
# * a group's mean for the dimension only when the E_d parts of all shown groups, the looks and
#   the organisation have no atom between 1 and k − 1 (cells are hidden, smallest first).


@dataclass(frozen=True)
class DimensionPlan:
    code: str
    looks: frozenset[int]  # indices of the looks that show the organisation-level figures
    items: bool  # statement-level figures at close
    cells: Mapping[str, frozenset[str]]  # breakdown → groups whose mean of it is shown (close)


def plan_dimension(
    plan: PublicationPlan,
    profiles: Sequence[Profile],
    *,
    code: str,
    scored: Sequence[bool],
    partial: Sequence[bool],
) -> DimensionPlan:
    """What of one dimension the looks of ``plan`` may show (see the comment above)."""
    k = plan.threshold
    looks: list[int] = []
    previous = 0
    for index, look in enumerate(plan.looks):
        new = sum(scored[previous : look.size])
        enough = new >= k if not look.final else (new == 0 or new >= k)
        if enough and sum(scored[: look.size]) >= k:
            looks.append(index)
            previous = look.size
    current = plan.current
    final = current is not None and current.final and len(plan.looks) - 1 in looks
    items = final and _blocks_ok(plan, looks, partial, k)
    cells: dict[str, frozenset[str]] = {}
    if final and current is not None:
        cells = _dimension_cells(plan, looks, profiles, scored, k)
    return DimensionPlan(code, frozenset(looks), items, cells)


def _blocks_ok(
    plan: PublicationPlan, looks: Sequence[int], members: Sequence[bool], k: int
) -> bool:
    """Whether ``members`` fall into every block between the looks in ``looks`` as 0 or ≥ k."""
    previous = 0
    for index in looks:
        size = plan.looks[index].size
        count = sum(members[previous:size])
        if not _ok(count, k):
            return False
        previous = size
    return True


def _dimension_cells(
    plan: PublicationPlan,
    looks: Sequence[int],
    profiles: Sequence[Profile],
    scored: Sequence[bool],
    k: int,
) -> dict[str, frozenset[str]]:
    current = plan.current
    assert current is not None
    # The looks that showed the dimension fix blocks of its scored people in submission
    # order. Scored people in the same block with the same segment answers are in exactly
    # the same sets whatever is chosen, so they are counted as one cell (as in _Partition).
    bounds = [plan.looks[index].size for index in looks]
    attributes = list(dict.fromkeys(b.attribute for b in current.breakdowns))
    total = current.size
    # Built column by column, in C (this runs per dimension over every respondent).
    blocks: list[int] = []
    start = 0
    for number, bound in enumerate(bounds):
        blocks.extend(itertools.repeat(number, min(bound, total) - start))
        start = min(bound, total)
    blocks.extend(itertools.repeat(len(bounds), total - start))
    columns = [[profile.get(name) for profile in profiles[:total]] for name in attributes]
    values: Iterable[tuple[Label, ...]] = (
        zip(*columns, strict=True) if columns else itertools.repeat(())
    )
    cells: Counter[tuple[int, tuple[Label, ...]]] = Counter(
        itertools.compress(zip(blocks, values, strict=False), scored[:total])  # may repeat ()
    )
    weighted = list(cells.items())
    candidates: list[tuple[str, str, tuple[bool, ...]]] = []
    for breakdown in current.breakdowns:
        column = attributes.index(breakdown.attribute)
        for group in breakdown.shown:
            inside = tuple(values[column] in group.values for (_, values), _ in weighted)
            if sum(w for (_, w), yes in zip(weighted, inside, strict=True) if yes) >= k:
                candidates.append((breakdown.name, group.label, inside))
    shown = list(candidates)

    def violations(chosen: list[tuple[str, str, tuple[bool, ...]]]) -> int:
        atoms: Counter[tuple] = Counter()
        for position, ((block, _), weight) in enumerate(weighted):
            atoms[block, *(c[2][position] for c in chosen)] += weight
        return sum(size for size in atoms.values() if not _ok(size, k))

    def size(candidate: tuple[str, str, tuple[bool, ...]]) -> int:
        return sum(w for (_, w), yes in zip(weighted, candidate[2], strict=True) if yes)

    while shown and violations(shown):
        by_size = sorted(shown, key=lambda c: (size(c), c[0], c[1]))
        before = violations(shown)
        victim = next(
            (c for c in by_size if violations([o for o in shown if o is not c]) < before),
            by_size[0],
        )
        shown.remove(victim)
    chosen: dict[str, set[str]] = {b.name: set() for b in current.breakdowns}
    for name, label, _ in shown:
        chosen[name].add(label)
    return {name: frozenset(labels) for name, labels in chosen.items()}


def plan_open_answers(
    plan: PublicationPlan, wrote: Sequence[bool], threshold: int
) -> frozenset[int]:
    """The looks that show the answers to one open question (organisation level only).

    A look shows them when at least ``threshold`` new people wrote one since the last look
    that showed them (at close: 0 or at least ``threshold``), so no answer can be tied to a
    smaller block of respondents by comparing two looks.
    """
    check_threshold(threshold)
    looks = []
    previous = 0
    for index, look in enumerate(plan.looks):
        new = sum(wrote[previous : look.size])
        enough = new >= threshold if not look.final else _ok(new, threshold)
        if enough and sum(wrote[: look.size]) >= threshold:
            looks.append(index)
            previous = look.size
    return frozenset(looks)


# --- The blanks of the response-level file ----------------------------------------------


def file_dimensions(
    groups: Sequence[Hashable],
    blanks: Mapping[str, Sequence[Hashable]],
    threshold: int,
) -> list[str]:
    """The dimensions whose statements the response-level file may hold, in order.

    A blank is "n.v.t." (every statement has to be answered), and who has no customers or no
    suppliers is known at work: the pattern of blanks is a column of its own, and it also
    decides who has a dimension score, which is whom the results describe. Per row, ``groups``
    is what its group columns show together with its block of submission order between
    published looks; ``blanks[d]`` is its pattern of blanks on dimension d's statements.

    The file keeps a dimension's statements only while every combination of groups and blank
    patterns over the kept dimensions holds none or at least ``threshold`` rows; otherwise the
    dimension that leaves the fewest rows in smaller combinations goes, whole, for every row.
    Changing single answers instead would make the file differ from the results by a few
    people, and blanking at random would differ from one download to the next.
    """
    check_threshold(threshold)
    rows = range(len(groups))
    kept = [d for d in blanks if len(set(blanks[d])) > 1]
    steady = [d for d in blanks if d not in kept]

    def rare(dimensions: Sequence[str]) -> int:
        classes: Counter[tuple] = Counter(
            (groups[row], *(blanks[d][row] for d in dimensions)) for row in rows
        )
        return sum(size for size in classes.values() if not _ok(size, threshold))

    while kept and rare(kept):
        # The dimension whose removal leaves the fewest rows in small combinations; on a tie
        # the later one (the questionnaire's order puts the customer-facing statements last).
        order = {d: i for i, d in enumerate(blanks)}
        victim = min(kept, key=lambda d: (rare([o for o in kept if o != d]), -order[d]))
        kept.remove(victim)
    return [d for d in blanks if d in kept or d in steady]


# --- Open answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenAnswers:
    visible: bool
    reason: Refusal | None
    texts: tuple[str, ...]


def visible_open_answers(
    texts: Iterable[str],
    *,
    n_respondents: int,
    threshold: int,
    seed: str | int | bytes,
) -> OpenAnswers:
    """The answers to one open question of a look, at organisation level, or nothing.

    ``texts``: the answers of the look's respondents (blank ones are dropped).
    ``n_respondents``: the look's respondents. Shown only when both reach the threshold. The
    order is a shuffle seeded by ``seed`` (e.g. the round's id plus the question's id), so a
    reload keeps the order while the order of submission is lost.
    """
    check_threshold(threshold)
    answers = sorted(text.strip() for text in texts if text and text.strip())
    if len(answers) > n_respondents:
        raise ValueError("There are more open answers than respondents.")
    if n_respondents < threshold:
        return OpenAnswers(False, Refusal.ROUND_BELOW_THRESHOLD, ())
    if len(answers) < threshold:
        return OpenAnswers(False, Refusal.TOO_FEW_ANSWERS, ())
    rng = random.Random(int.from_bytes(hashlib.sha256(_seed_bytes(seed)).digest(), "big"))
    rng.shuffle(answers)
    return OpenAnswers(True, None, tuple(answers))


def _seed_bytes(seed: str | int | bytes) -> bytes:
    if isinstance(seed, bytes):
        return seed
    return str(seed).encode()
