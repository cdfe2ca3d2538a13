"""LLM judges as env reward terms (scripted backend: exact values; missing verdicts flagged)."""

from __future__ import annotations

import gymnasium as gym
import pytest

import persona_env  # noqa: F401
from persona_env.judges.llm_judge import LLMProfileJudge, LLMResponseJudge
from persona_env.wrappers import WeightedReward

ACTION = {"profile": "- Occupation: nurse\n- Interests: hiking", "reply": "For dinner, a lentil soup."}


class Scripted:
    """A ChatBackend answering every chat with the same text; counts calls."""

    name = "scripted"

    def __init__(self, answer: str) -> None:
        self.answer, self.calls = answer, 0

    def generate(self, chats, *, max_new_tokens=128, temperature=0.0, seed=None):
        self.calls += 1
        return [self.answer] * len(chats)


def test_llm_response_and_profile_terms_are_reported_and_weightable():
    response, profile = Scripted("Score: 4"), Scripted("Covered: 1")
    env = gym.make("PersonaDialog-v0", llm_judge=LLMResponseJudge(response),
                   llm_profile_judge=LLMProfileJudge(profile))
    env.reset(seed=0)
    _, _, _, _, info = env.step(ACTION)
    t = info["reward_terms"]
    assert t["response_llm"] == pytest.approx(0.75) and t["response_llm_missing"] == 0.0  # (4-1)/4
    assert t["profile_llm_f1"] > 0 and t["profile_llm_missing"] == 0.0
    assert response.calls == 1 and profile.calls == 1
    wrapped = WeightedReward(gym.make("PersonaDialog-v0", llm_judge=LLMResponseJudge(Scripted("Score: 5"))),
                             {"profile_f1": 1.0, "response_llm": 1.0})
    wrapped.reset(seed=0)
    _, reward, _, _, info = wrapped.step(ACTION)
    assert reward == pytest.approx(info["reward_terms"]["profile_f1"] + 1.0)


def test_unreadable_verdicts_are_flagged_not_scored():
    env = gym.make("PersonaDialog-v0", llm_judge=LLMResponseJudge(Scripted("hmm, hard to say")))
    env.reset(seed=0)
    _, _, _, _, info = env.step(ACTION)
    assert info["reward_terms"]["response_llm_missing"] == 1.0
    assert info["reward_terms"]["response_llm"] == 0.0


def test_rule_only_env_reports_zero_llm_terms_and_numeric_rejects_judges():
    env = gym.make("PersonaDialog-v0")
    env.reset(seed=0)
    _, _, _, _, info = env.step(ACTION)
    assert info["reward_terms"]["response_llm"] == 0.0 and info["reward_terms"]["response_llm_missing"] == 0.0
    with pytest.raises(ValueError, match="no text for an LLM judge"):
        gym.make("PersonaDialog-Numeric-v0", llm_judge=LLMResponseJudge(Scripted("Score: 4")))
