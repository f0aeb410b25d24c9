"""Who is asked to take the SKM: sample sizes and an auditable random draw.

Sample size (Krejcie & Morgan 1970, as PermenPANRB 14/2017 uses it):

    s = X2 N P (1 - P) / (d2 (N - 1) + X2 P (1 - P)),  X2 = 3.841, P = 0.5, d = 0.05

rounded to the nearest whole person (halves up). Computed exactly (fractions), this
reproduces every row of the published table (N=10 -> 10, 50 -> 44, 100 -> 80,
1000 -> 278, 5000 -> 357, 75000 -> 382, 1000000 -> 384). Rounding up would give
45 for N=50, so the table is rounded, not ceiled. Some reprints list "100000 -> 384";
the formula gives 383 there (382.63): the original row is N=1,000,000.

The draw (`draw_survey`) takes every unit's population (the distinct reporters whose
reports it finished in the quarter, plus any general-public panel members the service
adds) and draws each unit's sample so that:

- nobody who opted out is drawn;
- nobody is drawn twice in one survey, even if they are in several units' populations;
- anyone can re-run it from the audit record and get the same people.

How (the "draft" rule):

1. Each unit's eligible persons (population minus opted-out) are put in a random
   order: ascending SHA-256 of `seed | unit | person`. A keyed hash is a uniformly
   random permutation that any tool can recompute (a spreadsheet, another language);
   Python's `random.shuffle` is not guaranteed to give the same order across Python
   versions, which would break an audit years later.
2. Units pick in rounds. In each round every unit that still needs people picks the
   next person in its own order who has not been drawn yet; the order of units within
   a round is again a seeded hash (`seed | round | unit`), so no unit always picks first.
3. A unit stops when it has its sample or runs out of people.
4. Repair: a unit that ran out short of its sample may still be completed by moving a
   shared person to it from a unit that can replace them with someone nobody took (or
   along a chain of such moves). For each short unit in unit-code order, the shortest
   such chain is applied (breadth-first, persons tried in each unit's own order) until
   none is left. This is Ford-Fulkerson on "unit needs n, person answers once": after
   it, the draw has as many respondents as any draw could, which the draft alone does
   not guarantee (a unit whose people another unit happened to take stays short
   although the survey had enough people for both).

Why a draft: a person in two units' populations (e.g. a kelurahan and the suku dinas
it coordinated with) is equally at risk of being taken by either unit, and a small unit
that needs all its people is not emptied by a large unit first, because each unit takes
one person per round. Pre-assigning shared persons to one unit would instead shrink
both units' pools even when one of them does not need them.

Persons are identified by a normalised contact key (E.164 phone or lower-cased email),
taken here as given strings.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Collection, Iterable, Mapping
from fractions import Fraction

from pydantic import BaseModel, ConfigDict

ALGORITHM = "crm-skm-draft/2 (sha256 order, round-robin draft, augmenting repair)"
_DRAFT_ONLY = "crm-skm-draft/1 (sha256 order, round-robin draft)"  # audits before the repair
CHI_SQUARE = Fraction(3841, 1000)  # X2 for 1 degree of freedom at 95 % confidence
PROPORTION = Fraction(1, 2)  # P = 0.5 gives the largest sample
MARGIN = Fraction(5, 100)  # d = 5 %
_SEP = "\x1f"  # unit separator: cannot appear in a phone number, an email or a unit code


def krejcie_morgan(population: int) -> int:
    """Required sample size for a population of `population` persons (0 for none)."""
    if population < 0:
        raise ValueError("population cannot be negative")
    if population == 0:
        return 0
    pq = PROPORTION * (1 - PROPORTION)
    size = CHI_SQUARE * population * pq / (MARGIN**2 * (population - 1) + CHI_SQUARE * pq)
    return math.floor(size + Fraction(1, 2))


def invitations_needed(required: int, expected_response_rate: float, available: int) -> int:
    """How many to invite so that about `required` answer, never more than `available`.

    The regulation's sample is of respondents; invitations go unanswered, so the
    service may over-invite by the response rate it expects (1.0 = invite exactly
    the sample).
    """
    if not 0 < expected_response_rate <= 1:
        raise ValueError("expected_response_rate must be in (0, 1]")
    return min(available, math.ceil(required / expected_response_rate - 1e-9))


def _digest(*parts: str) -> str:
    return hashlib.sha256(_SEP.join(parts).encode("utf-8")).hexdigest()


def population_hash(persons: Iterable[str]) -> str:
    """SHA-256 of the distinct keys, sorted, one per line: the fingerprint of a population."""
    return hashlib.sha256("\n".join(sorted(set(persons))).encode("utf-8")).hexdigest()


def random_order(persons: Iterable[str], seed: str, unit: str) -> list[str]:
    """`persons` (distinct) in the seeded random order of `unit` (see the module doc)."""
    return sorted(set(persons), key=lambda p: (_digest(seed, unit, p), p))


class UnitDraw(BaseModel):
    """One unit's part of the audit record."""

    model_config = ConfigDict(frozen=True)

    unit: str
    population_size: int  # N: distinct persons in the population, opted-out included
    population_hash: str
    eligible_size: int  # N minus the opted-out
    sample_size: int  # how many the unit asked for
    drawn: list[str]  # sorted; fewer than sample_size when the eligible pool ran out

    @property
    def short_by(self) -> int:
        return self.sample_size - len(self.drawn)


class DrawAudit(BaseModel):
    """Everything needed to re-run the draw and check it gave the same people."""

    model_config = ConfigDict(frozen=True)

    algorithm: str = ALGORITHM
    seed: str
    opted_out_hash: str  # population_hash of the opted-out keys that were in any population
    units: list[UnitDraw]  # sorted by unit code

    def drawn(self, unit: str) -> list[str]:
        for row in self.units:
            if row.unit == unit:
                return list(row.drawn)
        raise KeyError(unit)


def _repair_shortfalls(units: list[str], wanted: Mapping[str, int],
                       orders: Mapping[str, list[str]], picked: dict[str, list[str]],
                       taken: set[str]) -> None:
    """Step 4 of the module doc: complete short units along chains of moves, in place."""
    holder = {p: u for u in units for p in picked[u]}
    for short in units:
        while len(picked[short]) < wanted[short]:
            # Breadth-first over units: came_from[v] = (u, p): p, held by v, moves to u.
            came_from: dict[str, tuple[str, str]] = {}
            queue, end, free = [short], None, None
            while queue and end is None:
                next_queue: list[str] = []
                for unit in queue:
                    free = next((p for p in orders[unit] if p not in taken), None)
                    if free is not None:
                        end = unit
                        break
                    for person in orders[unit]:
                        other = holder.get(person)
                        if other is not None and other != short and other not in came_from \
                                and other != unit:
                            came_from[other] = (unit, person)
                            next_queue.append(other)
                queue = next_queue
            if end is None:
                break
            taken.add(free)
            picked[end].append(free)
            holder[free] = end
            unit = end
            while unit != short:
                receiver, person = came_from[unit]
                picked[unit].remove(person)
                picked[receiver].append(person)
                holder[person] = receiver
                unit = receiver


def draw_survey(populations: Mapping[str, Collection[str]], opted_out: Collection[str],
                seed: str, sample_sizes: Mapping[str, int] | None = None,
                algorithm: str = ALGORITHM) -> DrawAudit:
    """Draw every unit's respondents for one survey (the draft rule of the module doc).

    `sample_sizes` default to Krejcie & Morgan of each unit's population size N (the
    opted-out are part of the population the survey speaks for, they just cannot be
    asked). The result lists, per unit, the persons drawn; a person appears once at most.
    """
    if not seed:
        raise ValueError("the draw needs a seed, recorded so that it can be audited")
    blocked = set(opted_out)
    units = sorted(populations)
    pools = {u: set(populations[u]) for u in units}
    wanted = {
        u: (sample_sizes[u] if sample_sizes is not None and u in sample_sizes
            else krejcie_morgan(len(pools[u])))
        for u in units
    }
    if any(size < 0 for size in wanted.values()):
        raise ValueError("sample sizes cannot be negative")
    orders = {u: random_order(pools[u] - blocked, seed, u) for u in units}
    position = dict.fromkeys(units, 0)
    picked: dict[str, list[str]] = {u: [] for u in units}
    taken: set[str] = set()

    active = [u for u in units if wanted[u] > 0 and orders[u]]
    round_no = 0
    while active:
        still: list[str] = []
        for unit in sorted(active, key=lambda u: (_digest(seed, "round", str(round_no), u), u)):
            order = orders[unit]
            i = position[unit]
            while i < len(order) and order[i] in taken:
                i += 1
            if i < len(order):
                taken.add(order[i])
                picked[unit].append(order[i])
                i += 1
            position[unit] = i
            if len(picked[unit]) < wanted[unit] and i < len(order):
                still.append(unit)
        active = still
        round_no += 1
    if algorithm == ALGORITHM:
        _repair_shortfalls(units, wanted, orders, picked, taken)
    elif algorithm != _DRAFT_ONLY:
        raise ValueError(f"unknown algorithm {algorithm!r}")

    in_any = set().union(*pools.values()) if pools else set()
    return DrawAudit(
        algorithm=algorithm,
        seed=seed,
        opted_out_hash=population_hash(blocked & in_any),
        units=[
            UnitDraw(unit=u, population_size=len(pools[u]), population_hash=population_hash(
                pools[u]), eligible_size=len(orders[u]), sample_size=wanted[u],
                drawn=sorted(picked[u]))
            for u in units
        ],
    )


def draw_respondents(population: Collection[str], opted_out: Collection[str], seed: str,
                     sample_size: int | None = None, unit: str = "") -> tuple[list[str],
                                                                               DrawAudit]:
    """One unit's draw on its own: (sorted persons drawn, audit record)."""
    sizes = None if sample_size is None else {unit: sample_size}
    audit = draw_survey({unit: population}, opted_out, seed, sizes)
    return audit.drawn(unit), audit


def verify_draw(audit: DrawAudit, populations: Mapping[str, Collection[str]],
                opted_out: Collection[str]) -> list[str]:
    """Problems found re-running the draw from `audit` (an empty list: the draw checks out).

    Checks that the populations and opt-outs are the ones recorded (by hash) and that
    re-drawing with the recorded seed and sample sizes gives exactly the recorded people.
    """
    problems: list[str] = []
    if audit.algorithm not in (ALGORITHM, _DRAFT_ONLY):
        return [f"unknown algorithm {audit.algorithm!r}"]
    recorded = {row.unit: row for row in audit.units}
    if set(recorded) != set(populations):
        problems.append("the units differ from the recorded ones")
        return problems
    for unit, row in recorded.items():
        if population_hash(populations[unit]) != row.population_hash:
            problems.append(f"population of {unit} differs from the recorded one")
    in_any = set().union(*(set(p) for p in populations.values())) if populations else set()
    if population_hash(set(opted_out) & in_any) != audit.opted_out_hash:
        problems.append("the opted-out list differs from the recorded one")
    again = draw_survey(populations, opted_out, audit.seed,
                        {u: row.sample_size for u, row in recorded.items()}, audit.algorithm)
    for row in again.units:
        if row.drawn != recorded[row.unit].drawn:
            problems.append(f"re-drawing {row.unit} gives different persons")
    return problems
