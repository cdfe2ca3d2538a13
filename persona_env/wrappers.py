"""Reward wrappers: compose the reported reward terms with weights.

Every env reports all reward terms in ``info["reward_terms"]`` (single agent) or
``infos[agent]["reward_terms"]`` (multi-agent), so a wrapper only re-weights them; it never needs
to reach into the env.  The default (no wrapper) is RLPA's ``profile_f1 + response_score`` plus
the format penalty; presets below give the ablations RLPA reports.

:class:`WeightedReward` wraps the Gymnasium env; :class:`WeightedRewardAEC` and
:class:`WeightedRewardParallel` wrap the PettingZoo forms (only the assistant's reward is
re-weighted; the user's reward is its satisfaction with the reply).
"""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium as gym
import numpy as np
from pettingzoo import AECEnv, ParallelEnv
from pettingzoo.utils import BaseParallelWrapper, BaseWrapper

from persona_env.core import TERM_NAMES

#: RLPA's reward ablation, and a shaped variant.
PRESETS: dict[str, dict[str, float]] = {
    # every preset keeps the format penalty (text mode) and the invalid-choice penalty (numeric mode)
    "rlpa": {"profile_f1": 1.0, "response_score": 1.0, "format_penalty": 1.0, "invalid_action": 0.1},
    "rlpa_gated": {"profile_f1": 1.0, "response_gated": 1.0, "format_penalty": 1.0, "invalid_action": 0.1},
    "profile_only": {"profile_f1": 1.0, "format_penalty": 1.0, "invalid_action": 0.1},
    "response_only": {"response_score": 1.0, "format_penalty": 1.0, "invalid_action": 0.1},
    "shaped": {"profile_f1": 1.0, "response_score": 1.0, "profile_f1_delta": 0.5,
               "format_penalty": 1.0, "invalid_action": 0.1, "turn_cost": 0.01},
}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate term names and values; returns a plain dict."""
    unknown = sorted(set(weights) - set(TERM_NAMES))
    if unknown:
        raise ValueError(f"unknown reward term(s) {unknown}; valid terms: {', '.join(TERM_NAMES)}")
    out = {}
    for k, v in weights.items():
        try:
            out[k] = float(v)
        except (TypeError, ValueError):
            raise TypeError(f"reward weight for {k!r} must be a number, got {v!r}") from None
    return out


def resolve_weights(weights: Mapping[str, float] | str) -> dict[str, float]:
    if isinstance(weights, str):
        try:
            return dict(PRESETS[weights])
        except KeyError:
            raise ValueError(f"unknown reward preset {weights!r}; presets: {', '.join(PRESETS)}") from None
    return check_weights(weights)


def combine(terms: Mapping[str, Any], weights: Mapping[str, float]) -> Any:
    """``sum(weight * terms[term])``: a float for one step's terms, an array for a batch's."""
    total = sum(w * terms[k] for k, w in weights.items())
    return float(total) if np.ndim(total) == 0 else total


class WeightedReward(gym.Wrapper):
    """Replace the reward by ``sum(weight * info["reward_terms"][term])``.

    Example::

        env = WeightedReward(gym.make("PersonaDialog-v0"), "profile_only")
        env = WeightedReward(gym.make("PersonaDialog-v0"), {"profile_f1": 1, "response_gated": 1})
    """

    def __init__(self, env: gym.Env, weights: Mapping[str, float] | str = "rlpa") -> None:
        super().__init__(env)
        self.weights = resolve_weights(weights)

    def step(self, action: Any):
        obs, _, terminated, truncated, info = self.env.step(action)
        return obs, combine(info["reward_terms"], self.weights), terminated, truncated, info


class WeightedRewardParallel(BaseParallelWrapper):
    """The PettingZoo parallel form of :class:`WeightedReward`: re-weights ``assistant_0``'s
    reward from ``infos["assistant_0"]["reward_terms"]`` (the user's reward is left as is)."""

    def __init__(self, env: ParallelEnv, weights: Mapping[str, float] | str = "rlpa") -> None:
        super().__init__(env)
        self.weights = resolve_weights(weights)

    def step(self, actions: dict[str, Any]):
        obs, rewards, terminations, truncations, infos = self.env.step(actions)
        rewards = dict(rewards)
        for agent, info in infos.items():
            if agent in rewards and _is_assistant_terms(info):
                rewards[agent] = combine(info["reward_terms"], self.weights)
        return obs, rewards, terminations, truncations, infos


class WeightedRewardAEC(BaseWrapper):
    """The PettingZoo AEC form of :class:`WeightedReward` (keeps its own reward bookkeeping, so
    ``last()`` returns the re-weighted, accumulated reward as PettingZoo defines it)."""

    def __init__(self, env: AECEnv, weights: Mapping[str, float] | str = "rlpa") -> None:
        super().__init__(env)
        self.weights = resolve_weights(weights)
        self.rewards: dict[str, float] = {}
        self._cumulative_rewards: dict[str, float] = {}

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        self.env.reset(seed=seed, options=options)
        self.rewards = dict.fromkeys(self.env.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.env.agents, 0.0)

    def step(self, action: Any) -> None:
        agent = self.env.agent_selection
        was_dead = self.env.terminations[agent] or self.env.truncations[agent]
        self.env.step(action)
        live = set(self.env.agents)
        if was_dead:
            self.rewards = {a: r for a, r in self.rewards.items() if a in live}
            self._cumulative_rewards = {a: r for a, r in self._cumulative_rewards.items() if a in live}
            return
        self.rewards = {}
        for a in self.env.agents:
            info = self.env.infos[a]
            self.rewards[a] = combine(info["reward_terms"], self.weights) \
                if _is_assistant_terms(info) else float(self.env.rewards[a])
        self._cumulative_rewards[agent] = 0.0
        for a, r in self.rewards.items():
            self._cumulative_rewards[a] = self._cumulative_rewards.get(a, 0.0) + r

    def last(self, observe: bool = True):
        obs, _, terminated, truncated, info = self.env.last(observe)
        return obs, self._cumulative_rewards[self.env.agent_selection], terminated, truncated, info


def _is_assistant_terms(info: Mapping[str, Any]) -> bool:
    """The assistant's info after it replied carries every term (the user's only its satisfaction)."""
    terms = info.get("reward_terms")
    return bool(terms) and "profile_f1" in terms
