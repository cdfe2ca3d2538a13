"""The LLM user simulator: prompts, batching, seeds, output cleaning, and the env integration.

Prompt logic is tested with a fake backend that records the chats it is given and returns
scripted strings; the tiny real model is only run end to end (its text is gibberish).
"""

from __future__ import annotations

import dataclasses
import os

import gymnasium as gym
import numpy as np
import pytest

import persona_env  # noqa: F401  (registers the env ids)
from persona_env.checkers import check_determinism, check_gymnasium
from persona_env.envs.factory import CONSTRUCTOR_OPTIONS, build_parts
from persona_env.generator import default_pool
from persona_env.llm_user import (MAX_USER_CHARS, USER_RULES, LLMUserSimulator, UserContext,
                                  build_user_chat, clean_user_text, make_user_simulator)
from persona_env.text_dialogue import TextDialogue
from persona_env.timeline import PersonaTimeline, TimelineEvent

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ACTION = {"profile": "- Occupation: nurse\n- Interests: hiking",
          "reply": "How about a quick vegetable pasta tonight? It takes twenty minutes."}


class FakeBackend:
    """Records every generate() call; answers a scripted function of (chat, seed)."""

    name = "fake"

    def __init__(self, script=None) -> None:
        self.calls: list[dict] = []
        self.script = script or (lambda chat, seed, i: f"User: Fake message {i} seed {seed}.")

    def generate(self, chats, *, max_new_tokens=128, temperature=0.0, seed=None):
        chats = [[dict(m) for m in chat] for chat in chats]
        self.calls.append({"chats": chats, "seed": seed, "max_new_tokens": max_new_tokens,
                           "temperature": temperature})
        return [self.script(chat, seed, i) for i, chat in enumerate(chats)]


def context(turn=1, hint="Hi. Any idea for dinner?", messages=(), **kw) -> UserContext:
    card = "Occupation: nurse\nInterests: hiking"
    return UserContext(persona_card=kw.pop("persona_card", card), messages=tuple(messages), turn=turn,
                       hint=hint, **kw)


# ------------------------------------------------------------------ the simulator alone
def test_one_backend_call_per_batch_with_settings_and_seed():
    fake = FakeBackend()
    sim = LLMUserSimulator(fake, max_new_tokens=40, temperature=0.5)
    out = sim.utterances([context(), context(hint="Hello."), context(hint="Hey.")], seed=123)
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert len(call["chats"]) == 3
    assert (call["seed"], call["max_new_tokens"], call["temperature"]) == (123, 40, 0.5)
    assert out == [f"Fake message {i} seed 123." for i in range(3)]
    assert sim.last_notes == [(), (), ()]
    assert sim.utterances([], seed=1) == [] and len(fake.calls) == 1  # nothing to say: no call
    sim.utterances([context()], seed=123)
    assert fake.calls[-1]["chats"] == fake.calls[0]["chats"][:1] and fake.calls[-1]["seed"] == 123


def test_prompt_holds_the_card_the_rules_and_the_guidance():
    history = [{"role": "user", "content": "Hi. Any idea for dinner?"},
               {"role": "assistant", "content": "You are amazing! Try pasta."}]
    chat = build_user_chat(context(turn=2, hint="Please no flattery. I work nights.", messages=history,
                                   reaction="flattery"))
    system = chat[0]
    assert system["role"] == "system"
    text = system["content"]
    assert "Occupation: nurse\nInterests: hiking" in text
    for rule in USER_RULES:
        assert rule in text
    for phrase in ("15%", "Start cold", "never list your profile", "flattery", "repeats itself",
                   "at most 3 sentences", "Do not start new topics", "Stay consistent"):
        assert phrase in text, phrase
    assert "Please no flattery. I work nights." in text  # the rule user's message as guidance
    assert "flattered you" in text
    assert "This is your first message" not in text  # not the opening
    # roles are flipped (the LLM plays the user) and alternate, ending on the agent's reply
    roles = [m["role"] for m in chat[1:]]
    assert roles == ["user", "assistant", "user"]
    assert chat[2]["content"] == "Hi. Any idea for dinner?"
    assert chat[3]["content"] == "You are amazing! Try pasta."


def test_opening_prompt_starts_cold():
    chat = build_user_chat(context(turn=1))
    assert "This is your first message: only state your request" in chat[0]["content"]
    assert [m["role"] for m in chat] == ["system", "user"]


@pytest.mark.parametrize("raw, expected", [
    ("User: I need a dinner idea.", "I need a dinner idea."),
    ("  **User:** Something quick, please.  ", "Something quick, please."),
    ("<|assistant|>Hi there.<|end|>", "Hi there."),
    ("<|im_start|>user\nAny ideas for the weekend?<|im_end|>", "Any ideas for the weekend?"),
    ("Sounds good.\nAssistant: Great, here is more.", "Sounds good."),
    ('"I only eat plants."', "I only eat plants."),
    ("One. Two! Three? Four. Five.", "One. Two! Three?"),
    ("A\n\nB   c.", "A B c."),
])
def test_output_cleaning(raw, expected):
    assert clean_user_text(raw) == expected


def test_output_is_capped_at_600_chars():
    long = "word " * 400  # no sentence end at all
    out = clean_user_text(long)
    assert 0 < len(out) <= MAX_USER_CHARS and not out.endswith(" ")


@pytest.mark.parametrize("raw", ["", "   ", "<|end|>", "User:", "Assistant: ...", "<|user|> !? "])
def test_empty_output_falls_back_to_the_rule_message_with_a_note(raw):
    fake = FakeBackend(lambda chat, seed, i: raw if i == 0 else "Fine.")
    sim = LLMUserSimulator(fake)
    out = sim.utterances([context(hint="Hi. Dinner idea?"), context()], seed=0)
    assert out == ["Hi. Dinner idea?", "Fine."]
    assert sim.last_notes[0] and "rule simulator" in sim.last_notes[0][0]
    assert sim.last_notes[1] == ()


def test_make_user_simulator_and_bad_values():
    fake = FakeBackend()
    assert make_user_simulator("rule") is None and make_user_simulator(None) is None
    sim = LLMUserSimulator(fake)
    assert make_user_simulator(sim) is sim
    assert make_user_simulator(fake).backend is fake
    with pytest.raises(ValueError, match="user_simulator"):
        make_user_simulator("gpt-4")
    with pytest.raises(TypeError):
        LLMUserSimulator(object())


# ------------------------------------------------------------------ the env
def fake_env(fake=None, **options):
    fake = fake or FakeBackend()
    env = gym.make("PersonaDialog-v0", user_simulator=LLMUserSimulator(fake), **options)
    return env, fake


def test_env_observation_holds_the_llm_text_and_rewards_are_computed():
    env, fake = fake_env()
    obs, info = env.reset(seed=3)
    assert len(fake.calls) == 1 and len(fake.calls[0]["chats"]) == 1
    seed0 = fake.calls[0]["seed"]
    assert obs["dialogue"] == f"User: Fake message 0 seed {seed0}."
    # the rule user's message is the guidance
    rule = env.unwrapped.dialogue.rule_user[0]
    assert rule and rule in fake.calls[0]["chats"][0][0]["content"]
    obs, reward, terminated, truncated, info = env.step(ACTION)
    assert len(fake.calls) == 2
    assert np.isfinite(reward) and "profile_f1" in info["reward_terms"]
    assert info["user_reaction"]
    assert obs["dialogue"].endswith(f"User: Fake message 0 seed {fake.calls[1]['seed']}.")
    assert env.unwrapped.messages[-1]["content"] == f"Fake message 0 seed {fake.calls[1]['seed']}."
    # the LLM saw the dialogue so far with flipped roles, ending on the agent's reply
    chat = fake.calls[1]["chats"][0]
    assert chat[-1] == {"role": "user", "content": ACTION["reply"]}
    assert chat[-2] == {"role": "assistant", "content": f"Fake message 0 seed {seed0}."}


def test_rule_default_is_unchanged():
    a, b = gym.make("PersonaDialog-v0"), gym.make("PersonaDialog-v0", user_simulator="rule")
    assert a.reset(seed=5)[0] == b.reset(seed=5)[0]
    for _ in range(3):
        oa, ra, *_ = a.step(ACTION)
        ob, rb, *_ = b.step(ACTION)
        assert oa == ob and ra == rb
    assert a.unwrapped.dialogue.user_simulator is None


def test_env_with_llm_user_is_deterministic_for_a_seed():
    def rollout(seed):
        env, fake = fake_env(scenario="drift")
        trace = [env.reset(seed=seed)[0]]
        for _ in range(5):
            obs, reward, terminated, truncated, _ = env.step(ACTION)
            trace.append((obs, reward))
            if terminated or truncated:
                break
        return trace, [c["seed"] for c in fake.calls]

    assert rollout(11) == rollout(11)
    assert rollout(11)[1] != rollout(12)[1]
    check_determinism(lambda: fake_env()[0], n_steps=6)


def test_env_with_llm_user_passes_gymnasium_check_env():
    check_gymnasium(lambda: fake_env()[0])


def test_drift_announcement_and_swap_reach_the_prompt_at_their_turn():
    pool = default_pool("train")
    first = dataclasses.replace(pool[0], patience=100.0)  # never leaves
    other = dataclasses.replace(pool[1], patience=100.0)
    occ = first.schema.slot("occupation")
    old = first.values["occupation"]
    new_value = next(v for v in occ.values if v not in old)
    drifted = first.with_values(occupation=(new_value,))
    tl = PersonaTimeline(
        ((1, first), (3, drifted), (5, other)),
        (TimelineEvent(3, "drift", "occupation", old, (new_value,), True, first.persona_id),
         TimelineEvent(5, "swap", persona_id=other.persona_id)),
        max_turns=10)
    env, fake = fake_env()
    env.reset(seed=0, options={"timeline": tl})
    for _ in range(5):
        env.step(ACTION)
    systems = [c["chats"][0][0]["content"] for c in fake.calls]  # index k-1: the turn-k message
    assert len(systems) == 6
    for k, text in enumerate(systems, 1):
        assert f"turn {k}" in text
        assert ("ANNOUNCE A CHANGE" in text) == (k == 3), k
        assert ("PERSONA CHANGE" in text) == (k == 5), k
        card = tl.truth_at(k).card()
        assert card in text, k
    assert f"{occ.label}: now {new_value}" in systems[2]
    assert f"Occupation: {new_value}" in systems[2] and f"Occupation: {new_value}" in systems[3]
    assert first.card() in systems[1] and other.card() in systems[4]


def test_batched_text_dialogue_makes_one_call_per_step():
    fake = FakeBackend()
    parts = build_parts(batch_size=4, user_simulator=LLMUserSimulator(fake))
    dialogue = TextDialogue(parts.core, parts.matcher, user_simulator=parts.user_simulator)
    rng = np.random.default_rng(0)
    dialogue.reset(rng)
    assert len(fake.calls) == 1 and len(fake.calls[0]["chats"]) == 4
    dialogue.step(rng, [ACTION] * 4)
    assert len(fake.calls) == 2 and len(fake.calls[1]["chats"]) == 4
    for b in range(4):
        assert dialogue.transcripts[b].messages[-1]["content"].startswith(f"Fake message {b} ")


def test_inactive_conversations_are_not_voiced_again():
    fake = FakeBackend()
    parts = build_parts(batch_size=3)
    dialogue = TextDialogue(parts.core, parts.matcher, user_simulator=LLMUserSimulator(fake))
    rng = np.random.default_rng(0)
    dialogue.reset(rng)
    before = list(dialogue.transcripts[1].messages)
    dialogue.step(rng, [ACTION] * 3, active=np.array([True, False, True]))
    assert len(fake.calls[-1]["chats"]) == 2
    assert dialogue.transcripts[1].messages == before
    # an autoreset of one conversation voices only that one
    dialogue.reset(rng, mask=np.array([False, True, False]))
    assert len(fake.calls[-1]["chats"]) == 1 and len(dialogue.transcripts[1].messages) == 1


def test_suggestion_only_mode_does_not_commit_the_llm_text():
    fake = FakeBackend()
    parts = build_parts(batch_size=1)
    dialogue = TextDialogue(parts.core, parts.matcher, auto_user=False,
                            user_simulator=LLMUserSimulator(fake))
    dialogue.reset(np.random.default_rng(0))
    assert dialogue.suggested_user[0].startswith("Fake message 0")
    assert dialogue.transcripts[0].messages == []


def test_unknown_option_is_still_rejected():
    assert "user_simulator" in CONSTRUCTOR_OPTIONS
    with pytest.raises(TypeError, match="user_simulatr"):
        gym.make("PersonaDialog-v0", user_simulatr="rule")
    with pytest.raises(ValueError, match="user_simulator"):
        gym.make("PersonaDialog-v0", user_simulator="chatgpt")


# ------------------------------------------------------------------ the tiny real model
def test_end_to_end_with_the_tiny_model(tmp_path):
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    from persona_env.llm import build_tiny_chat_model

    path = build_tiny_chat_model(tmp_path / "tiny")
    spec = {"kind": "transformers", "model": str(path), "max_new_tokens": 16}
    env = gym.make("PersonaDialog-v0", user_simulator=spec)
    sim = env.unwrapped.dialogue.user_simulator
    assert isinstance(sim, LLMUserSimulator) and sim.max_new_tokens == 16
    obs, _ = env.reset(seed=0)
    assert obs["dialogue"].startswith("User: ") and len(obs["dialogue"]) > len("User: ")
    for _ in range(2):
        obs, reward, terminated, truncated, info = env.step(ACTION)
        assert np.isfinite(reward)
        last = env.unwrapped.messages[-1]
        assert last["role"] == "user" and last["content"].strip()


def test_control_characters_are_removed():
    assert clean_user_text("ab\x1fcd\u202eef\x00") == "ab cd ef"


def test_vector_and_multi_agent_envs_use_the_llm_user_and_numeric_rejects_it():
    fake = FakeBackend()
    vec = gym.make_vec("PersonaDialog-v0", num_envs=3, vectorization_mode="vector_entry_point",
                       user_simulator=LLMUserSimulator(fake))
    obs, _ = vec.reset(seed=0)
    assert len(fake.calls) == 1 and len(fake.calls[0]["chats"]) == 3  # one batched call
    assert all("Fake message" in d for d in obs["dialogue"])
    ma = persona_env.env(user_simulator=LLMUserSimulator(FakeBackend()))
    ma.reset(seed=0)
    assert "Fake message" in ma.observe("user_0")["simulated_utterance"]
    with pytest.raises(ValueError, match="user_simulator must be 'rule'"):
        gym.make("PersonaDialog-Numeric-v0", user_simulator=LLMUserSimulator(FakeBackend()))
