"""The cue bank: every sentence the rule-based user can use to reveal an item, and its likelihood.

A *cue* is a unit of evidence with one or more phrasings (the text varies, the evidence does not):

* ``specific`` -- points at one value (``"Another night shift on the ward..."`` -> nurse);
* ``ambiguous`` -- fits two or three values of a slot equally (``"I'm on my feet all day"``);
* ``answer`` -- an explicit answer to a direct question (``"I'm a nurse."``);
* ``announce`` -- an announced change (``"I've changed jobs, I'm a chef now."``).

When the simulator reveals an item ``(slot, v)`` through an implicit cue it speaks, with
probability ``ambiguity``, one of the ambiguous cues that contain ``v`` (uniformly), and otherwise
the specific cue of ``v``. That emission policy gives an exact likelihood ``P(cue | item)``
(:attr:`CueBank.likelihood`), which the oracle (Bayesian belief) agent uses to decode what it hears.
:meth:`CueBank.decode` recovers the cue ids in a user message by phrase matching, since all
phrasings are distinct and none contains another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from persona_env import lexicon
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

CueKind = Literal["specific", "ambiguous", "answer", "announce"]


@dataclass(frozen=True)
class Cue:
    cue_id: int
    kind: CueKind
    slot: str
    values: tuple[str, ...]
    phrasings: tuple[str, ...]


@dataclass(frozen=True)
class CueBank:
    """All cues for a schema, with the arrays the batched simulator samples from.

    Attributes:
        cues: every cue, ``cues[i].cue_id == i``.
        ambiguity: probability of revealing an item through an ambiguous cue (when it has one).
        specific_cue: ``int [n_items]`` the specific cue of each item.
        answer_cue, announce_cue: ``int [n_items]`` explicit cues of each item.
        ambiguous_cues: ``int [n_items, A]`` the ambiguous cues containing each item (-1 padded).
        n_ambiguous: ``int [n_items]`` how many ambiguous cues contain each item.
        likelihood: ``float [n_cues, n_items]``, ``P(cue | the simulator reveals item)`` for
            implicit cues; explicit cues have likelihood 1 for their item.
        n_phrasings: ``int [n_cues]``.
    """

    schema: PersonaSchema
    cues: tuple[Cue, ...]
    ambiguity: float
    specific_cue: np.ndarray = field(repr=False)
    answer_cue: np.ndarray = field(repr=False)
    announce_cue: np.ndarray = field(repr=False)
    ambiguous_cues: np.ndarray = field(repr=False)
    n_ambiguous: np.ndarray = field(repr=False)
    likelihood: np.ndarray = field(repr=False)
    n_phrasings: np.ndarray = field(repr=False)
    _phrase_index: tuple[tuple[str, int], ...] = field(repr=False, default=())

    @property
    def n_cues(self) -> int:
        return len(self.cues)

    def phrasing(self, cue_id: int, u: float) -> str:
        """The phrasing of ``cue_id`` chosen by a uniform draw ``u`` in [0, 1)."""
        cue = self.cues[cue_id]
        return cue.phrasings[min(int(u * len(cue.phrasings)), len(cue.phrasings) - 1)]

    def decode(self, text: str) -> list[int]:
        """Cue ids whose phrasing occurs in ``text`` (case-insensitive), in order of appearance."""
        low = text.lower()
        found: list[tuple[int, int]] = []
        for phrase, cue_id in self._phrase_index:
            pos = low.find(phrase)
            while pos >= 0:
                found.append((pos, cue_id))
                pos = low.find(phrase, pos + 1)
        return [cue_id for _, cue_id in sorted(found)]

    def items_of(self, cue_id: int) -> list[int]:
        cue = self.cues[cue_id]
        return [self.schema.item_index(cue.slot, v) for v in cue.values]


def build_cue_bank(schema: PersonaSchema = DEFAULT_SCHEMA, ambiguity: float = 0.35) -> CueBank:
    """Assemble the cue bank for ``schema`` from :mod:`persona_env.lexicon`."""
    if not 0.0 <= ambiguity <= 1.0:
        raise ValueError("ambiguity must be in [0, 1]")
    cues: list[Cue] = []

    def add(kind: CueKind, slot: str, values: tuple[str, ...], phrasings: tuple[str, ...]) -> int:
        cues.append(Cue(len(cues), kind, slot, values, tuple(phrasings)))
        return len(cues) - 1

    n = schema.n_items
    specific = np.full(n, -1, dtype=np.int64)
    answer = np.full(n, -1, dtype=np.int64)
    announce = np.full(n, -1, dtype=np.int64)
    amb_lists: list[list[int]] = [[] for _ in range(n)]
    for slot in schema.slots:
        for value in slot.values:
            i = schema.item_index(slot.name, value)
            specific[i] = add("specific", slot.name, (value,), lexicon.SPECIFIC_HINTS[slot.name][value])
            answer[i] = add("answer", slot.name, (value,), lexicon.DIRECT_ANSWERS[slot.name][value])
            announce[i] = add("announce", slot.name, (value,), tuple(
                t.format(value=value) for t in lexicon.DRIFT_ANNOUNCEMENTS[slot.name]))
        for sentence, values in lexicon.AMBIGUOUS_HINTS[slot.name]:
            cid = add("ambiguous", slot.name, tuple(values), (sentence,))
            for v in values:
                amb_lists[schema.item_index(slot.name, v)].append(cid)

    width = max(1, max(len(a) for a in amb_lists))
    amb = np.full((n, width), -1, dtype=np.int64)
    n_amb = np.zeros(n, dtype=np.int64)
    for i, lst in enumerate(amb_lists):
        amb[i, : len(lst)] = lst
        n_amb[i] = len(lst)

    like = np.zeros((len(cues), n))
    p_amb = np.where(n_amb > 0, ambiguity, 0.0)
    like[specific, np.arange(n)] = 1.0 - p_amb
    for i, lst in enumerate(amb_lists):
        for cid in lst:
            like[cid, i] = p_amb[i] / len(lst)
    like[answer, np.arange(n)] = 1.0
    like[announce, np.arange(n)] = 1.0

    phrase_index = tuple((p.lower(), c.cue_id) for c in cues for p in c.phrasings)
    return CueBank(
        schema=schema, cues=tuple(cues), ambiguity=ambiguity, specific_cue=specific,
        answer_cue=answer, announce_cue=announce, ambiguous_cues=amb, n_ambiguous=n_amb,
        likelihood=like, n_phrasings=np.array([len(c.phrasings) for c in cues], dtype=np.int64),
        _phrase_index=phrase_index,
    )


@lru_cache(maxsize=8)
def default_cue_bank(ambiguity: float = 0.35) -> CueBank:
    return build_cue_bank(DEFAULT_SCHEMA, ambiguity)
