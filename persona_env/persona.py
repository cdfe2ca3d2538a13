"""The persona record: a hidden user, as a set of (slot, value) items plus behaviour parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema


class PersonaValidationError(ValueError):
    """A persona record does not fit the schema (the message names the field)."""


@dataclass(frozen=True)
class Persona:
    """One latent user.

    Attributes:
        persona_id: stable identifier (``"gen-000123"``, or the id in a JSONL pool).
        values: slot name -> tuple of values (one value for single slots).
        disclosure_rate: fraction of the profile's items the user reveals per reply, before the
            reply-fit adjustment (RLPA: at most ~15%).
        patience: how many poor replies the user tolerates before leaving (each poor reply,
            repetition or flattery costs 1; a good reply restores 0.5 up to this start value).
        privacy: probability of deflecting a direct question about a private slot.
    """

    persona_id: str
    values: Mapping[str, tuple[str, ...]]
    disclosure_rate: float = 0.12
    patience: float = 4.0
    privacy: float = 0.3
    schema: PersonaSchema = field(default=DEFAULT_SCHEMA, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = validate_values(self.values, self.schema)
        if problems:
            raise PersonaValidationError(f"persona {self.persona_id!r}: {problems[0]}")
        # normalise to slot order with tuple values, so equal personas compare equal
        object.__setattr__(self, "values", {
            s.name: (v,) if isinstance(v := self.values[s.name], str) else tuple(v)
            for s in self.schema.slots
        })
        if not 0.0 < self.disclosure_rate <= 1.0:
            raise PersonaValidationError(f"persona {self.persona_id!r}: field 'disclosure_rate' must be in (0, 1]")
        if self.patience <= 0:
            raise PersonaValidationError(f"persona {self.persona_id!r}: field 'patience' must be > 0")
        if not 0.0 <= self.privacy <= 1.0:
            raise PersonaValidationError(f"persona {self.persona_id!r}: field 'privacy' must be in [0, 1]")

    def __hash__(self) -> int:
        return hash((self.persona_id, self.items(), self.disclosure_rate, self.patience, self.privacy))

    def items(self) -> tuple[tuple[str, str], ...]:
        """All (slot, value) information items, in schema order."""
        return tuple((s, v) for s, vs in self.values.items() for v in vs)

    def to_vector(self) -> np.ndarray:
        """Multi-hot ``bool`` vector over ``schema.items``."""
        vec = np.zeros(self.schema.n_items, dtype=bool)
        for slot, value in self.items():
            vec[self.schema.item_index(slot, value)] = True
        return vec

    def with_values(self, persona_id: str | None = None, **changes: tuple[str, ...] | str) -> "Persona":
        """A copy with some slots replaced (used for drift)."""
        values = dict(self.values)
        for slot, new in changes.items():
            values[slot] = (new,) if isinstance(new, str) else tuple(new)
        return Persona(persona_id or self.persona_id, values, self.disclosure_rate, self.patience,
                       self.privacy, self.schema)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.persona_id}
        for slot in self.schema.slots:
            vs = self.values[slot.name]
            out.setdefault("slots", {})[slot.name] = list(vs) if slot.is_list else vs[0]
        out["behaviour"] = {"disclosure_rate": self.disclosure_rate, "patience": self.patience,
                            "privacy": self.privacy}
        return out

    def card(self) -> str:
        """Human-readable persona card (used by render and by LLM users)."""
        lines = []
        for slot in self.schema.slots:
            lines.append(f"{slot.label}: {', '.join(self.values[slot.name])}")
        return "\n".join(lines)


def validate_values(values: Mapping[str, Any], schema: PersonaSchema) -> list[str]:
    """Problems with a slot -> values mapping, each naming the field; empty when valid."""
    problems: list[str] = []
    if not isinstance(values, Mapping):
        return [f"field 'slots' must be an object, got {type(values).__name__}"]
    for name in values:
        if not schema.has_slot(name):
            problems.append(f"field 'slots.{name}': unknown slot (known: {', '.join(schema.slot_names)})")
    for slot in schema.slots:
        if slot.name not in values:
            problems.append(f"field 'slots.{slot.name}': missing")
            continue
        raw = values[slot.name]
        vs = (raw,) if isinstance(raw, str) else raw
        if not isinstance(vs, (list, tuple)) or not all(isinstance(v, str) for v in vs):
            problems.append(f"field 'slots.{slot.name}': must be a string or a list of strings")
            continue
        if not slot.min_items <= len(vs) <= slot.max_items:
            problems.append(
                f"field 'slots.{slot.name}': holds {len(vs)} values, allowed {slot.min_items}..{slot.max_items}"
            )
        if len(set(vs)) != len(vs):
            problems.append(f"field 'slots.{slot.name}': repeated value")
        for v in vs:
            if v not in slot.values:
                problems.append(
                    f"field 'slots.{slot.name}': {v!r} is not allowed (allowed: {', '.join(slot.values)})"
                )
    return problems
