"""Numeric mode views: ``PersonaDialog-Numeric-v0`` (single) and its batched vector env.

Both are thin views on :class:`NumericDialogue` -- the batched core plus the numeric action map
and observation encoding of :mod:`persona_env.numeric` -- so the single env is the vector env's
logic with B = 1. No text is built unless a render is asked for.
"""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from persona_env.core import REACTIONS, UserTurnBatch
from persona_env.envs.factory import CONSTRUCTOR_OPTIONS, build_parts, check_options, reject_text_only_options
from persona_env.numeric import NumericSpec
from persona_env.rendering import render_turn
from persona_env.text_dialogue import TurnRecord
from persona_env.user_text import user_message
from persona_env.wrappers import combine

NUMERIC_OPTIONS = CONSTRUCTOR_OPTIONS + ("history",)


class NumericDialogue:
    """B conversations with integer actions and float observations."""

    def __init__(self, batch_size: int, history: bool = True, **options: Any) -> None:
        reject_text_only_options(options)
        self.parts = build_parts(batch_size=batch_size, **options)
        self.core = self.parts.core
        self.spec = NumericSpec(self.parts.schema, self.parts.cue_bank, self.parts.scenario.max_turns, history)
        B = batch_size
        self.heard = np.zeros((B, self.parts.cue_bank.n_cues), dtype=np.float32)
        self.prev_comps: np.ndarray | None = None
        self.user: UserTurnBatch | None = None
        self.obs = np.zeros((B, self.spec.obs_size), dtype=np.float32)
        self.weights = self.parts.reward_weights

    def reset(self, rng: np.random.Generator, mask: np.ndarray | None = None, observe: bool = True) -> np.ndarray:
        """Start conversations (all, or where ``mask``); ``observe=False`` defers the observation
        to the next :meth:`step` (a vector env's autoreset)."""
        user = self.core.reset(rng, mask)
        rows = np.ones(self.core.B, dtype=bool) if mask is None else mask
        counts = self.spec.heard_counts(user)
        self.heard[rows] = counts[rows]
        if self.prev_comps is not None:
            self.prev_comps[rows] = -1
        self.user = user if self.user is None or mask is None else _merge(self.user, user, rows)
        if observe:
            self.spec.observe(self.heard, self.user, self.core.turn - 1, self.core.answered, out=self.obs)
        return self.obs

    def step(self, rng: np.random.Generator, actions: np.ndarray, active: np.ndarray | None = None):
        spec, core = self.spec, self.core
        a = spec.check(actions)
        if a.shape[0] != core.B:
            raise ValueError(f"expected {core.B} actions (one per conversation) in "
                             f"{spec.action_space} each, got {a.shape[0]}")
        decoded = spec.decode(a, core.answered, core.request_idx)
        comps = decoded["comps"]
        features = spec.features(comps, self.prev_comps)
        invalid = decoded["invalid_rec"] | decoded["invalid_ask"]
        guess = spec.guess(a)
        B = core.B
        out = core.step(rng, guess, np.zeros(B, dtype=np.int64), np.ones(B, dtype=bool), features,
                        active=active, invalid=invalid)
        if self.prev_comps is None:
            self.prev_comps = np.full_like(comps, -1)
        counts = spec.heard_counts(out.user)
        if active is None:
            self.prev_comps = comps
            self.user = out.user
            self.heard = self.heard + counts if spec.history else counts
        else:
            self.prev_comps = np.where(active[:, None], comps, self.prev_comps)
            self.user = _merge(self.user, out.user, active)
            self.heard = np.where(active[:, None], self.heard + counts if spec.history else counts, self.heard)
        spec.observe(self.heard, self.user, core.turn - 1, core.answered, out=self.obs)
        reward = combine(out.terms, self.weights)
        return self.obs, reward, out, decoded, guess


def _merge(old: UserTurnBatch, new: UserTurnBatch, rows: np.ndarray) -> UserTurnBatch:
    """``new`` where ``rows``, else ``old`` (cue arrays padded to the wider of the two)."""
    fields = {}
    for name in UserTurnBatch.__dataclass_fields__:
        a, b = getattr(old, name), getattr(new, name)
        if a.ndim == 2 and a.shape[1] != b.shape[1]:
            width = max(a.shape[1], b.shape[1])
            fill = -1 if name == "cue_ids" else 0
            a = np.pad(a, ((0, 0), (0, width - a.shape[1])), constant_values=fill)
            b = np.pad(b, ((0, 0), (0, width - b.shape[1])), constant_values=fill)
        mask = rows.reshape((-1,) + (1,) * (a.ndim - 1))
        fields[name] = np.where(mask, b, a)
    return UserTurnBatch(**fields)


class PersonaDialogNumericEnv(gym.Env):
    """Numeric mode of PersonaDialog for classic RL libraries (SB3, RLlib, CleanRL, Tianshou...).

    ## Description
    The same simulated user, timelines and rule judge as ``PersonaDialog-v0``; the assistant acts
    with integers that a template renders into a profile guess and a reply
    (see :mod:`persona_env.numeric` for the action table).

    ## Observation
    ``Box(0, inf, (obs_size,), float32)``: cue counts heard so far (``history=False``: in the
    latest message only, so memory is the agent's job), the user's last reaction, deflection,
    the open request and how the message ended, the turn fraction, and the valid-act mask.

    ## Action
    ``MultiDiscrete``: a value or "unknown" per guess entry, a reply act (answer / ask about a
    slot / recommend using a slot's guess), and length, formality, emoji, humour, hedging. An
    action outside the space (wrong shape, out of range, NaN, float) raises ``ValueError`` naming
    the space; an invalid choice is penalised (``invalid_action``) and noted, never an error.

    ## Rewards, Episode End, Arguments
    As ``PersonaDialog-v0`` (all terms in ``info["reward_terms"]``; the default reward is
    ``profile_f1 + response_score + 0.1 * invalid_action``), plus ``history`` (default True).
    ``reset(options=...)`` is not supported in numeric mode.

    ## Version History
    * v0: initial version.
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 1}

    def __init__(self, render_mode: str | None = None, history: bool = True, **options: Any) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode={render_mode!r} is not supported; use one of "
                             f"{self.metadata['render_modes']} or None")
        check_options(options)
        self.render_mode = render_mode
        self.dialogue = NumericDialogue(1, history, **options)
        self.observation_space = self.dialogue.spec.observation_space
        self.action_space = self.dialogue.spec.action_space
        self._records: list[TurnRecord] = []  # kept only when rendering
        self._turn = 0
        self._user_text = ""
        self._ended = True

    def reset(self, *, seed: int | None = None, options: Mapping[str, Any] | None = None):
        super().reset(seed=seed)
        if options:
            raise ValueError(f"numeric mode takes no reset options (got {sorted(options)}); "
                             f"use the text env's reset(options=...) to fix a persona")
        obs = self.dialogue.reset(self.np_random)
        self._records, self._ended, self._turn = [], False, 0
        self._user_text = user_message(self.dialogue.user, 0, self.dialogue.parts.cue_bank) if self.render_mode else ""
        if self.render_mode == "human":
            self.render()
        return obs[0].copy(), {"timeline": self.dialogue.core.timelines[0].to_info(), "turn": 0}

    def step(self, action: Any):
        if self._ended:
            raise RuntimeError("step() after the episode ended: call reset() first")
        a = np.asarray(action)
        if a.ndim != 1:
            raise ValueError(f"expected one action of shape ({len(self.action_space.nvec)},) in "
                             f"{self.action_space}, got shape {a.shape}")
        if a.shape != self.action_space.shape:
            raise ValueError(f"expected an action of shape {self.action_space.shape} in {self.action_space}, "
                             f"got shape {a.shape}")
        obs, reward, out, decoded, guess = self.dialogue.step(self.np_random, a[None, :])
        terms = {k: float(v[0]) for k, v in out.terms.items()}
        terminated, truncated = bool(out.terminated[0]), bool(out.truncated[0])
        self._ended = terminated or truncated
        notes = []
        if decoded["invalid_rec"][0]:
            notes.append("recommended a slot that is unknown or not a content slot; treated as a plain answer")
        if decoded["invalid_ask"][0]:
            notes.append("asked about a slot the user already answered (masked in act_mask)")
        self._turn += 1
        info: dict[str, Any] = {"reward_terms": terms, "turn": self._turn, "notes": notes,
                                "user_reaction": REACTIONS[int(out.explanations["reaction"][0])]}
        if self._ended:
            info["timeline"] = self.dialogue.core.timelines[0].to_info()
        if self.render_mode:
            spec = self.dialogue.spec
            self._records.append(TurnRecord(
                turn=self._turn, user_message=self._user_text, profile=spec.guess_text(guess[0]),
                reply=spec.render_reply(decoded["comps"][0]),
                guessed_items=tuple(spec.schema.items[i] for i in np.flatnonzero(guess[0])), n_unresolved=0,
                terms=terms, notes=tuple(notes), reaction=info["user_reaction"], truth_persona_id=""))
            self._user_text = user_message(self.dialogue.user, 0, self.dialogue.parts.cue_bank)
        if self.render_mode == "human":
            self.render()
        return obs[0].copy(), float(reward[0]), terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'human'")
            return None
        text = render_turn(self.dialogue.core.timelines[0], self._records, self._user_text,
                           self.dialogue.parts.schema, scenario=self.dialogue.parts.scenario.name,
                           ended=self._ended, color=False)
        if self.render_mode == "ansi":
            return text
        print(text)
        return None


class PersonaDialogNumericVectorEnv(VectorEnv):
    """N numeric conversations stepped with array operations on one core (no subprocesses).

    ``gym.make_vec("PersonaDialog-Numeric-v0", num_envs=N, vectorization_mode="vector_entry_point")``.
    Autoreset follows Gymnasium 1.x's default ``NEXT_STEP`` mode: the step after an episode ends
    resets that conversation (its action is ignored, reward 0). Infos are batched dicts with
    ``reward_terms`` (arrays) and ``invalid`` (bool).
    """

    metadata = {"render_modes": ["ansi"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, num_envs: int = 1, render_mode: str | None = None, history: bool = True,
                 **options: Any) -> None:
        check_options(options)
        if render_mode not in (None, "ansi"):
            raise ValueError("the vector env renders 'ansi' (conversation 0) or nothing")
        self.num_envs = int(num_envs)
        self.render_mode = render_mode
        self.dialogue = NumericDialogue(self.num_envs, history, **options)
        self.single_observation_space = self.dialogue.spec.observation_space
        self.single_action_space = self.dialogue.spec.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._autoreset = np.zeros(self.num_envs, dtype=bool)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        if seed is not None:
            self._np_random, self._np_random_seed = gym.utils.seeding.np_random(seed)
        if options:
            raise ValueError("numeric mode takes no reset options")
        obs = self.dialogue.reset(self.np_random)
        self._autoreset[:] = False
        return obs.copy(), {}

    def step(self, actions: Any):
        rng = self.np_random
        resetting = self._autoreset.copy()
        if resetting.any():
            self.dialogue.reset(rng, resetting, observe=False)
        active = ~resetting
        obs, reward, out, decoded, _ = self.dialogue.step(rng, actions, active=active if resetting.any() else None)
        terminated = out.terminated & active
        truncated = out.truncated & active
        reward = np.where(active, reward, 0.0)
        self._autoreset = terminated | truncated
        infos = {"reward_terms": {k: np.where(active, v, 0.0) for k, v in out.terms.items()},
                 "invalid": (decoded["invalid_rec"] | decoded["invalid_ask"]) & active}
        return obs.copy(), reward.astype(np.float64), terminated, truncated, infos

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        return user_message(self.dialogue.user, 0, self.dialogue.parts.cue_bank)


def make_numeric_vector_env(num_envs: int = 1, **kwargs: Any) -> PersonaDialogNumericVectorEnv:
    """``vector_entry_point`` target (``gym.make_vec`` passes ``num_envs`` and the env kwargs)."""
    return PersonaDialogNumericVectorEnv(num_envs=num_envs, **kwargs)
