"""Reward wrappers: compose the reported reward terms with weights.

Every env reports all reward terms in ``info["reward_terms"]`` (single agent) or
``infos[agent]["reward_terms"]`` (multi-agent), so a wrapper only re-weights them; it never needs
to reach into the env.  The default (no wrapper) is RLPA's ``profile_f1 + response_score`` plus
the format penalty; presets below give the ablations RLPA reports.
"""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium as gym

from persona_env.core import TERM_NAMES

#: RLPA's reward ablation, and a shaped variant.
PRESETS: dict[str, dict[str, float]] = {
    "rlpa": {"profile_f1": 1.0, "response_score": 1.0, "format_penalty": 1.0},
    "rlpa_gated": {"profile_f1": 1.0, "response_gated": 1.0, "format_penalty": 1.0},
    "profile_only": {"profile_f1": 1.0, "format_penalty": 1.0},
    "response_only": {"response_score": 1.0, "format_penalty": 1.0},
    "shaped": {"profile_f1": 1.0, "response_score": 1.0, "profile_f1_delta": 0.5,
               "format_penalty": 1.0, "turn_cost": 0.01},
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


def combine(terms: Mapping[str, float], weights: Mapping[str, float]) -> float:
    return float(sum(w * terms[k] for k, w in weights.items()))


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
