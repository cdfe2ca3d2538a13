"""Tests for persona_env.rewards.profile: matchers and RLPA's item-level profile F1."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from persona_env.actions import parse_assistant_action
from persona_env.persona import Persona
from persona_env.profile_parsing import GuessItem, ParsedProfile, parse_profile
from persona_env.rewards import (
    MATCHERS,
    ExactMatcher,
    ItemMatcher,
    NormalisedStringMatcher,
    ProfileScore,
    guess_vector,
    make_matcher,
    profile_f1,
    profile_f1_batch,
)
from persona_env.schema import DEFAULT_SCHEMA

S = DEFAULT_SCHEMA

VALUES = {
    "age": "25-34", "gender": "female", "interests": ("hiking", "jazz", "chess"),
    "education": "bachelor's degree", "personality_traits": ("curious", "organised"),
    "occupation": "nurse", "marital_status": "married", "family": "young children",
    "location": "small town", "other": ("has a dog", "works from home"), "verbosity": "brief",
    "formality": "casual", "emoji": "no emoji", "humour": "playful", "directness": "direct",
    "likes": ("coffee", "podcasts"), "dislikes": ("crowds",), "diet": "vegetarian", "budget": "tight",
}
PERSONA = Persona("test-nurse", {k: (v,) if isinstance(v, str) else v for k, v in VALUES.items()})
TRUTH = PERSONA.to_vector()
N_TRUE = len(PERSONA.items())  # 24

NASTY = [
    "", "   ", "\ud800\udfff", "x" * 10**6, "{{{", '{"age": [1, {"x": null}]}', "<profile>", "</response><profile>",
    "\U0001F600\U0001F389", "nurse\x00\x00hiking", "\u0645\u0645\u0631\u0636\u0629 \u202enurse", "- " * 5000,
    '{"occupation": ["nurse", ["nurse"]], "age": {"x": 1}}',
]


def score(text: str, matcher=None) -> ProfileScore:
    return profile_f1(parse_profile(text), TRUTH, S, matcher)


def test_truth_size():
    assert N_TRUE == 24 and TRUTH.dtype == bool and TRUTH.sum() == N_TRUE


# ---------------------------------------------------------------------------- exact values
def test_rlpa_example_with_exact_fractions():
    # nurse, hiking, jazz right; cooking wrong; age 40 -> 35-44 wrong
    s = score("- Occupation: nurse\n- Interests: hiking, jazz, cooking\n- Age: 40")
    assert (s.n_guessed, s.n_true, s.n_matched) == (5, N_TRUE, 3)
    p, r = Fraction(3, 5), Fraction(3, N_TRUE)
    assert s.precision == float(p) == 0.6
    assert s.recall == float(r)
    assert s.f1 == float(2 * p * r / (p + r)) == float(Fraction(6, 5 + N_TRUE))


def test_list_slot_counted_item_by_item():
    s = score("- Interests: hiking, jazz, chess")
    assert (s.n_guessed, s.n_matched) == (3, 3)
    assert s.precision == 1.0 and s.recall == float(Fraction(3, N_TRUE))
    s = score("- Interests: chess")
    assert s.precision == 1.0 and s.recall == float(Fraction(1, N_TRUE))


def test_partial_guess():
    s = score('{"occupation": "nurse", "gender": "F", "diet": "veggie", "budget": "generous"}')
    assert (s.n_guessed, s.n_matched) == (4, 3)
    assert s.f1 == float(Fraction(2 * 3, 4 + N_TRUE))


def test_full_correct_guess_scores_one():
    card = PERSONA.card()  # "Label: v1, v2" lines
    s = score(card)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("text", ["", "   ", "- Occupation: unknown", "The user seems nice."])
def test_empty_guess_scores_zero(text):
    s = score(text)
    assert (s.precision, s.recall, s.f1, s.n_guessed, s.n_matched) == (0.0, 0.0, 0.0, 0, 0)


def test_all_wrong_scores_zero():
    s = score("- Occupation: lawyer\n- Interests: football")
    assert (s.precision, s.recall, s.f1, s.n_guessed) == (0.0, 0.0, 0.0, 2)


def test_unresolved_items_count_against_precision():
    s = score("- Occupation: nurse\n- Favourite colour: blue\n- Pet name: Rex")
    assert (s.n_guessed, s.n_matched) == (3, 1)
    assert s.precision == float(Fraction(1, 3))


def test_duplicates_of_one_item_count_once():
    s = score("- nurse\n- Occupation: nurse\n- Occupation: RN\n- job: Nurse\nShe is a nurse.")
    assert (s.n_guessed, s.n_matched, s.precision) == (1, 1, 1.0)


def test_two_values_for_a_single_slot_one_is_wrong():
    s = score("- Occupation: nurse\n- Occupation: teacher")
    assert (s.n_guessed, s.n_matched) == (2, 1)


def test_unslotted_prose_guesses():
    s = score("Probably a nurse in her early thirties who loves hiking and jazz. Hates crowds. Owns a dog.")
    # nurse, 25-34, hiking, jazz, dislikes crowds, has a dog
    assert (s.n_guessed, s.n_matched) == (6, 6)
    assert s.precision == 1.0 and s.f1 == float(Fraction(12, 6 + N_TRUE))


def test_rlpa_string_form_end_to_end():
    act = parse_assistant_action(
        "<profile>\n- Occupation: nurse\n- Interests: hiking, jazz\n- Age: 29\n</profile>\n\n"
        "<response>\nHow about a short hike?\n</response>")
    assert act.format_ok
    s = profile_f1(parse_profile(act.profile), TRUTH)
    assert (s.n_guessed, s.n_matched, s.precision) == (4, 4, 1.0)


# ---------------------------------------------------------------------------- matchers
def test_exact_vs_normalised():
    text = "- Occupation: Registered Nurse\n- Interests: Hiking, jazz music, chess\n- Age: 29\n- Gender: woman"
    exact = score(text, "exact")
    norm = score(text, "normalised")
    assert (exact.n_guessed, exact.n_matched) == (6, 2)  # "Hiking", "chess"
    assert (norm.n_guessed, norm.n_matched) == (6, 6)
    assert exact.f1 == float(Fraction(4, 6 + N_TRUE)) and norm.f1 == float(Fraction(12, 6 + N_TRUE))


def test_default_matcher_is_normalised():
    parsed = parse_profile("- Occupation: RN")
    assert profile_f1(parsed, TRUTH) == profile_f1(parsed, TRUTH, S, NormalisedStringMatcher())
    assert profile_f1(parsed, TRUTH, S, ExactMatcher()).n_matched == 0


def _resolve(matcher, slot, text):
    idx = matcher.resolve(GuessItem(slot, text), S)
    return None if idx is None else S.items[idx]


@pytest.mark.parametrize("slot,text,expected", [
    ("occupation", "nurse", ("occupation", "nurse")),
    ("occupation", " NURSE ", ("occupation", "nurse")),
    (None, "Nurse", ("occupation", "nurse")),
    ("occupation", "nurses", None),
    ("occupation", "RN", None),
    ("interests", "nurse", None),
    ("age", "25-34", ("age", "25-34")),
    ("age", "29", None),
    (None, "coffee", ("likes", "coffee")),
    ("dislikes", "Coffee", ("dislikes", "coffee")),
    (None, "moderate", ("verbosity", "moderate")),
    ("budget", "moderate", ("budget", "moderate")),
])
def test_exact_matcher(slot, text, expected):
    assert _resolve(ExactMatcher(), slot, text) == expected


@pytest.mark.parametrize("slot,text,value", [
    ("occupation", "Software Developer", "software engineer"), ("occupation", "programmer", "software engineer"),
    ("occupation", "SWE", "software engineer"), ("occupation", "RN", "nurse"),
    ("occupation", "registered nurse, I think", "nurse"), ("occupation", "Nurses", "nurse"),
    ("occupation", "retired", "retiree"), ("occupation", "cook", "chef"), ("interests", "cook", "cooking"),
    ("education", "uni degree", "bachelor's degree"), ("education", "BA", "bachelor's degree"),
    ("education", "BSc in Biology", "bachelor's degree"), ("education", "Bachelor's", "bachelor's degree"),
    ("education", "masters", "master's degree"), ("education", "MSc", "master's degree"),
    ("education", "MA", "master's degree"), ("education", "doctorate", "phd"), ("education", "Ph.D.", "phd"),
    ("marital_status", "wed", "married"), ("marital_status", "has a husband", "married"),
    ("marital_status", "has a wife", "married"), ("family", "no kids", "no children"),
    ("family", "toddlers", "young children"), ("family", "teenagers", "teenage children"),
    ("family", "grandkids", "grown-up children"), ("diet", "Vegetarian", "vegetarian"),
    ("diet", "plant-based", "vegan"), ("emoji", "no emojis", "no emoji"), ("emoji", "None", "no emoji"),
    ("verbosity", "concise", "brief"), ("verbosity", "short", "brief"), ("verbosity", "long", "detailed"),
    ("verbosity", "thorough", "detailed"), ("formality", "laid-back", "casual"),
    ("formality", "informal", "casual"), ("personality_traits", "organized", "organised"),
    ("personality_traits", "skeptical", "sceptical"), ("location", "seaside", "by the sea"),
    ("other", "dogs", "has a dog"), ("other", "has dogs", "has a dog"), ("likes", "Horror Movies", "horror films"),
    ("gender", "woman", "female"), ("gender", "she/her", "female"), ("gender", "F", "female"),
    ("gender", "he/him", "male"), ("gender", "nb", "non-binary"),
    ("age", "29", "25-34"), ("age", "twenties", "25-34"), ("age", "early thirties", "25-34"),
    ("age", "in her 40s", "45-54"), ("age", "30s", "35-44"), ("age", "~29", "25-34"), ("age", "65+", "65+"),
])
def test_normalised_matcher_aliases(slot, text, value):
    assert _resolve(NormalisedStringMatcher(), slot, text) == (slot, value)


@pytest.mark.parametrize("slot,text", [
    ("occupation", "vet"), ("family", "kids"), ("family", "children"), ("occupation", "not a nurse"),
    ("occupation", "nurse or teacher"), ("interests", "nurse"), ("age", "150"), ("age", "12"), ("age", "nan"),
    (None, "woman"), (None, "she"), (None, "29"), (None, "short"), (None, "MA"), ("gender", "unknown"),
    (None, ""), ("occupation", "\ud800"), (None, "\U0001F600"),
])
def test_normalised_matcher_rejects(slot, text):
    assert _resolve(NormalisedStringMatcher(), slot, text) is None


@pytest.mark.parametrize("text,item", [
    ("coffee", ("likes", "coffee")), ("programmer", ("occupation", "software engineer")),
    ("in her thirties", ("age", "35-44")), ("29-year-old", ("age", "25-34")), ("female", ("gender", "female")),
    ("has a husband", ("marital_status", "married")), ("moderate", ("verbosity", "moderate")),
    ("Bachelor's Degree", ("education", "bachelor's degree")), ("a nurse, probably", ("occupation", "nurse")),
])
def test_normalised_matcher_unslotted(text, item):
    assert _resolve(NormalisedStringMatcher(), None, text) == item


def test_slot_not_in_schema_is_treated_as_unslotted():
    assert _resolve(NormalisedStringMatcher(), "job_title", "nurse") == ("occupation", "nurse")


def test_matchers_registry():
    assert set(MATCHERS) == {"exact", "normalised", "embedding"}
    assert isinstance(make_matcher("exact"), ExactMatcher)
    assert isinstance(make_matcher("normalised"), NormalisedStringMatcher)
    assert all(issubclass(c, ItemMatcher) and c.name == n for n, c in MATCHERS.items())
    with pytest.raises(ValueError, match="known matchers: embedding, exact, normalised"):
        make_matcher("fuzzy")


def test_custom_matcher_via_interface():
    class Nothing(ItemMatcher):
        name = "nothing"

        def resolve(self, item, schema=S):
            return None

    s = score("- Occupation: nurse\n- Interests: hiking", Nothing())
    assert (s.n_guessed, s.n_matched, s.f1) == (2, 0, 0.0)
    with pytest.raises(TypeError):
        ItemMatcher()  # type: ignore[abstract]


# ---------------------------------------------------------------------------- batch form
def test_guess_vector():
    vec, n_unres = guess_vector(parse_profile("- Occupation: nurse\n- Hobbies: jazz, knitting"), S)
    assert vec.dtype == bool and vec.shape == (S.n_items,)
    assert sorted(S.items[i] for i in np.flatnonzero(vec)) == [("interests", "jazz"), ("occupation", "nurse")]
    assert n_unres == 1


def test_batch_exact_values():
    guess = np.zeros((3, S.n_items), dtype=bool)
    truth = np.stack([TRUTH] * 3)
    nurse, lawyer = S.item_index("occupation", "nurse"), S.item_index("occupation", "lawyer")
    guess[0, [nurse, lawyer]] = True
    guess[1, nurse] = True
    p, r, f = profile_f1_batch(guess, np.array([1, 0, 0]), truth)
    assert p.dtype == r.dtype == f.dtype == np.float64 and p.shape == (3,)
    assert p.tolist() == [float(Fraction(1, 3)), 1.0, 0.0]
    assert r.tolist() == [float(Fraction(1, N_TRUE)), float(Fraction(1, N_TRUE)), 0.0]
    assert f.tolist() == [float(Fraction(2, 3 + N_TRUE)), float(Fraction(2, 1 + N_TRUE)), 0.0]


def _random_items(rng: np.random.Generator) -> ParsedProfile:
    garbage = ["blue", "Rex", "??", "knitting", "\U0001F600", "42", "in her thirties", "programmer", "F"]
    out = []
    for _ in range(int(rng.integers(0, 12))):
        slot = S.slots[int(rng.integers(len(S.slots)))]
        text = garbage[int(rng.integers(len(garbage)))] if rng.random() < 0.25 else \
            slot.values[int(rng.integers(len(slot.values)))]
        out.append(GuessItem(None if rng.random() < 0.3 else slot.name, text))
    return ParsedProfile(tuple(out), "list", ())


def _random_truth(rng: np.random.Generator) -> np.ndarray:
    values = {}
    for slot in S.slots:
        k = int(rng.integers(slot.min_items, slot.max_items + 1))
        values[slot.name] = tuple(rng.choice(slot.values, size=k, replace=False).tolist())
    return Persona("rand", values).to_vector()


@pytest.mark.parametrize("matcher", ["exact", "normalised"])
def test_batch_and_unbatched_agree(matcher):
    rng = np.random.default_rng(1234)
    B = 64
    parsed = [_random_items(rng) for _ in range(B)]
    truth = np.stack([_random_truth(rng) for _ in range(B)])
    vecs, unres = zip(*(guess_vector(p, S, matcher) for p in parsed))
    p, r, f = profile_f1_batch(np.stack(vecs), np.array(unres, dtype=np.int64), truth)
    for b in range(B):
        s = profile_f1(parsed[b], truth[b], S, matcher)
        assert (s.precision, s.recall, s.f1) == (p[b], r[b], f[b])
        # and against the definition, with exact fractions
        tp = int(np.count_nonzero(vecs[b] & truth[b]))
        ng, nt = int(vecs[b].sum()) + unres[b], int(truth[b].sum())
        assert (s.n_matched, s.n_guessed, s.n_true) == (tp, ng, nt)
        assert s.precision == (float(Fraction(tp, ng)) if ng else 0.0)
        assert s.recall == float(Fraction(tp, nt))
        assert s.f1 == (float(Fraction(2 * tp, ng + nt)) if tp else 0.0)
        assert 0.0 <= s.f1 <= 1.0


def test_batch_random_arrays_against_definition():
    rng = np.random.default_rng(7)
    B = 200
    guess = rng.random((B, S.n_items)) < 0.1
    truth = rng.random((B, S.n_items)) < 0.3
    truth[0] = False  # an empty truth row gives recall 0
    guess[1] = False
    n_unres = rng.integers(0, 4, size=B)
    n_unres[1] = 0  # nothing guessed at all
    p, r, f = profile_f1_batch(guess, n_unres, truth)
    for b in range(B):
        tp, ng, nt = int((guess[b] & truth[b]).sum()), int(guess[b].sum() + n_unres[b]), int(truth[b].sum())
        P = Fraction(tp, ng) if ng else Fraction(0)
        R = Fraction(tp, nt) if nt else Fraction(0)
        F = 2 * P * R / (P + R) if P + R else Fraction(0)
        assert (p[b], r[b], f[b]) == (float(P), float(R), float(F))
    assert (p[1], r[1], f[1]) == (0.0, 0.0, 0.0) and r[0] == 0.0


def test_batch_accepts_empty_batch():
    p, r, f = profile_f1_batch(np.zeros((0, S.n_items), bool), np.zeros(0, np.int64), np.zeros((0, S.n_items), bool))
    assert p.shape == r.shape == f.shape == (0,)


# ---------------------------------------------------------------------------- robustness
@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
@pytest.mark.parametrize("matcher", ["exact", "normalised"])
def test_nasty_strings_score_sanely(text, matcher):
    act = parse_assistant_action(text)
    for profile in (act.profile, text):
        s = profile_f1(parse_profile(profile), TRUTH, S, matcher)
        assert 0.0 <= s.precision <= 1.0 and 0.0 <= s.recall <= 1.0 and 0.0 <= s.f1 <= 1.0
        assert 0 <= s.n_matched <= min(s.n_guessed, s.n_true)


def test_nasty_garbage_json_is_scored_with_note():
    parsed = parse_profile('{"occupation": ["nurse", ["nurse"]], "age": {"x": 1}}')
    assert parsed.notes == ("ignored nested value under 'occupation'", "ignored nested value under 'age'")
    s = profile_f1(parsed, TRUTH)
    assert (s.n_guessed, s.n_matched) == (1, 1)


# ---------------------------------------------------------------------------- programmer errors
def test_profile_f1_type_errors_name_the_fix():
    with pytest.raises(TypeError, match=r"parse_profile\(text"):
        profile_f1("- Occupation: nurse", TRUTH)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"to_vector"):
        profile_f1(parse_profile("x"), TRUTH.tolist())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"profile_f1_batch"):
        profile_f1(parse_profile("x"), TRUTH[None])
    with pytest.raises(ValueError, match=r"schema.n_items"):
        profile_f1(parse_profile("x"), TRUTH[:-1])
    with pytest.raises(TypeError, match="make_matcher"):
        profile_f1(parse_profile("x"), TRUTH, S, matcher=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="known matchers"):
        profile_f1(parse_profile("x"), TRUTH, S, matcher="fuzzy")


def test_batch_shape_errors():
    g = np.zeros((2, S.n_items), bool)
    with pytest.raises(ValueError, match=r"x\[None\]"):
        profile_f1_batch(g[0], np.zeros(1, int), g[:1])
    with pytest.raises(ValueError, match="n_unresolved"):
        profile_f1_batch(g, np.zeros(3, int), g)
    with pytest.raises(ValueError, match=">= 0"):
        profile_f1_batch(g, np.array([0, -1]), g)
    with pytest.raises(ValueError, match="rows"):
        profile_f1_batch(g, np.zeros(2, int), g[:1])
    with pytest.raises(TypeError, match="numpy bool array"):
        profile_f1_batch(g.tolist(), np.zeros(2, int), g)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bool"):
        profile_f1_batch(g.astype(float), np.zeros(2, int), g)


def test_resolve_type_error():
    with pytest.raises(TypeError, match="parse_profile"):
        NormalisedStringMatcher().resolve(("occupation", "nurse"), S)  # type: ignore[arg-type]
