"""The agent protocol: reset with a seed, act on an observation, return the action."""

from __future__ import annotations

from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema


@runtime_checkable
class Agent(Protocol):
    name: str

    def reset(self, seed: int | None = None) -> None:
        """Forget the last conversation; seed the agent's own generator."""

    def act(self, observation: Mapping[str, Any]) -> dict[str, str]:
        """``{"profile": str, "reply": str}`` for the text env's observation."""


def latest_user_message(observation: Mapping[str, Any]) -> str:
    """The newest ``User:`` line of the observed dialogue ('' if none)."""
    for line in reversed(str(observation["dialogue"]).split("\n")):
        if line.startswith("User: "):
            return line[len("User: "):]
    return ""


def format_profile(guess: Mapping[str, Sequence[str]], schema: PersonaSchema = DEFAULT_SCHEMA) -> str:
    """RLPA's ``- Label: value`` list for a slot -> values guess (schema order)."""
    lines = [f"- {schema.slot(s).label}: {', '.join(guess[s])}" for s in schema.slot_names
             if guess.get(s)]
    return "\n".join(lines)
