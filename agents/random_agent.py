"""Random baseline: a random profile guess and a reply of random words."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from agents.base import format_profile
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

_WORDS = ("the", "a", "you", "could", "try", "some", "nice", "idea", "today", "maybe", "good",
          "time", "with", "and", "for", "this", "week", "plan", "something", "new")


class RandomAgent:
    """Guesses a random value for a random half of the slots; replies with 5-60 random words."""

    name = "random"

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA, seed: int | None = None) -> None:
        self.schema = schema
        self.rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def act(self, observation: Mapping[str, Any]) -> dict[str, str]:
        guess = {}
        for slot in self.schema.slots:
            if self.rng.random() < 0.5:
                guess[slot.name] = [slot.values[int(self.rng.integers(len(slot.values)))]]
        n = int(self.rng.integers(5, 61))
        reply = " ".join(_WORDS[i] for i in self.rng.integers(len(_WORDS), size=n)).capitalize() + "."
        return {"profile": format_profile(guess, self.schema), "reply": reply}
