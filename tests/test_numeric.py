"""Numeric mode: spaces, template features, vector env semantics, multi-agent numeric forms."""

from __future__ import annotations

import types
from functools import partial

import gymnasium as gym
import numpy as np
import pytest
from pettingzoo.test import (api_test, max_cycles_test, parallel_api_test, parallel_seed_test,
                             render_test, seed_test)

import persona_env
from persona_env.checkers import check_all
from persona_env.judges import extract_reply_features
from persona_env import lexicon
from persona_env.registration import NUMERIC_ENV_IDS

FIELDS = ("n_words", "n_emoji", "n_formal", "n_casual", "n_playful", "n_hedges", "mentions",
          "diet_violations", "price_level", "request_hits", "asked_slots")


@pytest.mark.parametrize("env_id", list(NUMERIC_ENV_IDS))
def test_every_numeric_id_passes_the_checkers(env_id):
    check_all(lambda: gym.make(env_id))


def test_template_features_equal_the_features_of_the_rendered_text():
    env = gym.make("PersonaDialog-Numeric-v0").unwrapped
    spec, core = env.dialogue.spec, env.dialogue.core
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    actions = np.stack([spec.action_space.sample() for _ in range(300)])
    requests = rng.integers(8, size=300)
    answered = np.zeros((300, spec.n_slots), dtype=bool)
    decoded = spec.decode(actions, answered, requests)
    summed = spec.features(decoded["comps"], None)
    for i in range(300):
        text = spec.render_reply(decoded["comps"][i])
        direct = extract_reply_features(text, (), spec.schema, question_keywords=lexicon.QUESTION_KEYWORDS)
        for name in FIELDS:
            np.testing.assert_array_equal(getattr(summed, name)[i], getattr(direct, name),
                                          err_msg=f"{name} differs for {text!r}")
    assert core is env.dialogue.core


def test_single_env_is_the_vector_env_with_one_conversation():
    single = gym.make("PersonaDialog-Numeric-Swap-v0")
    vec = gym.make_vec("PersonaDialog-Numeric-Swap-v0", num_envs=1, vectorization_mode="vector_entry_point")
    o1, _ = single.reset(seed=3)
    o2, _ = vec.reset(seed=3)
    np.testing.assert_array_equal(o1, o2[0])
    single.action_space.seed(1)
    for _ in range(10):
        a = single.action_space.sample()
        o1, r1, t1, u1, _ = single.step(a)
        o2, r2, t2, u2, _ = vec.step(a[None, :])
        np.testing.assert_array_equal(o1, o2[0])
        assert r1 == pytest.approx(r2[0]) and t1 == t2[0] and u1 == u2[0]
        if t1 or u1:
            break


def test_vector_env_autoresets_on_the_next_step():
    vec = gym.make_vec("PersonaDialog-Numeric-v0", num_envs=8, vectorization_mode="vector_entry_point",
                       max_turns=3)
    obs, _ = vec.reset(seed=0)
    vec.action_space.seed(0)
    ended = np.zeros(8, dtype=bool)
    for _ in range(3):
        obs, reward, term, trunc, info = vec.step(vec.action_space.sample())
        ended |= term | trunc
    assert ended.all()
    turn_col = vec.unwrapped.dialogue.spec.obs_size - vec.unwrapped.dialogue.spec.n_acts - 1
    obs, reward, term, trunc, info = vec.step(vec.action_space.sample())
    assert np.all(reward == 0.0) and not term.any() and not trunc.any()
    assert np.all(obs[:, turn_col] == 0.0), "a reset conversation starts at turn 0"
    obs, reward, *_ = vec.step(vec.action_space.sample())
    assert np.all(reward != 0.0)


def test_vector_env_is_deterministic_and_seeds_differ():
    def run(seed):
        vec = gym.make_vec("PersonaDialog-Numeric-Drift-v0", num_envs=16, vectorization_mode="vector_entry_point")
        vec.reset(seed=seed)
        vec.action_space.seed(seed)
        return [vec.step(vec.action_space.sample())[1] for _ in range(25)]

    a, b, c = run(1), run(1), run(2)
    np.testing.assert_array_equal(np.array(a), np.array(b))
    assert not np.array_equal(np.array(a), np.array(c))


def test_vector_env_rejects_actions_outside_the_space():
    vec = gym.make_vec("PersonaDialog-Numeric-v0", num_envs=4, vectorization_mode="vector_entry_point")
    vec.reset(seed=0)
    good = vec.action_space.sample()
    for bad in (good[:, :-1], good[:2], good.astype(float) + 0.5, np.full(good.shape, np.nan)):
        with pytest.raises(ValueError, match="MultiDiscrete"):
            vec.step(bad)


def test_invalid_choices_are_penalised_and_noted_not_errors():
    env = gym.make("PersonaDialog-Numeric-v0")
    spec = env.unwrapped.dialogue.spec
    env.reset(seed=0)
    a = np.zeros(len(spec.nvec), dtype=np.int64)
    a[spec.n_guess] = spec.recommend_act("likes")  # recommend the guessed like, but the guess is "unknown"
    _, reward, _, _, info = env.step(a)
    assert info["reward_terms"]["invalid_action"] == -1.0 and info["notes"]
    a[spec.n_guess] = spec.ask_act("occupation")  # ask about occupation: fine once
    _, _, _, _, info = env.step(a)
    assert info["reward_terms"]["invalid_action"] == 0.0
    obs, _, _, _, info = env.step(a)  # asking again: masked, penalised
    assert info["reward_terms"]["invalid_action"] == -1.0
    act_mask = obs[-spec.n_acts:]
    assert act_mask[1 + spec.schema.slot_position("occupation")] == 0.0


def test_numeric_render_shows_the_templated_reply():
    env = gym.make("PersonaDialog-Numeric-v0", render_mode="ansi")
    env.reset(seed=0)
    env.action_space.seed(0)
    env.step(env.action_space.sample())
    text = env.render()
    assert "Assistant:" in text and "hidden persona" in text


@pytest.mark.parametrize("pad", [False, True])
def test_numeric_multi_agent_passes_pettingzoo_tests(pad):
    api_test(persona_env.env(mode="numeric", pad=pad), num_cycles=30)
    parallel_api_test(persona_env.parallel_env(mode="numeric", pad=pad), num_cycles=30)
    seed_test(partial(persona_env.env, mode="numeric", pad=pad), num_cycles=10)
    parallel_seed_test(partial(persona_env.parallel_env, mode="numeric", pad=pad), num_cycles=10)
    render_test(partial(persona_env.env, mode="numeric", pad=pad))
    module = types.SimpleNamespace(env=partial(persona_env.env, mode="numeric", pad=pad),
                                   parallel_env=partial(persona_env.parallel_env, mode="numeric", pad=pad))
    max_cycles_test(module)


def test_padded_spaces_are_identical_and_entries_masked():
    env = persona_env.parallel_env(mode="numeric", pad=True)
    assert env.observation_space("user_0") == env.observation_space("assistant_0")
    assert env.action_space("user_0") == env.action_space("assistant_0")
    obs, _ = env.reset(seed=0)
    game = env.game
    mask_user = obs["user_0"][game.pad_width + 2:]
    mask_asst = obs["assistant_0"][game.pad_width + 2:]
    assert mask_user[-1] == 1 and mask_user[:-1].sum() == 0
    assert mask_asst[-1] == 0 and mask_asst[:-1].all()


def test_numeric_user_agent_can_hint_and_leave():
    env = persona_env.parallel_env(mode="numeric")
    env.reset(seed=0)
    game = env.game
    truth = game.core.truth()[0]
    item = int(np.flatnonzero(truth)[0])
    env.step({"user_0": item + 1})
    cue = game.parts.cue_bank.specific_cue[item]
    assert game.heard[0, cue] == 1.0
    env.step({"assistant_0": env.action_space("assistant_0").sample()})
    obs, rewards, terms, truncs, infos = env.step({"user_0": game.n_user_actions - 1})
    assert all(terms.values())


def test_supersuit_vec_env_trains_sb3_ppo():
    ss = pytest.importorskip("supersuit")
    sb3 = pytest.importorskip("stable_baselines3")
    env = persona_env.parallel_env(mode="numeric", pad=True, max_cycles=20)
    vec = ss.pettingzoo_env_to_vec_env_v1(env)
    vec = ss.concat_vec_envs_v1(vec, 2, num_cpus=0, base_class="stable_baselines3")
    # no seed=: SB3 would call vec.seed(), which SuperSuit's SB3 wrapper lacks
    model = sb3.PPO("MlpPolicy", vec, n_steps=32, batch_size=32, n_epochs=1, verbose=0)
    model.learn(total_timesteps=128)
    obs = vec.reset()
    actions, _ = model.predict(obs)
    assert actions.shape == (vec.num_envs, len(env.action_space("user_0").nvec))


def test_numeric_baselines_are_ordered_oracle_heuristic_random():
    from agents.numeric_agents import numeric_agent

    env = gym.make("PersonaDialog-Numeric-v0")
    spec = env.unwrapped.dialogue.spec
    final = {}
    for name in ("random", "heuristic", "oracle"):
        agent, scores = numeric_agent(name, spec, seed=0), []
        for seed in range(6):
            obs, _ = env.reset(seed=seed)
            agent.reset(seed)
            done = False
            while not done:
                obs, _, term, trunc, info = env.step(agent.act(obs))
                done = term or trunc
            scores.append(info["reward_terms"]["profile_f1"])
        final[name] = np.mean(scores)
    assert final["oracle"] >= 0.8 and final["oracle"] > final["heuristic"] + 0.2 > final["random"] + 0.4, final
