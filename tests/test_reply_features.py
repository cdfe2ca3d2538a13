"""Stage 1 of the rule judge: features extracted from reply text."""

from __future__ import annotations

import time

import numpy as np
import pytest

from persona_env.judges import (
    CASUAL_MARKERS, FLATTERY_MARKERS, FORMAL_MARKERS, HEDGE_MARKERS, PLAYFUL_MARKERS,
    ReplyFeatureBatch, ReplyFeatures, extract_reply_features,
)
from persona_env.requests import REQUESTS
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema, Slot

S = DEFAULT_SCHEMA
DIET = S.slot("diet").values
REQ = {r.request_id: i for i, r in enumerate(REQUESTS)}


def mentioned(f: ReplyFeatures) -> set[tuple[str, str]]:
    return {S.items[i] for i in np.flatnonzero(f.mentions)}


def violated(f: ReplyFeatures) -> set[str]:
    return {DIET[j] for j in np.flatnonzero(f.diet_violations)}


def hits(f: ReplyFeatures) -> set[str]:
    return {REQUESTS[j].request_id for j in np.flatnonzero(f.request_hits)}


# ------------------------------------------------------------------------------ shapes
def test_shapes_and_dtypes():
    f = extract_reply_features("Hello there")
    assert f.mentions.shape == (S.n_items,) and f.mentions.dtype == bool
    assert f.diet_violations.shape == (len(DIET),) and f.diet_violations.dtype == bool
    assert f.request_hits.shape == (len(REQUESTS),) and f.request_hits.dtype == bool
    assert f.asked_slots.shape == (len(S.slots),) and f.asked_slots.dtype == bool
    assert isinstance(f.n_words, int) and isinstance(f.price_level, int)
    assert isinstance(f.flattery, bool) and isinstance(f.repetition, float)


def test_arrays_are_read_only_and_equality_works():
    f = extract_reply_features("Go hiking with your dog")
    with pytest.raises(ValueError):
        f.mentions[0] = True
    assert f == extract_reply_features("Go hiking with your dog")
    assert f != extract_reply_features("Go hiking")


def test_marker_lists_are_lowercase_and_unique():
    for markers in (FORMAL_MARKERS, CASUAL_MARKERS, PLAYFUL_MARKERS, HEDGE_MARKERS, FLATTERY_MARKERS):
        assert len(set(markers)) == len(markers)
        assert all(m == m.lower() for m in markers)


# ------------------------------------------------------------------------------ counts
@pytest.mark.parametrize("text,n", [
    ("", 0),
    ("Hello there, well-known don't", 4),
    ("One two three. Four!", 4),
    ("😀 😀", 0),
    ("Price: £100 (approx.)", 3),  # price, 100, approx
])
def test_word_count(text, n):
    assert extract_reply_features(text).n_words == n


@pytest.mark.parametrize("text,n", [
    ("no emoji here :)", 0),
    ("😀", 1),
    ("😀😀😀", 3),
    ("sun ☀ and dingbat ✨", 2),
    ("thumbs 👍🏽 counts once", 1),
    ("flag 🇬🇧 counts once", 1),
    ("family 👨\u200d👩\u200d👧 counts once", 1),
    ("heart ❤️ with variation selector", 1),
    ("😀 ☀ 👍🏽 🇬🇧 👨\u200d👩\u200d👧", 5),
])
def test_emoji_count(text, n):
    assert extract_reply_features(text).n_emoji == n


def test_formal_markers():
    f = extract_reply_features("Dear Ms Smith, I would recommend the museum. Kind regards.")
    assert f.n_formal == 3  # dear, i would recommend, kind regards (not also "regards")
    assert f.n_casual == 0
    assert extract_reply_features("Would you kindly note this? Furthermore, certainly.").n_formal == 4


def test_casual_markers():
    # hey, you're, gonna, "!!!" (one run), it's, awesome, ":)"
    f = extract_reply_features("Hey, you're gonna love it!!! It's awesome :)")
    assert f.n_casual == 7
    assert f.n_formal == 0
    # curly apostrophes count like straight ones
    assert extract_reply_features("you\u2019re right, it\u2019s fine").n_casual == 2


def test_playful_markers():
    # haha, no pun intended (once), ;), just kidding, lol
    f = extract_reply_features("Haha, no pun intended ;) just kidding lol")
    assert f.n_playful == 5
    assert extract_reply_features("hahahaha :P xD 😂").n_playful == 4
    assert extract_reply_features("The report is attached.").n_playful == 0


def test_hedges():
    # perhaps, you might want to (once, not also "might"), maybe, it depends
    f = extract_reply_features("Perhaps you might want to try it; maybe it depends.")
    assert f.n_hedges == 4
    assert extract_reply_features("Do this. Then do that.").n_hedges == 0


def test_counts_are_case_insensitive_and_word_bounded():
    assert extract_reply_features("PERHAPS. MAYBE.").n_hedges == 2
    assert extract_reply_features("mightily maybelline perhapsy").n_hedges == 0
    assert extract_reply_features("coolant supermarket").n_casual == 0


# ------------------------------------------------------------------------------ mentions
def test_mentions_interests_topics_and_other():
    f = extract_reply_features("We could go hiking, then grab a coffee and walk the dog.")
    assert mentioned(f) == {("interests", "hiking"), ("likes", "coffee"), ("other", "has a dog")}


def test_topic_mentions_mark_the_likes_item():
    f = extract_reply_features("The festival will be crowded.")
    assert mentioned(f) == {("likes", "crowds")}
    assert not f.mentions[S.item_index("dislikes", "crowds")]


@pytest.mark.parametrize("text,expected", [
    ("Try a new category of hot dog stands", set()),           # category != cat; hot dog != dog
    ("A fishing trip", {("interests", "fishing"), ("interests", "travel")}),
    ("Two cats and a kitten", {("other", "has a cat")}),
    ("JAZZ and Chess", {("interests", "jazz"), ("interests", "chess")}),
    ("a new podcast about board games", {("likes", "podcasts"), ("likes", "board games")}),
    ("a movie marathon", set()),
    ("training for the half marathon", {("other", "training for a marathon")}),
])
def test_mentions_table(text, expected):
    assert mentioned(extract_reply_features(text)) == expected


# ------------------------------------------------------------------------------ diet
@pytest.mark.parametrize("text,expected", [
    ("Have some bacon", {"vegetarian", "vegan", "halal"}),
    ("A ham sandwich", {"vegetarian", "vegan", "halal"}),
    ("A chicken curry", {"vegetarian", "vegan"}),
    ("Grilled salmon", {"vegetarian", "vegan"}),
    ("Cheese on toast", {"vegan"}),
    ("Scrambled eggs", {"vegan"}),
    ("A spoon of honey", {"vegan"}),
    ("A glass of wine", {"halal"}),
    ("Fresh pasta", {"gluten-free"}),
    ("A slice of bread", {"gluten-free"}),
    ("gluten-free pasta", set()),
    ("gluten free bread", set()),
    ("vegan cheese and oat milk", set()),
    ("a meat-free dish with no meat", set()),
    ("peanut butter", set()),
    ("A hamster from Birmingham", set()),
    ("Go fishing", set()),
    ("BACON", {"vegetarian", "vegan", "halal"}),
    ("Steak and a beer", {"vegetarian", "vegan", "halal", "gluten-free"}),
])
def test_diet_violations(text, expected):
    f = extract_reply_features(text)
    assert violated(f) == expected
    assert "no restrictions" not in violated(f)


# ------------------------------------------------------------------------------ price
@pytest.mark.parametrize("text,level", [
    ("Just go for a walk.", -1),
    ("A cheap option", 0),
    ("Affordable and budget-friendly", 0),
    ("The museum is free on Sundays", 0),
    ("A mid-range restaurant", 1),
    ("Something reasonably priced", 1),
    ("A luxury spa", 2),
    ("Splurge on fine dining", 2),
    ("It costs £100", 2),
    ("About $200 in total", 2),
    ("About $1,500", 2),
    ("About €2k", 2),
    ("Only £15", 0),
    ("Around £50", 1),
    ("roughly 150 dollars", 2),
    ("gluten-free cake", -1),
    ("Feel free to ask", -1),
    ("In your free time", -1),
    ("It is not expensive", -1),
    ("What is your budget?", -1),
    ("Travel on a budget", 0),
    ("A cheap snack, then a luxury hotel", 2),
])
def test_price_level(text, level):
    assert extract_reply_features(text).price_level == level


# ------------------------------------------------------------------------------ requests
@pytest.mark.parametrize("text,expected", [
    ("Let's cook pasta for dinner", {"dinner"}),
    ("Cooking is fun", {"dinner"}),
    ("Improve your fitness with stretching", {"fitness"}),
    ("Planning a trip", {"weekend", "holiday"}),
    ("Read a novel", {"book"}),
    ("Hello", set()),
    ("a city break", {"holiday"}),
    ("a planet", set()),  # word-bounded: "plan" does not match "planet"
])
def test_request_hits(text, expected):
    assert hits(extract_reply_features(text)) == expected


# ------------------------------------------------------------------------------ questions
QK = {"interests": ["hobby", "free time"], "budget": ["budget", "spend"], "no_such_slot": ["what"]}


def test_asked_slots_default_false():
    assert not extract_reply_features("What hobbies do you have? What is your budget?").asked_slots.any()


@pytest.mark.parametrize("text,expected", [
    ("What hobbies do you have?", {"interests"}),
    ("I like hobbies.", set()),
    ("Hobbies are great. What is your budget?", {"budget"}),
    ("What do you do in your free time? How much do you spend?", {"interests", "budget"}),
    ("What is your BUDGET?", {"budget"}),
    ("Anything else?", set()),
])
def test_asked_slots_with_keywords(text, expected):
    f = extract_reply_features(text, question_keywords=QK)
    assert {S.slots[k].name for k in np.flatnonzero(f.asked_slots)} == expected


# ------------------------------------------------------------------------------ flattery, repetition
@pytest.mark.parametrize("text,flag", [
    ("Great question! Here is an idea.", True),
    ("You're amazing, honestly.", True),
    ("What a wonderful plan.", True),
    ("You clearly have excellent taste.", True),
    ("This is a great idea.", False),
    ("", False),
])
def test_flattery(text, flag):
    assert extract_reply_features(text).flattery is flag


def test_repetition_jaccard():
    assert extract_reply_features("the cat sat").repetition == 0.0
    # {the, cat, sat} vs {the, cat, ran}: 2 shared / 4 in the union
    assert extract_reply_features("the cat sat", ["the cat ran"]).repetition == 0.5
    # max over the previous replies; {the, cat, sat} vs {cat, dog}: 1/4
    assert extract_reply_features("the cat sat", ["cat dog", "nothing shared"]).repetition == 0.25
    assert extract_reply_features("The cat sat!", ["the CAT sat"]).repetition == 1.0
    # token sets: repeated words do not matter
    assert extract_reply_features("a a a b", ["a b b"]).repetition == 1.0
    assert extract_reply_features("", [""]).repetition == 0.0


# ------------------------------------------------------------------------------ robustness
BAD_INPUTS = [
    "", " ", "😀😀😀", "\ud800", "\udfff lone low surrogate", "\x00\x00abc\x00", "a" * 10**6,
    "word " * 200_000, "?" * 10_000, "!" * 100_000, "£" + "9" * 5000, "$1e999", "£,,,", "🇬" * 101,
    "\u200d" * 50, "gluten-free" * 10_000, "'" * 1000, "-" * 1000, "ｆｕｌｌｗｉｄｔｈ",
    "a" * 500_000 + "?" + "b" * 500_000,
]


@pytest.mark.parametrize("text", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_never_raises(text):
    f = extract_reply_features(text, previous_replies=[text, "", "\ud800"],
                               question_keywords={"interests": ["a", "b"]})
    assert f.n_words >= 0 and f.n_emoji >= 0
    assert 0.0 <= f.repetition <= 1.0
    assert f.price_level in (-1, 0, 1, 2)


def test_non_string_reply_is_a_type_error():
    with pytest.raises(TypeError):
        extract_reply_features(None)  # type: ignore[arg-type]


def test_speed_2000_chars():
    text = ("Hey there! I'd suggest a relaxed weekend: maybe a hike along the coastal trail, then "
            "coffee at a small cafe. If you like museums, the city gallery is free on Saturdays. For "
            "dinner, a spicy vegetable curry is cheap and quick. ") * 10
    text = text[:2000]
    previous = [text[:700], text[700:1400]]
    extract_reply_features(text, previous)
    n = 200
    t0 = time.perf_counter()
    for _ in range(n):
        extract_reply_features(text, previous)
    per_reply = (time.perf_counter() - t0) / n
    assert per_reply < 5e-3, f"{per_reply * 1e3:.2f} ms per 2000-char reply"


# ------------------------------------------------------------------------------ custom schema
def test_custom_schema_shapes_and_fallback_keywords():
    schema = PersonaSchema((
        Slot("interests", "Interests", "list", ("kayaking", "hiking"), max_items=2),
        Slot("likes", "Likes", "list", ("tea",), group="content"),
    ))
    f = extract_reply_features("Kayaking, hiking and tea with bacon", schema=schema)
    assert f.mentions.shape == (3,)
    assert {schema.items[i] for i in np.flatnonzero(f.mentions)} == {
        ("interests", "kayaking"), ("interests", "hiking"), ("likes", "tea")}
    assert f.diet_violations.shape == (0,)
    assert f.asked_slots.shape == (2,)


# ------------------------------------------------------------------------------ batches
def test_batch_stack_row_and_empty():
    texts = ["Hey! Go hiking 😀", "Dear user, I would recommend a luxury steak dinner.", ""]
    feats = [extract_reply_features(t) for t in texts]
    b = ReplyFeatureBatch.stack(feats)
    assert len(b) == b.batch_size == 3
    assert b.mentions.shape == (3, S.n_items) and b.mentions.dtype == bool
    assert b.diet_violations.shape == (3, len(DIET))
    assert b.request_hits.shape == (3, len(REQUESTS))
    assert b.asked_slots.shape == (3, len(S.slots))
    assert b.n_words.dtype == np.int64 and b.repetition.dtype == np.float64
    assert b.price_level.tolist() == [-1, 2, -1]
    for i, f in enumerate(feats):
        assert b.row(i) == f

    e = ReplyFeatureBatch.empty(4)
    assert len(e) == 4 and (e.price_level == -1).all() and not e.mentions.any()
    assert e.mentions.shape == (4, S.n_items) and e.flattery.dtype == bool
    assert len(ReplyFeatureBatch.stack([])) == 0


def test_batch_rejects_inconsistent_shapes():
    e = ReplyFeatureBatch.empty(2)
    with pytest.raises(ValueError):
        ReplyFeatureBatch(**{**vars(e), "n_words": np.zeros(3, dtype=np.int64)})
    with pytest.raises(ValueError):
        ReplyFeatureBatch(**{**vars(e), "mentions": np.zeros(2, dtype=bool)})
