"""Ask-then-guess heuristic: asks about each slot in turn and keeps the values it hears named.

It knows the schema's vocabulary but not the simulator's cues: it reads the user's messages with
the same lenient parser the env applies to profile guesses (so explicit answers like "I'm a
nurse." are understood, implicit hints are not), and replies on topic in a neutral style.
"""

from __future__ import annotations

from typing import Any, Mapping

from agents.base import format_profile, latest_user_message
from agents.reply_composer import ReplyStyle, compose_reply
from persona_env.profile_parsing import parse_profile
from persona_env.requests import REQUESTS
from persona_env.rewards import NormalisedStringMatcher
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema


class HeuristicAgent:
    name = "heuristic"

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA, seed: int | None = None) -> None:
        self.schema = schema
        self.matcher = NormalisedStringMatcher()
        self._request_phrases = [(p.lower(), r.request_id) for r in REQUESTS for p in r.phrasings]
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        self.known: dict[str, list[str]] = {}
        self.queue = list(self.schema.slot_names)
        self.request = "hobby"
        self.turn = 0

    def act(self, observation: Mapping[str, Any]) -> dict[str, str]:
        self.turn += 1
        message = latest_user_message(observation)
        low = message.lower()
        for phrase, request_id in self._request_phrases:
            if phrase in low:
                self.request = request_id
        for item in parse_profile(message, self.schema).items:
            index = self.matcher.resolve(item, self.schema)
            if index is None:
                continue
            slot, value = self.schema.items[index]
            values = self.known.setdefault(slot, [])
            if self.schema.slot(slot).is_list:
                if value not in values:
                    values.append(value)
                    del values[: max(0, len(values) - self.schema.slot(slot).max_items)]
            else:
                values[:] = [value]
        question = self.queue.pop(0) if self.queue else None
        reply = compose_reply(self.request, ReplyStyle(), self.turn, None, question)
        return {"profile": format_profile(self.known, self.schema), "reply": reply}
