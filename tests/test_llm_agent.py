"""The LLM assistant agent with a scripted fake backend, and one end-to-end run on the tiny model.

The fake-backend tests check the chat the agent builds (system prompt in RLPA's format, the
dialogue split into messages, the Reminder text), the parsed RLPA output, the raw-string
fallback for malformed text, the number of backend calls (self-critic: 2 per act; act_batch: 1
for N conversations) and seeding. The end-to-end test runs ``PersonaDialog-v0`` for 2 steps with
the agent and the LLM response judge on the tiny random model, whose gibberish must not crash
anything: the env applies its format penalty and the judge counts the verdicts as missing.
"""

import math
import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gymnasium as gym  # noqa: E402

import persona_env  # noqa: E402,F401  (registers the envs)
from agents.base import Agent  # noqa: E402
from agents.llm_agent import (  # noqa: E402
    CRITIC_PROMPT,
    REMINDER_TEXT,
    SYSTEM_PROMPT,
    LLMAssistantAgent,
    dialogue_to_messages,
)
from persona_env.actions import parse_assistant_action  # noqa: E402
from persona_env.judges.llm_judge import LLMResponseJudge, parse_aloe_score  # noqa: E402

GOOD = "<profile>\n- Occupation: nurse\n- Interests: hiking\n</profile>\n\n<response>\nHow about a short hike?\n</response>"
GOOD_ACTION = {"profile": "- Occupation: nurse\n- Interests: hiking", "reply": "How about a short hike?"}
REVISED = "<profile>\n- Occupation: nurse\n</profile>\n\n<response>\nA quiet trail walk, then tea?\n</response>"

OBS = {"dialogue": "User: Hi, long shift at the ward today.\nAssistant: Sorry to hear that! / Rest well.\n"
                   "User: Any ideas for the weekend?", "turn": 1}


class FakeBackend:
    """A ChatBackend that answers every chat with ``answer(chat)`` and records the calls."""

    name = "fake"

    def __init__(self, answer=GOOD):
        self.answer = answer if callable(answer) else (lambda chat: answer)
        self.calls = []

    def generate(self, chats, *, max_new_tokens=128, temperature=0.0, seed=None):
        chats = [[dict(m) for m in chat] for chat in chats]
        self.calls.append({"chats": chats, "max_new_tokens": max_new_tokens,
                           "temperature": temperature, "seed": seed})
        return [self.answer(chat) for chat in chats]


def obs(i):
    return {"dialogue": f"User: request number {i}", "turn": 0}


# ------------------------------------------------------------------------------------ fake backend

def test_plain_agent_returns_parsed_rlpa_output_and_builds_the_chat():
    backend = FakeBackend()
    agent = LLMAssistantAgent(backend, max_new_tokens=64)
    assert isinstance(agent, Agent) and agent.name == "llm-plain"
    agent.reset(seed=0)
    assert agent.act(OBS) == GOOD_ACTION
    assert len(backend.calls) == 1
    call = backend.calls[0]
    assert call["max_new_tokens"] == 64 and call["temperature"] == 0.0 and call["seed"] == 0
    (chat,) = call["chats"]
    assert chat == [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": "Hi, long shift at the ward today."},
        {"role": "assistant", "content": "Sorry to hear that! / Rest well."},
        {"role": "user", "content": "Any ideas for the weekend?"},
    ]
    assert "<profile>" in SYSTEM_PROMPT and "</response>" in SYSTEM_PROMPT
    assert REMINDER_TEXT not in str(chat)


def test_reminder_text_is_in_the_prompt():
    backend = FakeBackend()
    agent = LLMAssistantAgent(backend, prompting="reminder")
    assert agent.act(OBS) == GOOD_ACTION
    chat = backend.calls[0]["chats"][0]
    assert chat[-1] == {"role": "user", "content": "Any ideas for the weekend?\n\n" + REMINDER_TEXT}
    assert chat[1]["content"] == "Hi, long shift at the ward today."  # only the newest user turn
    assert "implicit preferences" in REMINDER_TEXT


def test_malformed_text_is_passed_raw_for_the_format_penalty():
    raw = "Sure! Maybe a hike this weekend."
    agent = LLMAssistantAgent(FakeBackend(raw))
    action = agent.act(OBS)
    assert action == raw
    parsed = parse_assistant_action(action)
    assert not parsed.format_ok and "missing <profile> tag" in parsed.notes

    env = gym.make("PersonaDialog-v0")
    observation, _ = env.reset(seed=0)
    _, _, _, _, info = env.step(agent.act(observation))
    assert info["reward_terms"]["format_valid"] == 0.0 and info["reward_terms"]["format_penalty"] < 0
    assert "missing <profile> tag" in info["notes"]
    env.close()


def test_self_critic_makes_two_calls_per_act_and_uses_the_revision():
    backend = FakeBackend(lambda chat: REVISED if "Critique the draft" in chat[-1]["content"] else GOOD)
    agent = LLMAssistantAgent(backend, prompting="self_critic", seed=3)
    action = agent.act(OBS)
    assert action == {"profile": "- Occupation: nurse", "reply": "A quiet trail walk, then tea?"}
    assert len(backend.calls) == 2
    critic_chat = backend.calls[1]["chats"][0]
    assert critic_chat[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert GOOD in critic_chat[1]["content"]  # the draft is shown
    assert "User: Any ideas for the weekend?" in critic_chat[1]["content"]
    assert CRITIC_PROMPT.split("{conversation}")[0] in critic_chat[1]["content"]
    assert agent.last_outputs == [{"draft": GOOD, "revision": REVISED, "used": "revision"}]
    assert [c["seed"] for c in backend.calls] == [3, 4]
    agent.act(OBS)
    agent.act(OBS)
    assert len(backend.calls) == 6


def test_self_critic_falls_back_to_a_well_formed_draft():
    backend = FakeBackend(lambda chat: "no tags here" if "Critique the draft" in chat[-1]["content"] else GOOD)
    agent = LLMAssistantAgent(backend, prompting="self_critic")
    assert agent.act(OBS) == GOOD_ACTION
    assert agent.last_outputs[0]["used"] == "draft"
    both_bad = LLMAssistantAgent(FakeBackend("gibberish"), prompting="self_critic")
    assert both_bad.act(OBS) == "gibberish"


def test_act_batch_one_call_for_n_observations_in_order():
    def answer(chat):
        request = chat[-1]["content"]
        return f"<profile>\n</profile>\n<response>\nre: {request}\n</response>"

    backend = FakeBackend(answer)
    agent = LLMAssistantAgent(backend)
    actions = agent.act_batch([obs(i) for i in range(5)])
    assert len(backend.calls) == 1 and len(backend.calls[0]["chats"]) == 5
    assert [a["reply"] for a in actions] == [f"re: request number {i}" for i in range(5)]
    assert all(a["profile"] == "" for a in actions)
    assert agent.act_batch([]) == [] and len(backend.calls) == 1

    critic_backend = FakeBackend(answer)
    LLMAssistantAgent(critic_backend, prompting="self_critic").act_batch([obs(i) for i in range(4)])
    assert [len(c["chats"]) for c in critic_backend.calls] == [4, 4]


def test_seeds_and_reset():
    backend = FakeBackend()
    agent = LLMAssistantAgent(backend, seed=10, temperature=0.7)
    agent.act(OBS)
    agent.act(OBS)
    agent.reset(seed=5)
    agent.act(OBS)
    agent.reset()
    agent.act(OBS)
    assert [c["seed"] for c in backend.calls] == [10, 11, 5, 5]
    assert backend.calls[0]["temperature"] == 0.7
    unseeded = FakeBackend()
    LLMAssistantAgent(unseeded).act(OBS)
    assert unseeded.calls[0]["seed"] is None


def test_dialogue_to_messages_edge_cases():
    assert dialogue_to_messages("") == []
    assert dialogue_to_messages("[...]\nAssistant: cut off\nUser: hello") == [{"role": "user", "content": "hello"}]
    assert dialogue_to_messages("User: a\nwrapped line\nUser: b\nAssistant: c") == [
        {"role": "user", "content": "a\nwrapped line\nb"}, {"role": "assistant", "content": "c"}]
    backend = FakeBackend()
    LLMAssistantAgent(backend).act({"dialogue": "", "turn": 0})
    assert backend.calls[0]["chats"][0][-1]["role"] == "user"


def test_validation():
    with pytest.raises(ValueError, match="prompting"):
        LLMAssistantAgent(FakeBackend(), prompting="cot")
    with pytest.raises(TypeError, match="ChatBackend"):
        LLMAssistantAgent(object())
    with pytest.raises(TypeError, match="sequence of observations"):
        LLMAssistantAgent(FakeBackend()).act_batch(OBS)


# ------------------------------------------------------------------------------------ tiny model


@pytest.fixture(scope="module")
def tiny_backend(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from persona_env.llm import TransformersBackend, build_tiny_chat_model

    path = build_tiny_chat_model(tmp_path_factory.mktemp("tiny") / "model")
    return TransformersBackend(path, device="cpu", dtype="float32")


class CountingBackend:
    """Wraps a real backend and counts its calls."""

    def __init__(self, inner):
        self.inner, self.name, self.calls = inner, inner.name, []

    def generate(self, chats, **kwargs):
        self.calls.append(len(chats))
        return self.inner.generate(chats, **kwargs)


def test_end_to_end_tiny_model_env_agent_and_judge(tiny_backend):
    agent_backend = CountingBackend(tiny_backend)
    agent = LLMAssistantAgent(agent_backend, max_new_tokens=16, seed=0)
    env = gym.make("PersonaDialog-v0")
    observation, _ = env.reset(seed=0)
    agent.reset(seed=0)
    replies, dialogues, requests = [], [], []
    for _ in range(2):
        action = agent.act(observation)
        assert isinstance(action, (str, dict))
        dialogues.append(observation["dialogue"])
        observation, reward, terminated, truncated, info = env.step(action)
        assert math.isfinite(reward) and not truncated
        # gibberish has no RLPA tags: the env's format penalty and notes, never an exception
        assert info["reward_terms"]["format_valid"] == 0.0
        assert info["reward_terms"]["format_penalty"] < 0 and info["notes"]
        record = env.unwrapped.records[-1]
        replies.append(record.reply)
        requests.append(record.user_message)
        if terminated:
            break
    assert agent_backend.calls == [1] * len(replies)
    card = env.unwrapped.parts.core.timelines[0].truth_at(0).card()
    env.close()

    judge_backend = CountingBackend(tiny_backend)
    judge = LLMResponseJudge(judge_backend, scale="aloe", max_new_tokens=8)
    res = judge.score_texts(replies, [card] * len(replies), dialogues, requests)
    n = len(replies)
    # whatever the random model says: parsing agrees with the raw answers, an unreadable verdict
    # is missing (NaN, counted, retried once), never a silent 0 or 1
    missing = [parse_aloe_score(t) is None for t in res.raw]
    assert missing == res.missing.tolist() and res.n_missing == sum(missing)
    assert np.isnan(res.scores[res.missing]).all() and not np.isnan(res.scores[~res.missing]).any()
    assert judge_backend.calls[0] == n and len(judge_backend.calls) <= 2  # one batched call (+ one retry)
    if len(judge_backend.calls) == 2:
        assert judge_backend.calls[1] == int(res.retried.sum())
