"""The PettingZoo forms: peer test suite, turn-taking, the user agent's view."""

from __future__ import annotations

import pytest
from pettingzoo.utils.conversions import parallel_to_aec
from pettingzoo.test import (api_test, max_cycles_test, parallel_api_test, parallel_seed_test,
                             render_test, seed_test)

import persona_env
from persona_env.envs.multi_agent import ASSISTANT, END_TOKEN, USER, simulated_user_policy

REPLY = {"profile": "- Occupation: nurse", "reply": "For dinner, try a soup with rice."}


def test_pettingzoo_api_test():
    api_test(persona_env.env(), num_cycles=40)


def test_pettingzoo_parallel_api_test():
    parallel_api_test(persona_env.parallel_env(), num_cycles=40)


def test_pettingzoo_seed_tests():
    seed_test(persona_env.env, num_cycles=10)
    parallel_seed_test(persona_env.parallel_env, num_cycles=10)


def test_pettingzoo_max_cycles_test():
    max_cycles_test(persona_env)


def _parallel_as_aec(**kwargs):
    return parallel_to_aec(persona_env.parallel_env(**kwargs))


@pytest.mark.parametrize("factory", [persona_env.env, _parallel_as_aec])
def test_pettingzoo_render_test(factory):
    # render_test drives an AEC env; the parallel form goes through PettingZoo's own conversion
    render_test(factory)


def test_pettingzoo_suites_on_a_changing_scenario():
    from persona_env.checkers import check_multi_agent

    assert len(check_multi_agent(scenario="swap")) == 6


def test_aec_turn_order_and_user_view():
    env = persona_env.env()
    env.reset(seed=0)
    assert env.agent_selection == USER
    obs = env.observe(USER)
    assert obs["is_turn"] == 1 and obs["dialogue"] == ""
    assert "Occupation:" in obs["persona"] and obs["simulated_utterance"]
    assert env.observe(ASSISTANT)["is_turn"] == 0
    assert "persona" not in env.observe(ASSISTANT)
    env.step("Hi! I need a dinner idea.")
    assert env.agent_selection == ASSISTANT
    assert env.observe(ASSISTANT)["dialogue"] == "User: Hi! I need a dinner idea."
    env.step(REPLY)
    assert env.agent_selection == USER
    assert set(env.rewards) == {USER, ASSISTANT}
    assert env.infos[ASSISTANT]["reward_terms"]["response_score"] == env.rewards[USER]
    assert env.observe(USER)["simulated_utterance"]


def test_simulated_user_policy_reproduces_the_single_agent_env():
    import gymnasium as gym

    single = gym.make("PersonaDialog-v0")
    obs_single, _ = single.reset(seed=4)
    env = persona_env.env()
    env.reset(seed=4)
    env.step(simulated_user_policy(env.observe(USER)))
    assert env.observe(ASSISTANT)["dialogue"] == obs_single["dialogue"]
    for _ in range(3):
        env.step(REPLY)
        obs_single, r_single, *_ = single.step(REPLY)
        assert env.rewards[ASSISTANT] == pytest.approx(r_single)
        env.step(simulated_user_policy(env.observe(USER)))
        assert env.observe(ASSISTANT)["dialogue"] == obs_single["dialogue"]


def test_parallel_uses_only_the_movers_action():
    env = persona_env.parallel_env()
    obs, infos = env.reset(seed=1)
    assert obs[USER]["is_turn"] == 1 and obs[ASSISTANT]["is_turn"] == 0 and infos[USER]["is_turn"]
    obs, rewards, terms, truncs, infos = env.step({USER: "Hello, any book ideas?", ASSISTANT: REPLY})
    assert "ignored_action" in infos[ASSISTANT]
    assert obs[ASSISTANT]["dialogue"] == "User: Hello, any book ideas?"
    assert obs[ASSISTANT]["is_turn"] == 1 and rewards == {USER: 0.0, ASSISTANT: 0.0}
    with pytest.raises(KeyError, match="whose turn it is"):
        env.step({USER: "again"})
    obs, rewards, terms, truncs, infos = env.step({ASSISTANT: REPLY})
    assert "reward_terms" in infos[ASSISTANT] and obs[USER]["is_turn"] == 1


def test_user_ends_the_conversation_with_the_end_token():
    env = persona_env.parallel_env()
    env.reset(seed=2)
    env.step({USER: "Hi"})
    env.step({ASSISTANT: REPLY})
    obs, rewards, terms, truncs, infos = env.step({USER: f"Bye now. {END_TOKEN}"})
    assert all(terms.values()) and not any(truncs.values())
    assert env.agents == []


def test_simulator_suggests_leaving_when_patience_runs_out():
    env = persona_env.env()
    env.reset(seed=3)
    suggested = ""
    for _ in range(10):
        env.step(simulated_user_policy(env.observe(USER)))
        if env.terminations[USER] or env.truncations[USER]:
            break
        env.step({"profile": "", "reply": ""})  # empty replies: poor fit every turn
        suggested = env.observe(USER)["simulated_utterance"]
        if END_TOKEN in suggested:
            break
    assert END_TOKEN in suggested
    env.step(simulated_user_policy(env.observe(USER)))
    assert env.terminations[USER] and env.terminations[ASSISTANT]


def test_unknown_options_and_wrong_user_action():
    with pytest.raises(TypeError, match="valid options"):
        persona_env.parallel_env(colour="blue")
    env = persona_env.env()
    env.reset(seed=0)
    with pytest.raises(TypeError, match="simulated_utterance"):
        env.step(123)


def test_pettingzoo_reward_wrappers_match_the_constructor_weights():
    from persona_env.wrappers import PRESETS, WeightedRewardAEC, WeightedRewardParallel

    weights = PRESETS["profile_only"]
    # parallel: wrapper on the default env == env built with those weights
    a = WeightedRewardParallel(persona_env.parallel_env(), weights)
    b = persona_env.parallel_env(reward_weights=weights)
    a.reset(seed=5)
    b.reset(seed=5)
    seen = []
    for t in range(8):
        mover = USER if t % 2 == 0 else ASSISTANT
        act = {USER: "Hello, a dinner idea please."} if mover == USER else {ASSISTANT: REPLY}
        _, ra, *_ = a.step(act)
        _, rb, *_ = b.step(act)
        assert ra == pytest.approx(rb)
        seen.append(ra[ASSISTANT])
    # AEC: same through last(), and it differs from the default RLPA reward
    c = WeightedRewardAEC(persona_env.env(), weights)
    d = persona_env.env(reward_weights=weights)
    e = persona_env.env()
    for env in (c, d, e):
        env.reset(seed=5)
    for t in range(8):
        act = "Hello, a dinner idea please." if t % 2 == 0 else REPLY
        for env in (c, d, e):
            env.step(act)
        assert c.last()[1] == pytest.approx(d.last()[1])
        if t % 2 == 1:  # the assistant just replied: re-weighted vs the default RLPA sum
            terms = e.infos[ASSISTANT]["reward_terms"]
            assert c.rewards[ASSISTANT] == pytest.approx(terms["profile_f1"] + terms["format_penalty"])
            assert e.rewards[ASSISTANT] == pytest.approx(c.rewards[ASSISTANT] + terms["response_score"])
