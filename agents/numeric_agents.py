"""Baseline agents for the numeric env (``PersonaDialog-Numeric-v0`` and its twins).

They read the numeric observation (cue counts, last reaction, deflection, act mask; see
:mod:`persona_env.numeric`) and return a MultiDiscrete action. Build them from the env's spec:
``NumericBeliefAgent(env.unwrapped.dialogue.spec)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.belief import BeliefState
from persona_env.core import REACTIONS
from persona_env.numeric import NumericSpec

_STYLE_CHOICE = {
    "verbosity": {"brief": 0, "moderate": 1, "detailed": 2},
    "formality": {"casual": 0, "neutral": 1, "formal": 2},
    "emoji": {"no emoji": 0, "likes emoji": 1},
    "humour": {"serious": 0, "playful": 1},
    "directness": {"direct": 0, "diplomatic": 1},
}
_STYLE_DEFAULT = {"verbosity": 1, "formality": 1, "emoji": 0, "humour": 0, "directness": 0}


class _NumericObservation:
    """Slices of a numeric observation vector."""

    def __init__(self, spec: NumericSpec) -> None:
        self.spec = spec
        offsets, o = {}, 0
        for name, size in spec.obs_parts.items():
            offsets[name] = slice(o, o + size)
            o += size
        self.parts = offsets

    def __call__(self, obs: np.ndarray, name: str) -> np.ndarray:
        return np.asarray(obs)[self.parts[name]]


class NumericRandomAgent:
    """Uniformly random actions (its own generator)."""

    name = "random"

    def __init__(self, spec: NumericSpec, seed: int | None = None) -> None:
        self.spec = spec
        self.rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def act(self, observation: np.ndarray) -> np.ndarray:
        return (self.rng.random(len(self.spec.nvec)) * self.spec.nvec).astype(np.int64)


class NumericBeliefAgent:
    """The oracle: posterior over values from the cue counts with the simulator's likelihoods.

    ``explicit_only=True`` gives the heuristic baseline instead: it understands only explicit
    answers and announcements (as a reader who knows the vocabulary but not the hints), asks
    about the slots in schema order, and replies in a neutral style.
    """

    name = "oracle"

    def __init__(self, spec: NumericSpec, explicit_only: bool = False, seed: int | None = None) -> None:
        self.spec, self.explicit_only = spec, explicit_only
        self.view = _NumericObservation(spec)
        self.state = BeliefState(spec.schema, spec.bank)
        self.kinds = np.array([c.kind for c in spec.bank.cues])
        if explicit_only:
            self.name = "heuristic"
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        self.state.reset()
        self.prev_counts = np.zeros(self.spec.bank.n_cues, dtype=np.float32)
        self.asked: set[str] = set()
        self.last_question: str | None = None
        self.turn = 0

    def _observe(self, obs: np.ndarray) -> None:
        counts = self.view(obs, "cues")
        new = counts - self.prev_counts if self.spec.history else counts
        self.prev_counts = counts.copy() if self.spec.history else self.prev_counts
        if self.spec.history and self.turn == 0:
            new = counts  # the opening message
        self.state.new_message()
        for cue_id in np.flatnonzero(new > 0):
            if self.explicit_only and self.kinds[cue_id] not in ("answer", "announce"):
                continue
            for _ in range(int(round(new[cue_id]))):
                self.state.observe_cue(int(cue_id))
        reaction = self.view(obs, "reaction")
        if reaction.any() and not self.explicit_only:
            self.state.observe_reaction(REACTIONS[int(reaction.argmax())])
        if self.view(obs, "deflected")[0] > 0 and self.last_question:
            self.asked.add(self.last_question)

    def act(self, observation: np.ndarray) -> np.ndarray:
        spec, schema = self.spec, self.spec.schema
        self._observe(observation)
        self.turn += 1
        guess = self.state.belief()
        a = np.zeros(len(spec.nvec), dtype=np.int64)
        entry = 0
        for slot in schema.slots:
            values = guess.get(slot.name, [])
            for j in range(slot.max_items):
                if j < len(values):
                    a[entry] = slot.values.index(values[j]) + 1
                entry += 1
        act_mask = self.view(observation, "act_mask")
        for k, slot in enumerate(schema.slots):  # the user already answered these
            if act_mask[1 + k] == 0:
                self.asked.add(slot.name)
        if self.explicit_only:
            question = next((s.name for s in schema.slots if s.name not in self.asked), None)
        else:
            question = self.state.question_slot(self.asked)
        act = 0
        if question is not None:
            act = spec.ask_act(question)
            self.asked.add(question)
        elif not self.explicit_only:
            for slot in ("likes", "interests"):
                if guess.get(slot) and schema.has_slot(slot):
                    act = spec.recommend_act(slot)
                    break
        self.last_question = question
        a[spec.n_guess] = act
        for i, slot in enumerate(("verbosity", "formality", "emoji", "humour", "directness")):
            value = guess.get(slot, [None])[0] if not self.explicit_only else None
            a[spec.n_guess + 1 + i] = _STYLE_CHOICE[slot].get(value, _STYLE_DEFAULT[slot])
        return a


def numeric_agent(name: str, spec: NumericSpec, seed: int | None = None) -> Any:
    """``random``, ``heuristic`` or ``oracle`` for the numeric env."""
    if name == "random":
        return NumericRandomAgent(spec, seed)
    if name == "heuristic":
        return NumericBeliefAgent(spec, explicit_only=True, seed=seed)
    if name == "oracle":
        return NumericBeliefAgent(spec, seed=seed)
    raise ValueError(f"unknown numeric agent {name!r}; choose random, heuristic or oracle")
