"""Stage 2 of the rule judge: exact criterion values, the gated verdict, batching, weights."""

from __future__ import annotations

import numpy as np
import pytest

from persona_env.judges import (
    CRITERIA, JudgeScores, ReplyFeatureBatch, RuleJudge, extract_reply_features,
)
from persona_env.requests import REQUESTS
from persona_env.schema import DEFAULT_SCHEMA

S = DEFAULT_SCHEMA
JUDGE = RuleJudge()
DINNER = [r.request_id for r in REQUESTS].index("dinner")


def truth(**slots: str | tuple[str, ...]) -> np.ndarray:
    """A truth row with only the given (slot, value) items set."""
    vec = np.zeros(S.n_items, dtype=bool)
    for slot, values in slots.items():
        for v in (values,) if isinstance(values, str) else values:
            vec[S.item_index(slot, v)] = True
    return vec


def feats(**fields) -> ReplyFeatureBatch:
    """A one-row batch: a 30-word reply with nothing else in it, some fields overridden.

    (Not 0 words: an empty reply scores 0 on every criterion, see the test below.)
    """
    base = {**vars(ReplyFeatureBatch.empty(1)), "n_words": np.array([30])}
    out = {}
    for name, value in base.items():
        if name in fields:
            v = np.asarray(fields[name])
            out[name] = v[None] if v.ndim == value.ndim - 1 else v
        else:
            out[name] = value
    return ReplyFeatureBatch(**out)


def items(*pairs: tuple[str, str], n: int = S.n_items) -> np.ndarray:
    vec = np.zeros(n, dtype=bool)
    for slot, value in pairs:
        vec[S.item_index(slot, value)] = True
    return vec


def crit(name: str, f: ReplyFeatureBatch, t: np.ndarray, request_idx: int = -1) -> float:
    return float(JUDGE.score(f, t[None], np.array([request_idx])).criteria[name][0])


# ------------------------------------------------------------------------------ style criteria
@pytest.mark.parametrize("pref,n,expected", [
    ("brief", 1, 1.0), ("brief", 40, 1.0), ("brief", 60, 0.75), ("brief", 80, 0.5),
    ("brief", 120, 0.0), ("brief", 200, 0.0),
    ("moderate", 0, 0.0), ("moderate", 15, 0.5), ("moderate", 30, 1.0), ("moderate", 120, 1.0),
    ("moderate", 180, 0.5), ("moderate", 240, 0.0), ("moderate", 400, 0.0),
    ("detailed", 0, 0.0), ("detailed", 20, 0.0), ("detailed", 60, 0.5), ("detailed", 100, 1.0),
    ("detailed", 500, 1.0),
])
def test_length(pref, n, expected):
    assert crit("length", feats(n_words=n), truth(verbosity=pref)) == pytest.approx(expected)


@pytest.mark.parametrize("pref,n_formal,n_casual,expected", [
    ("casual", 0, 3, 1.0), ("casual", 0, 0, 1.0), ("casual", 1, 0, 0.66), ("casual", 2, 0, 0.32),
    ("casual", 3, 0, 0.0), ("casual", 5, 2, 0.0),
    ("formal", 2, 0, 1.0), ("formal", 1, 0, 1.0), ("formal", 3, 3, 0.5), ("formal", 0, 1, 0.25),
    ("formal", 0, 2, 0.0), ("formal", 0, 5, 0.0),
    ("neutral", 2, 0, 1.0), ("neutral", 0, 2, 1.0), ("neutral", 3, 0, 0.5), ("neutral", 0, 3, 0.5),
])
def test_formality(pref, n_formal, n_casual, expected):
    f = feats(n_formal=n_formal, n_casual=n_casual)
    assert crit("formality", f, truth(formality=pref)) == pytest.approx(expected)


@pytest.mark.parametrize("pref,n,expected", [
    ("no emoji", 0, 1.0), ("no emoji", 1, 0.0), ("no emoji", 4, 0.0),
    ("likes emoji", 0, 0.3), ("likes emoji", 1, 1.0), ("likes emoji", 5, 1.0),
])
def test_emoji(pref, n, expected):
    assert crit("emoji", feats(n_emoji=n), truth(emoji=pref)) == pytest.approx(expected)


@pytest.mark.parametrize("pref,n,expected", [
    ("playful", 0, 0.5), ("playful", 1, 1.0), ("playful", 3, 1.0),
    ("serious", 0, 1.0), ("serious", 1, 0.0), ("serious", 2, 0.0),
])
def test_humour(pref, n, expected):
    assert crit("humour", feats(n_playful=n), truth(humour=pref)) == pytest.approx(expected)


@pytest.mark.parametrize("pref,n,expected", [
    ("direct", 0, 1.0), ("direct", 1, 1.0), ("direct", 2, 0.75), ("direct", 3, 0.5),
    ("direct", 5, 0.0), ("direct", 9, 0.0),
    ("diplomatic", 0, 0.4), ("diplomatic", 1, 1.0), ("diplomatic", 4, 1.0),
])
def test_directness(pref, n, expected):
    assert crit("directness", feats(n_hedges=n), truth(directness=pref)) == pytest.approx(expected)


def test_unknown_style_preference_scores_one():
    f = feats(n_words=500, n_formal=9, n_emoji=3, n_playful=4, n_hedges=9)
    t = truth()
    for name in ("length", "formality", "emoji", "humour", "directness"):
        assert crit(name, f, t) == 1.0


# ------------------------------------------------------------------------------ content
USER = dict(likes="coffee", dislikes="crowds", interests="hiking", other="has a dog", diet="vegan",
            budget="tight")


def diet_row(*values: str) -> np.ndarray:
    vals = S.slot("diet").values
    return np.array([v in values for v in vals])


@pytest.mark.parametrize("mentions,diet,price,expected", [
    ((), (), -1, 0.5),                                         # nothing relevant
    ((("likes", "coffee"),), (), -1, 1.0),                     # liked topic
    ((("interests", "hiking"),), (), -1, 1.0),                 # interest
    ((("other", "has a dog"),), (), -1, 1.0),                  # other information
    ((("likes", "sweets"),), (), -1, 0.5),                     # a topic this user does not like
    ((("interests", "chess"),), (), -1, 0.5),                  # somebody else's interest
    ((("likes", "crowds"),), (), -1, 0.0),                     # disliked topic (via its likes item)
    ((("likes", "coffee"), ("likes", "crowds")), (), -1, 0.0),  # liked + disliked -> 0
    ((("likes", "coffee"),), ("vegan",), -1, 0.0),             # diet violation
    ((("likes", "coffee"),), ("gluten-free", "halal"), -1, 1.0),  # violates other diets only
    ((("likes", "coffee"),), (), 2, 0.0),                      # expensive on a tight budget
    ((("likes", "coffee"),), (), 1, 1.0),                      # mid prices are fine
    ((), (), 0, 0.5),
])
def test_content(mentions, diet, price, expected):
    f = feats(mentions=items(*mentions), diet_violations=diet_row(*diet), price_level=price)
    assert crit("content", f, truth(**USER)) == expected


def test_content_expensive_is_fine_on_generous_budget():
    f = feats(mentions=items(("likes", "coffee")), price_level=2)
    assert crit("content", f, truth(**{**USER, "budget": "generous"})) == 1.0


def test_content_disliked_mention_of_dislikes_item_is_ignored():
    # topic mentions are reported on the likes item; a set dislikes item is not a mention
    f = feats(mentions=items(("dislikes", "crowds")))
    assert crit("content", f, truth(**USER)) == 0.5


# ------------------------------------------------------------------------------ relevance, repetition
def test_relevance():
    hit = np.zeros(len(REQUESTS), dtype=bool)
    hit[DINNER] = True
    f = feats(request_hits=hit)
    t = truth()
    assert crit("relevance", f, t, -1) == 1.0
    assert crit("relevance", f, t, DINNER) == 1.0
    assert crit("relevance", f, t, (DINNER + 1) % len(REQUESTS)) == 0.0
    assert crit("relevance", feats(), t, -1) == 1.0


@pytest.mark.parametrize("bad", [-2, len(REQUESTS)])
def test_relevance_rejects_bad_request_idx(bad):
    with pytest.raises(ValueError):
        JUDGE.score(feats(), truth()[None], np.array([bad]))


@pytest.mark.parametrize("rep,expected", [(0.0, 1.0), (0.25, 0.75), (0.8, 0.2), (1.0, 0.0)])
def test_repetition(rep, expected):
    assert crit("repetition", feats(repetition=rep), truth()) == pytest.approx(expected)


# ------------------------------------------------------------------------------ score and gate
COFFEE = items(("likes", "coffee"))      # mentioning a liked topic makes content 1


def test_score_is_mean_and_output_types():
    # brief user, 60 words -> length 0.75; everything else 1 -> score (7 + 0.75) / 8
    r = JUDGE.score(feats(n_words=60, mentions=COFFEE), truth(verbosity="brief", likes="coffee")[None],
                    np.array([-1]))
    assert isinstance(r, JudgeScores)
    assert tuple(r.criteria) == CRITERIA
    assert r.score[0] == pytest.approx(7.75 / 8)
    assert r.gated.dtype == np.float64 and r.gated[0] == 1.0
    assert r.table().shape == (1, len(CRITERIA))
    for v in r.criteria.values():
        assert v.shape == (1,) and v.dtype == np.float64


def test_weighted_score():
    j = RuleJudge(weights={"length": 3.0, "content": 0.0})
    # length 0.75 (weight 3), content 0.5 (weight 0), six others 1 -> (2.25 + 6) / 9
    r = j.score(feats(n_words=60), truth(verbosity="brief")[None], np.array([-1]))
    assert r.score[0] == pytest.approx(8.25 / 9)
    assert j.weights["formality"] == 1.0


def test_gate_criterion_threshold_edge():
    t = truth(verbosity="brief", likes="coffee")[None]
    # 80 words -> length exactly 0.5 (>= 0.5): gated
    r = JUDGE.score(feats(n_words=80, mentions=COFFEE), t, np.array([-1]))
    assert r.criteria["length"][0] == 0.5 and r.score[0] == pytest.approx(7.5 / 8)
    assert r.gated[0] == 1.0
    # 81 words -> 0.4875 < 0.5: not gated although the score is 0.936
    r = JUDGE.score(feats(n_words=81, mentions=COFFEE), t, np.array([-1]))
    assert r.score[0] > 0.9 and r.gated[0] == 0.0


def test_gate_score_threshold_edge():
    t = truth(verbosity="brief", likes="coffee")[None]
    f = feats(n_words=80, mentions=COFFEE)     # score exactly 0.9375
    assert RuleJudge(gate_score=0.9375).score(f, t, np.array([-1])).gated[0] == 1.0
    assert RuleJudge(gate_score=0.94).score(f, t, np.array([-1])).gated[0] == 0.0


def test_gate_default_score_edge():
    # content 0.5, relevance 0, six criteria 1 -> score 6.5 / 8 = 0.8125 but relevance fails the gate
    r = JUDGE.score(feats(), truth(**USER)[None], np.array([DINNER]))
    assert r.score[0] == pytest.approx(6.5 / 8) and r.gated[0] == 0.0
    # relevance 1, content 0.5, emoji 0 (no-emoji user): score 0.8125 but emoji fails the gate
    r = JUDGE.score(feats(n_emoji=1), truth(emoji="no emoji")[None], np.array([-1]))
    assert r.score[0] == pytest.approx(6.5 / 8) and r.gated[0] == 0.0
    # content 0.5, the rest 1: 7.5 / 8 = 0.9375, every criterion >= 0.5 -> gated
    r = JUDGE.score(feats(), truth()[None], np.array([-1]))
    assert r.score[0] == pytest.approx(7.5 / 8) and r.gated[0] == 1.0
    # score below the default gate score 0.7 with every criterion >= 0.5 -> not gated:
    # length 0.5, formality 0.5 (formal user, m == 0), humour 0.5, content 0.5, emoji 1,
    # directness 1, relevance 1, repetition 0.5 -> 5.5 / 8 = 0.6875
    t = truth(verbosity="brief", formality="formal", humour="playful")[None]
    r = JUDGE.score(feats(n_words=80, repetition=0.5), t, np.array([-1]))
    assert r.table().min() == 0.5
    assert r.score[0] == pytest.approx(5.5 / 8) and r.gated[0] == 0.0


def test_gate_ignores_zero_weight_criteria():
    j = RuleJudge(weights={"relevance": 0.0})
    r = j.score(feats(), truth()[None], np.array([DINNER]))   # relevance 0, weight 0
    assert r.criteria["relevance"][0] == 0.0
    # content 0.5 (nothing liked mentioned), six others 1 -> 6.5 / 7 with relevance left out
    assert r.score[0] == pytest.approx(6.5 / 7) and r.gated[0] == 1.0


def test_empty_reply_scores_zero_everywhere():
    # silence would otherwise fit a brief, emoji-free, serious user perfectly
    t = truth(verbosity="brief", emoji="no emoji", humour="serious")[None]
    r = JUDGE.score(feats(n_words=0), t, np.array([-1]))
    assert all(r.criteria[c][0] == 0.0 for c in CRITERIA)
    assert r.score[0] == 0.0 and r.gated[0] == 0.0
    # emoji alone is not a reply either; one word is
    assert JUDGE.score(extract_reply_features("😀😀"), t, np.array([-1])).score[0] == 0.0
    assert JUDGE.score(feats(n_words=1), t, np.array([-1])).criteria["length"][0] == 1.0
    assert "empty reply" in JUDGE.explain(extract_reply_features(""), t[0], -1)["length"]


# ------------------------------------------------------------------------------ batching
def test_batch_equals_row_by_row():
    rng = np.random.default_rng(0)
    B = 32
    batch = ReplyFeatureBatch(
        n_words=rng.integers(0, 300, B), n_emoji=rng.integers(0, 3, B),
        n_formal=rng.integers(0, 5, B), n_casual=rng.integers(0, 5, B),
        n_playful=rng.integers(0, 3, B), n_hedges=rng.integers(0, 6, B),
        mentions=rng.random((B, S.n_items)) < 0.05,
        diet_violations=rng.random((B, len(S.slot("diet").values))) < 0.1,
        price_level=rng.integers(-1, 3, B), request_hits=rng.random((B, len(REQUESTS))) < 0.3,
        asked_slots=np.zeros((B, len(S.slots)), bool), flattery=rng.random(B) < 0.1,
        repetition=rng.random(B),
    )
    # one value per single slot, one or two per list slot
    tr = np.zeros((B, S.n_items), dtype=bool)
    for slot in S.slots:
        r = S.slot_items(slot.name)
        for b in range(B):
            k = rng.integers(slot.min_items, slot.max_items + 1)
            tr[b, rng.choice(np.arange(r.start, r.stop), size=k, replace=False)] = True
    req = rng.integers(-1, len(REQUESTS), B)
    whole = JUDGE.score(batch, tr, req)
    for b in range(B):
        one = JUDGE.score(batch.row(b), tr[b], np.array([req[b]]))
        for c in CRITERIA:
            assert whole.criteria[c][b] == one.criteria[c][0]
        assert whole.score[b] == one.score[0] and whole.gated[b] == one.gated[0]
    assert set(np.unique(whole.gated)) <= {0.0, 1.0}
    for v in whole.criteria.values():
        assert ((v >= 0) & (v <= 1)).all()


def test_scores_text_end_to_end():
    t = truth(verbosity="brief", formality="casual", emoji="likes emoji", humour="playful",
              directness="direct", likes="coffee", dislikes="crowds", interests="hiking",
              diet="vegan", budget="tight")
    good = extract_reply_features("Hey! Cook a quick veggie curry for dinner, then coffee 😀 haha")
    bad = extract_reply_features(
        "Dear user, I would recommend a luxury steak dinner at a crowded festival. Perhaps, maybe, "
        "possibly. Kind regards.")
    r = JUDGE.score([good, bad], np.stack([t, t]), np.array([DINNER, DINNER]))
    assert r.gated.tolist() == [1.0, 0.0]
    assert r.criteria["content"].tolist() == [1.0, 0.0]
    assert r.score[0] == 1.0 and r.score[1] < 0.7


def test_empty_batch():
    r = JUDGE.score(ReplyFeatureBatch.empty(0), np.zeros((0, S.n_items), bool), np.zeros(0, int))
    assert r.score.shape == (0,) and r.gated.shape == (0,)


def test_shape_validation():
    with pytest.raises(ValueError):
        JUDGE.score(ReplyFeatureBatch.empty(2), np.zeros((3, S.n_items), bool), np.full(2, -1))
    with pytest.raises(ValueError):
        JUDGE.score(ReplyFeatureBatch.empty(2), np.zeros((2, 5), bool), np.full(2, -1))


# ------------------------------------------------------------------------------ config
@pytest.mark.parametrize("weights", [
    {"lenght": 1.0}, {"length": -1.0}, {"length": float("nan")},
    {c: 0.0 for c in CRITERIA}, {"length": "heavy"},
])
def test_weights_validation(weights):
    with pytest.raises(ValueError):
        RuleJudge(weights=weights)


def test_unknown_weight_names_the_valid_criteria():
    with pytest.raises(ValueError) as err:
        RuleJudge(weights={"tone": 1.0})
    for c in CRITERIA:
        assert c in str(err.value)
    assert "tone" in str(err.value)


# ------------------------------------------------------------------------------ explain
def test_explain():
    t = truth(**USER, verbosity="brief", formality="casual")
    f = feats(n_words=180, mentions=items(("likes", "crowds"))).row(0)
    reasons = JUDGE.explain(f, t, DINNER)
    assert tuple(reasons) == CRITERIA
    assert all(isinstance(v, str) and v for v in reasons.values())
    assert "reply has 180 words" in reasons["length"] and "brief" in reasons["length"]
    assert "crowds" in reasons["content"]
    assert "dinner" in reasons["relevance"]
    assert "no open request" in JUDGE.explain(f, t, -1)["relevance"]
