"""Persona timelines: the truth can change during a conversation.

A :class:`Scenario` says *how* it may change (a scheduled swap to another persona, drift of single
slots -- announced by the user or silent -- and conflicting cues); :func:`build_timeline` draws one
concrete :class:`PersonaTimeline` from it with the env's generator. Every reward compares against
``timeline.truth_at(turn)``. Turns are 1-based, as in the papers: turn ``k`` is the user's k-th
message and the assistant's k-th reply, both scored against the truth at turn ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from persona_env.persona import Persona
from persona_env.pool import PersonaPool

EventKind = Literal["swap", "drift"]


@dataclass(frozen=True)
class Scenario:
    """How a conversation's truth evolves.

    Attributes:
        name: identifier used in env ids and configs.
        max_turns: dialogue rounds (user message + assistant reply).
        swap_turn: turn from which a different persona speaks (RLPA: 6), or None.
        n_drifts: how many single-slot changes happen (at turns drawn from ``drift_turns``).
        drift_turns: inclusive range of turns a drift may happen at.
        announce_prob: probability that the user announces a drift ("I've changed jobs...").
        conflict_prob: probability that any one implicit cue points at a wrong value (a
            conflicting cue); the truth itself does not change.
    """

    name: str
    max_turns: int = 10
    swap_turn: int | None = None
    n_drifts: int = 0
    drift_turns: tuple[int, int] = (4, 8)
    announce_prob: float = 0.5
    conflict_prob: float = 0.0

    def __post_init__(self) -> None:
        if self.max_turns < 1:
            raise ValueError("Scenario.max_turns must be >= 1")
        if self.swap_turn is not None and not 2 <= self.swap_turn <= self.max_turns:
            raise ValueError(f"Scenario.swap_turn must be in 2..max_turns ({self.max_turns}) or None")
        lo, hi = self.drift_turns
        if self.n_drifts and not 2 <= lo <= hi <= self.max_turns:
            raise ValueError(f"Scenario.drift_turns must satisfy 2 <= lo <= hi <= max_turns ({self.max_turns})")
        for name in ("announce_prob", "conflict_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"Scenario.{name} must be in [0, 1]")

    def with_options(self, **changes: Any) -> "Scenario":
        try:
            return replace(self, **changes)
        except TypeError as err:
            raise TypeError(f"{err}; Scenario fields are: {', '.join(SCENARIO_FIELDS)}") from None


SCENARIO_FIELDS = tuple(Scenario.__dataclass_fields__)

#: The registered scenarios (see the env-id table in README.md).
SCENARIOS: dict[str, Scenario] = {
    "static": Scenario("static"),
    "swap": Scenario("swap", swap_turn=6),
    "drift": Scenario("drift", n_drifts=2, drift_turns=(4, 8), announce_prob=0.5),
    "conflict": Scenario("conflict", conflict_prob=0.2),
    "long": Scenario("long", max_turns=70),
}


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)}") from None


@dataclass(frozen=True)
class TimelineEvent:
    """One change of the truth, effective from ``turn`` on."""

    turn: int
    kind: EventKind
    slot: str | None = None
    old: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    announced: bool = False
    persona_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"turn": self.turn, "kind": self.kind, "slot": self.slot, "old": list(self.old),
                "new": list(self.new), "announced": self.announced, "persona_id": self.persona_id}


@dataclass(frozen=True)
class PersonaTimeline:
    """The truth over a conversation: ``segments`` are ``(first_turn, persona)``, sorted."""

    segments: tuple[tuple[int, Persona], ...]
    events: tuple[TimelineEvent, ...] = ()
    conflict_prob: float = 0.0
    max_turns: int = 10
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.segments or self.segments[0][0] != 1:
            raise ValueError("a timeline's first segment must start at turn 1")
        object.__setattr__(self, "_starts", tuple(t for t, _ in self.segments))

    @classmethod
    def static(cls, persona: Persona, max_turns: int = 10) -> "PersonaTimeline":
        return cls(((1, persona),), max_turns=max_turns)

    def truth_at(self, turn: int) -> Persona:
        """The persona in force at 1-based ``turn`` (turn 0, before the first message, is turn 1's)."""
        i = int(np.searchsorted(self._starts, max(turn, 1), side="right")) - 1
        return self.segments[i][1]

    def truth_vectors(self) -> np.ndarray:
        """``bool [max_turns + 1, n_items]``: row ``k`` is the truth at turn ``k`` (row 0 = row 1)."""
        rows = [self.truth_at(k).to_vector() for k in range(self.max_turns + 1)]
        return np.stack(rows)

    def to_info(self) -> dict[str, Any]:
        """JSON-friendly description, for ``info`` and evaluation (never the agent's observation)."""
        return {
            "segments": [{"from_turn": t, "persona_id": p.persona_id, "persona": p.to_dict()["slots"]}
                         for t, p in self.segments],
            "events": [e.to_dict() for e in self.events],
            "conflict_prob": self.conflict_prob,
        }


def build_timeline(scenario: Scenario, pool: PersonaPool, rng: np.random.Generator,
                   persona: Persona | None = None) -> PersonaTimeline:
    """Draw a concrete timeline for ``scenario`` (all randomness from ``rng``)."""
    first = persona if persona is not None else pool.sample(rng)
    segments: list[tuple[int, Persona]] = [(1, first)]
    events: list[TimelineEvent] = []
    if scenario.swap_turn is not None:
        other = pool.sample(rng)
        while other.persona_id == first.persona_id and len(pool) > 1:
            other = pool.sample(rng)
        segments.append((scenario.swap_turn, other))
        events.append(TimelineEvent(scenario.swap_turn, "swap", persona_id=other.persona_id))
    if scenario.n_drifts:
        lo, hi = scenario.drift_turns
        turns = np.sort(rng.choice(np.arange(lo, hi + 1), size=scenario.n_drifts,
                                   replace=scenario.n_drifts > hi - lo + 1))
        schema = first.schema
        for turn in turns.tolist():
            current = max((seg for seg in segments if seg[0] <= turn), key=lambda seg: seg[0])[1]
            slot = schema.slots[int(rng.integers(len(schema.slots)))]
            old = current.values[slot.name]
            choices = [v for v in slot.values if v not in old]
            if slot.is_list:
                # replace one held value by a new one: a new hobby, a dropped one
                drop = old[int(rng.integers(len(old)))]
                new_value = choices[int(rng.integers(len(choices)))]
                new = tuple(new_value if v == drop else v for v in old)
            else:
                new = (choices[int(rng.integers(len(choices)))],)
            announced = bool(rng.random() < scenario.announce_prob)
            changed = current.with_values(**{slot.name: new})
            segments.append((int(turn), changed))
            events.append(TimelineEvent(int(turn), "drift", slot.name, old, new, announced,
                                        current.persona_id))
        # two drifts at one turn: keep the later segment (it includes both changes)
        dedup: dict[int, Persona] = {}
        for t, p in segments:
            dedup[t] = p
        segments = sorted(dedup.items())
    return PersonaTimeline(tuple(segments), tuple(events), scenario.conflict_prob, scenario.max_turns)
