"""The profile reward: RLPA's item-level F1 between the guessed and the true persona.

A parsed guess (:class:`~persona_env.profile_parsing.ParsedProfile`) is resolved item by item to
schema items by an :class:`ItemMatcher`, giving a multi-hot guess vector plus a count of items that
resolved to nothing. Then, as in RLPA:

* precision = matched guessed items / all guessed items -- items that resolve to nothing and items
  guessed wrong count in the denominator; several guesses resolving to the same item count once;
* recall = matched true items / true items -- list slots (interests, traits, ...) item by item;
* F1 = harmonic mean, computed as ``2 * matched / (guessed + true)``; 0 when nothing was guessed or
  nothing matched.

:func:`profile_f1_batch` is the vectorised form the batched core uses; :func:`profile_f1` is built
on :func:`guess_vector` and it, so both agree exactly.

Matchers (:data:`MATCHERS`, :func:`make_matcher`):

``"exact"`` -- :class:`ExactMatcher`
    the value text equals a schema value after ``strip().lower()``; nothing else.
``"normalised"`` (default) -- :class:`NormalisedStringMatcher`
    case, punctuation, articles and plurals ignored; aliases (``"programmer"`` -> software
    engineer, ``"MSc"`` -> master's degree, ``"laid-back"`` -> casual); ages from numbers and
    phrases; gender words under the gender slot. See the class for the policy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from persona_env.profile_parsing import (
    GENDER_WORDS,
    GuessItem,
    ParsedProfile,
    _NEGATIONS,
    _fold,
    _tokens,
    age_bracket,
    normalise_text,
    surface_tables,
)
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = [
    "ItemMatcher", "ExactMatcher", "NormalisedStringMatcher", "MATCHERS", "make_matcher",
    "ProfileScore", "guess_vector", "profile_f1", "profile_f1_batch",
]

#: Unslotted text may hold at most this many words besides an age phrase to count as an age
#: (``"probably in her early thirties"`` yes; a long sentence that happens to say "aged 20" no).
_MAX_WORDS_AROUND_AGE = 4


class ItemMatcher(ABC):
    """Resolves one guessed item to the schema item it refers to.

    Subclasses set :attr:`name` and implement :meth:`resolve`. A slotted guess resolves only within
    its slot; an unslotted guess resolves to the item whose value it names, and when that value
    belongs to several slots (the topic ``"coffee"`` is in both ``likes`` and ``dislikes``) to the
    first such slot in schema order. ``resolve`` must never raise for any text.
    """

    name: str = "matcher"

    @abstractmethod
    def resolve(self, item: GuessItem, schema: PersonaSchema = DEFAULT_SCHEMA) -> int | None:
        """The index into ``schema.items`` that ``item`` names, or ``None``."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _slot_of(item: GuessItem, schema: PersonaSchema) -> str | None:
    """The item's slot if the schema has it; a slot the schema lacks is treated as no slot."""
    return item.slot if item.slot is not None and schema.has_slot(item.slot) else None


class ExactMatcher(ItemMatcher):
    """A guess matches a value only if ``text.strip().lower()`` equals it (lowercased).

    No aliases, plurals or age arithmetic: ``"Nurse"`` matches, ``"nurses"``, ``"RN"`` and ``"29"``
    (for an age) do not. Useful as a strict baseline and to measure how much leniency matters.
    """

    name = "exact"

    def resolve(self, item: GuessItem, schema: PersonaSchema = DEFAULT_SCHEMA) -> int | None:
        _check_item(item, schema)
        text = item.text.strip().lower()
        slot = _slot_of(item, schema)
        slots = [schema.slot(slot)] if slot is not None else schema.slots
        for s in slots:
            for v in s.values:
                if v.lower() == text:
                    return schema.item_index(s.name, v)
        return None


class NormalisedStringMatcher(ItemMatcher):
    """The default matcher: normalised text, an alias table, ages and gender words.

    Resolution of a guess written under a slot:

    1. **age** -- the age parser (:func:`~persona_env.profile_parsing.age_bracket`): a number
       18..120, a range, ``"65+"``, ``"thirties"``, ``"early 30s"``, ``"29 years old"`` -> the
       bracket overlapping it most; a decade ties between two brackets and goes to the one holding
       its midpoint (``"30s"`` -> ``35-44``, ``"early 30s"`` -> ``25-34``).
    2. **gender** -- gender words, only here: ``female/woman/f/she/her`` -> female,
       ``male/man/m/he/him`` -> male, ``non-binary/nb/they/them`` -> non-binary.
    3. the normalised text (:func:`~persona_env.profile_parsing.normalise_text`: lowercase,
       punctuation and articles dropped, singular) equals a value's or an alias's: the slot's
       values, :data:`~persona_env.profile_parsing.VALUE_ALIASES` and the slot-only
       :data:`~persona_env.profile_parsing.SLOT_ONLY_ALIASES` (``"Occupation: cook"`` -> chef).
    4. otherwise, if the text mentions exactly one of the slot's values/aliases as whole words
       (``"registered nurse, I think"``, ``"probably a teacher"``) and no negation the mention does
       not itself hold (``"not a nurse"``), that value.

    An unslotted guess: (3) over all slots with the aliases that are safe anywhere, first slot in
    schema order on a tie; then an age phrase that carries its own cue (``"in her thirties"``,
    ``"29-year-old"`` -- not a bare number); then (4) over all slots.

    Alias policy (the full tables live in :mod:`persona_env.profile_parsing`): an alias names
    exactly one value of its slot; common paraphrases, abbreviations and spelling variants only
    (``"programmer"``, ``"swe"``, ``"software developer"`` -> software engineer; ``"RN"`` -> nurse;
    ``"uni degree"``, ``"BSc"``, ``"BA"`` -> bachelor's degree; ``"masters"``, ``"MSc"``, ``"MA"``
    -> master's degree; ``"doctorate"`` -> phd; ``"retired"`` -> retiree; ``"has a husband"``,
    ``"wed"`` -> married; ``"no kids"``/``"toddlers"``/``"teenagers"``/``"grandkids"`` -> the
    family value they imply, while a bare ``"kids"`` names none; ``"no emojis"`` -> no emoji;
    ``"concise"``/``"short"`` -> brief; ``"thorough"``/``"long"`` -> detailed; ``"laid-back"``/
    ``"informal"`` -> casual; ``"organized"`` -> organised). Not aliased on purpose: ``"vet"`` (not
    a doctor), ``"runner"`` (not a marathon), bare ``"kids"``/``"children"``.
    """

    name = "normalised"

    def resolve(self, item: GuessItem, schema: PersonaSchema = DEFAULT_SCHEMA) -> int | None:
        _check_item(item, schema)
        slot, text = _slot_of(item, schema), item.text
        return surface_tables(schema).memo(("resolve", slot, text),
                                           lambda: _resolve_normalised(schema, slot, text))


def _resolve_normalised(schema: PersonaSchema, slot: str | None, text: str) -> int | None:
    text = _fold(text)
    if len(text) > 2000:
        text = text[:2000]
    tables = surface_tables(schema)
    if slot is not None:
        if slot == "age":
            v = age_bracket(text, schema.slot("age").values)
            return None if v is None else schema.item_index("age", v)
        if slot == "gender":
            raw = " ".join(text.lower().replace(".", " ").split())
            v = GENDER_WORDS.get(raw)
            if v is not None and schema.has_item("gender", v):
                return schema.item_index("gender", v)
        table = tables.by_slot.get(slot, {})
        key = normalise_text(text)
        v = table.get(key)
        if v is not None:
            return schema.item_index(slot, v)
        v = _unique_mention(text, tables.slot_scanners.get(slot), lambda p: p)
        return None if v is None else schema.item_index(slot, v)
    # unslotted
    key = normalise_text(text)
    pairs = tables.anywhere.get(key)
    if pairs:
        return schema.item_index(*pairs[0])
    if schema.has_slot("age"):
        v = age_bracket(text, schema.slot("age").values, require_cue=True,
                        max_other_words=_MAX_WORDS_AROUND_AGE)
        if v is not None:
            return schema.item_index("age", v)
    pair = _unique_mention(text, tables.prose, lambda p: p[0])
    return None if pair is None else schema.item_index(*pair)


def _unique_mention(text, scanner, pick):
    """The one value (``pick`` of the payload) mentioned in ``text``, unless none/several/negated."""
    if scanner is None:
        return None
    toks, starts, ends = _tokens(text)
    hits = scanner.scan(toks, starts, ends, text)
    found = {pick(p) for _, _, p in hits}
    if len(found) != 1:
        return None
    inside = {t for a, b, _ in hits for t in toks[a:b]}
    if any(t in _NEGATIONS and t not in inside for t in toks):
        return None
    return found.pop()


def _check_item(item: GuessItem, schema: PersonaSchema) -> None:
    if not isinstance(item, GuessItem) or not isinstance(item.text, str):
        raise TypeError(f"resolve() takes a GuessItem(slot, text) with str text, got {item!r:.80}; "
                        "use parse_profile(text).items")
    if not isinstance(schema, PersonaSchema):
        raise TypeError(f"schema must be a PersonaSchema (e.g. persona_env.schema.DEFAULT_SCHEMA), "
                        f"got {type(schema).__name__}")


#: Matcher classes by name (``make_matcher(name)`` instantiates one).
MATCHERS: dict[str, type[ItemMatcher]] = {"exact": ExactMatcher, "normalised": NormalisedStringMatcher}


def make_matcher(name: str) -> ItemMatcher:
    """A new matcher by name: ``"exact"`` or ``"normalised"`` (the default)."""
    cls = MATCHERS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown matcher {name!r}; known matchers: {', '.join(sorted(MATCHERS))}")
    return cls()


def _as_matcher(matcher: ItemMatcher | str | None) -> ItemMatcher:
    if matcher is None:
        return _DEFAULT_MATCHER
    if isinstance(matcher, str):
        return make_matcher(matcher)
    if not isinstance(matcher, ItemMatcher):
        raise TypeError(f"matcher must be an ItemMatcher or one of {sorted(MATCHERS)}, got "
                        f"{type(matcher).__name__}; e.g. make_matcher('normalised')")
    return matcher


_DEFAULT_MATCHER = NormalisedStringMatcher()


# ============================================================================ scores
@dataclass(frozen=True)
class ProfileScore:
    """RLPA's profile reward for one guess.

    Attributes:
        precision: ``n_matched / n_guessed`` (0 when nothing was guessed).
        recall: ``n_matched / n_true``.
        f1: ``2 * n_matched / (n_guessed + n_true)``, the harmonic mean of the two (0 if none matched).
        n_guessed: distinct resolved items plus unresolved items.
        n_true: items of the true persona.
        n_matched: guessed items that are true.
    """

    precision: float
    recall: float
    f1: float
    n_guessed: int
    n_true: int
    n_matched: int


def guess_vector(parsed: ParsedProfile, schema: PersonaSchema = DEFAULT_SCHEMA,
                 matcher: ItemMatcher | str | None = None) -> tuple[np.ndarray, int]:
    """Resolve every item of ``parsed``: ``(bool [n_items] multi-hot guess, n_unresolved)``."""
    if not isinstance(parsed, ParsedProfile):
        raise TypeError(f"guess_vector takes a ParsedProfile, got {type(parsed).__name__}; "
                        "call parse_profile(text, schema) first")
    if not isinstance(schema, PersonaSchema):
        raise TypeError(f"schema must be a PersonaSchema (e.g. persona_env.schema.DEFAULT_SCHEMA), "
                        f"got {type(schema).__name__}")
    m = _as_matcher(matcher)
    vec = np.zeros(schema.n_items, dtype=bool)
    n_unresolved = 0
    for item in parsed.items:
        idx = m.resolve(item, schema)
        if idx is None:
            n_unresolved += 1
        else:
            vec[idx] = True
    return vec, n_unresolved


def _as_bool_matrix(name: str, a, n: int | None = None) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy bool array of shape [B, n_items], got {type(a).__name__}")
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape [B, n_items], got {a.shape}; "
                         "add the batch axis with x[None]")
    if a.dtype != bool:
        if not np.issubdtype(a.dtype, np.integer) or (a.size and (a.min() < 0 or a.max() > 1)):
            raise ValueError(f"{name} must be a bool (or 0/1 integer) array, got dtype {a.dtype}")
        a = a.astype(bool)
    if n is not None and a.shape[1] != n:
        raise ValueError(f"{name} has {a.shape[1]} items per row, expected {n} (schema.n_items)")
    return a


def profile_f1_batch(guess: np.ndarray, n_unresolved: np.ndarray,
                     truth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RLPA's precision, recall and F1 for a batch, as float64 arrays ``[B]``.

    Args:
        guess: bool ``[B, n_items]``, the resolved guesses (:func:`guess_vector`).
        n_unresolved: int ``[B]``, guessed items that resolved to nothing (wrong guesses).
        truth: bool ``[B, n_items]``, the true personas' multi-hot vectors.
    """
    guess = _as_bool_matrix("guess", guess)
    truth = _as_bool_matrix("truth", truth, guess.shape[1])
    if truth.shape[0] != guess.shape[0]:
        raise ValueError(f"guess has {guess.shape[0]} rows but truth has {truth.shape[0]}")
    n_unres = np.asarray(n_unresolved)
    if n_unres.shape != (guess.shape[0],) or not (n_unres.dtype.kind in "iu" or n_unres.size == 0):
        raise ValueError(f"n_unresolved must be an int array of shape ({guess.shape[0]},), got "
                         f"shape {n_unres.shape} dtype {n_unres.dtype}")
    if n_unres.size and n_unres.min() < 0:
        raise ValueError("n_unresolved must be >= 0")
    matched = np.count_nonzero(guess & truth, axis=1).astype(np.float64)
    n_guessed = np.count_nonzero(guess, axis=1) + n_unres.astype(np.float64)
    n_true = np.count_nonzero(truth, axis=1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(n_guessed > 0, matched / np.maximum(n_guessed, 1.0), 0.0)
        recall = np.where(n_true > 0, matched / np.maximum(n_true, 1.0), 0.0)
        denom = n_guessed + n_true
        f1 = np.where(matched > 0, 2.0 * matched / np.maximum(denom, 1.0), 0.0)
    return precision, recall, f1


def profile_f1(parsed: ParsedProfile, truth: np.ndarray, schema: PersonaSchema = DEFAULT_SCHEMA,
               matcher: ItemMatcher | str | None = None) -> ProfileScore:
    """RLPA's item-level precision/recall/F1 of one parsed guess against the true persona.

    Args:
        parsed: ``parse_profile(action.profile, schema)``.
        truth: bool ``[n_items]``, the true persona's multi-hot vector at this turn
            (:meth:`persona_env.persona.Persona.to_vector`).
        schema: the schema ``truth`` indexes.
        matcher: an :class:`ItemMatcher`, a name from :data:`MATCHERS`, or ``None`` (normalised).
    """
    if not isinstance(truth, np.ndarray):
        raise TypeError(f"truth must be a numpy bool array of shape ({schema.n_items},), got "
                        f"{type(truth).__name__}; use Persona.to_vector()")
    if truth.ndim != 1:
        raise ValueError(f"truth must have shape ({schema.n_items},), got {truth.shape}; "
                         "use profile_f1_batch for batches")
    vec, n_unres = guess_vector(parsed, schema, matcher)
    t = _as_bool_matrix("truth", truth[None], schema.n_items)
    p, r, f = profile_f1_batch(vec[None], np.array([n_unres], dtype=np.int64), t)
    n_matched = int(np.count_nonzero(vec & t[0]))
    return ProfileScore(precision=float(p[0]), recall=float(r[0]), f1=float(f[0]),
                        n_guessed=int(np.count_nonzero(vec)) + n_unres,
                        n_true=int(np.count_nonzero(t[0])), n_matched=n_matched)
