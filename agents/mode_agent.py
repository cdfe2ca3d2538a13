"""Prior baseline: always guesses the most common value of every slot in the built-in pool."""

from __future__ import annotations

from typing import Any, Mapping

from agents.base import format_profile
from persona_env.generator import default_pool
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema


class ModeAgent:
    """Ignores the dialogue: the pool's most frequent value per slot, and a generic reply."""

    name = "mode"

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA, seed: int | None = None) -> None:
        vectors = default_pool("train").vectors()
        guess = {}
        for slot in schema.slots:
            r = schema.slot_items(slot.name)
            guess[slot.name] = [slot.values[int(vectors[:, r.start:r.stop].sum(axis=0).argmax())]]
        self.profile = format_profile(guess, schema)

    def reset(self, seed: int | None = None) -> None:
        pass

    def act(self, observation: Mapping[str, Any]) -> dict[str, str]:
        return {"profile": self.profile, "reply": "Here is an idea: keep it simple and try it this week."}
