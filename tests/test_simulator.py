"""The rule-based user simulator: informative but not trivial, gradual, reactive, seeded."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import persona_env  # noqa: F401
from agents import BeliefAgent, HeuristicAgent, format_profile
from agents.reply_composer import QUESTIONS
from persona_env import lexicon
from persona_env.core import MAX_DISCLOSURE
from persona_env.cues import default_cue_bank
from persona_env.generator import default_pool
from persona_env.judges import extract_reply_features
from persona_env.rewards import profile_f1_batch
from persona_env.schema import DEFAULT_SCHEMA as S


def run_episode(env, agent, seed):
    obs, _ = env.reset(seed=seed)
    agent.reset(seed)
    f1, done = [], False
    while not done:
        obs, _, term, trunc, info = env.step(agent.act(obs))
        f1.append(info["reward_terms"]["profile_f1"])
        done = term or trunc
    return f1


def test_oracle_reaches_f1_080_within_10_turns_on_static_personas():
    env = gym.make("PersonaDialog-v0", persona_split="test")
    agent = BeliefAgent()
    finals = [max(run_episode(env, agent, seed)) for seed in range(12)]
    assert np.mean(finals) >= 0.8, finals


def test_most_common_value_per_slot_stays_below_035():
    pool = default_pool("train")
    vectors = pool.vectors()
    guess = np.zeros(S.n_items, dtype=bool)
    for slot in S.slots:
        r = S.slot_items(slot.name)
        guess[r.start + int(vectors[:, r.start:r.stop].sum(axis=0).argmax())] = True
    test = default_pool("test").vectors()
    _, _, f1 = profile_f1_batch(np.repeat(guess[None], len(test), 0), np.zeros(len(test), int), test)
    assert f1.mean() < 0.35, f1.mean()
    assert f1.mean() > 0.1  # the baseline is meaningful, not empty


def test_agents_are_ordered_oracle_above_heuristic():
    env = gym.make("PersonaDialog-v0")
    oracle = np.mean([run_episode(env, BeliefAgent(), s)[-1] for s in range(6)])
    heuristic = np.mean([run_episode(env, HeuristicAgent(), s)[-1] for s in range(6)])
    assert oracle > heuristic + 0.2, (oracle, heuristic)


def test_disclosure_is_gradual_and_capped_at_15_percent():
    bank = default_cue_bank()
    env = gym.make("PersonaDialog-v0")
    for seed in range(10):
        env.reset(seed=seed)
        truth = env.unwrapped.parts.core.timelines[0].truth_at(1)
        cap = int(np.ceil(MAX_DISCLOSURE * len(truth.items())))
        first = env.unwrapped.messages[0]["content"]
        implicit = [c for c in bank.decode(first) if bank.cues[c].kind in ("specific", "ambiguous")]
        assert len(implicit) <= 1, "the opening message starts cold"
        for _ in range(9):
            _, _, term, trunc, _ = env.step({"profile": "", "reply": "For dinner, a lentil soup with rice."})
            if term or trunc:
                break
            msg = env.unwrapped.messages[-1]["content"]
            cues = [c for c in bank.decode(msg) if bank.cues[c].kind != "announce"]
            assert len(cues) <= cap, (msg, cap)


def test_cues_are_implicit_and_decodable_with_known_likelihoods():
    bank = default_cue_bank()
    implicit = [c.cue_id for c in bank.cues if c.kind in ("specific", "ambiguous")]
    # for every item, P(implicit cue | item) sums to 1
    sums = bank.likelihood[implicit].sum(axis=0)
    np.testing.assert_allclose(sums, 1.0)
    assert sum(bank.cues[c].kind == "ambiguous" for c in implicit) >= 80
    for c in implicit[:50]:
        phrasing = bank.cues[c].phrasings[0]
        assert bank.decode(f"Well. {phrasing} Anyway.") == [c]
    assert all(len(lexicon.SPECIFIC_HINTS[s.name][v]) >= 3 for s in S.slots for v in s.values)


def test_direct_questions_are_answered_and_private_ones_sometimes_deflected():
    bank = default_cue_bank()
    env = gym.make("PersonaDialog-v0")
    answered = deflected = 0
    for seed in range(25):
        env.reset(seed=seed)
        truth = env.unwrapped.parts.core.timelines[0].truth_at(1)
        _, _, _, _, _ = env.step({"profile": "", "reply": "For dinner, a soup. By the way, what do you do for work?"})
        msg = env.unwrapped.messages[-1]["content"]
        answers = [bank.cues[c] for c in bank.decode(msg) if bank.cues[c].kind == "answer"]
        assert answers and answers[0].slot == "occupation" and answers[0].values == truth.values["occupation"]
        env.reset(seed=seed)
        env.step({"profile": "", "reply": "For dinner, a soup. By the way, how old are you?"})
        msg = env.unwrapped.messages[-1]["content"]
        if any(d in msg for d in lexicon.DEFLECTIONS):
            deflected += 1
        elif any(bank.cues[c].kind == "answer" for c in bank.decode(msg)):
            answered += 1
    assert answered > 5 and deflected > 2, (answered, deflected)


def test_asking_again_gets_already_answered():
    env = gym.make("PersonaDialog-v0")
    persona = next(p for p in env.unwrapped.parts.pool
                   if p.values["emoji"] == ("no emoji",) and p.values["directness"] == ("direct",)
                   and p.values["humour"] == ("serious",) and p.values["formality"] != ("formal",)
                   and p.values["verbosity"] != ("detailed",))
    topics = "dinner, a book, a gift, the weekend, a holiday, sleep, a hobby or exercise"
    env.reset(seed=0, options={"persona": persona})
    env.step({"profile": "", "reply": f"Happy to help with {topics}. What do you do for work?"})
    second = "Next: a dinner recipe, a novel, a present, a Saturday plan, a trip, rest tips, a workout, a hobby. Remind me, what do you do for work?"
    _, _, _, _, info = env.step({"profile": "", "reply": second})
    assert info["user_reaction"] == "already_answered"
    assert any(p in env.unwrapped.messages[-1]["content"] for p in ("already told you", "answered that", "already know"))


@pytest.mark.parametrize("slot,value,reply,reaction", [
    ("verbosity", "brief", "For dinner, make a lentil soup. " + "Keep it simple and slow. " * 30, "too_long"),
    ("emoji", "no emoji", "For dinner, make a lentil soup \U0001F600\U0001F600\U0001F600", "unwanted_emoji"),
])
def test_style_misfit_gets_a_complaint(slot, value, reply, reaction):
    env = gym.make("PersonaDialog-v0")
    pool = env.unwrapped.parts.pool
    persona = next(p for p in pool if p.values[slot] == (value,) and p.values["verbosity"] != ("detailed",))
    env.reset(seed=0, options={"persona": persona})
    _, _, _, _, info = env.step({"profile": "", "reply": reply})
    crit = info["reward_terms"][f"response_{'length' if slot == 'verbosity' else slot}"]
    assert crit < 0.5
    msg = env.unwrapped.messages[-1]["content"]
    if info["user_reaction"] == reaction:
        assert any(p in msg for p in lexicon.REACTIONS[reaction])
    else:  # another criterion was worse; the worst one is voiced
        assert info["user_reaction"] not in ("satisfied", "neutral")


def test_repeating_yourself_costs_patience_until_the_user_leaves():
    env = gym.make("PersonaDialog-v0")
    env.reset(seed=1)
    same = {"profile": "", "reply": "Nice."}
    reactions = []
    for _ in range(10):
        _, _, term, trunc, info = env.step(same)
        reactions.append(info["user_reaction"])
        if term or trunc:
            break
    assert term, "a user who hears the same poor reply again and again leaves"
    assert reactions[-1] == "quit"
    assert any(p in env.unwrapped.messages[-1]["content"] for p in lexicon.REACTIONS["quit"])


def test_good_replies_reveal_more_than_poor_ones():
    bank = default_cue_bank()

    def cues_heard(agent_reply):
        env = gym.make("PersonaDialog-v0")
        total = 0
        for seed in range(15):
            obs, _ = env.reset(seed=seed)
            agent = BeliefAgent(ask=False)
            agent.reset(seed)
            for _ in range(4):
                action = agent.act(obs) if agent_reply else {"profile": "", "reply": "ok"}
                obs, _, term, trunc, _ = env.step(action)
                if term or trunc:
                    break
                total += sum(bank.cues[c].kind in ("specific", "ambiguous")
                             for c in bank.decode(env.unwrapped.messages[-1]["content"]))
        return total

    assert cues_heard(True) > 1.3 * cues_heard(False)


def test_question_templates_hit_the_simulators_question_keywords():
    for slot, question in QUESTIONS.items():
        f = extract_reply_features(f"Sure. {question}", (), S, question_keywords=lexicon.QUESTION_KEYWORDS)
        asked = [S.slots[k].name for k in np.flatnonzero(f.asked_slots)]
        assert asked == [slot], (slot, question, asked)


def test_format_profile_round_trips_through_the_env_parser():
    persona = default_pool("test")[0]
    env = gym.make("PersonaDialog-v0")
    env.reset(seed=0, options={"persona": persona})
    _, _, _, _, info = env.step({"profile": format_profile(persona.values), "reply": "ok"})
    assert info["reward_terms"]["profile_f1"] == pytest.approx(1.0)
