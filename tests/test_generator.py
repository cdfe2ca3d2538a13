"""Tests of the persona generator: priors, coherence rules, diversity filter, default pool."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from persona_env.generator import (
    COHERENCE_RULES,
    DEFAULT_POOL_SEED,
    DEFAULT_POOL_SIZE,
    DEFAULT_TEST_FRACTION,
    SLOT_PRIORS,
    CoherenceRule,
    PersonaGenerator,
    default_pool,
    violated_rules,
)
from persona_env.persona import Persona
from persona_env.pool import PersonaPool
from persona_env.schema import DEFAULT_SCHEMA


def _cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    v = vectors.astype(np.float64)
    gram = v @ v.T
    norms = np.sqrt(np.diag(gram))
    cos = gram / np.outer(norms, norms)
    np.fill_diagonal(cos, -np.inf)
    return cos


def _vectors(personas) -> np.ndarray:
    return np.stack([p.to_vector() for p in personas])


def _mode_cap(slot) -> float:
    # Gender is nearly binary and two-valued slots cannot have a mode below 50%; every other
    # slot's most common value must stay below 45%.
    return 0.6 if len(slot.values) <= 2 or slot.name == "gender" else 0.45


@pytest.fixture(scope="module")
def pool_all() -> PersonaPool:
    return default_pool("all")


# --- determinism ---------------------------------------------------------------------------
def test_same_seed_gives_identical_personas():
    a = PersonaGenerator().generate(300, seed=7)
    b = PersonaGenerator().generate(300, seed=7)
    assert len(a) == len(b) == 300
    for p, q in zip(a, b):
        assert p == q
        assert (p.disclosure_rate, p.patience, p.privacy) == (q.disclosure_rate, q.patience, q.privacy)


def test_different_seeds_differ():
    a = PersonaGenerator().generate(300, seed=7)
    b = PersonaGenerator().generate(300, seed=8)
    differing = sum(p.values != q.values for p, q in zip(a, b))
    assert differing > 250


def test_sample_is_deterministic_given_rng():
    gen = PersonaGenerator()
    p = gen.sample(np.random.default_rng(123), "x")
    q = gen.sample(np.random.default_rng(123), "x")
    r = gen.sample(np.random.default_rng(124), "x")
    assert p == q
    assert p.persona_id == "x"
    assert p != r


def test_generate_prefix_property():
    gen = PersonaGenerator()
    assert gen.generate(50, seed=3) == gen.generate(700, seed=3)[:50]


def test_no_global_randomness_used():
    np.random.seed(0)
    random.seed(0)
    np_state, py_state = np.random.get_state(), random.getstate()
    PersonaGenerator().generate(100, seed=1)
    PersonaGenerator().sample(np.random.default_rng(0), "x")
    after = np.random.get_state()
    assert all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
               for a, b in zip(np_state, after))
    assert random.getstate() == py_state


def test_ids_and_accepts_generator_as_seed():
    ps = PersonaGenerator().generate(12, seed=np.random.default_rng(5))
    assert [p.persona_id for p in ps] == [f"gen-{i:06d}" for i in range(12)]
    assert PersonaGenerator().generate(0, seed=1) == []


# --- coherence -----------------------------------------------------------------------------
def test_rule_table():
    assert len(COHERENCE_RULES) >= 12
    descriptions = [r.description for r in COHERENCE_RULES]
    assert len(set(descriptions)) == len(descriptions)
    for rule in COHERENCE_RULES:
        assert isinstance(rule, CoherenceRule)
        assert rule.resample and all(DEFAULT_SCHEMA.has_slot(s) for s in rule.resample)
    with pytest.raises(Exception):
        COHERENCE_RULES[0].description = "changed"  # frozen


def test_every_default_persona_satisfies_every_rule(pool_all):
    assert len(pool_all) == DEFAULT_POOL_SIZE
    failures = [(p.persona_id, rule.description)
                for p in pool_all for rule in COHERENCE_RULES if rule.violated(p.values)]
    assert failures == []


def test_sampled_personas_are_coherent_and_behaviour_in_range():
    gen = PersonaGenerator()
    rng = np.random.default_rng(99)
    for i in range(400):
        p = gen.sample(rng, f"s{i}")
        assert violated_rules(p) == []
        assert 0.08 <= p.disclosure_rate <= 0.15
        assert 3.0 <= p.patience <= 6.0
        assert 0.1 <= p.privacy <= 0.6
        for x in (p.disclosure_rate, p.patience, p.privacy):
            assert round(x, 3) == x


def test_rules_are_binding_without_repair():
    raw = PersonaGenerator(rules=()).generate(3000, seed=11)
    hits = Counter(rule.description for p in raw for rule in violated_rules(p))
    # unrepaired draws break the rules often, and most rules individually
    assert sum(bool(violated_rules(p)) for p in raw) > 0.3 * len(raw)
    assert len(hits) >= 18


@pytest.fixture(scope="module")
def coherent_base(pool_all) -> Persona:
    # a coherent 35-44-year-old teacher; the cases below break one rule each
    return pool_all[0].with_values(
        age="35-44", occupation="teacher", education="master's degree", marital_status="married",
        family="young children", location="suburbs", diet="no restrictions",
        personality_traits=("curious",), other=("has a dog",), interests=("reading",),
        likes=("coffee",), dislikes=("horror films",),
    )


@pytest.mark.parametrize("changes, words", [
    ({"occupation": "retiree", "age": "25-34"}, "retiree is aged 55"),
    ({"occupation": "student", "age": "65+"}, "student is aged 18-34"),
    ({"occupation": "doctor", "age": "18-24", "family": "no children", "marital_status": "single"},
     "doctor or lawyer is not aged 18-24"),
    ({"occupation": "lawyer", "education": "high school"}, "bachelor's degree or higher"),
    ({"age": "18-24", "education": "phd", "family": "no children", "marital_status": "single",
      "occupation": "student"}, "phd is aged 25"),
    ({"age": "18-24", "marital_status": "widowed", "family": "no children"}, "neither divorced"),
    ({"family": "grown-up children", "age": "25-34"}, "grown-up children"),
    ({"family": "teenage children", "age": "65+"}, "teenage children"),
    ({"family": "lives with parents", "age": "65+"}, "lives with their parents"),
    ({"occupation": "farmer", "location": "big city"}, "farmer"),
    ({"personality_traits": ("introverted", "extroverted")}, "introverted and extroverted"),
    ({"other": ("night owl", "early riser")}, "night owl and early riser"),
    ({"other": ("works from home", "long commute")}, "works from home and long commute"),
    ({"other": ("training for a marathon", "recovering from an injury")}, "marathon"),
    ({"likes": ("coffee",), "dislikes": ("coffee",)}, "disjoint"),
    ({"diet": "vegan", "likes": ("seafood",)}, "vegetarian or vegan does not like seafood"),
    ({"other": ("night owl",), "likes": ("early mornings",)}, "night owl does not like"),
])
def test_individual_rules_detect_violations(coherent_base, changes, words):
    assert violated_rules(coherent_base) == []
    broken = coherent_base.with_values(**changes)
    descriptions = [r.description for r in violated_rules(broken)]
    assert any(words in d for d in descriptions), descriptions


def test_contradictory_rules_raise():
    never = CoherenceRule("always violated", lambda v: True, ("age",))
    gen = PersonaGenerator(rules=(never,), max_repairs=3, max_restarts=3)
    with pytest.raises(RuntimeError, match="coherence rules"):
        gen.sample(np.random.default_rng(0), "x")


def test_constructor_validation():
    with pytest.raises(ValueError):
        PersonaGenerator(max_similarity=0.0)
    with pytest.raises(ValueError, match="unknown slot"):
        PersonaGenerator(rules=(CoherenceRule("x", lambda v: False, ("shoe_size",)),))
    with pytest.raises(ValueError, match="age"):
        PersonaGenerator(priors={"age": {"18-24": 1.0}})
    with pytest.raises(ValueError, match="positive"):
        PersonaGenerator(priors={"emoji": {"no emoji": 1.0, "likes emoji": 0.0}})
    with pytest.raises(ValueError):
        CoherenceRule("no slots", lambda v: False, ())


# --- diversity -----------------------------------------------------------------------------
def test_default_pool_personas_are_distinct(pool_all):
    vectors = pool_all.vectors()
    assert len(np.unique(vectors, axis=0)) == DEFAULT_POOL_SIZE
    assert len(set(pool_all.ids())) == DEFAULT_POOL_SIZE


def test_default_pool_max_pairwise_similarity(pool_all):
    cos = _cosine_matrix(pool_all.vectors())
    assert cos.max() <= 0.6 + 1e-9
    assert cos.max() > 0.5  # the bound is reached, not vacuous


def test_filter_is_active_and_respects_other_thresholds():
    unfiltered = PersonaGenerator(max_similarity=1.0).generate(1500, seed=4)
    assert _cosine_matrix(_vectors(unfiltered)).max() > 0.6
    assert len(np.unique(_vectors(unfiltered), axis=0)) == 1500  # duplicates still rejected
    strict = PersonaGenerator(max_similarity=0.5).generate(500, seed=4)
    assert _cosine_matrix(_vectors(strict)).max() <= 0.5 + 1e-9


def test_impossible_similarity_raises():
    # three emoji values cannot be pairwise different, so no three personas are disjoint
    with pytest.raises(RuntimeError, match="too strict"):
        PersonaGenerator(max_similarity=0.01).generate(3, seed=0)


# --- priors --------------------------------------------------------------------------------
def test_priors_cover_schema_and_are_mild():
    gen = PersonaGenerator()
    for slot in DEFAULT_SCHEMA.slots:
        assert set(SLOT_PRIORS[slot.name]) == set(slot.values)
        prior = gen.prior(slot.name)
        assert abs(sum(prior.values()) - 1.0) < 1e-12
        assert max(prior.values()) < _mode_cap(slot)
        assert len(set(prior.values())) > 1  # non-uniform


def test_mode_per_slot_frequency_is_bounded(pool_all):
    n = len(pool_all)
    for slot in DEFAULT_SCHEMA.slots:
        counts = Counter(v for p in pool_all for v in p.values[slot.name])
        value, count = counts.most_common(1)[0]
        assert count / n < _mode_cap(slot), (slot.name, value, count / n)
        if not slot.is_list:
            assert len(counts) == len(slot.values), slot.name  # every value occurs


def test_list_slot_sizes_cover_their_range(pool_all):
    for slot in DEFAULT_SCHEMA.slots:
        sizes = Counter(len(p.values[slot.name]) for p in pool_all)
        assert set(sizes) == set(range(slot.min_items, slot.max_items + 1)), slot.name


# --- default pool --------------------------------------------------------------------------
def test_default_pool_split_sizes_and_disjoint():
    train, test, everything = default_pool("train"), default_pool("test"), default_pool("all")
    n_test = round(DEFAULT_TEST_FRACTION * DEFAULT_POOL_SIZE)
    assert len(test) == n_test == 331
    assert len(train) == DEFAULT_POOL_SIZE - n_test
    assert set(train.ids()).isdisjoint(test.ids())
    assert set(train.ids()) | set(test.ids()) == set(everything.ids())
    assert default_pool() == train
    assert isinstance(train, PersonaPool)


def test_default_pool_split_is_fixed():
    first = default_pool("test").ids()[:3]
    assert default_pool("test").ids()[:3] == first
    assert default_pool("train") is default_pool("train")  # cached
    # the documented procedure: a permutation from DEFAULT_POOL_SEED picks the test personas
    perm = np.random.default_rng(DEFAULT_POOL_SEED).permutation(DEFAULT_POOL_SIZE)
    expected = sorted(perm[:331].tolist())
    assert default_pool("test").ids() == tuple(f"gen-{i:06d}" for i in expected)
    # and a fresh generator reproduces the same personas
    fresh = PersonaPool(PersonaGenerator().generate(DEFAULT_POOL_SIZE, DEFAULT_POOL_SEED))
    _, fresh_test = fresh.split(DEFAULT_TEST_FRACTION, DEFAULT_POOL_SEED)
    assert fresh_test.ids()[:3] == first
    assert fresh_test == default_pool("test")


def test_unknown_split_names_allowed_splits():
    with pytest.raises(ValueError) as err:
        default_pool("validation")
    for name in ("train", "test", "all", "validation"):
        assert name in str(err.value)
