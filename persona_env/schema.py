"""Persona schema: the named slots a persona fills, their types and vocabularies.

A persona is a set of *information items* ``(slot, value)``. Single-valued slots hold exactly one
item, list-valued slots (RLPA's Interests, Personality Traits, Other Information, and our content
likes/dislikes) hold one or more. Every slot of a structured persona has a finite vocabulary, so a
persona is also a multi-hot vector over :attr:`PersonaSchema.items` -- the representation the
batched simulation core works with.

The default schema covers RLPA's 10 profile slots and adds the reply-style preferences a response
can be judged on (verbosity, formality, emoji use, humour, directness) and content preferences
(likes, dislikes, diet, budget).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

SlotKind = Literal["single", "list"]
SlotGroup = Literal["profile", "style", "content"]


@dataclass(frozen=True)
class Slot:
    """One named slot of a persona.

    Attributes:
        name: identifier used in JSON and code (``"occupation"``).
        label: human label as RLPA writes it (``"Occupation"``).
        kind: ``"single"`` (exactly one value) or ``"list"`` (``min_items``..``max_items`` values).
        values: the finite vocabulary, in a fixed order (item indices follow it).
        group: ``profile`` (RLPA's slots), ``style`` (how replies should sound) or ``content``.
        private: the user may deflect a direct question about it.
        min_items, max_items: how many values a list slot holds (1..1 for single slots).
    """

    name: str
    label: str
    kind: SlotKind
    values: tuple[str, ...]
    group: SlotGroup = "profile"
    private: bool = False
    min_items: int = 1
    max_items: int = 1

    def __post_init__(self) -> None:
        if self.kind == "single" and (self.min_items, self.max_items) != (1, 1):
            raise ValueError(f"single slot {self.name!r} must have min_items = max_items = 1")
        if not 1 <= self.min_items <= self.max_items <= len(self.values):
            raise ValueError(f"slot {self.name!r}: need 1 <= min_items <= max_items <= len(values)")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"slot {self.name!r} has duplicate values")

    @property
    def is_list(self) -> bool:
        return self.kind == "list"


@dataclass(frozen=True)
class PersonaSchema:
    """An ordered collection of slots plus the flattened item index used by the core.

    ``items[i] == (slot_name, value)``; ``item_slot[i]`` is the slot's position; the items of slot
    ``k`` occupy ``slot_start[k]:slot_stop[k]``.
    """

    slots: tuple[Slot, ...]
    _by_name: dict[str, Slot] = field(init=False, repr=False, compare=False)
    _item_index: dict[tuple[str, str], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [s.name for s in self.slots]
        if len(set(names)) != len(names):
            raise ValueError("slot names must be unique")
        object.__setattr__(self, "_by_name", {s.name: s for s in self.slots})
        index = {(s.name, v): 0 for s in self.slots for v in s.values}
        for i, key in enumerate(index):
            index[key] = i
        object.__setattr__(self, "_item_index", index)

    # --- slots -------------------------------------------------------------------------------
    @cached_property
    def slot_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.slots)

    def slot(self, name: str) -> Slot:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"unknown slot {name!r}; the schema's slots are: {', '.join(self.slot_names)}"
            ) from None

    def has_slot(self, name: str) -> bool:
        return name in self._by_name

    def slot_position(self, name: str) -> int:
        return self._positions[self.slot(name).name]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {s.name: k for k, s in enumerate(self.slots)}

    # --- items -------------------------------------------------------------------------------
    @cached_property
    def items(self) -> tuple[tuple[str, str], ...]:
        return tuple(self._item_index)

    @cached_property
    def n_items(self) -> int:
        return len(self._item_index)

    def item_index(self, slot: str, value: str) -> int:
        try:
            return self._item_index[(slot, value)]
        except KeyError:
            if slot not in self._by_name:
                self.slot(slot)  # raises with the list of slots
            raise KeyError(
                f"{value!r} is not a value of slot {slot!r}; allowed: {', '.join(self.slot(slot).values)}"
            ) from None

    def has_item(self, slot: str, value: str) -> bool:
        return (slot, value) in self._item_index

    @cached_property
    def item_slot(self) -> np.ndarray:
        """``int`` array, the slot position of every item."""
        arr = np.array([self.slot_position(s) for s, _ in self.items], dtype=np.int64)
        arr.setflags(write=False)
        return arr

    @cached_property
    def slot_start(self) -> np.ndarray:
        arr = np.cumsum([0] + [len(s.values) for s in self.slots[:-1]]).astype(np.int64)
        arr.setflags(write=False)
        return arr

    @cached_property
    def slot_stop(self) -> np.ndarray:
        arr = np.cumsum([len(s.values) for s in self.slots]).astype(np.int64)
        arr.setflags(write=False)
        return arr

    def slot_items(self, name: str) -> range:
        k = self.slot_position(name)
        return range(int(self.slot_start[k]), int(self.slot_stop[k]))


def _single(name: str, label: str, values: tuple[str, ...], group: SlotGroup = "profile",
            private: bool = False) -> Slot:
    return Slot(name, label, "single", values, group, private)


def _list(name: str, label: str, values: tuple[str, ...], max_items: int,
          group: SlotGroup = "profile") -> Slot:
    return Slot(name, label, "list", values, group, False, 1, max_items)


#: RLPA's ten profile slots, with finite vocabularies.
RLPA_SLOTS: tuple[Slot, ...] = (
    _single("age", "Age", ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"), private=True),
    _single("gender", "Gender", ("female", "male", "non-binary"), private=True),
    _list("interests", "Interests", (
        "hiking", "cooking", "photography", "video games", "gardening", "jazz", "football",
        "painting", "reading", "travel", "yoga", "chess", "cycling", "astronomy", "baking",
        "fishing",
    ), max_items=3),
    _single("education", "Education Background", (
        "high school", "vocational training", "bachelor's degree", "master's degree", "phd",
    )),
    _list("personality_traits", "Personality Traits", (
        "introverted", "extroverted", "curious", "anxious", "organised", "spontaneous",
        "patient", "competitive", "optimistic", "sceptical", "creative", "practical",
    ), max_items=2),
    _single("occupation", "Occupation", (
        "nurse", "software engineer", "teacher", "student", "chef", "accountant", "retiree",
        "farmer", "lawyer", "graphic designer", "electrician", "journalist", "doctor",
        "shop owner",
    )),
    _single("marital_status", "Marital Status", (
        "single", "in a relationship", "married", "divorced", "widowed",
    ), private=True),
    _single("family", "Family Background", (
        "no children", "young children", "teenage children", "grown-up children",
        "lives with parents", "cares for a parent",
    )),
    _single("location", "Location", (
        "big city", "suburbs", "small town", "countryside", "by the sea", "mountains",
    ), private=True),
    _list("other", "Other Information", (
        "has a dog", "has a cat", "recently moved", "learning a language",
        "training for a marathon", "night owl", "early riser", "volunteers",
        "works from home", "long commute", "saving for a house", "recovering from an injury",
    ), max_items=2),
)

#: How a reply should sound. Each is a single slot the rule judge scores a reply against.
STYLE_SLOTS: tuple[Slot, ...] = (
    _single("verbosity", "Verbosity", ("brief", "moderate", "detailed"), "style"),
    _single("formality", "Formality", ("casual", "neutral", "formal"), "style"),
    _single("emoji", "Emoji Use", ("no emoji", "likes emoji"), "style"),
    _single("humour", "Humour", ("serious", "playful"), "style"),
    _single("directness", "Directness", ("direct", "diplomatic"), "style"),
)

_CONTENT_TOPICS = (
    "spicy food", "sweets", "seafood", "coffee", "podcasts", "documentaries", "horror films",
    "crowds", "museums", "live music", "long reads", "early mornings", "board games",
    "online shopping",
)

#: What a reply should (not) contain.
CONTENT_SLOTS: tuple[Slot, ...] = (
    _list("likes", "Likes", _CONTENT_TOPICS, max_items=2, group="content"),
    _list("dislikes", "Dislikes", _CONTENT_TOPICS, max_items=2, group="content"),
    _single("diet", "Diet", ("no restrictions", "vegetarian", "vegan", "gluten-free", "halal"),
            "content"),
    _single("budget", "Budget", ("tight", "moderate", "generous"), "content"),
)

DEFAULT_SCHEMA = PersonaSchema(RLPA_SLOTS + STYLE_SLOTS + CONTENT_SLOTS)
