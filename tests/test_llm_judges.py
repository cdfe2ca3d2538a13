"""LLM judges with a scripted fake backend: verdict parsing, batching, retry, missing verdicts.

The fake backend returns scripted answers (one list per backend call) and records every call,
so the tests check exact scores, the number of backend calls (one per batch, plus one batched
retry) and what the prompts hold. The real-model path is covered end to end in
``tests/test_llm_agent.py``.
"""

import math
import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from persona_env.generator import default_pool  # noqa: E402
from persona_env.judges.llm_judge import (  # noqa: E402
    ALOE_RESPONSE_PROMPT,
    JUDGE_SYSTEM_PROMPT,
    RETRY_PROFILE,
    RETRY_RESPONSE_ALOE,
    RETRY_RESPONSE_RLPA,
    RLPA_RESPONSE_PROMPT,
    LLMJudgeResult,
    LLMProfileJudge,
    LLMResponseJudge,
    parse_aloe_score,
    parse_count,
    parse_yes_no,
)
from persona_env.llm import ChatBackend  # noqa: E402


class FakeBackend:
    """A ChatBackend answering from a script: ``script[k]`` is the list of answers of call ``k``."""

    name = "fake"

    def __init__(self, script):
        self.script = [list(batch) for batch in script]
        self.calls = []

    def generate(self, chats, *, max_new_tokens=128, temperature=0.0, seed=None):
        chats = [[dict(m) for m in chat] for chat in chats]
        self.calls.append({"chats": chats, "max_new_tokens": max_new_tokens,
                           "temperature": temperature, "seed": seed})
        k = len(self.calls) - 1
        assert k < len(self.script), f"unexpected backend call #{k + 1}"
        answers = self.script[k]
        assert len(answers) == len(chats), f"call #{k + 1}: {len(chats)} chats, scripted {len(answers)}"
        return list(answers)


PERSONA = default_pool("train")[0]
CARD = PERSONA.card()
OTHER_CARD = default_pool("train")[1].card()


def batch(n):
    replies = [f"reply number {i}: how about a picnic?" for i in range(n)]
    cards = [CARD if i % 2 == 0 else OTHER_CARD for i in range(n)]
    dialogues = [f"User: dialogue {i} opening\nAssistant: earlier answer {i}\nUser: request {i}" for i in range(n)]
    requests = [f"request {i}" for i in range(n)]
    return replies, cards, dialogues, requests


# ------------------------------------------------------------------------------------ parsing

@pytest.mark.parametrize("text,expected", [
    ("Score: 4", 4.0), ("score:5", 5.0), ("**Score:** 2", 2.0), ("Score - 3", 3.0),
    ("4/5", 4.0), ("3 out of 5", 3.0), ("**4**", 4.0), ("I'd give it a 4.", 4.0),
    ("I would rate it a 2 because it ignores the budget.", 2.0), ('{"score": 3}', 3.0),
    ('```json\n{"Score": "5"}\n```', 5.0), ("\\boxed{1}", 1.0), ("4", 4.0), ("5.", 5.0),
    ("On a scale of 1-5 this deserves 2.", 2.0), ("Rating: **3**", 3.0),
    ("Score: 3\nFinal score: 4", 4.0), ("Score: four", 4.0), ("4.5", 4.5),
])
def test_parse_aloe_score(text, expected):
    assert parse_aloe_score(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "A lovely, well-tailored response.", "3 or 4", "Score: 7", "Score: 0", '{"score": 9}',
    "between 2 and 3", "yes", "besiesere% thendu oesiesere%",
])
def test_parse_aloe_score_unparseable(text):
    assert parse_aloe_score(text) is None


@pytest.mark.parametrize("text,expected", [
    ("Yes.", 1.0), ("no", 0.0), ("YES", 1.0), ("**No**, it is far too long.", 0.0),
    ("Verdict: Yes", 1.0), ("Answer: no", 0.0), ('{"verdict": "no"}', 0.0), ('{"score": 1}', 1.0),
    ('{"answer": true}', 1.0), ("1", 1.0), ("0", 0.0), ("\\boxed{0}", 0.0),
    ("The response works, so yes.", 1.0), ("Yes. No issues at all.", 1.0),
])
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) == expected


@pytest.mark.parametrize("text", ["", "maybe", "yes and no", "Yes and no.", "I cannot decide.", "2",
                                  "Yes, the style fits, no, the content does not."])
def test_parse_yes_no_unparseable(text):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize("text,expected", [
    ("Covered: 3", 3), ("3", 3), ('{"covered": 2}', 2), ("**4**", 4), ("2 of 5", 2),
    ("The number of covered items is 3.", 3), ("covered = 0", 0), ("Count: 12", 12),
])
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["", "several", "2.5", "between 2 and 3", "Covered: many"])
def test_parse_count_unparseable(text):
    assert parse_count(text) is None


# ------------------------------------------------------------------------------------ response judge

def test_fake_backend_is_a_chat_backend():
    assert isinstance(FakeBackend([]), ChatBackend)


def test_aloe_scores_one_call_per_batch_and_one_retry():
    backend = FakeBackend([["Score: 4", "a fine answer", "5/5", "**1**"], ["Score: 2"]])
    judge = LLMResponseJudge(backend, scale="aloe", max_new_tokens=16, seed=7)
    replies, cards, dialogues, requests = batch(4)
    res = judge.score_texts(replies, cards, dialogues, requests)

    assert isinstance(res, LLMJudgeResult) and len(res) == 4 and res.scale == "aloe"
    np.testing.assert_array_equal(res.scores, [4.0, 2.0, 5.0, 1.0])
    np.testing.assert_allclose(res.normalised, [0.75, 0.25, 1.0, 0.0])
    np.testing.assert_array_equal(res.missing, [False] * 4)
    np.testing.assert_array_equal(res.retried, [False, True, False, False])
    assert res.n_missing == 0 and res.raw == ("Score: 4", "Score: 2", "5/5", "**1**")
    assert res.mean() == pytest.approx(0.5)

    # exactly one call for the batch plus one batched retry, holding only the unparseable one
    assert len(backend.calls) == 2
    first, retry = backend.calls
    assert len(first["chats"]) == 4 and len(retry["chats"]) == 1
    assert first["max_new_tokens"] == 16 and first["temperature"] == 0.0
    assert first["seed"] == 7 and retry["seed"] == 8
    for i, chat in enumerate(first["chats"]):  # batch order, persona card and reply in the prompt
        assert [m["role"] for m in chat] == ["system", "user"]
        assert chat[0]["content"] == JUDGE_SYSTEM_PROMPT
        prompt = chat[1]["content"]
        assert cards[i] in prompt and replies[i] in prompt and requests[i] in prompt
        assert f"dialogue {i} opening" in prompt and "Score: N" in prompt
    assert retry["chats"][0] == first["chats"][1] + [
        {"role": "assistant", "content": "a fine answer"},
        {"role": "user", "content": RETRY_RESPONSE_ALOE}]


def test_retry_then_missing_is_nan_never_zero():
    backend = FakeBackend([["nonsense", "Score: 3", "??", "I'd give it a 5."],
                           ["still nonsense", "Score: 9"]])
    judge = LLMResponseJudge(backend, scale="aloe")
    res = judge.score_texts(*batch(4))

    assert len(backend.calls) == 2
    retried_chats = backend.calls[1]["chats"]
    assert [c[-2]["content"] for c in retried_chats] == ["nonsense", "??"]  # indices 0 and 2, in order
    np.testing.assert_array_equal(res.missing, [True, False, True, False])
    np.testing.assert_array_equal(res.retried, [True, False, True, False])
    assert res.n_missing == 2
    assert math.isnan(res.scores[0]) and math.isnan(res.scores[2])
    assert math.isnan(res.normalised[0]) and math.isnan(res.normalised[2])
    assert res.scores[1] == 3.0 and res.scores[3] == 5.0
    assert res.mean() == pytest.approx((0.5 + 1.0) / 2)  # over the existing verdicts only
    np.testing.assert_allclose(res.filled(0.0), [0.0, 0.5, 0.0, 1.0])
    assert res.raw[0] == "still nonsense" and res.raw[2] == "Score: 9"


def test_no_retry_call_when_everything_parses_and_retries_zero():
    backend = FakeBackend([["Score: 1", "Score: 5"]])
    res = LLMResponseJudge(backend).score_texts(*batch(2))
    assert len(backend.calls) == 1 and res.n_missing == 0 and not res.retried.any()

    backend = FakeBackend([["Score: 1", "oops"]])
    res = LLMResponseJudge(backend, retries=0).score_texts(*batch(2))
    assert len(backend.calls) == 1
    np.testing.assert_array_equal(res.missing, [False, True])
    assert math.isnan(res.normalised[1]) and res.normalised[0] == 0.0


def test_all_missing_mean_is_nan():
    backend = FakeBackend([["x", "y"], ["x", "y"]])
    res = LLMResponseJudge(backend).score_texts(*batch(2))
    assert res.n_missing == 2 and math.isnan(res.mean()) and np.isnan(res.scores).all()


def test_rlpa_gated_verdicts():
    backend = FakeBackend([["Yes.", "no", "Verdict: No", "hmm, hard to say", '{"verdict": "yes"}'], ["YES"]])
    judge = LLMResponseJudge(backend, scale="rlpa")
    replies, cards, dialogues, requests = batch(5)
    res = judge.score_texts(replies, cards, dialogues, requests)
    np.testing.assert_array_equal(res.scores, [1.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(res.normalised, res.scores)
    np.testing.assert_array_equal(res.retried, [False, False, False, True, False])
    assert res.n_missing == 0 and len(backend.calls) == 2
    prompt = backend.calls[0]["chats"][0][1]["content"]
    for criterion in ("Profile fit", "Naturalness", "Relevance", "Logical consistency", "Engagement",
                      "Informativeness", '"Yes"', '"No"'):
        assert criterion in prompt
    assert CARD in prompt and replies[0] in prompt
    assert backend.calls[1]["chats"][0][-1]["content"] == RETRY_RESPONSE_RLPA


def test_prompt_constants_quote_the_papers_criteria():
    for phrase in ("style", "personality", "profile", "human-like", "concise", "1 to 5", "Score: N"):
        assert phrase in ALOE_RESPONSE_PROMPT
    for phrase in ("Naturalness", "Relevance", "Logical consistency", "Engagement", "Informativeness"):
        assert phrase in RLPA_RESPONSE_PROMPT


def test_persona_objects_and_validation():
    backend = FakeBackend([["Score: 3"]])
    res = LLMResponseJudge(backend).score_texts(["Hi!"], [PERSONA], ["User: hello"], ["hello"])
    assert CARD in backend.calls[0]["chats"][0][1]["content"] and res.scores[0] == 3.0

    backend = FakeBackend([])
    judge = LLMResponseJudge(backend)
    empty = judge.score_texts([], [], [], [])
    assert len(empty) == 0 and empty.n_missing == 0 and backend.calls == []
    with pytest.raises(ValueError, match="same length"):
        judge.score_texts(["a", "b"], [CARD], ["d"], ["r"])
    with pytest.raises(ValueError, match="scale"):
        LLMResponseJudge(backend, scale="likert")
    with pytest.raises(TypeError, match="ChatBackend"):
        LLMResponseJudge(object())


def test_backend_returning_wrong_count_raises():
    class Short(FakeBackend):
        def generate(self, chats, **kw):
            return ["Score: 3"]

    with pytest.raises(RuntimeError, match="1 completions for 2 chats"):
        LLMResponseJudge(Short([])).score_texts(*batch(2))


# ------------------------------------------------------------------------------------ profile judge

def test_profile_judge_precision_recall_f1_with_retry_and_clipping():
    profiles = ["- Occupation: journalist\n- Interests: cooking, travel", "- Occupation: nurse", "",
                "- Age: 30s\n- Gender: female"]
    backend = FakeBackend([["Covered: 3", "0", "I think some of them"], ["Covered: 9"]])
    judge = LLMProfileJudge(backend)
    res = judge.score_texts(profiles, [PERSONA] * 4)
    n_gold = len(PERSONA.items())

    np.testing.assert_array_equal(res.n_inferred, [3, 1, 0, 2])
    np.testing.assert_array_equal(res.n_gold, [n_gold] * 4)
    np.testing.assert_array_equal(res.covered, [3.0, 0.0, 0.0, 2.0])  # 9 clipped to 2 items
    np.testing.assert_array_equal(res.clipped, [False, False, False, True])
    np.testing.assert_array_equal(res.retried, [False, False, False, True])
    np.testing.assert_array_equal(res.missing, [False] * 4)
    r0, r3 = 3 / n_gold, 2 / n_gold
    np.testing.assert_allclose(res.precision, [1.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(res.recall, [r0, 0.0, 0.0, r3])
    np.testing.assert_allclose(res.f1, [2 * r0 / (1 + r0), 0.0, 0.0, 2 * r3 / (1 + r3)])
    assert res.raw[2] == ""  # the empty guess was not sent to the model

    # one batched call for the 3 non-empty guesses (in order), one retry for the unparseable one
    assert len(backend.calls) == 2
    first = backend.calls[0]["chats"]
    assert len(first) == 3 and len(backend.calls[1]["chats"]) == 1
    prompt = first[0][1]["content"]
    assert CARD in prompt
    assert "1. Occupation: journalist\n2. Interests: cooking\n3. Interests: travel" in prompt
    assert "Covered: K" in prompt and "from 0 to 3" in prompt
    assert "1. Occupation: nurse" in first[1][1]["content"]
    assert "1. Age: 30s\n2. Gender: female" in first[2][1]["content"]
    assert backend.calls[1]["chats"][0][-1]["content"] == RETRY_PROFILE.format(n_items=2)


def test_profile_judge_missing_after_retry_is_nan():
    backend = FakeBackend([["Covered: 1", "nope"], ["still nope"]])
    res = LLMProfileJudge(backend).score_texts(["- Occupation: journalist", "- Diet: vegan"], [CARD, CARD])
    np.testing.assert_array_equal(res.missing, [False, True])
    assert res.n_missing == 1 and len(backend.calls) == 2
    assert res.precision[0] == 1.0 and res.n_gold[0] == len(PERSONA.items())  # card parsed: same count
    for arr in (res.covered, res.precision, res.recall, res.f1):
        assert math.isnan(arr[1])


def test_profile_judge_all_empty_makes_no_call():
    backend = FakeBackend([])
    res = LLMProfileJudge(backend).score_texts(["", "   "], [PERSONA, CARD])
    assert backend.calls == [] and res.n_missing == 0
    np.testing.assert_array_equal(res.f1, [0.0, 0.0])
