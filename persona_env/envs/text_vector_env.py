"""The text-mode vector env: N text conversations on one batched core, no subprocesses.

``gym.make_vec("PersonaDialog-v0", num_envs=N, vectorization_mode="vector_entry_point")``.
Observations are the single env's, batched as Gymnasium batches a ``Dict`` of ``Text`` and
``Discrete``: ``{"dialogue": tuple of N str, "turn": int64 [N]}``. Actions: the batched ``Dict``
(``{"profile": N str, "reply": N str}``, what ``action_space.sample()`` gives) or a sequence of N
single-env actions (mappings or RLPA strings). Autoreset follows Gymnasium 1.x's ``NEXT_STEP``.
Infos: ``reward_terms`` (arrays), ``notes`` (a list of lists), ``user_reaction`` (a list).
"""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from persona_env.actions import MAX_PROFILE_CHARS, MAX_REPLY_CHARS
from persona_env.envs.factory import build_parts
from persona_env.text_dialogue import TextDialogue
from persona_env.text_spaces import ACTION_CHARSET, OBSERVATION_CHARSET, fit_text
from persona_env.wrappers import combine


class PersonaDialogTextVectorEnv(VectorEnv):
    """N text conversations stepped together (see module doc)."""

    metadata = {"render_modes": ["ansi"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, num_envs: int = 1, render_mode: str | None = None, **options: Any) -> None:
        if render_mode not in (None, "ansi"):
            raise ValueError("the text vector env renders 'ansi' (conversation 0's transcript) or nothing")
        self.num_envs, self.render_mode = int(num_envs), render_mode
        self.parts = build_parts(batch_size=self.num_envs, **options)
        self.dialogue = TextDialogue(self.parts.core, self.parts.matcher,
                                     user_simulator=self.parts.user_simulator,
                                     llm_judge=self.parts.llm_judge,
                                     llm_profile_judge=self.parts.llm_profile_judge)
        T = self.parts.scenario.max_turns
        self.single_observation_space = spaces.Dict({
            "dialogue": spaces.Text(self.parts.max_obs_chars, min_length=0, charset=OBSERVATION_CHARSET),
            "turn": spaces.Discrete(T + 1),
        })
        self.single_action_space = spaces.Dict({
            "profile": spaces.Text(MAX_PROFILE_CHARS, min_length=0, charset=ACTION_CHARSET),
            "reply": spaces.Text(MAX_REPLY_CHARS, min_length=0, charset=ACTION_CHARSET),
        })
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._autoreset = np.zeros(self.num_envs, dtype=bool)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            self._np_random, self._np_random_seed = gym.utils.seeding.np_random(seed)
        if options:
            raise ValueError(f"the text vector env takes no reset options (got {sorted(options)})")
        self.dialogue.reset(self.np_random)
        self._autoreset[:] = False
        return self._obs(), {}

    def step(self, actions: Any):
        per_env = self._split(actions)
        resetting = self._autoreset.copy()
        if resetting.any():
            self.dialogue.reset(self.np_random, resetting)
        active = ~resetting
        out, _ = self.dialogue.step(self.np_random, per_env, active=active if resetting.any() else None)
        terminated, truncated = out.terminated & active, out.truncated & active
        self._autoreset = terminated | truncated
        weights = self.parts.reward_weights
        reward = np.where(active, combine(out.terms, weights), 0.0)
        records = self.dialogue.records
        infos = {
            "reward_terms": {k: np.where(active, v, 0.0) for k, v in out.terms.items()},
            "notes": [list(records[b][-1].notes) if active[b] and records[b] else [] for b in range(self.num_envs)],
            "user_reaction": [records[b][-1].reaction if active[b] and records[b] else "" for b in range(self.num_envs)],
        }
        return self._obs(), reward.astype(np.float64), terminated, truncated, infos

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return self.dialogue.transcripts[0].as_text()

    def _obs(self) -> dict[str, Any]:
        return {
            "dialogue": tuple(fit_text(t.as_text(), self.parts.max_obs_chars, clean=True)
                              for t in self.dialogue.transcripts),
            "turn": np.array([len(r) for r in self.dialogue.records], dtype=np.int64),
        }

    def _split(self, actions: Any) -> list[Any]:
        """N single-env actions from the batched Dict form or a sequence."""
        if isinstance(actions, Mapping):
            if set(actions) != {"profile", "reply"}:
                raise KeyError(f"a batched text action is {{'profile': N str, 'reply': N str}}; got keys {sorted(actions)}")
            profiles, replies = list(actions["profile"]), list(actions["reply"])
            if len(profiles) != self.num_envs or len(replies) != self.num_envs:
                raise ValueError(f"expected {self.num_envs} profiles and replies, got {len(profiles)} and {len(replies)}")
            return [{"profile": p, "reply": r} for p, r in zip(profiles, replies)]
        if isinstance(actions, (str, bytes)) or not hasattr(actions, "__len__"):
            raise TypeError(f"text vector env actions are {{'profile': N str, 'reply': N str}} or a sequence of "
                            f"{self.num_envs} single-env actions; got {type(actions).__name__}")
        if len(actions) != self.num_envs:
            raise ValueError(f"expected {self.num_envs} actions, got {len(actions)}")
        return list(actions)


def make_text_vector_env(num_envs: int = 1, **kwargs: Any) -> PersonaDialogTextVectorEnv:
    """``vector_entry_point`` of the text ids."""
    return PersonaDialogTextVectorEnv(num_envs=num_envs, **kwargs)
