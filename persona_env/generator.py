"""Procedural persona generation: slot priors, coherence rules and a diversity filter.

A persona is drawn slot by slot from mildly non-uniform priors (:data:`SLOT_PRIORS`), then
*repaired*: while one of the :data:`COHERENCE_RULES` is violated (a retired 18-year-old, a vegan
who loves seafood, ...), the slots that rule names are redrawn. :meth:`PersonaGenerator.generate`
adds the diversity filter of I2A: a candidate is kept only if its cosine similarity (over the
multi-hot item vectors) to every persona kept so far is at most ``max_similarity``.

:func:`default_pool` is the built-in pool of :data:`DEFAULT_POOL_SIZE` personas with a fixed
train/test split. All randomness comes from the ``numpy.random.Generator`` passed in (or built
from the seed given), so a seed always gives the same personas.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from persona_env.persona import Persona
from persona_env.pool import PersonaPool
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = [
    "COHERENCE_RULES",
    "CoherenceRule",
    "DEFAULT_POOL_SEED",
    "DEFAULT_POOL_SIZE",
    "DEFAULT_TEST_FRACTION",
    "PersonaGenerator",
    "SLOT_PRIORS",
    "SPLITS",
    "default_pool",
    "violated_rules",
]

#: Size, seed and test fraction of the built-in pool returned by :func:`default_pool`.
DEFAULT_POOL_SIZE = 3310
DEFAULT_POOL_SEED = 20251123
DEFAULT_TEST_FRACTION = 0.1

#: The splits :func:`default_pool` knows.
SPLITS = ("train", "test", "all")

Values = Mapping[str, tuple[str, ...]]


# --------------------------------------------------------------------------------------------
# coherence rules
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoherenceRule:
    """A constraint a realistic persona satisfies.

    Attributes:
        description: the constraint in words ("a retiree is aged 55 or over").
        violated: predicate over a slot -> values mapping (tuples of strings, as in
            :attr:`Persona.values`); returns ``True`` when the persona VIOLATES the rule.
        resample: the slots the generator redraws (from their priors) when the rule is violated.
    """

    description: str
    violated: Callable[[Values], bool]
    resample: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.resample:
            raise ValueError(f"rule {self.description!r}: resample names no slot")


def _is(v: Values, slot: str, *values: str) -> bool:
    """The (single) slot holds one of ``values``."""
    return v[slot][0] in values


def _has(v: Values, slot: str, *values: str) -> bool:
    """The (list) slot holds at least one of ``values``."""
    held = v[slot]
    return any(x in held for x in values)


def _both(v: Values, slot: str, a: str, b: str) -> bool:
    held = v[slot]
    return a in held and b in held


_OLD = ("55-64", "65+")
_YOUNG = ("18-24", "25-34")
_DEGREE = ("bachelor's degree", "master's degree", "phd")

# Rule order matters a little: the repair loop fixes the first violated rule first. Occupation is
# never redrawn; age is redrawn only to fit the occupation; education, marital status, family and
# the list slots are redrawn to fit age/occupation/diet. So repairs cannot ping-pong.
COHERENCE_RULES: tuple[CoherenceRule, ...] = (
    # occupation -> age
    CoherenceRule("a retiree is aged 55 or over",
                  lambda v: _is(v, "occupation", "retiree") and not _is(v, "age", *_OLD), ("age",)),
    CoherenceRule("a student is aged 18-34",
                  lambda v: _is(v, "occupation", "student") and not _is(v, "age", *_YOUNG), ("age",)),
    CoherenceRule("a doctor or lawyer is not aged 18-24",
                  lambda v: _is(v, "occupation", "doctor", "lawyer") and _is(v, "age", "18-24"),
                  ("age",)),
    # occupation/age -> education
    CoherenceRule("a doctor, lawyer or teacher holds a bachelor's degree or higher",
                  lambda v: _is(v, "occupation", "doctor", "lawyer", "teacher")
                  and not _is(v, "education", *_DEGREE), ("education",)),
    CoherenceRule("someone with a phd is aged 25 or over",
                  lambda v: _is(v, "education", "phd") and _is(v, "age", "18-24"), ("education",)),
    # age -> marital status
    CoherenceRule("an 18-24-year-old is neither divorced nor widowed",
                  lambda v: _is(v, "age", "18-24") and _is(v, "marital_status", "divorced", "widowed"),
                  ("marital_status",)),
    CoherenceRule("a widowed person is aged 35 or over",
                  lambda v: _is(v, "marital_status", "widowed") and _is(v, "age", *_YOUNG),
                  ("marital_status",)),
    # age -> family
    CoherenceRule("someone with grown-up children is aged 45 or over",
                  lambda v: _is(v, "family", "grown-up children")
                  and _is(v, "age", "18-24", "25-34", "35-44"), ("family",)),
    CoherenceRule("someone with teenage children is aged 35-64",
                  lambda v: _is(v, "family", "teenage children")
                  and _is(v, "age", "18-24", "25-34", "65+"), ("family",)),
    CoherenceRule("someone with young children is aged 54 or under",
                  lambda v: _is(v, "family", "young children") and _is(v, "age", *_OLD), ("family",)),
    CoherenceRule("someone who lives with their parents is aged 34 or under (never 65+)",
                  lambda v: _is(v, "family", "lives with parents") and not _is(v, "age", *_YOUNG),
                  ("family",)),
    # occupation -> location
    CoherenceRule("a farmer does not live in a big city",
                  lambda v: _is(v, "occupation", "farmer") and _is(v, "location", "big city"),
                  ("location",)),
    # personality
    CoherenceRule("introverted and extroverted are exclusive",
                  lambda v: _both(v, "personality_traits", "introverted", "extroverted"),
                  ("personality_traits",)),
    # other information
    CoherenceRule("night owl and early riser are exclusive",
                  lambda v: _both(v, "other", "night owl", "early riser"), ("other",)),
    CoherenceRule("works from home and long commute are exclusive",
                  lambda v: _both(v, "other", "works from home", "long commute"), ("other",)),
    CoherenceRule("a retiree neither works from home nor has a long commute",
                  lambda v: _is(v, "occupation", "retiree")
                  and _has(v, "other", "works from home", "long commute"), ("other",)),
    CoherenceRule("training for a marathon and recovering from an injury are exclusive",
                  lambda v: _both(v, "other", "training for a marathon", "recovering from an injury"),
                  ("other",)),
    # content preferences
    CoherenceRule("likes and dislikes are disjoint",
                  lambda v: not set(v["likes"]).isdisjoint(v["dislikes"]), ("dislikes",)),
    CoherenceRule("a vegetarian or vegan does not like seafood",
                  lambda v: _is(v, "diet", "vegetarian", "vegan") and _has(v, "likes", "seafood"),
                  ("likes",)),
    CoherenceRule("a vegan does not go fishing",
                  lambda v: _is(v, "diet", "vegan") and _has(v, "interests", "fishing"),
                  ("interests",)),
    CoherenceRule("a night owl does not like early mornings",
                  lambda v: _has(v, "other", "night owl") and _has(v, "likes", "early mornings"),
                  ("likes",)),
    CoherenceRule("an early riser does not dislike early mornings",
                  lambda v: _has(v, "other", "early riser") and _has(v, "dislikes", "early mornings"),
                  ("dislikes",)),
    CoherenceRule("an introvert does not like crowds",
                  lambda v: _has(v, "personality_traits", "introverted") and _has(v, "likes", "crowds"),
                  ("likes",)),
)


def violated_rules(persona: Persona | Values,
                   rules: Sequence[CoherenceRule] = COHERENCE_RULES) -> list[CoherenceRule]:
    """The rules a persona (or a slot -> values mapping) violates; empty when coherent."""
    values = persona.values if isinstance(persona, Persona) else persona
    return [rule for rule in rules if rule.violated(values)]


# --------------------------------------------------------------------------------------------
# priors
# --------------------------------------------------------------------------------------------
#: Relative weights of each slot's values (normalised per slot; they need not sum to 1).
#: Deliberately mild: the most common value of a slot is a meaningful guess but not a dominant
#: one. In slots with three or more values no value has more than 40% prior probability (the
#: coherence repair moves a few points, e.g. towards "no children"; in the default pool every
#: such mode stays below 45%). Gender is nearly binary, so its mode is ~48%; the two-valued
#: style slots stay within 44-56%. For list slots the weights steer which values are drawn
#: (weighted, without replacement): coffee is liked more often than crowds, and crowds and early
#: mornings are the usual dislikes.
SLOT_PRIORS: dict[str, dict[str, float]] = {
    "age": {"18-24": 15, "25-34": 22, "35-44": 21, "45-54": 18, "55-64": 14, "65+": 10},
    "gender": {"female": 48, "male": 47, "non-binary": 5},
    "interests": {
        "hiking": 8, "cooking": 9, "photography": 6, "video games": 7, "gardening": 6, "jazz": 4,
        "football": 7, "painting": 4, "reading": 10, "travel": 10, "yoga": 6, "chess": 4,
        "cycling": 6, "astronomy": 3, "baking": 6, "fishing": 4,
    },
    "education": {"high school": 24, "vocational training": 20, "bachelor's degree": 30,
                  "master's degree": 18, "phd": 8},
    "personality_traits": {
        "introverted": 8, "extroverted": 7, "curious": 10, "anxious": 6, "organised": 8,
        "spontaneous": 6, "patient": 6, "competitive": 5, "optimistic": 8, "sceptical": 5,
        "creative": 8, "practical": 9,
    },
    "occupation": {
        "nurse": 8, "software engineer": 9, "teacher": 9, "student": 8, "chef": 6, "accountant": 7,
        "retiree": 9, "farmer": 4, "lawyer": 5, "graphic designer": 6, "electrician": 6,
        "journalist": 5, "doctor": 5, "shop owner": 7,
    },
    "marital_status": {"single": 32, "in a relationship": 22, "married": 34, "divorced": 8,
                       "widowed": 4},
    "family": {"no children": 28, "young children": 20, "teenage children": 15,
               "grown-up children": 16, "lives with parents": 10, "cares for a parent": 11},
    "location": {"big city": 26, "suburbs": 24, "small town": 20, "countryside": 12,
                 "by the sea": 10, "mountains": 8},
    "other": {
        "has a dog": 9, "has a cat": 8, "recently moved": 5, "learning a language": 6,
        "training for a marathon": 3, "night owl": 7, "early riser": 7, "volunteers": 5,
        "works from home": 7, "long commute": 6, "saving for a house": 6,
        "recovering from an injury": 3,
    },
    "verbosity": {"brief": 32, "moderate": 40, "detailed": 28},
    "formality": {"casual": 36, "neutral": 40, "formal": 24},
    "emoji": {"no emoji": 56, "likes emoji": 44},
    "humour": {"serious": 54, "playful": 46},
    "directness": {"direct": 52, "diplomatic": 48},
    "likes": {
        "spicy food": 7, "sweets": 8, "seafood": 6, "coffee": 10, "podcasts": 8, "documentaries": 7,
        "horror films": 4, "crowds": 2, "museums": 6, "live music": 7, "long reads": 5,
        "early mornings": 3, "board games": 6, "online shopping": 6,
    },
    "dislikes": {
        "spicy food": 6, "sweets": 3, "seafood": 6, "coffee": 3, "podcasts": 3, "documentaries": 2,
        "horror films": 8, "crowds": 10, "museums": 2, "live music": 3, "long reads": 4,
        "early mornings": 9, "board games": 3, "online shopping": 5,
    },
    "diet": {"no restrictions": 40, "vegetarian": 20, "vegan": 8, "gluten-free": 14, "halal": 18},
    "budget": {"tight": 32, "moderate": 40, "generous": 28},
}


def _slot_probs(schema: PersonaSchema, priors: Mapping[str, Mapping[str, float]] | None
                ) -> list[np.ndarray]:
    """Normalised prior of every slot, in vocabulary order.

    ``priors=None`` uses :data:`SLOT_PRIORS` where its vocabulary matches the slot's exactly and
    a uniform prior elsewhere; explicit priors must match the vocabulary of every slot they name.
    """
    out = []
    for slot in schema.slots:
        weights = (priors if priors is not None else SLOT_PRIORS).get(slot.name)
        if weights is not None and set(weights) != set(slot.values):
            if priors is not None:
                raise ValueError(
                    f"priors for slot {slot.name!r} must give a weight to exactly its values "
                    f"({', '.join(slot.values)})"
                )
            weights = None
        if weights is None:
            p = np.full(len(slot.values), 1.0 / len(slot.values))
        else:
            w = np.array([float(weights[v]) for v in slot.values])
            if not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise ValueError(f"priors for slot {slot.name!r} must be positive and finite")
            p = w / w.sum()
        out.append(p)
    return out


# --------------------------------------------------------------------------------------------
# generator
# --------------------------------------------------------------------------------------------
class PersonaGenerator:
    """Draws coherent personas from slot priors; :meth:`generate` adds the diversity filter.

    Args:
        schema: the persona schema.
        rules: coherence rules; each must only resample slots of ``schema``.
        max_similarity: :meth:`generate` keeps a candidate only if its cosine similarity to every
            persona kept so far is at most this (exact duplicates are always rejected).
        priors: slot -> value -> weight; ``None`` uses :data:`SLOT_PRIORS` (uniform for slots
            it does not cover).
        max_repairs: redraws per candidate before starting it over.
        max_restarts: fresh draws per candidate before giving up (``RuntimeError``).
    """

    #: ranges of the behaviour parameters (drawn uniformly, rounded to 3 decimals)
    DISCLOSURE_RANGE = (0.08, 0.15)
    PATIENCE_RANGE = (3.0, 6.0)
    PRIVACY_RANGE = (0.1, 0.6)

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA,
                 rules: Sequence[CoherenceRule] = COHERENCE_RULES,
                 max_similarity: float = 0.6,
                 priors: Mapping[str, Mapping[str, float]] | None = None,
                 *, max_repairs: int = 50, max_restarts: int = 200) -> None:
        if not 0.0 < max_similarity <= 1.0:
            raise ValueError(f"max_similarity must be in (0, 1], got {max_similarity}")
        for rule in rules:
            for name in rule.resample:
                if not schema.has_slot(name):
                    raise ValueError(f"rule {rule.description!r} resamples unknown slot {name!r}")
        self.schema = schema
        self.rules = tuple(rules)
        self.max_similarity = float(max_similarity)
        self.max_repairs = int(max_repairs)
        self.max_restarts = int(max_restarts)

        slots = schema.slots
        self._names = tuple(s.name for s in slots)
        self._vocab = tuple(s.values for s in slots)
        self._pos = {name: k for k, name in enumerate(self._names)}
        self._probs = _slot_probs(schema, priors)
        self._cdfs = [np.cumsum(p) for p in self._probs]
        self._cdf_lists = [c.tolist() for c in self._cdfs]
        # labels[k][i] == (vocab[k][i],): ready-made one-value tuples
        self._labels = tuple(tuple((v,) for v in vocab) for vocab in (s.values for s in slots))
        self._behaviour_ranges = (self.DISCLOSURE_RANGE, self.PATIENCE_RANGE, self.PRIVACY_RANGE)
        self._logw = [np.log(p) for p in self._probs]
        self._bounds = tuple((s.min_items, s.max_items) for s in slots)
        self._start = tuple(int(x) for x in schema.slot_start)
        # batched draw of all single slots: u >= cdf edges, summed, gives the value index
        self._single = [k for k, s in enumerate(slots) if not s.is_list]
        self._lists = [k for k, s in enumerate(slots) if s.is_list]
        width = max((len(v) for v in self._vocab), default=1)
        edges = np.full((len(self._single), width), 2.0)
        for row, k in enumerate(self._single):
            cdf = self._cdfs[k]
            edges[row, : len(cdf) - 1] = cdf[:-1]  # last edge stays 2.0: u < 1 never reaches it
        self._edges = edges
        # batched Gumbel-top-k over all list slots: concatenated log-weights and their offsets
        self._list_logw = (np.concatenate([self._logw[k] for k in self._lists])
                           if self._lists else np.zeros(0))
        offsets = np.cumsum([0] + [len(self._vocab[k]) for k in self._lists])
        self._list_spans = [(k, int(offsets[i]), int(offsets[i + 1]))
                            for i, k in enumerate(self._lists)]

    # --- public --------------------------------------------------------------------------------
    def prior(self, slot: str) -> dict[str, float]:
        """The normalised prior of one slot, value -> probability."""
        k = self._pos[self.schema.slot(slot).name]
        return {v: float(p) for v, p in zip(self._vocab[k], self._probs[k])}

    def sample(self, rng: np.random.Generator, persona_id: str) -> Persona:
        """One coherent persona (no diversity filter)."""
        (values, _, behaviour), = self._candidates(rng, 1)
        return Persona(persona_id, values, *behaviour, schema=self.schema)

    def generate(self, n: int, seed: int | np.random.Generator | None = 0) -> list[Persona]:
        """``n`` coherent, mutually dissimilar personas with ids ``gen-000000``, ``gen-000001``, ...

        Candidates are drawn like :meth:`sample` (in blocks of :attr:`BLOCK`, so that
        ``generate(n, s)`` is a prefix of ``generate(m, s)`` for ``n <= m``); one is kept only if
        it is not an exact duplicate of, and has cosine similarity (multi-hot item vectors) at
        most ``max_similarity`` to, every persona kept before it -- the greedy filter of I2A.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        n_items = self.schema.n_items
        # Overlaps (dot products of 0/1 vectors) are small integers, exact in float32 whatever
        # the BLAS summation order; the threshold is applied through an integer table computed
        # elementwise in float64, so the kept set is the same on every platform.
        max_overlap = self._max_overlap_table()
        kept = np.zeros((max(n, 1), n_items), dtype=np.float32)  # multi-hot rows of kept personas
        kept_size = np.zeros(max(n, 1), dtype=np.int64)
        seen: set[bytes] = set()
        out: list[Persona] = []
        limit = 100 * n + 1000
        tried = 0
        while len(out) < n:
            if tried >= limit:
                raise RuntimeError(
                    f"kept only {len(out)} of {n} personas after {tried} candidates; "
                    f"max_similarity={self.max_similarity} is too strict for this schema"
                )
            block = self._candidates(rng, self.BLOCK)
            tried += len(block)
            cand = np.zeros((len(block), n_items), dtype=np.float32)
            for i, (_, items, _) in enumerate(block):
                cand[i, items] = 1.0
            size = np.array([len(items) for _, items, _ in block], dtype=np.int64)
            k = len(out)
            # cosine > max_similarity  <=>  overlap > max_overlap[|a|, |b|]
            rejected = np.zeros(len(block), dtype=bool)
            if k:
                overlap = cand @ kept[:k].T
                for a in np.unique(size):
                    rows = size == a
                    rejected[rows] = (overlap[rows] > max_overlap[a, kept_size[:k]]).any(axis=1)
            # survivors of the check against earlier blocks, compared among themselves
            alive = np.flatnonzero(~rejected)
            sub, sub_size = cand[alive], size[alive]
            clash = np.zeros((len(block), len(block)), dtype=bool)
            clash[np.ix_(alive, alive)] = (sub @ sub.T) > max_overlap[sub_size[:, None],
                                                                      sub_size[None, :]]
            for i in alive.tolist():
                values, items, behaviour = block[i]
                if rejected[i]:
                    continue
                key = items.tobytes()
                if key in seen:
                    continue
                k = len(out)
                seen.add(key)
                kept[k] = cand[i]
                kept_size[k] = size[i]
                rejected |= clash[i]  # later candidates of this block too similar to this one
                out.append(Persona(f"gen-{k:06d}", values, *behaviour, schema=self.schema))
                if len(out) == n:
                    break
        return out

    def _max_overlap_table(self) -> np.ndarray:
        """``t[a, b]``: the most items two personas with ``a`` and ``b`` items may share."""
        sizes = np.arange(self.schema.n_items + 1, dtype=np.float64)
        return np.floor(self.max_similarity * np.sqrt(sizes[:, None] * sizes[None, :]))

    # --- internals -------------------------------------------------------------------------
    #: candidates drawn (vectorised) at a time by :meth:`generate`
    BLOCK = 512

    def _draw_slot(self, rng: np.random.Generator, k: int) -> tuple[int, ...]:
        """Redraw one slot from its prior (value indices, sorted)."""
        lo, hi = self._bounds[k]
        if hi == 1:
            return (min(bisect.bisect_right(self._cdf_lists[k], rng.random()),
                        len(self._vocab[k]) - 1),)
        size = lo if lo == hi else int(rng.integers(lo, hi + 1))
        keys = self._logw[k] + rng.gumbel(size=len(self._logw[k]))
        return tuple(sorted(np.argsort(-keys)[:size].tolist()))

    def _draw_raw(self, rng: np.random.Generator, b: int) -> list[list[tuple[int, ...]]]:
        """``b`` unrepaired candidates: per candidate, per slot, the sorted value indices."""
        n_single, n_list = len(self._single), len(self._lists)
        rows: list[list[tuple[int, ...]]] = [[()] * len(self._names) for _ in range(b)]
        if n_single:
            u = rng.random((b, n_single))
            single = (u[:, :, None] >= self._edges[None]).sum(axis=2).tolist()
            for row, draws in zip(rows, single):
                for k, i in zip(self._single, draws):
                    row[k] = (i,)
        if n_list:
            u = rng.random((b, n_list))
            keys = self._list_logw + rng.gumbel(size=(b, len(self._list_logw)))
            for j, (k, a, c) in enumerate(self._list_spans):
                lo, hi = self._bounds[k]
                sizes = (lo + np.floor(u[:, j] * (hi - lo + 1))).astype(np.int64).tolist()
                top = np.argsort(-keys[:, a:c], axis=1)[:, :hi].tolist()
                for row, t, m in zip(rows, top, sizes):
                    row[k] = tuple(sorted(t[:m]))
        return rows

    def _candidates(self, rng: np.random.Generator, b: int
                    ) -> list[tuple[dict[str, tuple[str, ...]], np.ndarray, tuple[float, float, float]]]:
        """``b`` coherent candidates: (slot -> values, sorted item indices, behaviour)."""
        raw = self._draw_raw(rng, b)
        lo = np.array([r[0] for r in self._behaviour_ranges])
        width = np.array([r[1] - r[0] for r in self._behaviour_ranges])
        behaviour = np.round(lo + rng.random((b, 3)) * width, 3).tolist()
        return [(*self._repair(rng, idx), tuple(beh)) for idx, beh in zip(raw, behaviour)]

    def _repair(self, rng: np.random.Generator, idx: list[tuple[int, ...]]
                ) -> tuple[dict[str, tuple[str, ...]], np.ndarray]:
        """Redraw slots until no rule is violated; start over after ``max_repairs`` redraws."""
        names, labels, pos, rules = self._names, self._labels, self._pos, self.rules
        for _ in range(self.max_restarts):
            values = {name: lab[i[0]] if len(i) == 1 else tuple(lab[j][0] for j in i)
                      for name, lab, i in zip(names, labels, idx)}
            for _ in range(self.max_repairs + 1):
                broken = None
                for rule in rules:
                    if rule.violated(values):
                        broken = rule
                        break
                if broken is None:
                    items = [start + i for start, ii in zip(self._start, idx) for i in ii]
                    return values, np.array(items, dtype=np.int64)
                for name in broken.resample:
                    k = pos[name]
                    idx[k] = ii = self._draw_slot(rng, k)
                    values[name] = tuple(self._vocab[k][i] for i in ii)
            idx = self._draw_raw(rng, 1)[0]
        raise RuntimeError(
            f"could not draw a persona satisfying all {len(self.rules)} coherence rules in "
            f"{self.max_restarts} tries; are the rules contradictory?"
        )


# --------------------------------------------------------------------------------------------
# the built-in pool
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _default_pools() -> dict[str, PersonaPool]:
    personas = PersonaGenerator().generate(DEFAULT_POOL_SIZE, DEFAULT_POOL_SEED)
    everything = PersonaPool(personas, name="default")
    train, test = everything.split(DEFAULT_TEST_FRACTION, DEFAULT_POOL_SEED)
    return {"train": train, "test": test, "all": everything}


def default_pool(split: str = "train") -> PersonaPool:
    """The built-in pool: :data:`DEFAULT_POOL_SIZE` personas from :data:`DEFAULT_POOL_SEED`.

    ``split`` is ``"train"``, ``"test"`` (``round(DEFAULT_TEST_FRACTION * N)`` personas chosen
    by a fixed permutation) or ``"all"``. The pool is generated once per process and cached.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; allowed splits: {', '.join(SPLITS)}")
    return _default_pools()[split]
