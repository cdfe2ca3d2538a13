"""The Gymnasium env: registration, peer checker, determinism, bad input, rendering, timelines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import gymnasium as gym
import numpy as np
import pytest

import persona_env  # noqa: F401  (registers the env ids)
from persona_env.checkers import (check_bad_input, check_determinism, check_gymnasium,
                                  check_reward_bounds)
from persona_env.core import TERM_NAMES
from persona_env.registration import ENV_IDS
from persona_env.timeline import PersonaTimeline, Scenario, build_timeline
from persona_env.wrappers import WeightedReward

ACTION = {"profile": "- Occupation: nurse\n- Interests: hiking", "reply": "For dinner, try a soup."}


@pytest.mark.parametrize("env_id", list(ENV_IDS))
def test_every_registered_id_passes_gymnasium_check_env(env_id):
    check_gymnasium(lambda: gym.make(env_id))


@pytest.mark.parametrize("env_id", list(ENV_IDS))
def test_every_registered_id_passes_our_checkers(env_id):
    factory = lambda: gym.make(env_id)  # noqa: E731
    check_determinism(factory, n_steps=12)
    check_reward_bounds(factory, seeds=range(2), n_steps=12)
    check_bad_input(factory)


def test_make_with_module_prefix_needs_no_import():
    code = "import gymnasium as gym; e = gym.make('persona_env:PersonaDialog-v0'); print(e.reset(seed=1)[0]['turn'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


TRAJECTORY_SCRIPT = textwrap.dedent("""
    import json, gymnasium as gym, persona_env
    from agents import BeliefAgent
    out = []
    for env_id in ("PersonaDialog-v0", "PersonaDialog-Swap-v0", "PersonaDialog-Conflict-v0"):
        env = gym.make(env_id)
        agent = BeliefAgent()
        obs, info = env.reset(seed=7)
        agent.reset(7)
        done = False
        while not done:
            action = agent.act(obs)
            obs, reward, term, trunc, info = env.step(action)
            out.append([obs["dialogue"], reward, term, trunc, info["reward_terms"], info["user_reaction"]])
            done = term or trunc
    print(json.dumps(out))
""")


def test_same_seed_same_trajectory_across_two_processes():
    runs = [subprocess.run([sys.executable, "-c", TRAJECTORY_SCRIPT], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in (1, 2)]
    assert runs[0] == runs[1]
    steps = json.loads(runs[0])
    assert len(steps) >= 20
    first_episode = steps[:10]
    assert len({s[0] for s in first_episode}) == len(first_episode)  # the dialogue grows every step


def test_different_seeds_give_different_conversations():
    env = gym.make("PersonaDialog-v0")
    openings = {env.reset(seed=s)[0]["dialogue"] for s in range(8)}
    assert len(openings) >= 6


def test_unknown_constructor_option_names_the_valid_ones():
    with pytest.raises(TypeError, match="valid options are: .*scenario"):
        gym.make("PersonaDialog-v0", scenaro="swap")


def test_unknown_scenario_and_reset_option_raise_clearly():
    with pytest.raises(ValueError, match="static, swap, drift, conflict, long"):
        gym.make("PersonaDialog-v0", scenario="nope")
    env = gym.make("PersonaDialog-v0")
    with pytest.raises(ValueError, match="valid: \\['persona', 'timeline'\\]"):
        env.reset(seed=0, options={"persona_id": "x"})


def test_wrong_action_types_raise_with_the_fix():
    env = gym.make("PersonaDialog-v0")
    env.reset(seed=0)
    with pytest.raises(TypeError, match="profile"):
        env.step(["profile", "reply"])
    with pytest.raises((KeyError, ValueError), match="reply"):
        env.step({"profile": "x"})
    # the episode is still usable after a programmer error
    env.step(ACTION)


def test_observation_and_info_contents():
    env = gym.make("PersonaDialog-v0")
    obs, info = env.reset(seed=3)
    assert obs["turn"] == 0 and obs["dialogue"].startswith("User: ")
    assert "timeline" in info and info["timeline"]["segments"][0]["persona_id"]
    obs, reward, terminated, truncated, info = env.step(ACTION)
    assert obs["turn"] == 1
    assert "Assistant: For dinner, try a soup." in obs["dialogue"]
    assert set(TERM_NAMES) <= set(info["reward_terms"])
    terms = info["reward_terms"]
    assert reward == pytest.approx(terms["profile_f1"] + terms["response_score"] + terms["format_penalty"])
    # the truth is never in the assistant's observation
    persona = env.unwrapped.parts.core.timelines[0].truth_at(1)
    assert persona.card() not in obs["dialogue"]
    assert env.unwrapped.messages[0]["role"] == "user"


def test_rlpa_single_string_action_is_parsed():
    env = gym.make("PersonaDialog-v0")
    env.reset(seed=0)
    _, _, _, _, info = env.step("<profile>\n- Occupation: nurse\n</profile>\n\n<response>\nTry soup for dinner.\n</response>")
    assert info["reward_terms"]["format_valid"] == 1.0
    assert env.unwrapped.records[-1].reply.strip() == "Try soup for dinner."
    _, _, _, _, info = env.step("just a reply without tags")
    assert info["reward_terms"]["format_valid"] == 0.0
    assert info["reward_terms"]["format_penalty"] == pytest.approx(-0.2)
    assert info["notes"]


def test_profile_reward_uses_the_truth_of_that_turn():
    env = gym.make("PersonaDialog-v0")
    env.reset(seed=5)
    persona = env.unwrapped.parts.core.timelines[0].truth_at(1)
    lines = "\n".join(f"- {persona.schema.slot(s).label}: {', '.join(v)}" for s, v in persona.values.items())
    _, _, _, _, info = env.step({"profile": lines, "reply": "ok"})
    assert info["reward_terms"]["profile_f1"] == pytest.approx(1.0)
    assert info["reward_terms"]["profile_precision"] == pytest.approx(1.0)


def test_swap_scenario_changes_the_truth_at_turn_6():
    from agents import BeliefAgent

    env = gym.make("PersonaDialog-Swap-v0")
    agent = BeliefAgent()
    obs, _ = env.reset(seed=11)
    ids = []
    done = False
    while not done:
        obs, _, term, trunc, info = env.step(agent.act(obs))
        ids.append(info["truth_persona_id"])
        done = term or trunc
    assert len(ids) == 10, "the oracle keeps the user for the whole session"
    assert len(set(ids[:5])) == 1 and len(set(ids[5:])) == 1 and ids[5] != ids[0]
    assert info["timeline"]["events"][0]["kind"] == "swap" and info["timeline"]["events"][0]["turn"] == 6


def test_an_announced_drift_is_said_by_the_user():
    env = gym.make("PersonaDialog-Drift-v0", announce_prob=1.0, n_drifts=1)
    for seed in range(5):
        env.reset(seed=seed)
        tl = env.unwrapped.parts.core.timelines[0]
        event = tl.events[0]
        bank = env.unwrapped.parts.cue_bank
        messages = []
        done = False
        while not done:
            _, _, term, trunc, _ = env.step({"profile": "", "reply": "For dinner, a soup with rice."})
            done = term or trunc
        messages = [m["content"] for m in env.unwrapped.messages if m["role"] == "user"]
        if len(messages) >= event.turn:
            said = bank.decode(messages[event.turn - 1])
            announce = [c for c in said if bank.cues[c].kind == "announce"]
            assert announce, f"turn {event.turn} message should announce the drift: {messages[event.turn - 1]}"
            assert bank.cues[announce[0]].slot == event.slot
            return
    pytest.fail("no episode lasted until its drift")


def test_reset_with_a_given_persona_and_timeline():
    env = gym.make("PersonaDialog-v0")
    pool = env.unwrapped.parts.pool
    env.reset(seed=0, options={"persona": pool[3]})
    assert env.unwrapped.parts.core.timelines[0].truth_at(1) == pool[3]
    tl = PersonaTimeline(((1, pool[1]), (3, pool[2])), max_turns=10)
    env.reset(seed=0, options={"timeline": tl})
    ids = [env.step(ACTION)[4]["truth_persona_id"] for _ in range(3)]
    assert ids == [pool[1].persona_id, pool[1].persona_id, pool[2].persona_id]


def test_render_ansi_shows_persona_guess_and_terms():
    env = gym.make("PersonaDialog-v0", render_mode="ansi")
    env.reset(seed=2)
    env.step(ACTION)
    text = env.render()
    assert isinstance(text, str)
    for needle in ("hidden persona", "agent's guess", "Occupation", "profile_f1=", "User:", "Assistant:"):
        assert needle in text


def test_render_human_prints(capsys):
    env = gym.make("PersonaDialog-v0", render_mode="human")
    env.reset(seed=2)
    env.step(ACTION)
    assert "profile_f1" in capsys.readouterr().out


def test_weighted_reward_wrapper_recomposes_terms():
    env = WeightedReward(gym.make("PersonaDialog-v0"), {"profile_f1": 2.0, "response_gated": 1.0})
    env.reset(seed=0)
    _, reward, _, _, info = env.step(ACTION)
    t = info["reward_terms"]
    assert reward == pytest.approx(2 * t["profile_f1"] + t["response_gated"])
    with pytest.raises(ValueError, match="valid terms"):
        WeightedReward(gym.make("PersonaDialog-v0"), {"profile_f2": 1.0})
    with pytest.raises(ValueError, match="presets"):
        WeightedReward(gym.make("PersonaDialog-v0"), "nope")


def test_long_scenario_runs_70_turns_with_a_patient_agent():
    from agents import BeliefAgent

    env = gym.make("PersonaDialog-Long-v0")
    agent = BeliefAgent()
    obs, _ = env.reset(seed=1)
    agent.reset(1)
    n = 0
    done = False
    while not done:
        obs, _, term, trunc, info = env.step(agent.act(obs))
        n += 1
        done = term or trunc
    assert obs["turn"] == n
    assert term and not trunc and n == 70, f"the oracle should keep the user for all 70 turns, left after {n}"


def test_custom_scenario_object_and_overrides():
    env = gym.make("PersonaDialog-v0", scenario=Scenario("mine", max_turns=3), conflict_prob=0.5)
    env.reset(seed=0)
    assert env.unwrapped.parts.scenario.conflict_prob == 0.5
    steps = 0
    done = False
    while not done:
        *_, term, trunc, _ = env.step(ACTION)
        steps += 1
        done = term or trunc
    assert steps <= 3


def test_build_timeline_is_seeded():
    from persona_env.generator import default_pool

    pool = default_pool("train")
    sc = Scenario("d", n_drifts=2, swap_turn=6)
    a = build_timeline(sc, pool, np.random.default_rng(4))
    b = build_timeline(sc, pool, np.random.default_rng(4))
    assert a == b and len(a.events) == 3


def test_text_vector_env_matches_single_envs_and_autoresets():
    from agents import HeuristicAgent

    vec = gym.make_vec("PersonaDialog-v0", num_envs=3, vectorization_mode="vector_entry_point", max_turns=3)
    obs, _ = vec.reset(seed=0)
    assert vec.observation_space.contains(obs) and obs["turn"].tolist() == [0, 0, 0]
    assert len(set(obs["dialogue"])) == 3, "each conversation has its own user"
    agents = [HeuristicAgent() for _ in range(3)]
    for step in range(3):
        actions = [a.act({"dialogue": d}) for a, d in zip(agents, obs["dialogue"])]
        obs, reward, term, trunc, info = vec.step(actions)
        assert set(info["reward_terms"]) >= set(TERM_NAMES)
    assert term.all(), "3-turn sessions end on the third step"
    obs, reward, term, trunc, info = vec.step(vec.action_space.sample())  # autoreset step
    assert (reward == 0).all() and obs["turn"].tolist() == [0, 0, 0] and not term.any()
    obs, reward, *_ = vec.step({"profile": ("", "", ""), "reply": ("a", "b", "c")})
    assert obs["turn"].tolist() == [1, 1, 1]
    with pytest.raises(TypeError, match="profile"):
        vec.step("not a batch")


@pytest.mark.parametrize("scenario", ["static", "swap", "drift"])
def test_core_persona_id_from_arrays_matches_the_timeline(scenario):
    env = gym.make("PersonaDialog-v0", scenario=scenario)
    core = env.unwrapped.parts.core
    for seed in range(5):
        env.reset(seed=seed)
        assert [core.persona_id(0, t) for t in range(1, 11)] == \
               [core.timelines[0].truth_at(t).persona_id for t in range(1, 11)]
