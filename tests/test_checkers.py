"""The shipped checkers catch broken variants (they are tests users run on their own envs)."""

from __future__ import annotations

import random

import gymnasium as gym
import pytest

import persona_env  # noqa: F401
from persona_env.checkers import check_all, check_bad_input, check_determinism, check_reward_bounds
from persona_env.envs.dialog_env import PersonaDialogEnv


class GlobalRandomReward(PersonaDialogEnv):
    """Broken on purpose: takes randomness from the global ``random`` module."""

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        return obs, reward + random.random(), terminated, truncated, info


class OutOfBoundsTerm(PersonaDialogEnv):
    """Broken on purpose: reports a profile F1 above 1."""

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        info["reward_terms"]["profile_f1"] = 1.5
        return obs, reward, terminated, truncated, info


class CrashesOnBadText(PersonaDialogEnv):
    """Broken on purpose: trusts agent text."""

    def step(self, action):
        if isinstance(action, dict) and not action["reply"]:
            raise ValueError("empty reply")
        return super().step(action)


def test_check_all_passes_on_a_custom_variant():
    lines = check_all(lambda: gym.make("PersonaDialog-v0", conflict_prob=0.5, max_turns=4))
    assert len(lines) == 4 and all(line.endswith(": ok") for line in lines)


def test_determinism_checker_catches_global_randomness():
    with pytest.raises(AssertionError, match="differ"):
        check_determinism(GlobalRandomReward, n_steps=5)


def test_bounds_checker_catches_out_of_range_terms():
    with pytest.raises(AssertionError, match="profile_f1=1.5"):
        check_reward_bounds(OutOfBoundsTerm, seeds=range(1), n_steps=3)


def test_bad_input_checker_catches_crashes():
    with pytest.raises(ValueError, match="empty reply"):
        check_bad_input(CrashesOnBadText)


@pytest.mark.parametrize("env_id", ["PersonaDialog-Swap-v0", "PersonaDialog-NumericLatest-v0"])
def test_cli_check_runs_every_checker_on_text_and_numeric_ids(env_id, capsys):
    from persona_env.cli import main

    assert main(["check", env_id]) == 0
    # gymnasium's check_env also renders in "human" mode (printed); the report lines start with the id
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"{env_id} check_")]
    assert [line.split()[1] for line in lines] == ["check_gymnasium:", "check_determinism:",
                                                   "check_reward_bounds:", "check_bad_input:"]
    assert all(line.endswith(": ok") for line in lines)
