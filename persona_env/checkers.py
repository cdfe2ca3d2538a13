"""Checkers users can run on their own variants (custom scenarios, pools, judges, subclasses).

Like ``pettingzoo.test``: each ``check_*`` function takes a zero-argument factory that builds a
fresh env and raises ``AssertionError`` with a message saying what broke.

    >>> import gymnasium as gym, persona_env
    >>> from persona_env.checkers import check_all
    >>> check_all(lambda: gym.make("PersonaDialog-v0", conflict_prob=0.5))  # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import Any, Callable

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env, data_equivalence

from persona_env.core import TERM_NAMES

EnvFactory = Callable[[], gym.Env]

#: Documented range of every reward term (``format_penalty`` scales with the env's option).
TERM_BOUNDS: dict[str, tuple[float, float]] = {name: (0.0, 1.0) for name in TERM_NAMES}
TERM_BOUNDS.update({"profile_f1_delta": (-1.0, 1.0), "format_penalty": (-math.inf, 0.0),
                    "turn_cost": (-1.0, -1.0), "invalid_action": (-1.0, 0.0)})

#: Untrusted agent output that must never crash an episode.
NASTY_ACTIONS: tuple[Any, ...] = (
    {"profile": "", "reply": ""},
    {"profile": "   ", "reply": "\n\n"},
    {"profile": "\ud800\udfff broken surrogates", "reply": "\udcff"},
    {"profile": "x" * 100_000, "reply": "y" * 100_000},
    {"profile": "{{{not json", "reply": "ok"},
    {"profile": '{"age": [1, {"x": null}], "unknown_slot": "z"}', "reply": "fine"},
    {"profile": "- Occupation: astronaut\n- Mood: purple", "reply": "Sure."},
    {"profile": "\U0001F600" * 50, "reply": "\U0001F389" * 50},
    {"profile": "\x00\x01\x02", "reply": "\x00null\x00bytes"},
    {"profile": "\u202eRTL override", "reply": "\u05e9\u05dc\u05d5\u05dd"},
    "<profile>\n- Occupation: nurse\n</profile>",
    "no tags at all",
    "</response><profile>",
    "<profile>- Age: 30</profile>\n\n<response>Hello!</response>",
)


def check_gymnasium(env_fn: EnvFactory) -> None:
    """Gymnasium's own ``check_env`` on the unwrapped env."""
    env = env_fn()
    try:
        check_env(env.unwrapped, skip_render_check=False)
    finally:
        env.close()


def _is_text(env: gym.Env) -> bool:
    """Text-mode envs take (untrusted) text actions; numeric ones take integers."""
    return isinstance(env.action_space, (gym.spaces.Dict, gym.spaces.Text))


def _bad_numeric_actions(space: gym.spaces.MultiDiscrete) -> list[np.ndarray]:
    """Actions outside a MultiDiscrete space: wrong shape, out of range, NaN, float dtype."""
    ok = np.zeros(space.shape, dtype=np.int64)
    too_big = ok.copy()
    too_big[0] = space.nvec[0]
    return [ok[:-1], ok[None, :], too_big, ok - 1, np.full(space.shape, np.nan), ok + 0.5]


def _rollout(env: gym.Env, seed: int, n_steps: int, actions: list[Any] | None = None) -> list[tuple]:
    obs, info = env.reset(seed=seed)
    env.action_space.seed(seed)
    trace: list[tuple] = [(obs, info)]
    for t in range(n_steps):
        action = actions[t % len(actions)] if actions else env.action_space.sample()
        obs, reward, terminated, truncated, info = env.step(action)
        trace.append((obs, reward, terminated, truncated, info))
        if terminated or truncated:
            obs, info = env.reset()
            trace.append((obs, info))
    return trace


def check_determinism(env_fn: EnvFactory, seed: int = 0, n_steps: int = 25) -> None:
    """Same seed and actions -> the same observations, rewards and infos (text included)."""
    a, b = env_fn(), env_fn()
    try:
        for actions in ((None, list(NASTY_ACTIONS)) if _is_text(a) else (None,)):
            ta, tb = _rollout(a, seed, n_steps, actions), _rollout(b, seed, n_steps, actions)
            for t, (x, y) in enumerate(zip(ta, tb)):
                assert data_equivalence(x, y), f"trajectories with seed {seed} differ at record {t}"
    finally:
        a.close()
        b.close()


def check_reward_bounds(env_fn: EnvFactory, seeds: range = range(3), n_steps: int = 30) -> None:
    """Every reported term exists and lies in :data:`TERM_BOUNDS`; the reward is finite."""
    env = env_fn()
    try:
        nasty = list(NASTY_ACTIONS) if _is_text(env) else None
        for seed in seeds:
            for record in _rollout(env, seed, n_steps, nasty if seed % 2 else None):
                if len(record) != 5:
                    continue
                _, reward, _, _, info = record
                terms = info["reward_terms"]
                missing = set(TERM_NAMES) - set(terms)
                assert not missing, f"info['reward_terms'] lacks {sorted(missing)}"
                assert math.isfinite(reward), f"reward {reward} is not finite"
                for name, value in terms.items():
                    lo, hi = TERM_BOUNDS.get(name, (-math.inf, math.inf))
                    assert lo - 1e-9 <= value <= hi + 1e-9, f"term {name}={value} outside [{lo}, {hi}]"
                gated = terms["response_gated"]
                assert gated in (0.0, 1.0), f"response_gated must be 0 or 1, got {gated}"
    finally:
        env.close()


def check_bad_input(env_fn: EnvFactory, seed: int = 0) -> None:
    """Malformed text never crashes an episode; it is noted and (where malformed) penalised.
    For numeric envs: an action outside the space raises ``ValueError`` naming the space."""
    env = env_fn()
    if not _is_text(env):
        try:
            env.reset(seed=seed)
            for bad in _bad_numeric_actions(env.action_space):
                try:
                    env.step(bad)
                except ValueError as err:
                    assert "MultiDiscrete" in str(err), f"the error for {bad!r} should name the space: {err}"
                else:
                    raise AssertionError(f"step({bad!r}) is outside {env.action_space} and must raise ValueError")
            env.step(env.action_space.sample())  # still usable
        finally:
            env.close()
        return
    try:
        env.reset(seed=seed)
        for action in NASTY_ACTIONS:
            obs, reward, terminated, truncated, info = env.step(action)
            assert env.observation_space.contains(obs), f"observation outside the space after {action!r:.60}"
            assert isinstance(info["notes"], list)
            if terminated or truncated:
                env.reset()
        env.reset(seed=seed)
        _, _, _, _, info = env.step({"profile": "", "reply": ""})
        assert info["reward_terms"]["format_valid"] == 0.0 and info["notes"], "an empty action must be noted"
        for wrong, exc in ((42, TypeError), ({"reply": "hi"}, (KeyError, ValueError, TypeError))):
            try:
                env.step(wrong)
            except exc as err:
                assert len(str(err)) > 20, f"the error for {wrong!r} should say how to fix it: {err}"
            else:
                raise AssertionError(f"step({wrong!r}) must raise a clear exception (a programmer error)")
    finally:
        env.close()


def check_all(env_fn: EnvFactory) -> list[str]:
    """Run every single-agent checker; returns one line per passed check."""
    done = []
    for check in (check_gymnasium, check_determinism, check_reward_bounds, check_bad_input):
        check(env_fn)
        done.append(f"{check.__name__}: ok")
    return done


def check_multi_agent(module: Any = None, **env_kwargs: Any) -> list[str]:
    """PettingZoo's own test suite on the AEC and parallel forms (``module`` defaults to
    :mod:`persona_env`, which must offer ``env(**kw)`` and ``parallel_env(**kw)``)."""
    from pettingzoo.test import (api_test, max_cycles_test, parallel_api_test, parallel_seed_test,
                                 render_test, seed_test)
    from pettingzoo.utils.conversions import parallel_to_aec

    import persona_env

    mod = module or persona_env

    def aec(**kw: Any):
        return mod.env(**{**env_kwargs, **kw})

    def par(**kw: Any):
        return mod.parallel_env(**{**env_kwargs, **kw})

    api_test(aec(), num_cycles=30)
    parallel_api_test(par(), num_cycles=30)
    seed_test(aec, num_cycles=10)
    parallel_seed_test(par, num_cycles=10)
    max_cycles_test(mod)
    render_test(aec)
    render_test(lambda **kw: parallel_to_aec(par(**kw)))  # render_test drives AEC envs
    return [f"pettingzoo {t}: ok" for t in ("api_test", "parallel_api_test", "seed_test",
                                            "parallel_seed_test", "max_cycles_test", "render_test")]


def check_env_id(env_id: str, **kwargs: Any) -> list[str]:
    """All single-agent checkers on a registered id."""
    import persona_env  # noqa: F401

    return [f"{env_id} {line}" for line in check_all(lambda: gym.make(env_id, **kwargs))]


__all__ = ["NASTY_ACTIONS", "TERM_BOUNDS", "check_all", "check_bad_input",
           "check_determinism", "check_env_id", "check_gymnasium", "check_multi_agent",
           "check_reward_bounds"]
