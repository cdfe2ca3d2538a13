"""Every agent name the configs use, built for a given env: ``build_agent(name, env)``.

* baselines -- ``random``, ``heuristic``, ``oracle`` for the text env (:mod:`agents`) or the numeric
  env (:mod:`agents.numeric_agents`), chosen by the env's action space; ``mode`` (text env only);
* trained -- ``ppo``, ``a2c``, ``dqn`` (Stable-Baselines3) and ``cleanrl_ppo``
  (``experiments/ppo.py``): loaded with :func:`agents.trained.load_trained` from ``checkpoint``
  (a checkpoint file or a run directory) and bound to the (numeric) env. Any other name with a
  ``checkpoint`` is a label for a trained agent of whatever algorithm the checkpoint holds.

Example::

    env = gym.make("PersonaDialog-Numeric-Swap-v0")
    agent = build_agent("oracle", env, seed=0)
    agent = build_agent("ppo", env, checkpoint="outputs/train/ppo-numeric-static-rlpa-s0")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym

TEXT_BASELINES: tuple[str, ...] = ("random", "mode", "heuristic", "oracle")
NUMERIC_BASELINES: tuple[str, ...] = ("random", "heuristic", "oracle")
BASELINES: tuple[str, ...] = TEXT_BASELINES
TRAINED: tuple[str, ...] = ("ppo", "a2c", "dqn", "cleanrl_ppo")
AGENT_NAMES: tuple[str, ...] = BASELINES + TRAINED


def is_numeric(env: gym.Env) -> bool:
    """True for the numeric envs (``MultiDiscrete`` action), False for the text envs."""
    return isinstance(env.unwrapped.action_space, gym.spaces.MultiDiscrete)


def is_trained(name: str) -> bool:
    return name in TRAINED


def build_agent(name: str, env: gym.Env, *, seed: int | None = None,
                checkpoint: str | Path | None = None) -> Any:
    """The agent ``name`` for ``env`` (``reset(seed)``/``act(obs)``); see the module doc.

    Raises ``ValueError`` (one line) for an unknown name, a baseline without a version for the
    env's mode, or a trained agent without ``checkpoint``; ``FileNotFoundError`` for a missing
    checkpoint.
    """
    numeric = is_numeric(env)
    if name in TRAINED or checkpoint is not None:
        if checkpoint is None:
            raise ValueError(f"agent {name!r} is a trained agent: give its checkpoint (a run directory "
                             f"or checkpoint file)")
        if not numeric:
            raise ValueError(f"trained agent {name!r} acts in the numeric env (PersonaDialog-Numeric-*), "
                             f"not the text env")
        from agents.trained import load_trained
        agent = load_trained(checkpoint, name=name)
        if name in TRAINED and agent.algo != name:
            raise ValueError(f"checkpoint {agent.path} holds a {agent.algo} agent, not {name}")
        return agent.bind(env)
    if numeric:
        if name not in NUMERIC_BASELINES:
            raise ValueError(f"unknown agent {name!r} for the numeric env; choose one of: "
                             f"{', '.join(NUMERIC_BASELINES + TRAINED)}")
        from agents.numeric_agents import numeric_agent
        return numeric_agent(name, env.unwrapped.dialogue.spec, seed)
    if name not in TEXT_BASELINES:
        raise ValueError(f"unknown agent {name!r} for the text env; choose one of: {', '.join(TEXT_BASELINES)}")
    from agents import make_agent
    parts = env.unwrapped.parts
    if name == "oracle":          # decode with the env's own cue likelihoods (its ambiguity)
        return make_agent(name, schema=parts.schema, cue_bank=parts.cue_bank, seed=seed)
    return make_agent(name, schema=parts.schema, seed=seed)


__all__ = ["AGENT_NAMES", "BASELINES", "NUMERIC_BASELINES", "TEXT_BASELINES", "TRAINED", "build_agent",
           "is_numeric", "is_trained"]
